#!/usr/bin/env bash
# Installs the web chat's one dependency (socket.io-client, pinned in package-lock.json) from npm
# and copies its browser bundle into web/vendor/, so the page never loads code from a CDN. The
# browser test's dev dependencies (axe-core, rasa-webchat) come too. No package's install scripts
# run: none of them needs one, and rasa-webchat brings hundreds of packages.
set -euo pipefail
web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

npm ci --prefix "$web_dir" --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p "$web_dir/vendor"
cp "$web_dir/node_modules/socket.io-client/dist/socket.io.min.js" \
   "$web_dir/node_modules/socket.io-client/dist/socket.io.min.js.map" \
   "$web_dir/vendor/"
echo "web chat: socket.io-client $(node -p "require('$web_dir/node_modules/socket.io-client/package.json').version") copied to web/vendor/"
