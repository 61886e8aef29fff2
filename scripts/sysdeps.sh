#!/usr/bin/env bash
# Install the Debian packages svmonitor needs, only those missing, with one apt-get update.
# Usage: scripts/sysdeps.sh runtime|test
set -euo pipefail
RUNTIME=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
TEST=(poppler-utils chromium postgresql)
want=("${RUNTIME[@]}")
[ "${1:-runtime}" = test ] && want+=("${TEST[@]}")
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Please install: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
