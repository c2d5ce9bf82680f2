#!/usr/bin/env bash
# idle-rss.sh — resident memory of `mealbuddy serve` (issue 2, point 9; target < 25 MB).
#
# Takes BINARY (or builds the cgo-free binary), seeds a fresh data folder in a separate process,
# starts `serve` on a fixed port, and reads VmRSS from /proc/<pid>/status:
#   1. 2 s after the port accepts connections (idle, nothing served yet);
#   2. after 1,000 GET /api/post/ over one keep-alive connection.
# The token is minted here with MEALBUDDY_SECRET (HS256) so that no login —
# and no argon2 with its 19 MiB working memory — runs inside the measured
# process.
#
#   scripts/idle-rss.sh BINARY [port]   measure BINARY (e.g. an older release, to compare)
#   scripts/idle-rss.sh [port]          build this checkout first (make ui for the web app)
# The port defaults to 18473.
set -euo pipefail

BIN=
if [[ $# -gt 0 && ! $1 =~ ^[0-9]+$ ]]; then
	case $1 in /*) BIN=$1 ;; *) BIN=$PWD/$1 ;; esac
	if [[ ! -f $BIN || ! -x $BIN ]]; then
		echo "not an executable MealBuddy binary: $1" >&2
		exit 2
	fi
	shift
fi
cd "$(dirname "$0")/.."
PORT=${1:-18473}
REQUESTS=1000
export MEALBUDDY_SECRET=idle-rss-secret-0123456789abcdef0123456789abcdef

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
	echo "port $PORT is in use; pass another one" >&2
	exit 1
fi

DATA=$(mktemp -d)
PID=
cleanup() {
	if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$DATA"
}
trap cleanup EXIT
if [[ -z $BIN ]]; then
	BIN="$DATA/mealbuddy"
	CGO_ENABLED=0 go build -o "$BIN" .
fi

MEALBUDDY_SEED_PASSWORD=password123 "$BIN" seed --data "$DATA/data" --users 8 --posts 60 >/dev/null

"$BIN" serve --data "$DATA/data" --addr "127.0.0.1:$PORT" --weather off 2>"$DATA/serve.log" &
PID=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
	sleep 0.05
done
sleep 2

rss() { awk -v what="$1" '/^VmRSS|^VmHWM|^RssAnon|^RssFile/ {sub(":", "", $1); printf "%s%s %s kB", sep, $1, $2; sep=", "} END {print "  (" what ")"}' "/proc/$PID/status"; }
echo "binary: $(du -h "$BIN" | cut -f1)"
rss "idle, 2 s after start"

# HS256 token for user 1 (credential version 1), valid for an hour.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
head=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
body=$(printf '{"ver":1,"sub":"1","iat":%d,"exp":%d}' "$now" "$((now + 3600))" | b64url)
sig=$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -hmac "$MEALBUDDY_SECRET" -binary | b64url)
TOKEN="$head.$body.$sig"

CONF="$DATA/curl.conf"
for i in $(seq "$REQUESTS"); do
	printf 'url = "http://127.0.0.1:%s/api/post/?page=%d"\noutput = "/dev/null"\n' "$PORT" $(((i % 6) + 1))
done >"$CONF"
ok=$(curl -s -K "$CONF" -H "Authorization: token $TOKEN" -w '%{http_code}\n' | grep -c '^200$' || true)
echo "list requests: $ok of $REQUESTS answered 200"
sleep 1
rss "after $REQUESTS list requests"
