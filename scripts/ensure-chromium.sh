#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing and we can (root with apt).
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null; })
  exit 0
fi
echo "############################################################################"
echo "WARNING: chromium is not installed and cannot be installed here (not root)."
echo "         Browser tests will be SKIPPED. Enable them: sudo apt-get install chromium"
echo "############################################################################"
