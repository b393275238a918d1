#!/usr/bin/env bash
# Print the path of a Python X.Y that really runs, or fail saying how to get one.
#   tests/bin/find-python.sh 3.13
# Looked for: pythonX.Y in PATH (a pyenv shim for a version that is not selected fails, and is passed over),
# then pyenv's installed X.Y.* versions ($PYENV_ROOT, `pyenv root`, ~/.pyenv, /root/.pyenv).
set -uo pipefail
want=${1:?usage: $0 X.Y}
runs() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; }
candidates=("$(command -v "python$want" 2>/dev/null)")
roots=("${PYENV_ROOT:-}" "$(pyenv root 2>/dev/null)" "$HOME/.pyenv" /root/.pyenv)
for root in "${roots[@]}"; do
  [ -n "$root" ] || continue
  while IFS= read -r version; do
    candidates+=("$version/bin/python$want")
  done < <(find "$root/versions" -mindepth 1 -maxdepth 1 -name "$want.*" 2>/dev/null | sort -rV)
done
for candidate in "${candidates[@]}"; do
  if runs "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "No working Python $want found (python$want in PATH, or pyenv's versions/$want.*): install it, e.g." \
     "\`pyenv install $want\`, or pass PYTHON${want/./}=/path/to/python$want to make." >&2
exit 1
