#!/usr/bin/env bash
# What the end-to-end suite (tests/e2e) needs: Debian's Chromium, and code-server (a real
# VS Code workbench that runs offline) in a cache folder of its own, so it never enters
# the product's dependencies. Idempotent: a second run only checks.
# See ../shared/notes/vscode-e2e.md for why each step is there.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3 # the newest release whose engines.node is 20
CACHE=tests/e2e/.cache
PREFIX="$CACHE/code-server"
STAMP="$PREFIX/installed-$CODE_SERVER_VERSION"

# rg: @vscode/ripgrep's install takes Debian's binary instead of downloading one.
# libkrb5-dev, g++, make: code-server's `kerberos` addon builds from source.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -f "$STAMP" ] && [ -f "$PREFIX/node_modules/code-server/out/node/entry.js" ]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

mkdir -p "$PREFIX"
rm -f "$PREFIX"/installed-*
cat > "$PREFIX/package.json" <<JSON
{
  "name": "modelspec-e2e-code-server",
  "private": true,
  "description": "code-server for the end-to-end tests only (written by scripts/install-e2e.sh)",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" }
}
JSON

# @vscode/ripgrep looks for its release archive in $TMPDIR before downloading it.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-musl ;;
  *) echo "install-e2e: no ripgrep archive name known for $(uname -m)" >&2; exit 1 ;;
esac
rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rg_cache"
cp "$(command -v rg)" "$tmp/rg"
tar -czf "$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C "$tmp" rg

echo "installing code-server $CODE_SERVER_VERSION into $PREFIX (about 2 minutes)"
# unsafe_perm: code-server's postinstall refuses to run as root without it;
# yes: its nested install runs `npx node-gyp`, which would otherwise prompt.
(
  cd "$PREFIX"
  TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --no-save --foreground-scripts --loglevel=error
)
touch "$STAMP"
echo "code-server $CODE_SERVER_VERSION installed"
