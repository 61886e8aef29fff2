#!/usr/bin/env bash
# Run a command with the settings in .env (if present) added to the environment. A variable
# already set in the environment wins over .env. Lines are KEY=value; # starts a comment.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo ".env: not KEY=value: $line" >&2; exit 1; }
    [ -n "${!key+set}" ] || export "$key=$value"
  done < .env
fi
exec "$@"
