#!/usr/bin/env bash
# Creates .venv with Python 3.10 and the pinned requirements (again only when requirements.txt
# changed), and installs the web chat's socket.io client from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 \
                   /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  if [ ! -x .venv/bin/python ]; then
    if ! py=$(find_python310); then
      echo "Python 3.10 is needed (Rasa 3.6 supports up to 3.10) and none was found." >&2
      echo "Install it (for example: pyenv install 3.10.13), or set PYTHON310=/path/to/python3.10, then run make again." >&2
      exit 1
    fi
    echo "==> Creating .venv with $py"
    "$py" -m venv .venv
  fi
  echo "==> Installing the pinned Python packages (first time: about 4 minutes) ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==23.2.1"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
  echo "$wanted" > "$stamp"
fi

if [ ! -f web/vendor/socket.io.min.js ] || [ ! -f web/node_modules/axe-core/axe.min.js ] || \
   [ web/package-lock.json -nt web/vendor/socket.io.min.js ]; then
  if [ -x web/install.sh ]; then
    echo "==> Installing the web chat's socket.io client from npm ..."
    web/install.sh
  fi
fi
