#!/usr/bin/env bash
# qemu-smoke.sh — the linux/arm64 release binary (Raspberry Pi 3/4/5) runs:
# under qemu-user-static it prints its version, applies the migrations to a
# fresh data folder, and serves until /readyz answers 200 (checked with the
# arm64 binary's own `healthcheck` and with curl). Installs Debian's
# qemu-user-static when missing (CI runs as root). Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

QEMU=qemu-aarch64-static
if ! command -v "$QEMU" >/dev/null; then
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y qemu-user-static
fi

WORK=$(mktemp -d)
PID=
cleanup() {
	if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

BIN=$WORK/mealbuddy-arm64
CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -ldflags '-s -w' -o "$BIN" .

run() { "$QEMU" "$BIN" "$@"; }
DATA=$WORK/data

run version
run migrate up --data "$DATA"
# Read the whole answer first: grep -q stops at the first match, and under
# pipefail the writer's SIGPIPE (exit 141) then fails the pipeline.
status=$(run migrate status --data "$DATA")
grep -q applied <<<"$status"

"$QEMU" "$BIN" serve --data "$DATA" --addr 127.0.0.1:0 --weather off 2>"$WORK/serve.log" &
PID=$!
ADDR=
for _ in $(seq 600); do # emulation is slow: up to 60 s
	ADDR=$(sed -n 's/.*mealbuddy listening" url=http:\/\/\([0-9.:]*\).*/\1/p' "$WORK/serve.log" | head -1)
	[[ -n $ADDR ]] && break
	kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
	sleep 0.1
done
[[ -n $ADDR ]] || { echo "serve did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }

ready=
for _ in $(seq 100); do
	if curl -fsS "http://$ADDR/readyz" >"$WORK/readyz.json" 2>/dev/null; then ready=1; break; fi
	sleep 0.1
done
[[ -n $ready ]] || { echo "/readyz never answered 200" >&2; cat "$WORK/serve.log" >&2; exit 1; }
grep -q '"status":"ok"' "$WORK/readyz.json"
run healthcheck --addr "$ADDR" >/dev/null
echo "arm64 under qemu: version, migrate up and serve + /readyz ok ($(cat "$WORK/readyz.json"))"
