#!/usr/bin/env bash
# backup-measure.sh — `mealbuddy backup` of a big database while chat runs
# (issue 15).
#
#   scripts/backup-measure.sh BINARY
#   SCALE=100 scripts/backup-measure.sh BINARY     # 1/100 of every size: a quick end-to-end check
#
# 1. Fills a fresh data folder: BINARY migrate up, then scripts/filldb with
#    POSTS posts (default 100,000) and MESSAGES messages (default 1,000,000).
# 2. Starts BINARY serve on it with the limits off (the flags it has of
#    --max-conns, --max-conns-per-ip, --max-sockets-per-user, --chat-rate),
#    and waits for /readyz.
# 3. One backup with no load (time, archive size).
# 4. Chat without a backup: mealbuddy-load, ROOMS rooms (default 200) ×
#    MEMBERS members (5) at RATE msg/s each (1), for DURATION (30s).
# 5. The same chat again, with backups running back to back over the whole
#    measured window (the first starts when the load's warm-up ends), so
#    that every measured message travels during a backup.
# Prints the database size, the backup times and archive size, and the chat
# p50/p99 and delivery without and during backups.
#
# Environment: POSTS, MESSAGES, ROOMS, MEMBERS, RATE, DURATION, SCALE
# (divides POSTS, MESSAGES and ROOMS), PORT (default 18482), LOAD (a built
# mealbuddy-load; default: built from ./cmd/mealbuddy-load), KEEP=1 keeps
# the data folder and logs. Needs Go (to build filldb and the driver).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib-measure.sh"
if [[ $# -ne 1 ]]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
BIN=$(abspath "$1")
need_binary "$BIN"
SCALE=${SCALE:-1}
POSTS=${POSTS:-$((100000 / SCALE))}
MESSAGES=${MESSAGES:-$((1000000 / SCALE))}
ROOMS=${ROOMS:-$((200 / SCALE > 0 ? 200 / SCALE : 1))}
MEMBERS=${MEMBERS:-5}
RATE=${RATE:-1}
DURATION=${DURATION:-30s}
WARMUP=3 # mealbuddy-load's default --warmup, in seconds
PORT=${PORT:-18482}
if ! port_free "$PORT"; then
	echo "port $PORT is in use; set PORT" >&2
	exit 1
fi
if ! "$BIN" backup --help >/dev/null 2>&1; then
	echo "$BIN has no backup command" >&2
	exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mealbuddy-backup-measure.XXXXXX")
DATA="$WORK/data"
PID=
LPID=
cleanup() {
	if [[ -n $LPID ]]; then kill "$LPID" 2>/dev/null || true; wait "$LPID" 2>/dev/null || true; fi
	if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	if [[ ${KEEP:-} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "building filldb$([[ -z ${LOAD:-} ]] && echo " and mealbuddy-load") …" >&2
(
	cd "$here/.."
	go build -o "$WORK/filldb" ./scripts/filldb
	if [[ -z ${LOAD:-} ]]; then go build -o "$WORK/mealbuddy-load" ./cmd/mealbuddy-load; fi
)
LOAD=$(abspath "${LOAD:-$WORK/mealbuddy-load}")

mkdir -m 0700 "$DATA"
"$BIN" migrate up --data "$DATA" >/dev/null
"$WORK/filldb" --data "$DATA" --posts "$POSTS" --messages "$MESSAGES" >&2
DB_SIZE=$(db_bytes "$DATA")

# shellcheck disable=SC2046 # the flags are words
"$BIN" serve --data "$DATA" --addr "127.0.0.1:$PORT" $(serve_flags "$BIN") 2>"$WORK/serve.log" &
PID=$!
until [[ $(http_status "$PORT" /readyz) == 200 ]]; do
	if ! kill -0 "$PID" 2>/dev/null; then
		echo "serve exited; its log:" >&2
		tail -20 "$WORK/serve.log" >&2
		exit 1
	fi
	nap 0.05
done

# backup_once FILE: runs one backup; prints its wall time in ms.
backup_once() {
	local t0 t1
	t0=$(now_ns)
	if ! "$BIN" backup --data "$DATA" "$1" >>"$WORK/backup.log" 2>&1; then
		echo "backup failed:" >&2
		tail -5 "$WORK/backup.log" >&2
		return 1
	fi
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000000))
}

QUIET_MS=$(backup_once "$WORK/quiet.tar.gz")
ARCHIVE=$(stat -c %s "$WORK/quiet.tar.gz")
rm -f "$WORK/quiet.tar.gz"

load() {
	"$LOAD" --url "http://127.0.0.1:$PORT" --data "$DATA" --rooms "$ROOMS" --members "$MEMBERS" --rate "$RATE" \
		--duration "$DURATION" --warmup "${WARMUP}s"
}

echo "chat without a backup: $ROOMS rooms × $MEMBERS members at $RATE msg/s for $DURATION …" >&2
load >"$WORK/load-quiet.txt" 2>&1 || { cat "$WORK/load-quiet.txt" >&2; exit 1; }

echo "the same chat with backups back to back …" >&2
load >"$WORK/load-backup.txt" 2>&1 &
LPID=$!
until grep -q '^sending' "$WORK/load-backup.txt" 2>/dev/null; do
	if ! kill -0 "$LPID" 2>/dev/null; then
		cat "$WORK/load-backup.txt" >&2
		exit 1
	fi
	nap 0.05
done
nap "$WARMUP"
LOADED_MS=()
i=0
while kill -0 "$LPID" 2>/dev/null; do
	i=$((i + 1))
	LOADED_MS+=("$(backup_once "$WORK/loaded-$i.tar.gz")")
	rm -f "$WORK/loaded-$i.tar.gz"
done
wait "$LPID" || { cat "$WORK/load-backup.txt" >&2; exit 1; }
LPID=

# field FILE NAME: the value after NAME in the load driver's latency line.
field() { grep -o -- "$2 [^ ]*" "$1" | head -1 | cut -d' ' -f2; }
delivered() { grep -o -- 'delivered [0-9]* ([^)]*)' "$1" | head -1; }

echo
echo "database: $POSTS posts, $MESSAGES messages, $(human "$DB_SIZE") (mealbuddy.db + WAL)"
echo "archive:  $(human "$ARCHIVE")"
echo "backup:   ${QUIET_MS} ms without load; under chat load ${LOADED_MS[*]} ms (median $(median "${LOADED_MS[@]}") ms, ${#LOADED_MS[@]} back to back)"
echo
echo "chat, $ROOMS rooms × $MEMBERS members at $RATE msg/s, $DURATION each | p50 | p99 | delivered"
echo "---|---|---|---"
echo "without a backup | $(field "$WORK/load-quiet.txt" p50) | $(field "$WORK/load-quiet.txt" p99) | $(delivered "$WORK/load-quiet.txt")"
echo "during backups | $(field "$WORK/load-backup.txt" p50) | $(field "$WORK/load-backup.txt" p99) | $(delivered "$WORK/load-backup.txt")"
if [[ -z $(field "$WORK/load-quiet.txt" p99) ]]; then
	echo "(the driver's output has no p99 line; here it is:)"
	cat "$WORK/load-quiet.txt" "$WORK/load-backup.txt"
fi
