package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/app/menu"
)

// Coordinates of 사직동 (addrSajik): KMA grid cell (60, 127).
const (
	sajikLat = "37.5760"
	sajikLon = "126.9690"
	// testKMAKey looks like a data.go.kr key: base64 with characters that need escaping.
	testKMAKey = "Zx9+AbC/kmaSECRET12345=="
	testLLMKey = "sk-test-llmSECRET-0123456789"
)

var kst = time.FixedZone("KST", 9*3600)

// readFixture reads testdata/<dir>/<name>.
func readFixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upstreamFake stands in for an outside service: it answers a canned
// status and body, optionally after a delay, and records every request.
type upstreamFake struct {
	*httptest.Server
	mu      sync.Mutex
	status  int
	ctype   string
	body    []byte
	delay   time.Duration
	respond func(r *http.Request, body []byte) []byte // overrides body when set
	reqs    []recordedRequest
}

type recordedRequest struct {
	URL    *url.URL
	Header http.Header
	Body   []byte
}

func newUpstreamFake(t *testing.T, status int, ctype string, body []byte) *upstreamFake {
	t.Helper()
	f := &upstreamFake{status: status, ctype: ctype, body: body}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recordedRequest{URL: r.URL, Header: r.Header.Clone(), Body: raw})
		status, ctype, body, delay, respond := f.status, f.ctype, f.body, f.delay, f.respond
		f.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if respond != nil {
			body = respond(r, raw)
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(func() {
		f.CloseClientConnections()
		f.Close()
	})
	return f
}

// set changes the canned answer.
func (f *upstreamFake) set(status int, body []byte, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body, f.delay = status, body, delay
}

func (f *upstreamFake) hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func (f *upstreamFake) last(t *testing.T) recordedRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) == 0 {
		t.Fatal("the fake got no request")
	}
	return f.reqs[len(f.reqs)-1]
}

// openAPIClock is the server's clock under the test's control.
type openAPIClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *openAPIClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *openAPIClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// useClock sets the server's clock to t0; call it before the first request.
func useClock(e *testEnv, t0 time.Time) *openAPIClock {
	c := &openAPIClock{t: t0.UTC()}
	e.srv.now = c.now
	return c
}

// syncBuffer is a log sink shared by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captureLog sends the server's log, at every level, to a buffer (and t.Log).
func captureLog(e *testEnv) *syncBuffer {
	buf := &syncBuffer{}
	e.srv.log = slog.New(slog.NewTextHandler(io.MultiWriter(buf, testWriter{e.t}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	return buf
}

func weatherPath(lat, lon string) string {
	return "/api/openAPI/weather/?lat=" + url.QueryEscape(lat) + "&lon=" + url.QueryEscape(lon)
}

// kmaEnv is a server whose weather comes from a KMA fake, at 2024-06-01
// 15:20 KST (the time of testdata/weather/kma_ok.json).
func kmaEnv(t *testing.T, status int, ctype string, body []byte, mutate ...func(*Config)) (*testEnv, *upstreamFake, *openAPIClock) {
	t.Helper()
	fake := newUpstreamFake(t, status, ctype, body)
	e := newTestEnv(t, append([]func(*Config){func(c *Config) {
		c.Weather, c.KMAKey, c.KMAURL = "auto", testKMAKey, fake.URL
	}}, mutate...)...)
	clock := useClock(e, time.Date(2024, 6, 1, 15, 20, 0, 0, kst))
	return e, fake, clock
}

func openMeteoEnv(t *testing.T, status int, body []byte, mutate ...func(*Config)) (*testEnv, *upstreamFake, *openAPIClock) {
	t.Helper()
	fake := newUpstreamFake(t, status, "application/json; charset=utf-8", body)
	e := newTestEnv(t, append([]func(*Config){func(c *Config) {
		c.Weather, c.OpenMeteoURL = "auto", fake.URL
	}}, mutate...)...)
	clock := useClock(e, time.Date(2024, 6, 1, 15, 20, 0, 0, kst))
	return e, fake, clock
}

func flatOf(t *testing.T, m map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range m {
		if k == "detail" {
			continue
		}
		s, ok := v.(string)
		if !ok {
			t.Fatalf("%s = %v, want a string", k, v)
		}
		out[k] = s
	}
	return out
}

func TestWeather(t *testing.T) {
	t.Run("OKKMA", func(t *testing.T) {
		e, fake, _ := kmaEnv(t, 200, "application/json;charset=UTF-8", readFixture(t, "weather", "kma_ok.json"))
		u := e.register("weatherkma", addrSajik)
		r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token})
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		m := r.json(t)
		wantFlat := map[string]string{"강수형태": "없음", "날씨": "맑음", "강수량": "강수없음", "기온": "23℃", "습도": "60%", "풍속": "2.1m/s"}
		if got := flatOf(t, m); !maps.Equal(got, wantFlat) {
			t.Errorf("flat keys = %v, want %v", got, wantFlat)
		}
		wantDetail := map[string]any{
			"provider": "kma", "time": "2024-06-01T06:00:00Z", "temperature_c": 23.0, "sky": "맑음",
			"precipitation": "없음", "precipitation_mm": 0.0, "humidity_pct": 60.0, "wind_ms": 2.1,
		}
		if got, _ := m["detail"].(map[string]any); !maps.Equal(got, wantDetail) {
			t.Errorf("detail = %v, want %v", m["detail"], wantDetail)
		}
		q := fake.last(t).URL.Query()
		if q.Get("serviceKey") != testKMAKey || q.Get("nx") != "60" || q.Get("ny") != "127" {
			t.Errorf("KMA request = %s", fake.last(t).URL.Path)
		}
	})

	t.Run("OKCachedPerCell", func(t *testing.T) {
		e, fake, clock := kmaEnv(t, 200, "application/json", readFixture(t, "weather", "kma_ok.json"))
		u := e.register("weathercache", addrSajik)
		get := func(lat, lon string) {
			t.Helper()
			if r := e.do(req{method: "GET", path: weatherPath(lat, lon), token: u.token}); r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
		}
		get(sajikLat, sajikLon)
		get("37.5765", "126.9695") // same 5 km cell
		if n := fake.hits(); n != 1 {
			t.Fatalf("upstream hits = %d, want 1 (cached)", n)
		}
		clock.set(clock.now().Add(9 * time.Minute))
		get(sajikLat, sajikLon)
		if n := fake.hits(); n != 1 {
			t.Fatalf("after 9 minutes: upstream hits = %d, want 1", n)
		}
		get("33.5106", "126.5150") // another cell
		if n := fake.hits(); n != 2 {
			t.Fatalf("other cell: upstream hits = %d, want 2", n)
		}
		clock.set(clock.now().Add(2 * time.Minute))
		get(sajikLat, sajikLon)
		if n := fake.hits(); n != 3 {
			t.Fatalf("after 11 minutes: upstream hits = %d, want 3", n)
		}
	})

	t.Run("OKOpenMeteo", func(t *testing.T) {
		e, fake, _ := openMeteoEnv(t, 200, readFixture(t, "weather", "openmeteo_ok.json"))
		u := e.register("weatherom", addrSajik)
		r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token})
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		m := r.json(t)
		wantFlat := map[string]string{"강수형태": "비", "날씨": "흐림", "강수량": "0.4mm", "기온": "24.3℃", "습도": "55%", "풍속": "3.2m/s"}
		if got := flatOf(t, m); !maps.Equal(got, wantFlat) {
			t.Errorf("flat keys = %v, want %v", got, wantFlat)
		}
		wantDetail := map[string]any{
			"provider": "open-meteo", "time": "2024-06-01T06:15:00Z", "temperature_c": 24.3, "sky": "흐림",
			"precipitation": "비", "precipitation_mm": 0.4, "humidity_pct": 55.0, "wind_ms": 3.2,
		}
		if got, _ := m["detail"].(map[string]any); !maps.Equal(got, wantDetail) {
			t.Errorf("detail = %v, want %v", m["detail"], wantDetail)
		}
		if p := fake.last(t).URL.Path; p != "/v1/forecast" {
			t.Errorf("Open-Meteo path = %q", p)
		}
	})

	unavailable := []struct {
		name  string
		setup func(t *testing.T) (*testEnv, *upstreamFake)
	}{
		{"ErrKMAXMLError", func(t *testing.T) (*testEnv, *upstreamFake) {
			e, f, _ := kmaEnv(t, 200, "text/xml;charset=UTF-8", readFixture(t, "weather", "kma_error.xml"))
			return e, f
		}},
		{"ErrKMAStatus500", func(t *testing.T) (*testEnv, *upstreamFake) {
			e, f, _ := kmaEnv(t, 500, "text/plain", []byte("Internal Server Error"))
			return e, f
		}},
		{"ErrOpenMeteoMalformedJSON", func(t *testing.T) (*testEnv, *upstreamFake) {
			e, f, _ := openMeteoEnv(t, 200, readFixture(t, "weather", "malformed.json"))
			return e, f
		}},
		{"ErrOpenMeteoError", func(t *testing.T) (*testEnv, *upstreamFake) {
			e, f, _ := openMeteoEnv(t, 400, readFixture(t, "weather", "openmeteo_error.json"))
			return e, f
		}},
		{"ErrTimeout", func(t *testing.T) (*testEnv, *upstreamFake) {
			e, f, _ := openMeteoEnv(t, 200, readFixture(t, "weather", "openmeteo_ok.json"),
				func(c *Config) { c.WeatherTimeout = 100 * time.Millisecond })
			f.set(200, readFixture(t, "weather", "openmeteo_ok.json"), 5*time.Second)
			return e, f
		}},
	}
	for _, tc := range unavailable {
		t.Run(tc.name, func(t *testing.T) {
			e, fake := tc.setup(t)
			u := e.register("weatherfail", addrSajik)
			start := time.Now()
			r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token})
			if r.status != http.StatusServiceUnavailable || r.str(t) != msgWeatherUnavailable {
				t.Fatalf("got %d %s, want 503 %q", r.status, r.raw, msgWeatherUnavailable)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("answered after %v", d)
			}
			if fake.hits() != 1 {
				t.Errorf("upstream hits = %d", fake.hits())
			}
		})
	}

	t.Run("ErrOff", func(t *testing.T) {
		fake := newUpstreamFake(t, 200, "application/json", readFixture(t, "weather", "openmeteo_ok.json"))
		e := newTestEnv(t, func(c *Config) { c.Weather, c.OpenMeteoURL, c.KMAKey = "off", fake.URL, testKMAKey })
		u := e.register("weatheroff", addrSajik)
		r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token})
		if r.status != http.StatusNotFound || r.str(t) != msgWeatherOff {
			t.Fatalf("got %d %s, want 404 %q", r.status, r.raw, msgWeatherOff)
		}
		if fake.hits() != 0 {
			t.Errorf("upstream hits = %d, want 0", fake.hits())
		}
	})

	t.Run("ErrBadCoordinates", func(t *testing.T) {
		e, fake, _ := openMeteoEnv(t, 200, readFixture(t, "weather", "openmeteo_ok.json"))
		u := e.register("weatherbad", addrSajik)
		for _, tc := range []struct {
			path   string
			fields []string
		}{
			{"/api/openAPI/weather/", []string{"lat", "lon"}},
			{weatherPath("abc", sajikLon), []string{"lat"}},
			{weatherPath(sajikLat, "181"), []string{"lon"}},
			{weatherPath("NaN", "Inf"), []string{"lat", "lon"}},
		} {
			r := e.do(req{method: "GET", path: tc.path, token: u.token})
			if r.status != http.StatusBadRequest {
				t.Fatalf("%s: status %d: %s", tc.path, r.status, r.raw)
			}
			errs := r.fieldErrs(t)
			for _, f := range tc.fields {
				if _, ok := errs[f]; !ok {
					t.Errorf("%s: no error on %s: %s", tc.path, f, r.raw)
				}
			}
		}
		if fake.hits() != 0 {
			t.Errorf("upstream hits = %d, want 0", fake.hits())
		}
	})

	t.Run("ErrAnonymous", func(t *testing.T) {
		e, fake, _ := openMeteoEnv(t, 200, readFixture(t, "weather", "openmeteo_ok.json"))
		r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon)})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		if fake.hits() != 0 {
			t.Errorf("upstream hits = %d, want 0", fake.hits())
		}
	})
}

func TestWeatherConfig(t *testing.T) {
	t.Run("ErrKMAWithoutKey", func(t *testing.T) {
		t.Setenv("MEALBUDDY_KMA_KEY", "")
		err := serveMustFail(t, t.TempDir(), "--weather", "kma", "--addr", "127.0.0.1:0")
		if !strings.Contains(err.Error(), "MEALBUDDY_KMA_KEY") {
			t.Fatalf("err = %v, want one naming MEALBUDDY_KMA_KEY", err)
		}
	})
	t.Run("ErrUnknownMode", func(t *testing.T) {
		err := serveMustFail(t, t.TempDir(), "--weather", "sunny", "--addr", "127.0.0.1:0")
		if !strings.Contains(err.Error(), "auto, kma, open-meteo or off") {
			t.Fatalf("err = %v, want the allowed values", err)
		}
	})
	t.Run("OKModes", func(t *testing.T) {
		for _, tc := range []struct {
			cfg  Config
			want string
		}{
			{Config{}, "open-meteo"},
			{Config{Weather: "auto", KMAKey: "k"}, "kma"},
			{Config{Weather: "kma", KMAKey: "k"}, "kma"},
			{Config{Weather: "open-meteo", KMAKey: "k"}, "open-meteo"},
			{Config{Weather: "off", KMAKey: "k"}, "off"},
		} {
			if got, err := checkWeatherMode(tc.cfg); err != nil || got != tc.want {
				t.Errorf("checkWeatherMode(%q, key %t) = %q, %v; want %q", tc.cfg.Weather, tc.cfg.KMAKey != "", got, err, tc.want)
			}
		}
	})
}

func TestServiceDay(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2024, 6, 1, 15, 20, 0, 0, kst), "2024-06-01"},
		{time.Date(2024, 6, 2, 3, 59, 59, 0, kst), "2024-06-01"},
		{time.Date(2024, 6, 2, 4, 0, 0, 0, kst), "2024-06-02"},
		{time.Date(2024, 6, 1, 19, 0, 0, 0, time.UTC), "2024-06-02"}, // 04:00 KST
	} {
		if got := serviceDay(tc.at); got != tc.want {
			t.Errorf("serviceDay(%v) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

// llmEnv is a server whose menu assistant is an OpenAI-compatible fake and
// whose weather comes from a KMA fake.
func llmEnv(t *testing.T, mutate ...func(*Config)) (*testEnv, *upstreamFake, *upstreamFake, *openAPIClock) {
	t.Helper()
	llm := newUpstreamFake(t, 200, "application/json", readFixture(t, "llm", "ok.json"))
	e, kma, clock := kmaEnv(t, 200, "application/json", readFixture(t, "weather", "kma_ok.json"),
		append([]func(*Config){func(c *Config) {
			c.LLMURL, c.LLMKey, c.LLMModel, c.LLMTimeout = llm.URL, testLLMKey, "test-model", 300*time.Millisecond
		}}, mutate...)...)
	return e, llm, kma, clock
}

func ask(e *testEnv, u testUser, message string) response {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/openAPI/foodchoicer/", token: u.token,
		body: map[string]any{"message": message, "lat": 37.576, "lon": "126.969"}})
}

// conversation decodes the POST answer.
func conversation(t *testing.T, r response) []chatMessageJSON {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	var conv []chatMessageJSON
	if err := json.Unmarshal(r.raw, &conv); err != nil {
		t.Fatalf("body %s is not a message array: %v", r.raw, err)
	}
	return conv
}

// storedChat returns the user's stored conversation and count of the day.
func storedChat(e *testEnv, u testUser) (int, int) {
	e.t.Helper()
	msgs, asked, err := e.store.MenuChat(context.Background(), u.id, serviceDay(e.srv.now()))
	if err != nil {
		e.t.Fatal(err)
	}
	return len(msgs), asked
}

func TestFoodChoicerSuggest(t *testing.T) {
	t.Run("OKWithOpenPost", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.Weather = "off" })
		writer := e.register("chickenwriter", addrSajik)
		openID, _ := e.writePost(writer, "치킨 같이 시켜요", 4)
		closedID, _ := e.writePost(writer, "마감된 치킨", 4)
		if r := e.do(req{method: "POST", path: "/api/post/detail/" + strconv.FormatInt(closedID, 10) + "/edit/", token: writer.token,
			body: map[string]any{"is_compelete": true}}); r.status != http.StatusOK {
			t.Fatalf("close post: %d %s", r.status, r.raw)
		}
		farWriter := e.register("farwriter", addrYongdam)
		farID, _ := e.writePost(farWriter, "제주 치킨", 4)

		u := e.register("hungry", addrSajik)
		r := e.do(req{method: "GET", path: "/api/openAPI/foodchoicer/?lat=" + sajikLat + "&lon=" + sajikLon, token: u.token})
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		var out suggestResponse
		if err := json.Unmarshal(r.raw, &out); err != nil {
			t.Fatal(err)
		}
		if out.Reply == "" || len(out.Suggestions) != menu.Count {
			t.Fatalf("answer = %s", r.raw)
		}
		found := false
		for _, sg := range out.Suggestions {
			if sg.Menu == "" || !menu.IsCategory(sg.Category) || sg.Reason == "" || sg.OpenPosts == nil {
				t.Errorf("suggestion = %+v", sg)
			}
			for _, p := range sg.OpenPosts {
				switch p.ID {
				case openID:
					found = true
					if p.Title != "치킨 같이 시켜요" || p.Category != "치킨" || p.JoinNumber != 1 || p.TargetNumber != 4 ||
						p.DistanceKm == nil || *p.DistanceKm != 0 {
						t.Errorf("open post = %+v", p)
					}
				case closedID, farID:
					t.Errorf("post %d should not be suggested: %+v", p.ID, p)
				}
			}
		}
		if !found {
			t.Errorf("open post %d is in no suggestion: %s", openID, r.raw)
		}
		if n, asked := storedChat(e, u); n != 0 || asked != 0 {
			t.Errorf("GET touched the conversation: %d messages, %d asked", n, asked)
		}
	})

	t.Run("OKWeatherFailing", func(t *testing.T) {
		e, fake, _ := kmaEnv(t, 500, "text/plain", []byte("down"))
		u := e.register("rainy", addrSajik)
		r := e.do(req{method: "GET", path: "/api/openAPI/foodchoicer/?lat=" + sajikLat + "&lon=" + sajikLon, token: u.token})
		if r.status != http.StatusOK || fake.hits() != 1 {
			t.Fatalf("status %d (weather hits %d): %s", r.status, fake.hits(), r.raw)
		}
		if !strings.Contains(string(r.raw), `"suggestions"`) {
			t.Fatalf("answer = %s", r.raw)
		}
	})

	t.Run("ErrBadCoordinates", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.Weather = "off" })
		u := e.register("nowhere", addrSajik)
		r := e.do(req{method: "GET", path: "/api/openAPI/foodchoicer/?lat=north", token: u.token})
		errs := r.fieldErrs(t)
		if r.status != http.StatusBadRequest || errs["lat"] == nil || errs["lon"] == nil {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
	})
}

func TestFoodChoicerBuiltIn(t *testing.T) {
	e, fake, _ := kmaEnv(t, 200, "application/json", readFixture(t, "weather", "kma_ok.json"))
	// Each subtest asks as a user of its own, so none depends on another's
	// conversation or count. The weather is fetched once for all of them:
	// they ask at one coordinate, and the provider caches per grid cell.

	t.Run("OK", func(t *testing.T) {
		u := e.register("builtin-ok", addrSajik)
		conv := conversation(t, ask(e, u, "오늘 점심 뭐 먹지?"))
		if len(conv) != 4 || conv[0].Role != "system" || conv[0].Content != menu.SystemPrompt() ||
			conv[1].Role != "system" || conv[2].Role != "user" || conv[2].Content != "오늘 점심 뭐 먹지?" || conv[3].Role != "assistant" {
			t.Fatalf("conversation = %+v", conv)
		}
		if !strings.Contains(conv[1].Content, "2024년 6월 1일") || !strings.Contains(conv[1].Content, "기온 23℃") {
			t.Errorf("context message = %q", conv[1].Content)
		}
		for _, n := range []string{"1. ", "2. ", "3. ", "4. ", "5. "} {
			if !strings.Contains(conv[3].Content, "\n"+n) {
				t.Errorf("answer lacks suggestion %q: %q", n, conv[3].Content)
			}
		}
		if fake.hits() != 1 {
			t.Errorf("weather hits = %d, want 1", fake.hits())
		}
		conv = conversation(t, ask(e, u, "매운 거 말고"))
		if len(conv) != 6 || conv[4].Content != "매운 거 말고" || conv[5].Role != "assistant" {
			t.Fatalf("second turn = %+v", conv)
		}
		if n, asked := storedChat(e, u); n != 6 || asked != 2 {
			t.Errorf("stored %d messages, %d asked", n, asked)
		}
	})

	t.Run("OKReset", func(t *testing.T) {
		u := e.register("builtin-reset", addrSajik)
		conversation(t, ask(e, u, "오늘 점심 뭐 먹지?"))
		conversation(t, ask(e, u, "매운 거 말고"))
		r := e.do(req{method: "DELETE", path: "/api/openAPI/foodchoicer/", token: u.token})
		if r.status != http.StatusOK || r.str(t) != msgMenuChatReset {
			t.Fatalf("got %d %s", r.status, r.raw)
		}
		if n, asked := storedChat(e, u); n != 0 || asked != 2 {
			t.Errorf("after reset: %d messages, %d asked (the count stays)", n, asked)
		}
		if conv := conversation(t, ask(e, u, "다시 시작")); len(conv) != 4 || conv[2].Content != "다시 시작" {
			t.Fatalf("after reset = %+v", conv)
		}
	})

	t.Run("ErrValidation", func(t *testing.T) {
		u := e.register("builtin-invalid", addrSajik)
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"Missing", map[string]any{"lat": 37.5, "lon": 127}, "message"},
			{"Blank", map[string]any{"message": "   "}, "message"},
			{"NotString", map[string]any{"message": 5}, "message"},
			{"TooLong", map[string]any{"message": strings.Repeat("가", 501)}, "message"},
			{"BadLat", map[string]any{"message": "hi", "lat": "north", "lon": 127}, "lat"},
			{"LatOutOfRange", map[string]any{"message": "hi", "lat": 91, "lon": 127}, "lat"},
			{"LonMissing", map[string]any{"message": "hi", "lat": 37.5}, "lon"},
		} {
			r := e.do(req{method: "POST", path: "/api/openAPI/foodchoicer/", token: u.token, body: tc.body})
			if r.status != http.StatusBadRequest {
				t.Fatalf("%s: got %d %s", tc.name, r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)[tc.field]; !ok {
				t.Errorf("%s: no error on %s: %s", tc.name, tc.field, r.raw)
			}
		}
		r := e.do(req{method: "POST", path: "/api/openAPI/foodchoicer/", token: u.token, body: []byte(`{"message":`)})
		if r.status != http.StatusBadRequest {
			t.Errorf("malformed body: %d %s", r.status, r.raw)
		}
		if n, asked := storedChat(e, u); n != 0 || asked != 0 {
			t.Errorf("bad requests changed the chat: %d messages, %d asked", n, asked)
		}
		// 500 characters is fine; a form body works too.
		r = e.do(req{method: "POST", path: "/api/openAPI/foodchoicer/", token: u.token,
			body: "message=" + url.QueryEscape(strings.Repeat("가", 500)) + "&lat=37.576&lon=126.969"})
		if conv := conversation(t, r); len(conv) != 4 {
			t.Errorf("500 characters: %d messages", len(conv))
		}
	})

	t.Run("ErrAnonymous", func(t *testing.T) {
		for _, m := range []string{"GET", "POST", "DELETE"} {
			r := e.do(req{method: m, path: "/api/openAPI/foodchoicer/?lat=37.5&lon=127", body: map[string]any{"message": "hi"}})
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s: status %d: %s", m, r.status, r.raw)
			}
		}
	})
}

func TestFoodChoicerLLM(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e, llm, _, _ := llmEnv(t)
		u := e.register("llmuser", addrSajik)
		conv := conversation(t, ask(e, u, "비 오는데 뭐 먹지?"))
		var ok struct {
			Choices []struct{ Message menu.Message }
		}
		if err := json.Unmarshal(readFixture(t, "llm", "ok.json"), &ok); err != nil {
			t.Fatal(err)
		}
		if len(conv) != 4 || conv[3].Role != "assistant" || conv[3].Content != ok.Choices[0].Message.Content {
			t.Fatalf("conversation = %+v", conv)
		}

		sent := llm.last(t)
		if got := sent.Header.Get("Authorization"); got != "Bearer "+testLLMKey {
			t.Errorf("Authorization = %q", got)
		}
		if sent.URL.Path != "/v1/chat/completions" {
			t.Errorf("path = %q", sent.URL.Path)
		}
		var body struct {
			Model    string         `json:"model"`
			Messages []menu.Message `json:"messages"`
		}
		if err := json.Unmarshal(sent.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Model != "test-model" || len(body.Messages) != 3 {
			t.Fatalf("request = %s", sent.Body)
		}
		if body.Messages[0] != (menu.Message{Role: "system", Content: menu.SystemPrompt()}) ||
			body.Messages[2] != (menu.Message{Role: "user", Content: "비 오는데 뭐 먹지?"}) {
			t.Errorf("messages = %+v", body.Messages)
		}
		ctxMsg := body.Messages[1]
		for _, part := range []string{"2024년 6월 1일 토요일 오후 3시 20분", "맑음", "기온 23℃", "습도 60%", "풍속 2.1m/s"} {
			if ctxMsg.Role != "system" || !strings.Contains(ctxMsg.Content, part) {
				t.Errorf("context message %q lacks %q", ctxMsg.Content, part)
			}
		}

		// The next question carries the whole conversation.
		conversation(t, ask(e, u, "국물 있는 걸로"))
		if err := json.Unmarshal(llm.last(t).Body, &body); err != nil {
			t.Fatal(err)
		}
		if len(body.Messages) != 5 || body.Messages[3].Role != "assistant" || body.Messages[4].Content != "국물 있는 걸로" {
			t.Errorf("second request messages = %+v", body.Messages)
		}
	})

	t.Run("OKFailuresSpendNothing", func(t *testing.T) {
		e, llm, _, clock := llmEnv(t)
		u := e.register("quota", addrSajik)
		okBody := readFixture(t, "llm", "ok.json")
		for _, tc := range []struct {
			name   string
			status int
			body   []byte
			delay  time.Duration
			want   int
			msg    string
		}{
			{"RateLimited", 429, readFixture(t, "llm", "error_429.json"), 0, http.StatusTooManyRequests, msgLLMBusy},
			{"Status500", 500, readFixture(t, "llm", "error_500.json"), 0, http.StatusServiceUnavailable, msgLLMUnavailable},
			{"Unauthorized", 401, readFixture(t, "llm", "error_401.json"), 0, http.StatusServiceUnavailable, msgLLMUnavailable},
			{"Malformed", 200, readFixture(t, "llm", "malformed.json"), 0, http.StatusServiceUnavailable, msgLLMUnavailable},
			{"Timeout", 200, okBody, 5 * time.Second, http.StatusServiceUnavailable, msgLLMUnavailable},
		} {
			llm.set(tc.status, tc.body, tc.delay)
			start := time.Now()
			r := ask(e, u, "뭐 먹지?")
			if r.status != tc.want || r.str(t) != tc.msg {
				t.Fatalf("%s: got %d %s, want %d %q", tc.name, r.status, r.raw, tc.want, tc.msg)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("%s: answered after %v", tc.name, d)
			}
			if n, asked := storedChat(e, u); n != 0 || asked != 0 {
				t.Fatalf("%s: stored %d messages, counted %d", tc.name, n, asked)
			}
		}

		llm.set(200, okBody, 0)
		for i := range menuChatDailyLimit {
			conv := conversation(t, ask(e, u, "질문"))
			if want := 2 + 2*(i+1); len(conv) != want {
				t.Fatalf("question %d: %d messages, want %d", i+1, len(conv), want)
			}
		}
		hits := llm.hits()
		r := ask(e, u, "열한 번째")
		if r.status != http.StatusTooManyRequests || r.str(t) != msgMenuChatQuota {
			t.Fatalf("11th question: %d %s", r.status, r.raw)
		}
		if llm.hits() != hits {
			t.Errorf("the 11th question reached the LLM")
		}

		// A reset keeps the count; 03:59 KST is still the same day.
		if r := e.do(req{method: "DELETE", path: "/api/openAPI/foodchoicer/", token: u.token}); r.status != http.StatusOK {
			t.Fatalf("reset: %d %s", r.status, r.raw)
		}
		clock.set(time.Date(2024, 6, 2, 3, 59, 0, 0, kst))
		if r := ask(e, u, "새벽"); r.status != http.StatusTooManyRequests {
			t.Fatalf("03:59: %d %s", r.status, r.raw)
		}
	})

	t.Run("OKQuotaResetsAt4KST", func(t *testing.T) {
		e, _, _, clock := llmEnv(t)
		u := e.register("dawn", addrSajik)
		clock.set(time.Date(2024, 6, 2, 3, 0, 0, 0, kst))
		for range menuChatDailyLimit {
			conversation(t, ask(e, u, "야식"))
		}
		if r := ask(e, u, "야식 하나 더"); r.status != http.StatusTooManyRequests {
			t.Fatalf("11th: %d %s", r.status, r.raw)
		}
		clock.set(time.Date(2024, 6, 2, 4, 0, 0, 0, kst))
		conv := conversation(t, ask(e, u, "아침"))
		if len(conv) != 4 || conv[2].Content != "아침" || !strings.Contains(conv[1].Content, "6월 2일") {
			t.Fatalf("new day conversation = %+v", conv)
		}
		if n, asked := storedChat(e, u); n != 4 || asked != 1 {
			t.Errorf("new day: %d messages, %d asked", n, asked)
		}
	})
}

func TestOpenAPISecretsStayHidden(t *testing.T) {
	// Both fakes fail and echo what they got, credentials included, the way
	// some gateways do.
	kma := newUpstreamFake(t, 500, "text/plain", nil)
	kma.respond = func(r *http.Request, _ []byte) []byte { return []byte("bad request " + r.URL.String()) }
	llm := newUpstreamFake(t, 401, "application/json", nil)
	llm.respond = func(r *http.Request, _ []byte) []byte {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "Incorrect API key provided: " + r.Header.Get("Authorization")}})
		return b
	}
	e := newTestEnv(t, func(c *Config) {
		c.Weather, c.KMAKey, c.KMAURL = "kma", testKMAKey, kma.URL
		c.LLMURL, c.LLMKey = llm.URL, testLLMKey
	})
	logs := captureLog(e)
	u := e.register("secretive", addrSajik)

	var bodies []string
	r := e.do(req{method: "GET", path: weatherPath(sajikLat, sajikLon), token: u.token})
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("weather: %d %s", r.status, r.raw)
	}
	bodies = append(bodies, string(r.raw))
	r = ask(e, u, "뭐 먹지?")
	if r.status != http.StatusServiceUnavailable {
		t.Errorf("foodchoicer: %d %s", r.status, r.raw)
	}
	bodies = append(bodies, string(r.raw))

	if kma.hits() == 0 || llm.hits() == 0 {
		t.Fatalf("fakes not reached: kma %d, llm %d", kma.hits(), llm.hits())
	}
	if !strings.Contains(logs.String(), "weather unavailable") || !strings.Contains(logs.String(), "menu assistant failed") {
		t.Errorf("failures not logged:\n%s", logs)
	}
	for _, secret := range []string{testKMAKey, url.QueryEscape(testKMAKey), "kmaSECRET", testLLMKey, "llmSECRET"} {
		for _, b := range bodies {
			if strings.Contains(b, secret) {
				t.Errorf("response %s leaks %q", b, secret)
			}
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log leaks %q:\n%s", secret, logs)
		}
	}
}
