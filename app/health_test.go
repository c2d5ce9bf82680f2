package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestLivezReadyz(t *testing.T) {
	e := newTestEnv(t)
	r := e.do(req{method: "GET", path: "/livez"})
	if r.status != 200 || r.json(t)["status"] != "ok" {
		t.Fatalf("livez: %d %s", r.status, r.raw)
	}
	r = e.do(req{method: "GET", path: "/readyz"})
	body := r.json(t)
	checks := body["checks"].(map[string]any)
	mig := checks["migrations"].(map[string]any)
	if r.status != 200 || body["status"] != "ok" || checks["database"].(map[string]any)["status"] != "ok" ||
		mig["status"] != "ok" || mig["current"] != mig["latest"] || checks["backup"].(map[string]any)["status"] != "off" {
		t.Fatalf("readyz: %d %s", r.status, r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("readyz Cache-Control %q", r.header.Get("Cache-Control"))
	}

	// The healthcheck command agrees, by URL and by --addr.
	out, err := runCLI(t, e.dir, "", "healthcheck", "--url", e.http.URL+"/readyz")
	if err != nil || !strings.Contains(out, `"status":"ok"`) {
		t.Fatalf("healthcheck: %v %s", err, out)
	}
	if _, err := runCLI(t, e.dir, "", "healthcheck", "--addr", strings.TrimPrefix(e.http.URL, "http://")); err != nil {
		t.Fatalf("healthcheck --addr: %v", err)
	}

	// A migration rolled back: not ready, and healthcheck exits non-zero.
	if _, err := e.store.MigrateDown(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = e.do(req{method: "GET", path: "/readyz"})
	if r.status != 503 || r.json(t)["checks"].(map[string]any)["migrations"].(map[string]any)["status"] != "fail" {
		t.Fatalf("readyz with a pending migration: %d %s", r.status, r.raw)
	}
	if _, err := runCLI(t, e.dir, "", "healthcheck", "--url", e.http.URL+"/readyz"); err == nil || !strings.Contains(err.Error(), "not ready (503)") {
		t.Fatalf("healthcheck on 503: %v", err)
	}
	if err := e.store.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Nobody listening: exit non-zero.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, err := runCLI(t, e.dir, "", "healthcheck", "--url", closed.URL+"/readyz"); err == nil {
		t.Fatal("healthcheck against a closed port succeeded")
	}
}

func TestHealthcheckURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/readyz"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/readyz"},
		{":9000", "http://127.0.0.1:9000/readyz"},
		{"[::]:9000", "http://127.0.0.1:9000/readyz"},
	} {
		u, err := healthcheckURL("", tc.addr)
		if err != nil || u.String() != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.addr, u, err, tc.want)
		}
	}
	t.Setenv("MEALBUDDY_TLS_DOMAIN", "mealbuddy.example")
	if u, _ := healthcheckURL("", ":443"); u.String() != "https://127.0.0.1:443/readyz" {
		t.Errorf("with TLS: %v", u)
	}
	if _, err := healthcheckURL("ftp://x/", ""); err == nil {
		t.Error("ftp URL accepted")
	}
}

// metricValue finds one sample in a Prometheus text body.
func metricValue(t *testing.T, body, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in\n%s", series, body)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsOffByDefault(t *testing.T) {
	e := newTestEnv(t)
	if r := e.do(req{method: "GET", path: "/metrics"}); r.status != 404 {
		t.Fatalf("metrics without token or allow-list: %d", r.status)
	}
}

func TestMetricsAccess(t *testing.T) {
	const token = "s3cret-metrics-token"
	loopback, _ := ParseProxies([]string{"127.0.0.1"})
	elsewhere, _ := ParseProxies([]string{"10.0.0.0/8"})
	for _, tc := range []struct {
		name   string
		token  string
		allow  []string
		send   string
		status int
	}{
		{"TokenRight", token, nil, "Bearer " + token, 200},
		{"TokenMissing", token, nil, "", 401},
		{"TokenWrong", token, nil, "Bearer nope", 401},
		{"TokenAsQueryStyle", token, nil, token, 401},
		{"AllowedAddress", "", []string{"loopback"}, "", 200},
		{"OtherAddress", "", []string{"elsewhere"}, "", 403},
		{"BothNeedsToken", token, []string{"loopback"}, "", 401},
		{"BothNeedsAddress", token, []string{"elsewhere"}, "Bearer " + token, 403},
		{"Both", token, []string{"loopback"}, "Bearer " + token, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(c *Config) {
				c.Ops.MetricsToken = tc.token
				for _, a := range tc.allow {
					if a == "loopback" {
						c.Ops.MetricsAllow = append(c.Ops.MetricsAllow, loopback...)
					} else {
						c.Ops.MetricsAllow = append(c.Ops.MetricsAllow, elsewhere...)
					}
				}
			})
			h := map[string]string{}
			if tc.send != "" {
				h["Authorization"] = tc.send
			}
			r := e.do(req{method: "GET", path: "/metrics", headers: h})
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if tc.status == 200 && !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
		})
	}
}

// TestMetricsContent: the series the issue lists move with real traffic.
func TestMetricsContent(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer upstream.Close()
	const token = "tok"
	e := newChatEnv(t, func(c *Config) {
		c.Ops.MetricsToken = token
		c.Weather, c.OpenMeteoURL = "open-meteo", upstream.URL
		withAccountLimits(c)
	})
	scrape := func() string {
		r := e.do(req{method: "GET", path: "/metrics", headers: map[string]string{"Authorization": "Bearer " + token}})
		if r.status != 200 {
			t.Fatalf("metrics: %d", r.status)
		}
		return string(r.raw)
	}
	writer, member, room := chatPair(e)
	a := e.mustDial(room, writer)
	a.send("치킨?")
	a.expect("chat.message")
	for range 2 {
		e.do(req{method: "GET", path: "/api/post/detail/999999/", token: writer.token})
	}
	e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": member.email, "password": "wrong-password"}})
	e.do(req{method: "GET", path: "/api/openAPI/weather/?lat=37.57&lon=126.97", token: writer.token})
	e.do(req{method: "GET", path: "/some/page"})

	body := scrape()
	if v := metricValue(t, body, `mealbuddy_http_requests_total{route="/api/post/detail/:id/",method="GET",status="404"}`); v != 2 {
		t.Errorf("detail 404s counted %v, want 2", v)
	}
	if strings.Contains(body, "detail/999999") || strings.Contains(body, "/some/page") {
		t.Error("a raw path became a label value")
	}
	if v := metricValue(t, body, `mealbuddy_http_requests_total{route="other",method="any",status="200"}`); v < 1 {
		t.Errorf("fallback route counted %v", v)
	}
	if !strings.Contains(body, `mealbuddy_http_request_duration_seconds_bucket{route="/api/post/detail/:id/",method="GET",le=`) {
		t.Error("no latency histogram with le buckets")
	}
	if v := metricValue(t, body, `mealbuddy_chat_sockets_open`); v != 1 {
		t.Errorf("open sockets %v, want 1", v)
	}
	if v := metricValue(t, body, `mealbuddy_chat_rooms_active`); v != 1 {
		t.Errorf("rooms %v, want 1", v)
	}
	if v := metricValue(t, body, `mealbuddy_chat_messages_stored`); v < 2 { // the join notice and the message
		t.Errorf("messages stored %v", v)
	}
	if v := metricValue(t, body, `mealbuddy_chat_commit_batch_size_count`); v < 1 {
		t.Errorf("commit batches %v", v)
	}
	if v := metricValue(t, body, `mealbuddy_chat_commit_duration_seconds_count`); v < 1 {
		t.Errorf("commit durations %v", v)
	}
	if v := metricValue(t, body, `mealbuddy_login_failures_total`); v != 1 {
		t.Errorf("login failures %v, want 1", v)
	}
	calls := metricValue(t, body, `mealbuddy_upstream_requests_total{service="weather"}`)
	if errs := metricValue(t, body, `mealbuddy_upstream_errors_total{service="weather"}`); calls < 1 || errs != calls {
		t.Errorf("weather calls %v errors %v", calls, errs)
	}
	if v := metricValue(t, body, `mealbuddy_db_size_bytes`); v <= 0 {
		t.Errorf("db size %v", v)
	}
	for _, series := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_resident_memory_bytes"} {
		metricValue(t, body, series)
	}

	// Rate-limit refusals: the login limiter allows 6 tries per account.
	for range 8 {
		e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": member.email, "password": "wrong-password"}})
	}
	if v := metricValue(t, scrape(), `mealbuddy_rate_limited_total{limit="login"}`); v < 1 {
		t.Errorf("rate-limit refusals %v", v)
	}
	a.close()
}
