#!/usr/bin/env bash
# Debian packages the test suite drives: Neovim (second LSP client), Chromium (the runs
# panel's webview, headless), and Python with PyTorch, scikit-learn and torchvision (the
# torch engine, the exported projects, and the independent references they are checked
# against). Installs only what is missing, so it is quick on a machine that has them;
# needs root (or sudo) for apt-get.
set -euo pipefail
missing=()
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
[ -x /usr/bin/chromium ] || missing+=(chromium)
for pkg in python3-torch python3-sklearn python3-torchvision; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
