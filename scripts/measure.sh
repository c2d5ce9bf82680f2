#!/usr/bin/env bash
# measure.sh — issue 11's tables for one or more mealbuddy binaries, each
# side by side with the bare ceiling (cmd/mealbuddy-load --mode ceiling) in
# the same run, runs alternating between the two, medians of REPEAT.
#
#   scripts/measure.sh /work/bin/mealbuddy-c031344 ./mealbuddy
#
# For each binary: a fresh data folder (the binary's own migrations) seeded
# by the driver with POSTS posts around one dong; `serve` with every limit
# off (README "Limits"); then, each on a fresh start of the server:
#   1. idle RSS (IDLE_WAIT after start, before any request);
#   2. board list only and the mixed workload (16 keep-alive clients);
#   3. chat: 50 rooms (its RSS), CHAT_ROOMS and CHAT_ROOMS_BIG rooms, 5
#      members each, 1 message/s per member;
#   4. a burst of LOGINS logins at 16 clients: RSS peak and AFTER later;
#   5. the board variants uncached, two ways: viewers with a block, who
#      bypass the page cache (the posts' kept items still serve them); and,
#      when the binary has it, --no-board-cache, which keeps nothing.
# Everything is printed as markdown and kept in OUT (default
# ./measure-<date>/, with each server's log).
#
# Sizes come from the environment; the defaults are the full sizes. A quick
# check of the script itself:
#   DURATION=2s WARMUP=1s REPEAT=1 POSTS=2000 CHAT_ROOMS=50 CHAT_ROOMS_BIG=100 \
#     CHAT_DURATION=3s LOGINS=10 AFTER=3s IDLE_WAIT=2s scripts/measure.sh BIN...
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}           # each HTTP run
WARMUP=${WARMUP:-2s}                # before each run, not counted
REPEAT=${REPEAT:-3}
CHAT_REPEAT=${CHAT_REPEAT:-$REPEAT}         # chat rows (each takes CHAT_DURATION)
VARIANTS_REPEAT=${VARIANTS_REPEAT:-$REPEAT} # the 18 uncached board variants
POSTS=${POSTS:-10000}
CHAT_ROOMS=${CHAT_ROOMS:-1000}
CHAT_ROOMS_BIG=${CHAT_ROOMS_BIG:-2000}
CHAT_DURATION=${CHAT_DURATION:-30s}
LOGINS=${LOGINS:-100}
AFTER=${AFTER:-30s}
IDLE_WAIT=${IDLE_WAIT:-10s}
PORT=${PORT:-18480}
CEILING_PORT=${CEILING_PORT:-18490}
OUT=${OUT:-./measure-$(date -u +%Y%m%d-%H%M%S)}

if [[ $# -eq 0 ]]; then
	sed -n '2,25p' "$0" >&2
	exit 2
fi
for bin in "$@"; do
	[[ -x $bin ]] || { echo "measure: $bin is not an executable" >&2; exit 2; }
done
for p in "$PORT" "$CEILING_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "measure: port $p is in use (set PORT / CEILING_PORT)" >&2
		exit 1
	fi
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOAD=$OUT/mealbuddy-load
CGO_ENABLED=0 go build -o "$LOAD" ./cmd/mealbuddy-load

SERVER_PID=
CEILING_PID=
cleanup() {
	stop_server
	if [[ -n $CEILING_PID ]]; then kill "$CEILING_PID" 2>/dev/null || true; wait "$CEILING_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

wait_port() {
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "measure: nothing listens on port $1" >&2
	return 1
}

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

"$LOAD" --mode ceiling --addr "127.0.0.1:$CEILING_PORT" >"$OUT/ceiling.log" 2>&1 &
CEILING_PID=$!
wait_port "$CEILING_PORT"
CEILING=http://127.0.0.1:$CEILING_PORT
URL=http://127.0.0.1:$PORT

# start_server BIN DATA NAME [extra flags...]: serve with every limit the
# binary has turned off.
start_server() {
	local bin=$1 data=$2 name=$3
	shift 3
	local help flags=()
	help=$("$bin" serve --help 2>&1)
	for f in max-conns max-conns-per-ip chat-rate max-open-posts max-open-rooms max-sockets-per-user \
		login-rate login-ip-rate login-account-rate register-rate register-rate-global weather-rate; do
		if grep -q -- "--$f " <<<"$help"; then flags+=("--$f" 0); fi
	done
	"$bin" serve --data "$data" --addr "127.0.0.1:$PORT" --weather off --log-level warn "${flags[@]}" "$@" \
		>>"$OUT/$name.serve.log" 2>&1 &
	SERVER_PID=$!
	wait_port "$PORT"
}

stop_server() {
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}

measure_binary() {
	local bin=$1 name data report
	name=$(basename "$bin")
	data=$OUT/data-$name
	report=$OUT/$name.md
	rm -rf "$data"
	echo "## $name ($bin)" | tee "$report"
	echo | tee -a "$report"

	start_server "$bin" "$data" "$name"
	sleep "${IDLE_WAIT%s}"
	echo "| idle RSS after ${IDLE_WAIT} | $(rss_mb "$SERVER_PID") MB |" | tee -a "$report"
	echo "|---|---|" | tee -a "$report"
	"$LOAD" --data "$data" --url "$URL" --mode seed --posts "$POSTS"

	local common=(--data "$data" --url "$URL" --ceiling-url "$CEILING" --repeat "$REPEAT" --duration "$DURATION" --warmup "$WARMUP")
	"$LOAD" "${common[@]}" --mode board | tee -a "$report"
	"$LOAD" "${common[@]}" --mode mixed | tee -a "$report"
	stop_server

	local rooms
	for rooms in 50 "$CHAT_ROOMS" "$CHAT_ROOMS_BIG"; do
		start_server "$bin" "$data" "$name"
		"$LOAD" --data "$data" --url "$URL" --ceiling-url "$CEILING" --pid "$SERVER_PID" --ceiling-pid "$CEILING_PID" \
			--mode chat --rooms "$rooms" --members 5 --rate 1 --repeat "$CHAT_REPEAT" --duration "$CHAT_DURATION" --warmup "$WARMUP" \
			| tee -a "$report"
		stop_server
	done

	start_server "$bin" "$data" "$name"
	sleep "${IDLE_WAIT%s}"
	"$LOAD" --data "$data" --url "$URL" --pid "$SERVER_PID" --mode logins --logins "$LOGINS" --after "$AFTER" | tee -a "$report"
	stop_server

	start_server "$bin" "$data" "$name"
	"$LOAD" "${common[@]}" --repeat "$VARIANTS_REPEAT" --mode variants --uncached block | tee -a "$report"
	stop_server
	if "$bin" serve --no-board-cache --help >/dev/null 2>&1; then # a hidden flag: not in --help
		start_server "$bin" "$data" "$name" --no-board-cache
		"$LOAD" "${common[@]}" --repeat "$VARIANTS_REPEAT" --mode variants --uncached flag | tee -a "$report"
		stop_server
	fi
}

for bin in "$@"; do
	measure_binary "$bin"
done

echo
echo "# Results ($(date -u +%FT%TZ), $(nproc) CPUs; REPEAT=$REPEAT CHAT_REPEAT=$CHAT_REPEAT VARIANTS_REPEAT=$VARIANTS_REPEAT DURATION=$DURATION CHAT_DURATION=$CHAT_DURATION POSTS=$POSTS)"
for bin in "$@"; do
	echo
	grep -E '^(#|\|)|^$' "$OUT/$(basename "$bin").md" | cat -s
done
