package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// Metrics use github.com/VictoriaMetrics/metrics rather than
// prometheus/client_golang: the same Prometheus text format (with classic
// le-bucket histograms) for +0.16 MB of binary instead of +2.3 MB, and no
// protobuf or reflection-heavy registry on a Raspberry Pi. Each server has
// its own Set, so tests (and several servers in one process) never share
// counters.

// serverMetrics are the counters the handlers and hooks update. Every
// update is one call; gauges are read at scrape time.
type serverMetrics struct {
	set           *metrics.Set
	loginFailures *metrics.Counter
	upstream      map[string]*upstreamMetrics
}

type upstreamMetrics struct {
	calls, errors *metrics.Counter
	latency       *metrics.PrometheusHistogram
}

// commitBuckets are group commit batch sizes.
var commitBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}

func newServerMetrics(s *Server) *serverMetrics {
	set := metrics.NewSet()
	m := &serverMetrics{
		set:           set,
		loginFailures: set.NewCounter(`mealbuddy_login_failures_total`),
		upstream:      map[string]*upstreamMetrics{},
	}
	for _, name := range []string{"weather", "llm"} {
		m.upstream[name] = &upstreamMetrics{
			calls:   set.NewCounter(fmt.Sprintf(`mealbuddy_upstream_requests_total{service=%q}`, name)),
			errors:  set.NewCounter(fmt.Sprintf(`mealbuddy_upstream_errors_total{service=%q}`, name)),
			latency: set.NewPrometheusHistogram(fmt.Sprintf(`mealbuddy_upstream_request_duration_seconds{service=%q}`, name)),
		}
	}
	set.NewGauge(`mealbuddy_chat_sockets_open`, func() float64 { _, n := s.hub.Stats(); return float64(n) })
	set.NewGauge(`mealbuddy_chat_rooms_active`, func() float64 {
		n, _ := s.hub.Stats()
		return float64(max(0, n-s.me.users())) // the hub also holds each /ws/me/ user as a room
	})
	set.NewGauge(`mealbuddy_chat_messages_stored`, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := s.store.LastMessageID(ctx)
		if err != nil {
			return 0
		}
		return float64(n)
	})
	set.NewGauge(`mealbuddy_db_size_bytes`, func() float64 { return float64(s.store.Size()) })
	set.NewGauge(`mealbuddy_backup_last_success_timestamp_seconds`, func() float64 {
		b := s.backups.snapshot(true)
		if b.LastSuccess.IsZero() {
			return 0
		}
		return float64(b.LastSuccess.Unix())
	})
	set.NewGauge(`mealbuddy_backup_failures`, func() float64 { return float64(s.backups.snapshot(true).Failures) })
	return m
}

// rateLimited counts a request refused by a rate limit (kind: "login").
func (m *serverMetrics) rateLimited(kind string) {
	m.set.GetOrCreateCounter(`mealbuddy_rate_limited_total{limit="` + kind + `"}`).Inc()
}

// observeCommit is the MessageWriter's OnCommit hook.
func (m *serverMetrics) observeCommit(batch int, took time.Duration) {
	m.set.GetOrCreatePrometheusHistogramExt(`mealbuddy_chat_commit_batch_size`, commitBuckets).Update(float64(batch))
	m.set.GetOrCreatePrometheusHistogram(`mealbuddy_chat_commit_duration_seconds`).Update(took.Seconds())
}

// route wraps a handler so that its requests are counted under the route
// pattern (never the raw path, which would let clients mint label values)
// and status, with a latency histogram. WebSocket routes get no histogram:
// their "latency" is the socket's lifetime.
func (m *serverMetrics) route(method, pattern string, h http.Handler) http.Handler {
	var latency *metrics.PrometheusHistogram
	if !strings.HasPrefix(pattern, "/ws/") {
		latency = m.set.NewPrometheusHistogram(fmt.Sprintf(`mealbuddy_http_request_duration_seconds{route=%q,method=%q}`, pattern, method))
	}
	prefix := fmt.Sprintf(`mealbuddy_http_requests_total{route=%q,method=%q,status="`, pattern, method)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		m.set.GetOrCreateCounter(prefix + strconv.Itoa(rec.status) + `"}`).Inc()
		if latency != nil {
			latency.UpdateDuration(start)
		}
	})
}

// otherRoute labels what no route matched (the web app, unknown paths);
// its method label is fixed so clients cannot mint label values.
func (m *serverMetrics) otherRoute(h http.Handler) http.Handler {
	return m.route("any", "other", h)
}

// write is the /metrics body: ours, then the Go runtime and process.
func (m *serverMetrics) write(w io.Writer) {
	m.set.WritePrometheus(w)
	metrics.WriteProcessMetrics(w)
}

// handleMetrics serves the Prometheus text format when --metrics-allow or
// MEALBUDDY_METRICS_TOKEN turn it on; otherwise it is a plain 404. With
// both set, a scrape needs both: an allowed address and the token.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	ops := s.cfg.Ops
	if !ops.metricsOn() {
		writeError(w, http.StatusNotFound, msgNotFound)
		return
	}
	if len(ops.MetricsAllow) > 0 && !ipIn(s.clientIP(r), ops.MetricsAllow) {
		writeError(w, http.StatusForbidden, "허용되지 않은 주소예요.")
		return
	}
	if ops.MetricsToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(ops.MetricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeError(w, http.StatusUnauthorized, "인증 토큰이 필요해요.")
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	s.metrics.write(w)
}

func ipIn(addr string, nets []*net.IPNet) bool {
	ip := net.ParseIP(addr)
	if ip == nil {
		return false
	}
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// upstreamTransport counts the HTTP requests a weather or LLM client sends
// (after its cache): an error is a failed round trip or a 4xx/5xx answer.
type upstreamTransport struct {
	next http.RoundTripper
	m    *upstreamMetrics
}

// transport is the http.Client transport for the upstream service name
// ("weather" or "llm").
func (m *serverMetrics) transport(name string) http.RoundTripper {
	return upstreamTransport{next: http.DefaultTransport, m: m.upstream[name]}
}

func (t upstreamTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	t.m.calls.Inc()
	if err != nil || resp.StatusCode >= 400 {
		t.m.errors.Inc()
	}
	t.m.latency.UpdateDuration(start)
	return resp, err
}
