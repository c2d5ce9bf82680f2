// Command mealbuddy-load drives a running `mealbuddy serve` over real chat
// WebSockets and reports delivery and end-to-end latency, or, with --idle,
// the server's resident memory per idle connection.
//
// Setup goes around the API on purpose. Registering thousands of users
// through the API costs one argon2id hash (19 MiB, 2 passes) each, and
// logging them in is rate-limited per IP (20/min), so the driver, which
// runs on the server's machine, opens the server's data folder with the
// store package and creates users (with a placeholder password hash no one
// can log in with), posts and memberships directly, in the same
// transactions the API uses. It then mints API tokens with the server's own
// token package (internal/token) and signing key: MEALBUDDY_SECRET when set,
// else the jwt-secret file in --data. Only
// the measured part, the chat, goes through the server's sockets.
//
// Each message carries its send time ("L<unix nanos> …"); every member of
// the room, the sender included, measures now − send time when it arrives.
//
//	mealbuddy-load --url http://127.0.0.1:8080 --data /tmp/mb --rooms 1000 --members 5 --rate 1 --duration 30s
//	mealbuddy-load --url http://127.0.0.1:8080 --data /tmp/mb --idle 2000 --pid $(pgrep -n mealbuddy)
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

type options struct {
	url      string
	data     string
	rooms    int
	members  int
	rate     float64
	duration time.Duration
	warmup   time.Duration
	drain    time.Duration
	idle     int
	pid      int
	hold     time.Duration
	dialers  int
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	flag.StringVar(&o.data, "data", "./mealbuddy-data", "the server's data folder (SQLite file and signing key)")
	flag.IntVar(&o.rooms, "rooms", 100, "rooms to create")
	flag.IntVar(&o.members, "members", 5, "members (sockets) per room")
	flag.Float64Var(&o.rate, "rate", 1, "messages per second each member sends")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "measured sending time")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "sending time before measuring starts")
	flag.DurationVar(&o.drain, "drain", 3*time.Second, "time to wait for deliveries after sending stops")
	flag.IntVar(&o.idle, "idle", 0, "idle mode: open this many sockets, send nothing, and report the server's memory per socket")
	flag.IntVar(&o.pid, "pid", 0, "server process id (idle mode reads its /proc/<pid>/status VmRSS)")
	flag.DurationVar(&o.hold, "hold", 10*time.Second, "idle mode: how long sockets stay open before measuring")
	flag.IntVar(&o.dialers, "dialers", 32, "concurrent socket dials")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "mealbuddy-load:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	if o.idle > 0 {
		o.rooms = (o.idle + o.members - 1) / o.members
	}
	secret, err := signingKey(o.data)
	if err != nil {
		return err
	}
	start := time.Now()
	rooms, err := setup(ctx, o, secret)
	if err != nil {
		return err
	}
	fmt.Printf("setup: %d rooms × %d members in %s\n", len(rooms), o.members, time.Since(start).Round(time.Millisecond))
	if o.idle > 0 {
		return idle(ctx, o, rooms)
	}
	return chat(ctx, o, rooms)
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

// setup creates users, one post per room and the memberships directly in
// the SQLite file (see the package comment for why).
func setup(ctx context.Context, o options, secret []byte) ([]room, error) {
	st, err := store.Open(filepath.Join(o.data, store.FileName))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	run := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	// Not a valid argon2id hash: no one can log in as a load user.
	const noLogin = "!load-test-user"
	now := time.Now()
	out := make([]room, o.rooms)
	for r := range o.rooms {
		for m := range o.members {
			name := fmt.Sprintf("load-%s-%d-%d", run, r, m)
			u, err := st.CreateUser(ctx, store.NewUser{Email: name + "@load.invalid", Username: name,
				PasswordHash: noLogin, Address: "서울특별시 종로구 사직동"})
			if err != nil {
				return nil, fmt.Errorf("create user: %w", err)
			}
			if m == 0 {
				p, err := st.CreatePost(ctx, store.NewPost{WriterID: u.ID, Title: "부하 시험 " + run, Category: "치킨",
					Content: "load test", Address: u.Address, Area: u.Area(), TargetNumber: o.members})
				if err != nil {
					return nil, fmt.Errorf("create post: %w", err)
				}
				out[r].id = p.RoomID
			} else if _, err := st.JoinRoom(ctx, out[r].id, u.ID); err != nil {
				return nil, fmt.Errorf("join: %w", err)
			}
			tok, err := token.Issue(secret, u.ID, u.CredVersion, now)
			if err != nil {
				return nil, err
			}
			out[r].tokens = append(out[r].tokens, tok)
		}
	}
	return out, nil
}

// client is one member's socket.
type client struct {
	room int64
	idx  int
	c    *websocket.Conn
}

// dialAll opens every member's socket, o.dialers at a time.
func dialAll(ctx context.Context, o options, rooms []room) ([]*client, error) {
	base := "ws" + strings.TrimPrefix(strings.TrimRight(o.url, "/"), "http")
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

func chat(ctx context.Context, o options, rooms []room) error {
	t0 := time.Now()
	clients, err := dialAll(ctx, o, rooms)
	if err != nil {
		closeAll(clients)
		return err
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
	time.Sleep(o.drain)
	closeAll(clients)
	readersWG.Wait()

	expected := sent.Load() * int64(o.members)
	got := received.Load()
	fmt.Printf("\nrooms %d × members %d, rate %.2f/s each, window %s\n", len(rooms), o.members, o.rate, o.duration)
	fmt.Printf("sent %d messages (%.0f stored msg/s), expected deliveries %d, delivered %d (%.3f%%)\n",
		sent.Load(), float64(sent.Load())/o.duration.Seconds(), expected, got, 100*float64(got)/float64(max(expected, 1)))
	fmt.Printf("end-to-end latency p50 %s  p90 %s  p99 %s  p99.9 %s  (>10s: %d)\n",
		hist.quantile(0.50), hist.quantile(0.90), hist.quantile(0.99), hist.quantile(0.999), hist.over.Load())
	fmt.Printf("chat.error frames %d; close codes:", errFrames.Load())
	closes.Range(func(k, v any) bool { fmt.Printf(" %d×%d", k, v.(*atomic.Int64).Load()); return true })
	fmt.Println()
	return nil
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
	clients, err := dialAll(ctx, o, rooms)
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
