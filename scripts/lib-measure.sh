# Shared helpers of scripts/cold-start.sh and scripts/backup-measure.sh
# (sourced, not run).

# abspath FILE: FILE as an absolute path.
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

# need_binary FILE: refuse anything but an executable file.
need_binary() {
	if [[ -z ${1:-} || ! -f $1 || ! -x $1 ]]; then
		echo "not an executable MealBuddy binary: ${1:-(none)}" >&2
		return 2
	fi
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { exec 3>&-; return 1; }; }

# nap SECONDS: sleep without starting a process (fractions allowed).
exec {_nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$_nap_fd" _ || true; }

# http_status PORT PATH: the status code of GET PATH, or nothing when no
# server answers. Plain bash (/dev/tcp), so polling costs no process start.
http_status() {
	local fd line
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$2" "$1" >&"$fd"
	IFS=' ' read -r -t 5 -u "$fd" _ line _ || true
	exec {fd}>&-
	printf '%s\n' "$line"
}

# serve_flags BINARY: the flags that turn the limits off, as far as this
# binary has them (older binaries lack some; they had no such limit).
serve_flags() {
	local help flag
	help=$("$1" serve --help 2>&1 || true)
	for flag in --max-conns --max-conns-per-ip --max-sockets-per-user --chat-rate; do
		if grep -q -- "$flag " <<<"$help"; then printf '%s 0 ' "$flag"; fi
	done
	if grep -q -- "--weather " <<<"$help"; then printf -- '--weather off '; fi
}

# median N...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# now_ns: nanoseconds since the epoch.
now_ns() { date +%s%N; }

# human BYTES
human() { numfmt --to=iec-i --suffix=B --format='%.1f' "$1" 2>/dev/null || printf '%s bytes\n' "$1"; }

# db_bytes DATA: mealbuddy.db plus its WAL.
db_bytes() {
	local n=0 f
	for f in "$1/mealbuddy.db" "$1/mealbuddy.db-wal"; do
		[[ -f $f ]] && n=$((n + $(stat -c %s "$f")))
	done
	printf '%s\n' "$n"
}
