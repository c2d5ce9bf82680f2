package main

// The HTTP workloads: the board alone, the board's uncached variants and
// the mixed neighbourhood load, each run against the server and, when
// --ceiling-url is given, against the bare ceiling (ceiling.go) in turn,
// with every answer the ceiling gives captured from the server first.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mealbuddy/mealbuddy/app/menu"
)

// httpReq is one request of a workload.
type httpReq struct {
	method, uri string
	body        []byte // JSON, nil for none
}

// workload picks the next requests of a client (join+leave is two).
type workload func(client int, rng *rand.Rand) []httpReq

// httpResult is one run of a workload against one target.
type httpResult struct {
	n                int
	elapsed          time.Duration
	p50, p99         time.Duration
	status5xx, other int // 5xx answers; transport errors and other non-2xx

	// byKind is the count and p99 of each kind of request (kindOf), for
	// workloads of more than one kind: which of them make the tail.
	byKind map[string]kindLatency
}

type kindLatency struct {
	n   int
	p99 time.Duration
}

// kindOf names a request by its method and route, ids left out:
// "GET /api/post/detail/", "DELETE /api/chat/user/".
func kindOf(q httpReq) string {
	path, _, _ := strings.Cut(q.uri, "?")
	var b strings.Builder
	b.WriteString(q.method + " /")
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "" || strings.Trim(seg, "0123456789") == "" {
			continue
		}
		b.WriteString(seg + "/")
	}
	return b.String()
}

func (r httpResult) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

// httpTarget is a base URL with its own keep-alive connections.
type httpTarget struct {
	name   string
	base   string
	client *http.Client
}

func newTarget(name, base string, clients int) *httpTarget {
	return &httpTarget{name: name, base: strings.TrimRight(base, "/"), client: &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        4 * clients,
			MaxIdleConnsPerHost: 2 * clients,
			IdleConnTimeout:     time.Minute,
			DisableCompression:  true,
		},
	}}
}

// do sends one request and reads the whole answer.
func (t *httpTarget) do(ctx context.Context, tok string, q httpReq) (int, []byte, string, error) {
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(ctx, q.method, t.base+q.uri, body)
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Authorization", "Token "+tok)
	if q.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("Content-Type"), err
}

// runHTTP runs w from one goroutine per token for warmup (discarded) and
// then d.
func runHTTP(ctx context.Context, t *httpTarget, tokens []string, w workload, warmup, d time.Duration) httpResult {
	var (
		wg        sync.WaitGroup
		lat       = make([][]time.Duration, len(tokens))
		kinds     = make([]map[string][]time.Duration, len(tokens))
		n5xx, bad atomic.Int64
	)
	start := time.Now()
	from := start.Add(warmup)
	until := from.Add(d)
	for i, tok := range tokens {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			local := make([]time.Duration, 0, 1<<14)
			byKind := map[string][]time.Duration{}
			for {
				for _, q := range w(i, rng) {
					t0 := time.Now()
					if t0.After(until) {
						lat[i], kinds[i] = local, byKind
						return
					}
					status, _, _, err := t.do(ctx, tok, q)
					took := time.Since(t0)
					if t0.Before(from) {
						continue
					}
					switch {
					case err != nil || status == 0:
						bad.Add(1)
					case status >= 500:
						n5xx.Add(1)
					case status >= 300:
						bad.Add(1)
					}
					local = append(local, took)
					k := kindOf(q)
					byKind[k] = append(byKind[k], took)
				}
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	res := httpResult{n: len(all), elapsed: d,
		p50: quantile(all, 0.50), p99: quantile(all, 0.99), status5xx: int(n5xx.Load()), other: int(bad.Load())}
	merged := map[string][]time.Duration{}
	for _, m := range kinds {
		for k, v := range m {
			merged[k] = append(merged[k], v...)
		}
	}
	if len(merged) > 1 {
		res.byKind = make(map[string]kindLatency, len(merged))
		for k, v := range merged {
			slices.Sort(v)
			res.byKind[k] = kindLatency{n: len(v), p99: quantile(v, 0.99)}
		}
	}
	return res
}

// kindsLine lists r's kinds of request with their counts and p99s.
func (r httpResult) kindsLine() string {
	names := slices.Sorted(maps.Keys(r.byKind))
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d, p99 %.2f ms", k, r.byKind[k].n, ms(r.byKind[k].p99))
	}
	return strings.Join(parts, "; ")
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(float64(len(sorted))*q))
	return sorted[i]
}

// listURI is a board page.
func listURI(rng, page int, category string) string {
	v := url.Values{}
	if rng >= 0 {
		v.Set("range", fmt.Sprint(rng))
	}
	v.Set("page", fmt.Sprint(page))
	if category != "" {
		v.Set("category", category)
	}
	return "/api/post/?" + v.Encode()
}

// boardWorkload: pages 1–5 of the viewer's board, half of them filtered by
// a category.
func boardWorkload(_ int, rng *rand.Rand) []httpReq {
	cat := ""
	if rng.IntN(2) == 0 {
		cat = menu.Categories[rng.IntN(len(menu.Categories))]
	}
	return []httpReq{{method: http.MethodGet, uri: listURI(-1, 1+rng.IntN(5), cat)}}
}

// boardShapes are every request boardWorkload makes (for the capture).
func boardShapes() []httpReq {
	var out []httpReq
	for page := 1; page <= 5; page++ {
		out = append(out, httpReq{method: http.MethodGet, uri: listURI(-1, page, "")})
		for _, c := range menu.Categories {
			out = append(out, httpReq{method: http.MethodGet, uri: listURI(-1, page, c)})
		}
	}
	return out
}

// mixedWorkload: 70 % board (as boardWorkload), 20 % post detail, 5 %
// write a post, 5 % join a room and leave it again.
func mixedWorkload(posts, rooms []int64) workload {
	return func(client int, rng *rand.Rand) []httpReq {
		switch r := rng.IntN(100); {
		case r < 70:
			return boardWorkload(client, rng)
		case r < 90:
			return []httpReq{{method: http.MethodGet, uri: fmt.Sprintf("/api/post/detail/%d/", posts[rng.IntN(len(posts))])}}
		case r < 95:
			return []httpReq{writeReq(rng)}
		default:
			room := rooms[rng.IntN(len(rooms))]
			return []httpReq{
				{method: http.MethodPost, uri: fmt.Sprintf("/api/chat/%d/", room), body: []byte(`{}`)},
				{method: http.MethodDelete, uri: fmt.Sprintf("/api/chat/%d/user/", room)},
			}
		}
	}
}

func writeReq(rng *rand.Rand) httpReq {
	b, _ := json.Marshal(map[string]any{
		"title":         fmt.Sprintf("같이 시켜요 %d", rng.IntN(1e6)),
		"category":      menu.Categories[rng.IntN(len(menu.Categories))],
		"content":       "부하 시험 글입니다. 배달비 나눠요.",
		"target_number": 4,
	})
	return httpReq{method: http.MethodPost, uri: "/api/post/write/", body: b}
}

// mixedShapes are the requests to capture for the ceiling: every board
// page, every detail, and one of each write (the ceiling answers any write
// or join of the same route with it).
func mixedShapes(posts, rooms []int64) []httpReq {
	out := boardShapes()
	for _, p := range posts {
		out = append(out, httpReq{method: http.MethodGet, uri: fmt.Sprintf("/api/post/detail/%d/", p)})
	}
	out = append(out, writeReq(rand.New(rand.NewPCG(1, 2))),
		httpReq{method: http.MethodPost, uri: fmt.Sprintf("/api/chat/%d/", rooms[0]), body: []byte(`{}`)},
		httpReq{method: http.MethodDelete, uri: fmt.Sprintf("/api/chat/%d/user/", rooms[0])})
	return out
}

// captured is one answer of the server that the ceiling repeats.
type captured struct {
	Method      string `json:"method"`
	URI         string `json:"uri"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

// capture asks the server every shape once as tok and hands the answers to
// the ceiling. An answer of 5xx stops the run: the ceiling would repeat it.
func capture(ctx context.Context, real, ceiling *httpTarget, tok string, shapes []httpReq) error {
	caps := make([]captured, 0, len(shapes))
	for _, q := range shapes {
		status, body, ctype, err := real.do(ctx, tok, q)
		if err != nil {
			return fmt.Errorf("capture %s %s: %w", q.method, q.uri, err)
		}
		if status >= 500 || status == http.StatusUnauthorized {
			return fmt.Errorf("capture %s %s: status %d: %s", q.method, q.uri, status, body)
		}
		caps = append(caps, captured{Method: q.method, URI: q.uri, Status: status, ContentType: ctype, Body: body})
	}
	b, err := json.Marshal(caps)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ceiling.base+capturePath, bytes.NewReader(b))
	if err != nil {
		return err
	}
	resp, err := ceiling.client.Do(req)
	if err != nil {
		return fmt.Errorf("ceiling: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("ceiling: capture upload: status %d", resp.StatusCode)
	}
	return nil
}

// row is one line of a result table: the medians of its runs.
type row struct {
	name          string
	real, ceiling []httpResult
}

func median(rs []httpResult, f func(httpResult) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func printTable(title string, rows []row) {
	fmt.Printf("\n%s\n\n", title)
	fmt.Println("| workload | MealBuddy req/s | p50 ms | p99 ms | 5xx | other errors | ceiling req/s | ceiling p99 ms | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		rps := median(r.real, httpResult.rps)
		p50 := median(r.real, func(x httpResult) float64 { return ms(x.p50) })
		p99 := median(r.real, func(x httpResult) float64 { return ms(x.p99) })
		var e5, eo int
		for _, x := range r.real {
			e5 += x.status5xx
			eo += x.other
		}
		ceil, ratio, cp99 := "–", "–", "–"
		if len(r.ceiling) > 0 {
			c := median(r.ceiling, httpResult.rps)
			ceil = fmt.Sprintf("%.0f", c)
			cp99 = fmt.Sprintf("%.2f", median(r.ceiling, func(x httpResult) float64 { return ms(x.p99) }))
			ratio = fmt.Sprintf("%.2f", rps/c)
		}
		fmt.Printf("| %s | %.0f | %.2f | %.2f | %d | %d | %s | %s | %s |\n", r.name, rps, p50, p99, e5, eo, ceil, cp99, ratio)
	}
}

// httpCase is one row to run.
type httpCase struct {
	name   string
	w      workload
	shapes []httpReq
}

// runCases runs every case o.repeat times, the server and the ceiling in
// turn (interleaved), and prints the medians.
func runCases(ctx context.Context, o options, title string, tokens []string, cases []httpCase) error {
	real := newTarget("mealbuddy", o.url, o.clients)
	var ceiling *httpTarget
	if o.ceilingURL != "" {
		ceiling = newTarget("ceiling", o.ceilingURL, o.clients)
	}
	rows := make([]row, len(cases))
	for i, c := range cases {
		rows[i].name = c.name
		if ceiling != nil {
			if err := capture(ctx, real, ceiling, tokens[0], c.shapes); err != nil {
				return err
			}
		}
	}
	for rep := range o.repeat {
		for i, c := range cases {
			r := runHTTP(ctx, real, tokens, c.w, o.warmup, o.duration)
			rows[i].real = append(rows[i].real, r)
			line := fmt.Sprintf("run %d/%d %-40s mealbuddy %8.0f req/s p99 %6.2f ms 5xx %d other %d", rep+1, o.repeat, c.name, r.rps(), ms(r.p99), r.status5xx, r.other)
			if ceiling != nil {
				cr := runHTTP(ctx, ceiling, tokens, c.w, o.warmup, o.duration)
				rows[i].ceiling = append(rows[i].ceiling, cr)
				line += fmt.Sprintf(" | ceiling %8.0f req/s p99 %6.2f ms", cr.rps(), ms(cr.p99))
			}
			fmt.Println(line)
			if len(r.byKind) > 0 {
				fmt.Printf("  mealbuddy by kind: %s\n", r.kindsLine())
			}
		}
	}
	printTable(title, rows)
	return nil
}

// viewers creates n users in the center dong with tokens.
func viewers(ctx context.Context, l *loadDB, prefix string, n int) ([]user, []string, error) {
	a, err := centerArea()
	if err != nil {
		return nil, nil, err
	}
	us, err := l.createUsers(ctx, prefix, n, a.center, "")
	if err != nil {
		return nil, nil, err
	}
	toks := make([]string, len(us))
	for i, u := range us {
		toks[i] = u.token
	}
	return us, toks, nil
}

func boardMode(ctx context.Context, o options, l *loadDB) error {
	_, toks, err := viewers(ctx, l, "board-", o.clients)
	if err != nil {
		return err
	}
	return runCases(ctx, o, fmt.Sprintf("board list only (pages 1–5, half with a category), %d clients", o.clients), toks,
		[]httpCase{{name: "board list (pages 1–5, half with a category)", w: boardWorkload, shapes: boardShapes()}})
}

// variantsMode runs the board's uncached variants: range × category ×
// page. The server must render every view: started with --no-board-cache
// (--uncached flag), or the viewers block someone (--uncached block) so
// that the shared cache is bypassed on any version.
func variantsMode(ctx context.Context, o options, l *loadDB) error {
	us, toks, err := viewers(ctx, l, "variant-", o.clients)
	if err != nil {
		return err
	}
	switch o.uncached {
	case "flag":
	case "block":
		// Someone with one post in the center, on every variant's board:
		// blocks that hide nothing there would be served the kept page.
		// The filter leaves out that one post, the newest.
		a, _ := centerArea()
		blocked, err := l.createUsers(ctx, "blocked-", 1, a.center, "")
		if err != nil {
			return err
		}
		if _, err := l.insertPosts(ctx, []postRow{{title: "차단된 이웃의 글", category: menu.Categories[0], dong: a.center,
			target: 8, members: []int64{blocked[0].id}}}); err != nil {
			return err
		}
		if err := l.block(ctx, us, blocked[0].id); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--uncached %q: flag (the server runs with --no-board-cache) or block", o.uncached)
	}
	var cases []httpCase
	for _, rng := range []int{0, 1, 2} {
		for _, cat := range []string{"", "치킨"} {
			for _, page := range []int{1, 10, 50} {
				q := httpReq{method: http.MethodGet, uri: listURI(rng, page, cat)}
				name := fmt.Sprintf("range %d, page %d", rng, page)
				if cat != "" {
					name += ", category"
				}
				cases = append(cases, httpCase{name: name, shapes: []httpReq{q},
					w: func(int, *rand.Rand) []httpReq { return []httpReq{q} }})
			}
		}
	}
	return runCases(ctx, o, fmt.Sprintf("board variants, uncached (%s), %d clients", o.uncached, o.clients), toks, cases)
}

func mixedMode(ctx context.Context, o options, l *loadDB) error {
	a, err := centerArea()
	if err != nil {
		return err
	}
	posts, rooms, err := l.centerPosts(ctx, a.center.Code, 200)
	if err != nil {
		return err
	}
	_, toks, err := viewers(ctx, l, "mixed-", o.clients)
	if err != nil {
		return err
	}
	return runCases(ctx, o, fmt.Sprintf("mixed, %d clients", o.clients), toks,
		[]httpCase{{name: "mixed: 70 % list, 20 % detail, 5 % write, 5 % join+leave", w: mixedWorkload(posts, rooms), shapes: mixedShapes(posts, rooms)}})
}
