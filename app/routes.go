package app

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/julienschmidt/httprouter"
)

// routes lists every route in one place.
func (s *Server) routes() http.Handler {
	r := httprouter.New()
	handle := func(method, path string, h http.HandlerFunc) { r.Handler(method, path, h) }
	auth := s.requireAuth

	// Users (register and login are the only open routes).
	handle(http.MethodPost, "/api/user/register/", s.handleRegister)
	handle(http.MethodPost, "/api/user/login/", s.handleLogin)
	handle(http.MethodPost, "/api/user/logout/", s.handleLogout)
	handle(http.MethodGet, "/api/user/current/", auth(s.handleCurrent))
	handle(http.MethodPost, "/api/user/update/", auth(s.handleUpdateUser))
	handle(http.MethodPost, "/api/user/changepassword/", auth(s.handleChangePassword))
	handle(http.MethodPost, "/api/user/delete/", auth(s.handleDeleteUser))

	// Posts.
	handle(http.MethodGet, "/api/post/", auth(s.handleListPosts))
	handle(http.MethodPost, "/api/post/write/", auth(s.handleWritePost))
	handle(http.MethodGet, "/api/post/detail/:id/", auth(s.handlePostDetail))
	handle(http.MethodPost, "/api/post/detail/:id/edit/", auth(s.handleEditPost))
	handle(http.MethodPost, "/api/post/detail/:id/delete/", auth(s.handleDeletePost))
	handle(http.MethodDelete, "/api/post/detail/:id/delete/", auth(s.handleDeletePost))

	// Chat.
	handle(http.MethodGet, "/api/chat/:id/", auth(s.handleRoom))
	handle(http.MethodPost, "/api/chat/:id/", auth(s.handleJoinRoom))
	handle(http.MethodDelete, "/api/chat/:id/", auth(s.handleDeleteRoom))
	handle(http.MethodGet, "/api/chat/:id/user/", auth(s.handleRoomUsers))
	handle(http.MethodDelete, "/api/chat/:id/user/", auth(s.handleLeaveRoom))
	handle(http.MethodPost, "/api/chat/:id/user/ban/", auth(s.handleBan))
	handle(http.MethodGet, "/ws/chat/:id/", s.handleChatSocket) // authenticates itself: ?token= or cookie + Origin

	// Neighbourhoods: open, registration needs them.
	handle(http.MethodGet, "/api/neighborhoods/", s.handleSearchNeighborhoods)
	handle(http.MethodGet, "/api/neighborhoods/locate/", s.handleLocateNeighborhood)

	// Weather and menu suggestions.
	handle(http.MethodGet, "/api/openAPI/weather/", auth(s.handleWeather))
	handle(http.MethodGet, "/api/openAPI/foodchoicer/", auth(s.handleSuggestMenu))
	handle(http.MethodPost, "/api/openAPI/foodchoicer/", auth(s.handleAskMenu))
	handle(http.MethodDelete, "/api/openAPI/foodchoicer/", auth(s.handleResetMenuChat))

	r.NotFound = http.HandlerFunc(s.handleFallback)
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "허용되지 않은 요청 방식입니다.")
	})
	r.PanicHandler = func(w http.ResponseWriter, req *http.Request, v any) {
		s.log.Error("panic in handler", "method", req.Method, "path", req.URL.Path, "panic", v)
		writeError(w, http.StatusInternalServerError, msgInternal)
	}
	return s.middleware(r)
}

// paramsFrom returns the router's path parameters of a request.
func paramsFrom(r *http.Request) httprouter.Params { return httprouter.ParamsFromContext(r.Context()) }

// handleFallback answers unknown /api/ and /ws/ paths with a JSON 404 and
// everything else with the web app.
func (s *Server) handleFallback(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/api" ||
		strings.HasPrefix(r.URL.Path, "/ws/") || r.URL.Path == "/ws" {
		writeError(w, http.StatusNotFound, msgNotFound)
		return
	}
	s.serveUI(w, r)
}

// statusRecorder remembers the status for the request log.
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

// middleware adds security headers and the request log. The log names the
// path only: query strings may carry a token (?token= on the WebSocket).
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slogLevelFor(rec.status)
		if s.log.Enabled(context.Background(), level) {
			s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration", time.Since(start).Round(time.Microsecond), "client", s.clientIP(r))
		}
	})
}

// contentSecurityPolicy allows only our own scripts, styles and sockets.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func slogLevelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelDebug
}
