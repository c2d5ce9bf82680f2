#!/usr/bin/env bash
# End-to-end tests of the MealBuddy binary in Debian's headless Chromium.
#   MEALBUDDY_BIN   binary under test (default: ../mealbuddy relative to this folder)
#   E2E_KEEP_DATA=1     keep the server's temporary data folder
# Build the binary first:
#   make build   (from the repository root; `make e2e` builds and runs this)
set -euo pipefail
cd "$(dirname "$0")"

export MEALBUDDY_BIN="${MEALBUDDY_BIN:-../mealbuddy}"
if [ ! -x "$MEALBUDDY_BIN" ]; then
  echo "run.sh: no executable MealBuddy binary at $MEALBUDDY_BIN." >&2
  echo "  build it: cd .. && (cd ui && npm ci && npm run build) && CGO_ENABLED=0 go build -o mealbuddy ." >&2
  exit 2
fi

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
# Fonts only make the screenshots readable (Korean text, emoji); tests do not depend on them.
if command -v fc-list >/dev/null && ! fc-list :lang=ko | grep -q .; then
  apt_install fonts-nanum || echo "run.sh: could not install fonts-nanum; screenshots will show boxes for Korean" >&2
fi
if [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  apt_install fonts-noto-color-emoji || echo "run.sh: could not install fonts-noto-color-emoji" >&2
fi

npm ci --no-audit --no-fund
node --test --test-reporter=spec tests/
