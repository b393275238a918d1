#!/usr/bin/env bash
# Debian and Ubuntu ship Python without venv/ensurepip: install python3-venv when missing.
set -euo pipefail
python=${1:-python3}
if "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "$python cannot create virtualenvs: install the python3-venv package (apt-get install python3-venv) and retry." >&2
  exit 1
fi
echo "Installing python3-venv (needed to create .venv)..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q python3-venv >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
