#!/usr/bin/env bash
# cold-start.sh — time from exec to the first 200 of /readyz (issue 15).
#
#   scripts/cold-start.sh BINARY
#
# Starts BINARY serve RUNS times (default 5) on a fresh, empty data folder
# each time (it creates the folder, the signing key and the schema), then
# RUNS times on one data folder that already holds a big board: POSTS posts
# (default 100,000) and MESSAGES messages (default 1,000,000), written by
# scripts/filldb after BINARY's own `migrate up`. Each run is measured from
# just before exec to the first 200 answer of GET /readyz, polled every
# POLL seconds (default 0.002) from bash itself; each run's times and the
# median are printed in ms. A binary without /readyz (before issue 15) is
# timed to the first 200 of GET / instead, and the output says so.
#
# Environment: RUNS, POSTS, MESSAGES, POLL, PORT (default 18481),
# KEEP=1 keeps the data folders. Needs Go (to build scripts/filldb).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib-measure.sh"
if [[ $# -ne 1 ]]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
BIN=$(abspath "$1")
need_binary "$BIN"
RUNS=${RUNS:-5}
POSTS=${POSTS:-100000}
MESSAGES=${MESSAGES:-1000000}
POLL=${POLL:-0.002}
PORT=${PORT:-18481}
if ! port_free "$PORT"; then
	echo "port $PORT is in use; set PORT" >&2
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mealbuddy-cold-start.XXXXXX")
PID=
cleanup() {
	if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	if [[ ${KEEP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

FLAGS=$(serve_flags "$BIN")
READY=/readyz

# start_once DATA: one timed start; prints the ms to the first 200 of READY.
start_once() {
	local data=$1 t0 t1 code
	t0=$(now_ns)
	# shellcheck disable=SC2086 # FLAGS is a list of words
	"$BIN" serve --data "$data" --addr "127.0.0.1:$PORT" $FLAGS 2>>"$WORK/serve.log" &
	PID=$!
	while :; do
		code=$(http_status "$PORT" "$READY")
		if [[ $code == 200 ]]; then
			t1=$(now_ns)
			break
		fi
		if [[ $code == 404 && $READY == /readyz ]]; then
			READY=/ # an older binary: no /readyz
			echo "note: $BIN has no /readyz; timing the first 200 of GET / instead" >&2
			continue
		fi
		if ! kill -0 "$PID" 2>/dev/null; then
			echo "serve exited before it was ready; its log:" >&2
			tail -20 "$WORK/serve.log" >&2
			return 1
		fi
		nap "$POLL"
	done
	kill -TERM "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	while ! port_free "$PORT"; do nap 0.01; done
	echo $(((t1 - t0) / 1000000))
}

# series LABEL DATA-MAKER: RUNS starts; DATA-MAKER prints the data folder of
# run i.
series() {
	local label=$1 make=$2 i ms all=()
	for i in $(seq "$RUNS"); do
		ms=$(start_once "$("$make" "$i")")
		all+=("$ms")
	done
	printf '%-52s runs %s ms → median %s ms\n' "$label:" "${all[*]}" "$(median "${all[@]}")"
}

fresh() { printf '%s/fresh-%s\n' "$WORK" "$1"; } # serve creates it
BIG="$WORK/big"
big() { printf '%s\n' "$BIG"; }

echo "binary: $BIN ($(human "$(stat -c %s "$BIN")")); readiness: GET $READY every ${POLL}s; $(nproc) CPUs"
series "fresh data folder" fresh

echo "filling $POSTS posts and $MESSAGES messages …" >&2
( cd "$here/.." && go build -o "$WORK/filldb" ./scripts/filldb )
mkdir -m 0700 "$BIG"
"$BIN" migrate up --data "$BIG" >/dev/null
"$WORK/filldb" --data "$BIG" --posts "$POSTS" --messages "$MESSAGES" >&2
start_once "$BIG" >/dev/null # the first start after the fill: not counted
series "$POSTS posts, $MESSAGES messages (db $(human "$(db_bytes "$BIG")"))" big
