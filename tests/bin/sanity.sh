#!/usr/bin/env bash
# ansible-test sanity on this collection, with no ignore files.
#
# ansible-test wants the collection at .../ansible_collections/glpiops/glpi and
# a git-free view of the files that belong to it: copy the tracked and
# not-ignored files there.  Its --venv mode bootstraps pip with a script it
# downloads from a host this machine cannot reach; tests/sanity/get_pip.py is
# put in its cache when no real copy is there.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
python=${SANITY_PYTHON:-3.11}

pip_version=$(python3 - <<'PY'
import ansible_test._internal.python_requirements as r
from ansible_test._internal.host_configs import NativePythonConfig
print(r.get_venv_packages(NativePythonConfig(version="3.11"))["pip"])
PY
) || pip_version=""
if [ -n "$pip_version" ]; then
  cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  if [ ! -s "$cache" ]; then
    mkdir -p "$(dirname "$cache")"
    cp "$root/tests/sanity/get_pip.py" "$cache"
    echo "sanity: installed offline pip bootstrap stand-in at $cache"
  fi
fi

# The shellcheck sanity test is skipped, not failed, when the program is missing: install the real one.
if ! command -v shellcheck >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/glpiops/glpi"
mkdir -p "$dest"
# tests/fixtures/reference is left out: recorded and upstream data (GLPI Agent's corpus, schemas, transcripts) kept byte
# for byte, CRLF, BOMs and typographic quotes included, which the text checks of ansible-test would flag; it holds no code.
(cd "$root" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
   case "$f" in tests/fixtures/reference/*) continue ;; esac
   [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$dest")
cd "$dest"
git init -q . && git add -A >/dev/null
echo "== ansible-test sanity (python $python, no ignore files) =="
ansible-test sanity --venv --python "$python" --color no "$@"
