#!/usr/bin/env bash
# Debian's headless Chromium, for the docs page test (tests/test_docs_page.py), which skips
# with a reason where no Chromium is found. Idempotent; needs root (or sudo) and apt.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "install-browser: $(chromium --version 2>/dev/null | head -1) already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get; install Chromium yourself" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-browser: not root and no sudo; install chromium yourself" >&2
        exit 0
    fi
fi
echo "install-browser: installing chromium"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
