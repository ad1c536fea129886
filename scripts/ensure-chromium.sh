#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; install it when it is missing (as root, with apt).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[relata] installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "[relata] the browser tests need Chromium: install Debian's 'chromium' package (or set CHROMIUM_PATH)" >&2
exit 1
