package app

// BenchmarkList measures GET /api/post/ (issue 2, point 9) through the real
// stack — NewServer's router, requireAuth with a real JWT per request, the
// store on a real SQLite file of 100,000 posts — over a real TCP listener
// with 16 parallel keep-alive clients, side by side with a bare handler on
// the same kind of listener that writes the same JSON bytes (captured once
// from the real handler) without touching the store.
//
//	go test -run xxx -bench BenchmarkList -benchtime 3s ./app/
//
// Each case runs "bare", then "real" (as served: repeated views of a page come
// from the board cache until the next change), then "uncached" (the same
// stack with the cache off, so every request runs its queries). All report
// req/s, p50-ms and p99-ms; real and uncached also report of-bare (their
// req/s over the bare one's). The target is of-bare ≥ 0.5 and p99-ms < 10
// on the 2-core machine.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

const (
	benchPosts   = 100_000
	benchDongs   = 200
	benchClients = 16
	benchSecret  = "list-benchmark-secret-0123456789abcdef"
)

// listCase is one request shape. Every client asks it as its own viewer.
type listCase struct {
	name  string
	query string // after /api/post/
}

var listCases = []listCase{
	{"page1", "?page=1"},
	{"page50", "?page=50"},
	{"page1-category", "?page=1&category=" + urlEscape("치킨")},
	// About 36 posts per dong and category: page 50 clamps to the last page.
	{"page50-category", "?page=50&category=" + urlEscape("치킨")},
	{"range2-page1", "?range=2&page=1"},
	{"range2-page50", "?range=2&page=50"},
	{"range2-page50-category", "?range=2&page=50&category=" + urlEscape("치킨")},
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// listFixture is the per-process database, real server and bare server.
type listFixture struct {
	dir      string
	store    *store.Store
	srv      *Server
	real     *httptest.Server
	uncached *httptest.Server
	bare     *httptest.Server
	bodies   map[string][]byte // "auth URI" → body served by bare
	viewers  []string          // Authorization header per client
	client   *http.Client
	areas    map[string]int // per case: areas of viewer 0 (report only)
	err      error
}

var (
	listFix     listFixture
	listFixOnce sync.Once
	bareRate    sync.Map // case name → req/s of its last bare run
)

func BenchmarkList(b *testing.B) {
	listFixOnce.Do(func() { listFix.build(b) })
	f := &listFix
	if f.err != nil {
		b.Fatal(f.err)
	}
	for _, c := range listCases {
		b.Run(c.name, func(b *testing.B) {
			b.Run("bare", func(b *testing.B) {
				rps := f.run(b, f.bare.URL, c)
				bareRate.Store(c.name, rps)
			})
			b.Run("real", func(b *testing.B) {
				rps := f.run(b, f.real.URL, c)
				if v, ok := bareRate.Load(c.name); ok {
					b.ReportMetric(rps/v.(float64), "of-bare")
				}
			})
			// The same stack with the board cache off: every request runs
			// the count and list queries (a board right after a change).
			b.Run("uncached", func(b *testing.B) {
				rps := f.run(b, f.uncached.URL, c)
				if v, ok := bareRate.Load(c.name); ok {
					b.ReportMetric(rps/v.(float64), "of-bare")
				}
			})
		})
	}
}

// run sends b.N requests of case c from 16 keep-alive clients and reports
// requests/s and latency percentiles. It returns the requests/s.
func (f *listFixture) run(b *testing.B, base string, c listCase) float64 {
	uri := "/api/post/" + c.query
	want := make([]int, benchClients)
	for i, auth := range f.viewers {
		want[i] = len(f.bodies[auth+" "+uri])
	}
	// Warm every connection so the timed part is all keep-alive.
	var wg sync.WaitGroup
	for i := range benchClients {
		wg.Go(func() {
			if _, err := f.get(base+uri, f.viewers[i], want[i]); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	lat := make([][]time.Duration, benchClients)
	var next atomic.Int64
	var failed atomic.Bool
	b.ResetTimer()
	start := time.Now()
	for i := range benchClients {
		wg.Go(func() {
			local := make([]time.Duration, 0, b.N/benchClients+1)
			for next.Add(1) <= int64(b.N) && !failed.Load() {
				d, err := f.get(base+uri, f.viewers[i], want[i])
				if err != nil {
					failed.Store(true)
					b.Error(err)
					return
				}
				local = append(local, d)
			}
			lat[i] = local
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	rps := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(pct(all, 50), "p50-ms")
	b.ReportMetric(pct(all, 99), "p99-ms")
	b.ReportMetric(float64(want[0]), "body-B")
	return rps
}

func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, (len(sorted)*p+99)/100-1)
	return float64(sorted[max(i, 0)]) / float64(time.Millisecond)
}

// get does one request, drains the body and checks status and length.
func (f *listFixture) get(url, auth string, wantLen int) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", auth)
	t0 := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK || int(n) != wantLen {
		return 0, fmt.Errorf("GET %s: status %d, %d bytes, want 200 with %d", url, resp.StatusCode, n, wantLen)
	}
	return d, nil
}

// benchDongCodes are the first 200 dongs of the dataset in code order: all
// of 종로구, 중구, 용산구, 성동구, 광진구, 동대문구, 중랑구, 성북구, 강북구,
// 도봉구 and part of 노원구 — adjacent districts, so range 2 matches many of
// them. The embedded file is in code order; Index exposes no iteration, so
// its codes are read from the source file and checked against the index.
func benchDongCodes() ([]neighborhood.Dong, error) {
	fh, err := os.Open(filepath.Join("neighborhood", "kr-admin-dong.tsv"))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	ix := neighborhood.Default()
	var out []neighborhood.Dong
	sc := bufio.NewScanner(fh)
	sc.Scan() // header
	for sc.Scan() && len(out) < benchDongs {
		code, _, _ := strings.Cut(sc.Text(), "\t")
		d, ok := ix.ByCode(code)
		if !ok {
			return nil, fmt.Errorf("dong %s not in the index", code)
		}
		out = append(out, d)
	}
	if len(out) < benchDongs {
		return nil, fmt.Errorf("only %d dongs", len(out))
	}
	return out, sc.Err()
}

func (f *listFixture) build(b *testing.B) {
	t0 := time.Now()
	f.err = f.buildDB()
	if f.err != nil {
		return
	}
	dbTime := time.Since(t0)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f.srv, f.err = NewServer(Config{DataDir: f.dir, Secret: benchSecret}, f.store, neighborhood.Default(), testUI, log)
	if f.err != nil {
		return
	}
	f.real = httptest.NewServer(f.srv)
	uncached, err := NewServer(Config{DataDir: f.dir, Secret: benchSecret, NoBoardCache: true}, f.store, neighborhood.Default(), testUI, log)
	if err != nil {
		f.err = err
		return
	}
	f.uncached = httptest.NewServer(uncached)
	f.client = &http.Client{Transport: &http.Transport{
		MaxIdleConns:        4 * benchClients,
		MaxIdleConnsPerHost: 2 * benchClients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}

	// Viewers: 16 users spread over the 200 dongs (every 12th dong).
	ctx := context.Background()
	for i := range benchClients {
		u, err := f.store.UserByID(ctx, int64(1+i*12))
		if err != nil {
			f.err = err
			return
		}
		tok, err := f.srv.issueToken(u)
		if err != nil {
			f.err = err
			return
		}
		f.viewers = append(f.viewers, "token "+tok)
	}

	// Capture every body once from the real handler.
	f.bodies = map[string][]byte{}
	f.areas = map[string]int{}
	for _, c := range listCases {
		uri := "/api/post/" + c.query
		for _, auth := range f.viewers {
			req, _ := http.NewRequest(http.MethodGet, f.real.URL+uri, nil)
			req.Header.Set("Authorization", auth)
			resp, err := f.client.Do(req)
			if err != nil {
				f.err = err
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				f.err = fmt.Errorf("capture %s: %d %s %v", uri, resp.StatusCode, body, err)
				return
			}
			f.bodies[auth+" "+uri] = body
		}
	}
	// Warm up for 2 s over every case: the first runs after the bulk insert
	// are otherwise 2× slower (cold page caches, writeback of the new file).
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Second)
	for i := range benchClients {
		wg.Go(func() {
			for k := 0; time.Now().Before(deadline); k++ {
				uri := "/api/post/" + listCases[k%len(listCases)].query
				f.get(f.real.URL+uri, f.viewers[i], len(f.bodies[f.viewers[i]+" "+uri]))
			}
		})
	}
	wg.Wait()
	bodies := f.bodies
	f.bare = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.Header.Get("Authorization")+" "+r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}))
	u0, _ := f.store.UserByID(ctx, 1)
	fmt.Fprintf(os.Stderr, "fixture: %d posts over %d dongs in %s (db %s); viewer 0 in %s sees %d areas at range 2; %s\n",
		benchPosts, benchDongs, time.Since(t0).Round(time.Millisecond), dbTime.Round(time.Millisecond),
		u0.Address, len(f.srv.areasFor(u0, 2)), f.dir)
}

// buildDB creates the database: store.Open and Migrate, then one bulk
// transaction on a direct database/sql connection.
func (f *listFixture) buildDB() error {
	cleanStaleBenchDirs()
	dir, err := os.MkdirTemp("", fmt.Sprintf("mealbuddy-listbench-%d-", os.Getpid()))
	if err != nil {
		return err
	}
	f.dir = dir
	path := filepath.Join(dir, store.FileName)
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	f.store = st
	if err := st.Migrate(context.Background()); err != nil {
		return err
	}
	dongs, err := benchDongCodes()
	if err != nil {
		return err
	}

	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		s, err = tx.Prepare(q)
		return s
	}
	insUser := prep(`INSERT INTO users (id, email, email_key, username, password_hash, address, dong_code, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	insPost := prep(`INSERT INTO posts (id, writer_id, title, category, content, address, area, target_number, closed, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	insRoom := prep(`INSERT INTO chat_rooms (id, post_id, created_at) VALUES (?, ?, ?)`)
	insMember := prep(`INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	// Users 1…200 live in dongs 0…199; users 201…400 too (extra members).
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
	const hash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	for id := 1; id <= 2*benchDongs; id++ {
		d := dongs[(id-1)%benchDongs]
		name := fmt.Sprintf("user%04d", id)
		if _, err := insUser.Exec(id, name+"@example.com", name+"@example.com", name, hash, d.Name, d.Code, ts(base)); err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
	}
	rng := rand.New(rand.NewPCG(2, 9))
	words := []string{"같이", "시켜요", "배달비", "나눠요", "오늘", "저녁", "점심", "야식", "먹을", "분", "구해요", "최소주문", "맞춰요", "근처", "사시는"}
	var sb strings.Builder
	for id := 1; id <= benchPosts; id++ {
		di := (id - 1) % benchDongs
		d := dongs[di]
		writer := di + 1
		sb.Reset()
		for n := 4 + rng.IntN(30); n > 0; n-- {
			sb.WriteString(words[rng.IntN(len(words))])
			sb.WriteByte(' ')
		}
		content := strings.TrimSpace(sb.String())
		title := fmt.Sprintf("%s %s #%d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], id)
		cat := menu.Categories[rng.IntN(len(menu.Categories))]
		target := 2 + rng.IntN(9)
		closed := 0
		if rng.IntN(20) == 0 {
			closed = 1
		}
		created := ts(base.Add(time.Duration(id) * time.Minute))
		if _, err := insPost.Exec(id, writer, title, cat, content, d.Name, d.Code, target, closed, created); err != nil {
			return fmt.Errorf("insert post: %w", err)
		}
		if _, err := insRoom.Exec(id, id, created); err != nil {
			return fmt.Errorf("insert room: %w", err)
		}
		if _, err := insMember.Exec(id, writer, created); err != nil {
			return fmt.Errorf("insert member: %w", err)
		}
		// One post in three has company: the neighbour twin, sometimes more.
		if id%3 == 0 {
			extra := 1 + rng.IntN(3)
			for k := range extra {
				member := benchDongs + 1 + (di+k*37)%benchDongs
				if _, err := insMember.Exec(id, member, created); err != nil {
					return fmt.Errorf("insert member: %w", err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// cleanStaleBenchDirs removes fixtures of earlier benchmark processes that
// are no longer running (a sync.Once fixture has no end-of-process hook).
func cleanStaleBenchDirs() {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "mealbuddy-listbench-*"))
	for _, dir := range old {
		rest := strings.TrimPrefix(filepath.Base(dir), "mealbuddy-listbench-")
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(dir)
		}
	}
}
