package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"
)

// access says who may call a route; the router applies it and docs/api.md
// states it for every route (routes_test.go checks both agree).
type access int

const (
	// open: anyone, no credential (register, login, neighbourhood lookup).
	open access = iota
	// signedIn: a valid token or web session; requireAuth answers 401
	// otherwise. Handlers narrow it further (members, writer, staff).
	signedIn
	// socket: the handler authenticates itself before the upgrade (?token=
	// or the session cookie from our own Origin).
	socket
	// userSocket: like socket, for a socket of the user's own (/ws/me/),
	// not of a room.
	userSocket
	// scraper: the metrics scraper, checked by the handler against
	// MEALBUDDY_METRICS_TOKEN and --metrics-allow; off (404) without them.
	scraper
)

// route is one entry of the route table.
type route struct {
	method, path string
	who          access
	handler      http.HandlerFunc
}

// routeTable lists every route in one place. docs/api.md documents each
// one; routes_test.go fails when a route is missing there.
func (s *Server) routeTable() []route {
	return []route{
		// Users (register and login are the only open user routes).
		{http.MethodPost, "/api/user/register/", open, s.handleRegister},
		{http.MethodPost, "/api/user/login/", open, s.handleLogin},
		{http.MethodPost, "/api/user/logout/", open, s.handleLogout},
		{http.MethodGet, "/api/user/current/", signedIn, s.handleCurrent},
		{http.MethodPost, "/api/user/update/", signedIn, s.handleUpdateUser},
		{http.MethodPost, "/api/user/changepassword/", signedIn, s.handleChangePassword},
		{http.MethodPost, "/api/user/delete/", signedIn, s.handleDeleteUser},

		// Posts.
		{http.MethodGet, "/api/post/", signedIn, s.handleListPosts},
		{http.MethodPost, "/api/post/write/", signedIn, s.handleWritePost},
		{http.MethodGet, "/api/post/detail/:id/", signedIn, s.handlePostDetail},
		{http.MethodGet, "/api/post/detail/:id/preview/", open, s.handlePostPreview},
		{http.MethodPost, "/api/post/detail/:id/edit/", signedIn, s.handleEditPost},
		{http.MethodPost, "/api/post/detail/:id/delete/", signedIn, s.handleDeletePost},
		{http.MethodDelete, "/api/post/detail/:id/delete/", signedIn, s.handleDeletePost},

		// Chat.
		{http.MethodGet, "/api/chat/", signedIn, s.handleChatList},
		{http.MethodPost, "/api/chat/:id/read/", signedIn, s.handleChatRead},
		{http.MethodPost, "/api/chat/:id/mute/", signedIn, s.handleChatMute},
		{http.MethodGet, "/api/chat/:id/", signedIn, s.handleRoom},
		{http.MethodPost, "/api/chat/:id/", signedIn, s.handleJoinRoom},
		{http.MethodDelete, "/api/chat/:id/", signedIn, s.handleDeleteRoom},
		{http.MethodGet, "/api/chat/:id/user/", signedIn, s.handleRoomUsers},
		{http.MethodDelete, "/api/chat/:id/user/", signedIn, s.handleLeaveRoom},
		{http.MethodPost, "/api/chat/:id/user/ban/", signedIn, s.handleBan},
		{http.MethodGet, "/api/chat/:id/order/", signedIn, s.handleOrder},
		{http.MethodPut, "/api/chat/:id/order/cart/", signedIn, s.handleCart},
		{http.MethodPost, "/api/chat/:id/order/ready/", signedIn, s.handleReady},
		{http.MethodPost, "/api/chat/:id/order/state/", signedIn, s.handleOrderState},
		{http.MethodPut, "/api/chat/:id/order/payment-info/", signedIn, s.handlePaymentInfo},
		{http.MethodPost, "/api/chat/:id/order/payment/", signedIn, s.handlePayment},
		{http.MethodGet, "/ws/chat/:id/", socket, s.handleChatSocket},
		{http.MethodGet, "/ws/me/", userSocket, s.handleMeSocket},

		// Web Push (push.go): the key is public; subscriptions are the caller's.
		{http.MethodGet, "/api/push/key/", open, s.handlePushKey},
		{http.MethodPost, "/api/push/subscriptions/", signedIn, s.handlePushSubscribe},
		{http.MethodDelete, "/api/push/subscriptions/", signedIn, s.handlePushUnsubscribe},

		// Neighbourhoods: open, registration needs them.
		{http.MethodGet, "/api/neighborhoods/", open, s.handleSearchNeighborhoods},
		{http.MethodGet, "/api/neighborhoods/locate/", open, s.handleLocateNeighborhood},

		// Weather and menu suggestions.
		{http.MethodGet, "/api/openAPI/weather/", signedIn, s.handleWeather},
		{http.MethodGet, "/api/openAPI/foodchoicer/", signedIn, s.handleSuggestMenu},
		{http.MethodPost, "/api/openAPI/foodchoicer/", signedIn, s.handleAskMenu},
		{http.MethodDelete, "/api/openAPI/foodchoicer/", signedIn, s.handleResetMenuChat},

		// Operations: probes and metrics (health.go, metrics.go).
		{http.MethodGet, "/livez", open, s.handleLivez},
		{http.MethodGet, "/readyz", open, s.handleReadyz},
		{http.MethodGet, "/metrics", scraper, s.handleMetrics},

		// Moderation, sign-up and password reset (moderation.go, signup.go,
		// reset.go); /api/admin/ is for staff (admin.go, staffOnly: 403).
		{http.MethodPost, "/api/reports/", signedIn, s.handleCreateReport},
		{http.MethodGet, "/api/user/blocks/", signedIn, s.handleBlocks},
		{http.MethodPost, "/api/user/blocks/", signedIn, s.handleBlock},
		{http.MethodDelete, "/api/user/blocks/", signedIn, s.handleBlock},
		{http.MethodGet, "/api/user/signup/", open, s.handleSignupInfo},
		{http.MethodPost, "/api/user/reset-password/", open, s.handleResetPassword},
		{http.MethodPost, "/api/user/reset-request/", open, s.handleResetRequest},
		{http.MethodGet, "/api/admin/reports/", signedIn, staffOnly(s.handleAdminReports)},
		{http.MethodGet, "/api/admin/reports/:id/", signedIn, staffOnly(s.handleAdminReport)},
		{http.MethodPost, "/api/admin/reports/:id/resolve/", signedIn, staffOnly(s.handleAdminResolve)},
		{http.MethodGet, "/api/admin/users/pending/", signedIn, staffOnly(s.handleAdminPending)},
		{http.MethodPost, "/api/admin/users/:id/approve/", signedIn, staffOnly(s.handleAdminApprove)},
		{http.MethodGet, "/api/admin/audit/", signedIn, staffOnly(s.handleAdminAudit)},
	}
}

// routes builds the router from the route table.
func (s *Server) routes() http.Handler {
	r := httprouter.New()
	// No "fixed path" redirects: httprouter would answer a cleaned or
	// case-folded path (/api/chat/1/../../post/…) with a 301/307 to a real
	// route, which turned an encoded traversal in a UI link into a request
	// on another resource. Our clients, the original one included, send
	// exact paths with the trailing slash; anything else is 404 (405 for a
	// wrong method), and the web app's own paths fall through to NotFound.
	r.RedirectFixedPath = false
	r.RedirectTrailingSlash = false
	for _, rt := range s.routeTable() {
		h := rt.handler
		if rt.who == signedIn {
			h = s.requireAuth(h)
		}
		r.Handler(rt.method, rt.path, s.metrics.route(rt.method, rt.path, h))
	}

	r.NotFound = s.metrics.otherRoute(http.HandlerFunc(s.handleFallback))
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "허용되지 않은 요청 방식이에요.")
	})
	r.PanicHandler = func(w http.ResponseWriter, req *http.Request, v any) {
		s.fail(w, req, fmt.Errorf("panic in handler: %v", v))
	}
	return s.middleware(r)
}

// paramsFrom returns the router's path parameters of a request.
func paramsFrom(r *http.Request) httprouter.Params { return httprouter.ParamsFromContext(r.Context()) }

// handleFallback answers unknown /api/ and /ws/ paths with a JSON 404 and
// everything else with the web app.
func (s *Server) handleFallback(w http.ResponseWriter, r *http.Request) {
	if isAPIPath(r.URL.Path) {
		writeError(w, http.StatusNotFound, msgNotFound)
		return
	}
	s.serveUI(w, r)
}

// statusRecorder remembers the status for the request log and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// requestRecorder is the middleware's writer: the status, and the cause of a
// 500 that fail or writeJSON hand to it (see noteFailure), for the one log
// line of the request. Its own type, so that noteFailure finds it behind
// other statusRecorders (the metrics').
type requestRecorder struct {
	statusRecorder
	err error
	// gzip: the answer may be gzipped (apiGzip); writeJSONBytes reads it.
	gzip bool
}

// middleware adds security headers, a request id and the request log: one
// line per request, with the cause of a 500. It refuses ambiguous
// credentials and reads every request body (bounded in size and time)
// before any handler runs. The log names the path only: query strings may
// carry a token (?token= on the WebSocket).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		r = r.WithContext(withRequestID(r.Context(), id))
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", s.csp)
		if r.TLS != nil || s.httpsOrigin {
			// Also behind a proxy that terminates TLS for an https
			// --public-url; browsers ignore HSTS on plain http answers.
			h.Set("Strict-Transport-Security", hstsHeader)
		}
		if isAPIPath(r.URL.Path) {
			// Answers carry personal data and tokens: no cache keeps them.
			h.Set("Cache-Control", "no-store")
		}
		rec := &requestRecorder{statusRecorder: statusRecorder{ResponseWriter: w}, gzip: apiGzip(r)}
		if isAPIPath(r.URL.Path) && r.Header.Get("Upgrade") == "" {
			h.Add("Vary", "Accept-Encoding") // JSON answers may be gzipped
		}
		switch {
		case len(r.Header.Values("Authorization")) > 1:
			// Two credentials: believing either one is a guess that a
			// proxy and this server may make differently.
			s.fail(rec, r, errNoCredential)
		case s.readBody(rec, r):
			next.ServeHTTP(rec, r)
		}
		level := slogLevelFor(rec.status)
		if s.log.Enabled(context.Background(), level) {
			attrs := []any{"request_id", id, "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration", time.Since(start).Round(time.Microsecond), "client", s.clientIP(r)}
			if rec.err != nil {
				attrs = append(attrs, "err", rec.err)
			}
			s.log.Log(r.Context(), level, "request", attrs...)
		}
	})
}

// isAPIPath tells the JSON API's paths (and the chat socket's) apart from
// the web app's.
func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/ws/") || p == "/ws"
}

// readBody reads the whole request body before the route runs, so that
// every route, also one that ignores its body (join, delete), has the same
// bounds: over maxBodyBytes is 413, a body slower than --body-timeout is
// 408, and both close the connection. Handlers then read from memory and
// never wait on the network. Requests without a body (GET, the chat
// socket's upgrade) get no read deadline, so hijacked sockets keep none.
// It answers itself and reports false when the request must stop.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	if r.ContentLength > maxBodyBytes {
		w.Header().Set("Connection", "close")
		s.fail(w, r, errTooLarge)
		return false
	}
	rc := http.NewResponseController(w)
	deadline := s.cfg.Limits.BodyTimeout > 0
	if deadline {
		if err := rc.SetReadDeadline(time.Now().Add(s.cfg.Limits.BodyTimeout)); err != nil {
			deadline = false // not a connection (a test recorder): no deadline to clear
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if deadline {
		// Back to none: the handler may hijack the connection, and
		// keep-alive's next request has the header timeout again.
		rc.SetReadDeadline(time.Time{})
	}
	if err != nil {
		w.Header().Set("Connection", "close")
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			s.fail(w, r, errTooLarge)
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.fail(w, r, errBodyTimeout)
		default:
			s.fail(w, r, errBadBody)
		}
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

// contentSecurityPolicy allows only our own scripts, styles and sockets.
// connect-src is 'self' (which covers ws: and wss: to our own host in
// current browsers) plus, when --public-url is set, its WebSocket origin
// spelled out for browsers that read 'self' as http(s) only. Never any ws:.
func contentSecurityPolicy(publicOrigin string) string {
	connect := "'self'"
	if rest, ok := strings.CutPrefix(publicOrigin, "https://"); ok {
		connect += " wss://" + rest
	} else if rest, ok := strings.CutPrefix(publicOrigin, "http://"); ok {
		connect += " ws://" + rest
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + connect + "; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

func slogLevelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelDebug
}
