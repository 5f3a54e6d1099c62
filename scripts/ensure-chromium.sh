#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser test (apps/visits/test/browser), which drives it
# with playwright-core: no browser download works here, so the test uses /usr/bin/chromium.
#
# Idempotent: does nothing but print the version when /usr/bin/chromium is there. Otherwise installs
# Debian's `chromium` package without its recommends (no extra fonts or drivers are needed headless).
#
#   bash scripts/ensure-chromium.sh
set -euo pipefail

chromium=/usr/bin/chromium

if [[ -x "$chromium" ]]; then
  echo "ensure-chromium: $("$chromium" --version 2>/dev/null || echo chromium) at $chromium"
  exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: must run as root (or with sudo available) to install Debian's chromium" >&2; exit 1; }
  sudo=(sudo)
fi

echo "ensure-chromium: installing Debian's chromium"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium

[[ -x "$chromium" ]] || { echo "ensure-chromium: $chromium is still missing after installing the package" >&2; exit 1; }
echo "ensure-chromium: $("$chromium" --version 2>/dev/null || echo chromium) at $chromium"
