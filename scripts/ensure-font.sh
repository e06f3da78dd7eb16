#!/usr/bin/env bash
# Make sure a CJK TrueType font is present for PDF receipts (Chinese text must render, not show boxes).
set -euo pipefail
for f in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc; do
  [ -f "$f" ] && exit 0
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing the CJK font for PDF receipts (fonts-wqy-microhei)…"
  (apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-wqy-microhei >/dev/null; })
  exit 0
fi
echo "WARNING: no CJK font found; PDF receipts will fall back to a non-embedded font."
echo "         Install Debian's fonts-wqy-microhei (sudo apt-get install fonts-wqy-microhei) or set AFTERSALES_PDF_FONT."
