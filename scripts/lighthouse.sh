#!/usr/bin/env bash
# Lighthouse mobile on landing, board, post and room of the real binary.
# Needs a built binary (make build) and e2e/node_modules (cd e2e && npm ci).
#   MEALBUDDY_BIN  binary under test (default ./mealbuddy)
#   CHROME_PATH    Chromium (default /usr/bin/chromium)
# Writes e2e/lighthouse/<page>.json and prints a table; see scripts/lighthouse.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export MEALBUDDY_BIN="${MEALBUDDY_BIN:-$PWD/mealbuddy}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
[ -x "$MEALBUDDY_BIN" ] || { echo "lighthouse.sh: no binary at $MEALBUDDY_BIN (make build)" >&2; exit 2; }
[ -d e2e/node_modules/lighthouse ] || (cd e2e && npm ci --no-audit --no-fund)
exec node scripts/lighthouse.mjs
