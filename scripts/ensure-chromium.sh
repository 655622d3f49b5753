#!/usr/bin/env bash
# Puts Debian's Chromium at /usr/bin/chromium for the Swagger UI browser test, which drives it with
# playwright-core (`npx playwright install` cannot download browsers on this network). Does nothing
# when it is already there. Needs root or sudo; Debian/Ubuntu only.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then
  echo "chromium present: $("$chromium_path" --version 2>/dev/null || echo "$chromium_path")"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "chromium missing at $chromium_path: installing Debian's chromium package"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# With its recommended packages: they bring the fonts that make the screenshots readable.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
"$chromium_path" --version 2>/dev/null
