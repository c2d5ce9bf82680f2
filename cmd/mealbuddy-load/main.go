// Command mealbuddy-load drives a running `mealbuddy serve` and reports
// throughput, latency, delivery and memory, side by side with a bare
// "ceiling" server on the same machine (ceiling.go) when --ceiling-url is
// given: runs alternate between the two, and --repeat 3 prints medians.
//
// Modes (--mode):
//
//	seed      fill the board: --posts posts over the dongs within range 2
//	          of 서울특별시 종로구 사직동, 40 % in that dong
//	board     board list only: 16 clients, pages 1–5, half with a category
//	variants  the board uncached: range 0/1/2 × with/without category ×
//	          page 1/10/50, one row each (--uncached flag: the server runs
//	          with --no-board-cache; block: the viewers block someone with
//	          a post on the board, which bypasses the page cache on any
//	          version)
//	mixed     16 clients: 70 % board, 20 % post detail, 5 % write a post,
//	          5 % join a room and leave it
//	chat      --rooms × --members sockets, each sending --rate messages a
//	          second; delivery and end-to-end latency (the default mode)
//	idle      --idle sockets that send nothing; the server's memory per socket
//	logins    a burst of --logins logins at --clients, sampling the
//	          server's VmRSS (--pid) every 100 ms: peak and --after later
//	ceiling   run the ceiling itself on --addr (loopback only)
//
// Setup goes around the API on purpose (db.go). Registering thousands of
// users through the API costs one argon2id hash (19 MiB, 2 passes) each,
// and sign-ups and logins are rate-limited per address, so the driver,
// which runs on the server's machine, writes users, posts and memberships
// straight into the server's SQLite file and mints API tokens with the
// server's own token package (internal/token) and signing key:
// MEALBUDDY_SECRET when set, else the jwt-secret file in --data. Only the
// measured part goes through the server.
//
// Each chat message carries its send time ("L<unix nanos> …"); every member
// of the room, the sender included, measures now − send time when it
// arrives. The chat table also gives the CPU, in cores, that the target
// (--pid, --ceiling-pid) and the driver itself used over the measured
// window: when they add up to the machine's cores, both were starved.
//
//	mealbuddy-load --mode ceiling --addr 127.0.0.1:9090 &
//	mealbuddy-load --data /tmp/mb --mode seed --posts 10000
//	mealbuddy-load --data /tmp/mb --mode mixed --ceiling-url http://127.0.0.1:9090 --repeat 3
//	mealbuddy-load --data /tmp/mb --rooms 2000 --members 5 --rate 1 --duration 30s --ceiling-url http://127.0.0.1:9090
//	mealbuddy-load --data /tmp/mb --mode logins --logins 100 --pid $(pgrep -n mealbuddy)
//
// The server needs its limits off for this (README "Limits"):
// --max-conns 0 --max-conns-per-ip 0 --chat-rate 0 --max-open-posts 0
// --max-open-rooms 0 --max-sockets-per-user 0 --login-rate 0
// --login-ip-rate 0 --login-account-rate 0.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/internal/token"
)

type options struct {
	mode       string
	url        string
	ceilingURL string
	data       string
	addr       string
	repeat     int
	clients    int
	posts      int
	uncached   string
	logins     int
	after      time.Duration
	rooms      int
	members    int
	rate       float64
	duration   time.Duration
	warmup     time.Duration
	drain      time.Duration
	idle       int
	pid        int
	ceilingPID int
	hold       time.Duration
	dialers    int
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "chat", "seed, board, variants, mixed, chat, idle, logins or ceiling (see the package comment)")
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	flag.StringVar(&o.ceilingURL, "ceiling-url", "", "base URL of a running ceiling (--mode ceiling): every run is repeated against it")
	flag.StringVar(&o.data, "data", "./mealbuddy-data", "the server's data folder (SQLite file and signing key)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:9090", "ceiling mode: loopback address to listen on")
	flag.IntVar(&o.repeat, "repeat", 1, "runs of each row (server and ceiling alternating); tables show medians")
	flag.IntVar(&o.clients, "clients", 16, "keep-alive HTTP clients (board, variants, mixed, logins)")
	flag.IntVar(&o.posts, "posts", 10000, "seed mode: posts to create")
	flag.StringVar(&o.uncached, "uncached", "flag", "variants mode: flag (the server runs with --no-board-cache) or block (viewers with a block bypass the page cache)")
	flag.IntVar(&o.logins, "logins", 100, "logins mode: logins in the burst")
	flag.DurationVar(&o.after, "after", 30*time.Second, "logins mode: how long to keep sampling memory after the burst")
	flag.IntVar(&o.rooms, "rooms", 100, "rooms to create")
	flag.IntVar(&o.members, "members", 5, "members (sockets) per room")
	flag.Float64Var(&o.rate, "rate", 1, "messages per second each member sends")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "measured time of each run")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "time before measuring starts in each run")
	flag.DurationVar(&o.drain, "drain", 3*time.Second, "time to wait for deliveries after sending stops")
	flag.IntVar(&o.idle, "idle", 0, "idle mode: open this many sockets, send nothing, and report the server's memory per socket")
	flag.IntVar(&o.pid, "pid", 0, "server process id (its /proc/<pid>/status VmRSS is read)")
	flag.IntVar(&o.ceilingPID, "ceiling-pid", 0, "ceiling process id (chat reports its VmRSS too)")
	flag.DurationVar(&o.hold, "hold", 10*time.Second, "idle mode: how long sockets stay open before measuring")
	flag.IntVar(&o.dialers, "dialers", 32, "concurrent socket dials")
	flag.Parse()
	if o.idle > 0 {
		o.mode = "idle"
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "mealbuddy-load:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	if o.mode == "ceiling" {
		return ceilingMode(o)
	}
	o.repeat = max(o.repeat, 1)
	secret, err := signingKey(o.data)
	if err != nil {
		return err
	}
	l, err := openDB(o.data, secret)
	if err != nil {
		return err
	}
	defer l.Close()
	switch o.mode {
	case "seed":
		return seed(ctx, l, o.posts)
	case "board":
		return boardMode(ctx, o, l)
	case "variants":
		return variantsMode(ctx, o, l)
	case "mixed":
		return mixedMode(ctx, o, l)
	case "logins":
		return loginsMode(ctx, o, l)
	case "chat", "idle":
	default:
		return fmt.Errorf("--mode %q: see -help", o.mode)
	}
	if o.idle > 0 {
		o.rooms = (o.idle + o.members - 1) / o.members
	}
	start := time.Now()
	rooms, err := l.chatRooms(ctx, o.rooms, o.members)
	if err != nil {
		return err
	}
	fmt.Printf("setup: %d rooms × %d members in %s\n", len(rooms), o.members, time.Since(start).Round(time.Millisecond))
	if o.mode == "idle" {
		return idle(ctx, o, rooms)
	}
	var real, ceiling []chatResult
	for rep := range o.repeat {
		r, err := chat(ctx, o, o.url, o.pid, rooms)
		if err != nil {
			return err
		}
		real = append(real, r)
		fmt.Printf("run %d/%d mealbuddy: %s\n", rep+1, o.repeat, r)
		if o.ceilingURL != "" {
			c, err := chat(ctx, o, o.ceilingURL, o.ceilingPID, rooms)
			if err != nil {
				return err
			}
			ceiling = append(ceiling, c)
			fmt.Printf("run %d/%d ceiling:   %s\n", rep+1, o.repeat, c)
		}
	}
	fmt.Printf("\n| chat, %d rooms × %d members × %.1f msg/s | delivered | p50 ms | p99 ms | RSS MB | CPU cores | driver's cores (of %d) |\n|---|---|---|---|---|---|---|\n",
		o.rooms, o.members, o.rate, runtime.NumCPU())
	printChat := func(name string, rs []chatResult) {
		if len(rs) == 0 {
			return
		}
		med := func(f func(chatResult) float64) float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			sort.Float64s(v)
			return v[len(v)/2]
		}
		fmt.Printf("| %s | %.3f %% | %.1f | %.1f | %.1f | %s | %.2f |\n", name, med(func(r chatResult) float64 { return r.deliveredPct }),
			med(func(r chatResult) float64 { return ms(r.p50) }), med(func(r chatResult) float64 { return ms(r.p99) }),
			med(func(r chatResult) float64 { return mb(r.rssKiB) }), cores(med(func(r chatResult) float64 { return r.targetCores })),
			med(func(r chatResult) float64 { return r.driverCores }))
	}
	printChat("MealBuddy", real)
	printChat("ceiling", ceiling)
	return nil
}

// signingKey is the server's HS256 key: MEALBUDDY_SECRET as given, else the
// generated file in the data folder (never generated here: a new key would
// not be the server's).
func signingKey(data string) ([]byte, error) {
	key, err := token.ReadSecret(os.Getenv("MEALBUDDY_SECRET"), data)
	if err != nil {
		return nil, fmt.Errorf("signing key: set MEALBUDDY_SECRET or start the server once with --data %s: %w", data, err)
	}
	return key, nil
}

// room is one room of the run and its members' tokens.
type room struct {
	id     int64
	tokens []string
}

// client is one member's socket.
type client struct {
	room int64
	idx  int
	c    *websocket.Conn
}

// dialAll opens every member's socket, o.dialers at a time.
func dialAll(ctx context.Context, o options, url string, rooms []room) ([]*client, error) {
	base := "ws" + strings.TrimPrefix(strings.TrimRight(url, "/"), "http")
	var (
		mu       sync.Mutex
		clients  []*client
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, o.dialers)
	for _, r := range rooms {
		for i, tok := range r.tokens {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				c, _, err := websocket.Dial(dctx, fmt.Sprintf("%s/ws/chat/%d/?token=%s", base, r.id, tok), nil)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("dial room %d: %w", r.id, err)
					}
					return
				}
				c.SetReadLimit(1 << 16)
				clients = append(clients, &client{room: r.id, idx: i, c: c})
			})
		}
	}
	wg.Wait()
	return clients, firstErr
}

// histogram counts latencies in 100µs buckets up to 10s.
type histogram struct {
	buckets [100_000]atomic.Int64
	over    atomic.Int64
	n       atomic.Int64
}

func (h *histogram) add(d time.Duration) {
	h.n.Add(1)
	i := int(d / (100 * time.Microsecond))
	if i < 0 {
		i = 0
	}
	if i >= len(h.buckets) {
		h.over.Add(1)
		return
	}
	h.buckets[i].Add(1)
}

func (h *histogram) quantile(q float64) time.Duration {
	total := h.n.Load()
	if total == 0 {
		return 0
	}
	want := int64(float64(total) * q)
	var seen int64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen > want {
			return time.Duration(i+1) * 100 * time.Microsecond
		}
	}
	return 10 * time.Second
}

var textMarker = []byte(`"message":"L`)

// chatResult is one chat run against one target.
type chatResult struct {
	sent, expected, delivered int64
	deliveredPct              float64
	p50, p99, p999            time.Duration
	rssKiB                    int64 // the target's VmRSS at the end of sending (0: no pid)
	// The CPU the target (-1: no pid) and this driver used over the
	// measured window, in cores: beside the machine's core count, whether
	// the two together had the machine to themselves or saturated it.
	targetCores, driverCores float64
}

func (r chatResult) String() string {
	return fmt.Sprintf("sent %d, %d of %d delivered (%.3f%%), latency %s / %s / %s (p50/p99/p99.9), RSS %.1f MB, CPU %s cores (driver %.2f of %d)",
		r.sent, r.delivered, r.expected, r.deliveredPct, r.p50, r.p99, r.p999, mb(r.rssKiB), cores(r.targetCores), r.driverCores, runtime.NumCPU())
}

// cores formats a CPU share in cores, "–" when it is unknown (negative).
func cores(v float64) string {
	if v < 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func chat(ctx context.Context, o options, url string, pid int, rooms []room) (chatResult, error) {
	t0 := time.Now()
	clients, err := dialAll(ctx, o, url, rooms)
	if err != nil {
		closeAll(clients)
		return chatResult{}, err
	}
	fmt.Printf("dialled %d sockets in %s\n", len(clients), time.Since(t0).Round(time.Millisecond))

	var (
		hist       histogram
		sent       atomic.Int64 // messages sent inside the window
		received   atomic.Int64 // deliveries of messages sent inside the window
		errFrames  atomic.Int64
		closes     sync.Map // close code → count
		readersWG  sync.WaitGroup
		sendersWG  sync.WaitGroup
		windowFrom = time.Now().Add(o.warmup).UnixNano()
		windowTo   = time.Now().Add(o.warmup + o.duration).UnixNano()
	)
	for _, cl := range clients {
		readersWG.Go(func() {
			for {
				_, data, err := cl.c.Read(ctx)
				if err != nil {
					code := websocket.CloseStatus(err)
					v, _ := closes.LoadOrStore(int(code), new(atomic.Int64))
					v.(*atomic.Int64).Add(1)
					return
				}
				now := time.Now().UnixNano()
				i := bytes.Index(data, textMarker)
				if i < 0 {
					if bytes.Contains(data, []byte(`"chat.error"`)) {
						errFrames.Add(1)
					}
					continue
				}
				rest := data[i+len(textMarker):]
				j := bytes.IndexByte(rest, ' ')
				if j < 0 {
					continue
				}
				ts, err := strconv.ParseInt(string(rest[:j]), 10, 64)
				if err != nil || ts < windowFrom || ts >= windowTo {
					continue
				}
				received.Add(1)
				hist.add(time.Duration(now - ts))
			}
		})
	}
	cpu := make(chan [2]float64, 1)
	go func() { cpu <- windowCores(pid, time.Unix(0, windowFrom), time.Unix(0, windowTo)) }()
	interval := time.Duration(float64(time.Second) / o.rate)
	stopAt := time.Unix(0, windowTo)
	fmt.Printf("sending %.1f msg/s per member (%.0f msg/s in total) for %s + %s warm-up\n",
		o.rate, o.rate*float64(len(clients)), o.duration, o.warmup)
	for _, cl := range clients {
		sendersWG.Go(func() {
			time.Sleep(time.Duration(rand.Int64N(int64(interval))))
			t := time.NewTicker(interval)
			defer t.Stop()
			seq := 0
			for {
				now := time.Now()
				if now.After(stopAt) {
					return
				}
				seq++
				msg := fmt.Appendf(nil, `{"message":"L%d %d-%d"}`, now.UnixNano(), cl.idx, seq)
				wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := cl.c.Write(wctx, websocket.MessageText, msg)
				cancel()
				if err != nil {
					return
				}
				if ts := now.UnixNano(); ts >= windowFrom && ts < windowTo {
					sent.Add(1)
				}
				<-t.C
			}
		})
	}
	sendersWG.Wait()
	var rss int64
	if pid != 0 {
		rss, _ = vmRSS(pid)
	}
	time.Sleep(o.drain)
	closeAll(clients)
	readersWG.Wait()

	used := <-cpu
	expected := sent.Load() * int64(o.members)
	got := received.Load()
	// These three lines are read by scripts (backup-measure.sh).
	fmt.Printf("\nrooms %d × members %d, rate %.2f/s each, window %s (%s)\n", len(rooms), o.members, o.rate, o.duration, url)
	fmt.Printf("sent %d messages (%.0f stored msg/s), expected deliveries %d, delivered %d (%.3f%%)\n",
		sent.Load(), float64(sent.Load())/o.duration.Seconds(), expected, got, 100*float64(got)/float64(max(expected, 1)))
	fmt.Printf("end-to-end latency p50 %s  p90 %s  p99 %s  p99.9 %s  (>10s: %d)\n",
		hist.quantile(0.50), hist.quantile(0.90), hist.quantile(0.99), hist.quantile(0.999), hist.over.Load())
	fmt.Printf("chat.error frames %d; close codes:", errFrames.Load())
	closes.Range(func(k, v any) bool { fmt.Printf(" %d×%d", k, v.(*atomic.Int64).Load()); return true })
	fmt.Println()
	return chatResult{sent: sent.Load(), expected: expected, delivered: got,
		deliveredPct: 100 * float64(got) / float64(max(expected, 1)),
		p50:          hist.quantile(0.50), p99: hist.quantile(0.99), p999: hist.quantile(0.999), rssKiB: rss,
		targetCores: used[0], driverCores: used[1]}, nil
}

// windowCores is the CPU that process pid (0: none, reported as -1) and
// this one used from from to to, in cores.
func windowCores(pid int, from, to time.Time) [2]float64 {
	time.Sleep(time.Until(from))
	t0, d0 := cpuTicks(pid), cpuTicks(os.Getpid())
	start := time.Now()
	time.Sleep(time.Until(to))
	t1, d1 := cpuTicks(pid), cpuTicks(os.Getpid())
	ticks := time.Since(start).Seconds() * ticksPerSecond
	target := float64(t1-t0) / ticks
	if pid == 0 {
		target = -1
	}
	return [2]float64{target, float64(d1-d0) / ticks}
}

// ticksPerSecond is Linux's USER_HZ, the unit of /proc/PID/stat's times:
// 100 on every architecture Go runs Linux on.
const ticksPerSecond = 100

// cpuTicks is the user and system time process pid has used, in
// ticksPerSecond (0 when pid is 0 or its stat cannot be read).
func cpuTicks(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return statTicks(b)
}

// statTicks reads utime + stime from a /proc/PID/stat line (0 if it
// cannot).
func statTicks(b []byte) int64 {
	// After the command name, which may hold spaces and parentheses, in
	// parentheses: state is field 3, utime 14 and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

func closeAll(clients []*client) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for _, cl := range clients {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			cl.c.Close(websocket.StatusNormalClosure, "")
		})
	}
	wg.Wait()
}

// idle opens o.idle sockets that send nothing and reports the server's
// resident memory before and after.
func idle(ctx context.Context, o options, rooms []room) error {
	if o.pid == 0 {
		return errors.New("--idle needs --pid of the server")
	}
	runtime.GC()
	time.Sleep(2 * time.Second)
	before, err := vmRSS(o.pid)
	if err != nil {
		return err
	}
	clients, err := dialAll(ctx, o, o.url, rooms)
	if err != nil {
		closeAll(clients)
		return err
	}
	if len(clients) > o.idle {
		extra := clients[o.idle:]
		clients = clients[:o.idle]
		closeAll(extra)
	}
	// Keep reading so pings are answered.
	var wg sync.WaitGroup
	for _, cl := range clients {
		wg.Go(func() {
			for {
				if _, _, err := cl.c.Read(ctx); err != nil {
					return
				}
			}
		})
	}
	time.Sleep(o.hold)
	after, err := vmRSS(o.pid)
	if err != nil {
		return err
	}
	fmt.Printf("idle sockets %d: server VmRSS %d KiB → %d KiB, %.1f KiB per connection\n",
		len(clients), before, after, float64(after-before)/float64(len(clients)))
	closeAll(clients)
	wg.Wait()
	return nil
}

func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}
