package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

// logBuffer collects a server's log lines for assertions (and t.Logf).
type logBuffer struct {
	t  testing.TB
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.t.Logf("%s", bytes.TrimRight(p, "\n"))
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the logged lines that contain substr.
func (l *logBuffer) lines(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if line != "" && strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// newLoggedServer is a server on a real, migrated SQLite file whose log
// (info and up) is kept for assertions.
func newLoggedServer(t *testing.T) (*Server, *store.Store, *logBuffer) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{t: t}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// No background push reminder scan: it would log its own failure when a
	// test closes the database under the server, beside the request's.
	cfg := Config{DataDir: dir, PasswordCost: PasswordCost{MemoryKiB: 64, Time: 1}, Weather: "off", PushScanEvery: -1}
	srv, err := NewServer(cfg, st, neighborhood.Default(), testUI, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close(context.Background())
		st.Close()
	})
	return srv, st, logs
}

// answerOf runs handler behind the server's middleware, as every route is.
func answerOf(s *Server, handler http.HandlerFunc) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.middleware(handler).ServeHTTP(rec, httptest.NewRequest("GET", "/api/test/", nil))
	return rec
}

// TestErrorAnswers checks the table: each known error, also wrapped as the
// store and the handlers wrap them, answers its status and Korean message
// and is not logged as a failure.
func TestErrorAnswers(t *testing.T) {
	s, _, logs := newLoggedServer(t)
	tests := []struct {
		name   string
		err    error
		status int
		msg    string
		field  string // "" for a bare JSON string
	}{
		{"TooLarge", errTooLarge, 413, msgTooLarge, ""},
		{"BodyTimeout", errBodyTimeout, 408, msgBodyTimeout, ""},
		{"BadUTF8", errBadUTF8, 400, msgBadUTF8, ""},
		{"BadBody", errBadBody, 400, msgBadBody, ""},
		{"NoCredential", errNoCredential, 401, msgUnauthenticated, ""},
		{"NotFound", store.ErrNotFound, 404, msgNotFound, ""},
		{"PostNotFound", errPostNotFound, 404, msgPostNotFound, ""},
		{"RoomNotFound", errRoomNotFound, 404, msgRoomNotFound, ""},
		{"NotFoundAsPost", notFoundAs(errPostNotFound, fmt.Errorf("find post: %w", store.ErrNotFound)), 404, msgPostNotFound, ""},
		{"NotFoundAsRoom", notFoundAs(errRoomNotFound, store.ErrNotFound), 404, msgRoomNotFound, ""},
		{"NotFoundAsKeepsOthers", notFoundAs(errRoomNotFound, store.ErrCannotJoin), 400, msgCannotJoin, ""},
		{"EmailTaken", store.ErrEmailTaken, 400, "이미 가입된 이메일이에요.", "email"},
		{"UsernameTaken", fmt.Errorf("update: %w", store.ErrUsernameTaken), 400, "이미 사용 중인 유저명이에요.", "username"},
		{"InviteInvalid", fmt.Errorf("register: %w", store.ErrInviteInvalid), 400, msgInviteInvalid, "invite"},
		{"TargetBelowMembers", store.ErrTargetBelowMembers, 400, "현재 참여 인원보다 적게 정할 수 없어요.", "target_number"},
		{"CannotJoin", store.ErrCannotJoin, 400, msgCannotJoin, ""},
		{"WriterStays", store.ErrWriterStays, 400, msgWriterStays, ""},
		{"NotMember", store.ErrNotMember, 403, msgNotInRoom, ""},
		{"UnknownUser", store.ErrUnknownUser, 400, "없는 사용자예요.", "target_user_id"},
		{"NoOrder", store.ErrNoOrder, 404, msgNoOrder, ""},
		{"OrderFieldsFixed", orderFieldsFixed(fmt.Errorf("edit: %w", store.ErrOrderFrozen)), 400, msgOrderFieldsFixed, ""},
		{"OrderFrozen", store.ErrOrderFrozen, 400, msgCartFrozen, ""},
		{"BanHeld", errBanHeld, 400, msgBanHeld, ""},
		{"OrderHolding", store.ErrOrderHolding, 400, msgLeaveHeld, ""},
		{"OrderNotJoinable", notFoundAs(errRoomNotFound, store.ErrOrderNotJoinable), 400, msgOrderNotJoinable, ""},
		{"UnlockUsed", store.ErrUnlockUsed, 400, msgUnlockOnce, ""},
		{"OrderNotPayable", store.ErrOrderNotPayable, 400, msgNotPayableYet, ""},
		{"OrderOver", store.ErrOrderOver, 400, msgOrderOver, ""},
		{"OrganiserPays", store.ErrOrganiserPays, 400, msgOrganiserNoSend, ""},
		{"QuotaExceeded", store.ErrQuotaExceeded, 429, msgMenuChatQuota, ""},
		{"TooManyOpenPosts", store.ErrTooManyOpenPosts, 429, msgTooManyOpenPosts, ""},
		{"TooManyOpenRooms", store.ErrTooManyOpenRooms, 429, msgTooManyOpenRooms, ""},
		{"LLMRateLimited", errors.Join(errLLMUnavailable, fmt.Errorf("llm: %w", menu.ErrRateLimited)), 429, msgLLMBusy, ""},
		{"LLMDown", errors.Join(errLLMUnavailable, errors.New("dial tcp: connection refused")), 503, msgLLMUnavailable, ""},
		{"WeatherDown", errors.Join(errWeatherUnavailable, errors.New("kma: 500")), 503, msgWeatherUnavailable, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := answerOf(s, func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, tc.err) })
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.field == "" {
				var got string
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got != tc.msg {
					t.Errorf("body %s, want the JSON string %q", rec.Body, tc.msg)
				}
				return
			}
			var got struct{ Errors map[string][]string }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got.Errors) != 1 ||
				len(got.Errors[tc.field]) != 1 || got.Errors[tc.field][0] != tc.msg {
				t.Errorf("body %s, want {\"errors\": {%q: [%q]}}", rec.Body, tc.field, tc.msg)
			}
		})
	}
	if lines := logs.lines("err="); len(lines) != 0 {
		t.Errorf("known errors were logged as failures:\n%s", strings.Join(lines, "\n"))
	}
	// Every sentinel of the table is exercised above.
	tested := map[error]bool{}
	for _, tc := range tests {
		if a, ok := answerFor(tc.err); ok {
			tested[a.err] = true
		}
	}
	for _, a := range errorAnswers {
		if !tested[a.err] {
			t.Errorf("no case answers %v", a.err)
		}
	}
}

var requestIDAttr = regexp.MustCompile(`request_id=([0-9a-f]+)`)

// checkFailureLogged asserts that cause was logged on exactly one line,
// which carries one request id, and that the body is the bare 500.
func checkFailureLogged(t *testing.T, logs *logBuffer, status int, body []byte, cause string, leaks ...string) {
	t.Helper()
	if status != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", status)
	}
	var msg string
	if err := json.Unmarshal(body, &msg); err != nil || msg != msgInternal {
		t.Errorf("body %s, want the JSON string %q", body, msgInternal)
	}
	for _, leak := range append(leaks, cause) {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("the body leaks %q: %s", leak, body)
		}
	}
	lines := logs.lines(cause)
	if len(lines) != 1 {
		t.Fatalf("the cause is on %d log lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	ids := requestIDAttr.FindAllStringSubmatch(lines[0], -1)
	if len(ids) != 1 || len(ids[0][1]) != 16 {
		t.Errorf("want one 16-digit request_id on the line: %s", lines[0])
	}
	if !strings.Contains(lines[0], "status=500") || !strings.Contains(lines[0], "level=ERROR") {
		t.Errorf("the line is not the request's error line: %s", lines[0])
	}
}

// TestUnknownErrorIs500 checks that an error the table does not know
// answers a JSON 500 that leaks nothing, logged once with the request id.
func TestUnknownErrorIs500(t *testing.T) {
	s, _, logs := newLoggedServer(t)
	cause := "sql: no such column: password_hash"
	rec := answerOf(s, func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, fmt.Errorf("find user: %w", errors.New(cause)))
	})
	checkFailureLogged(t, logs, rec.Code, rec.Body.Bytes(), cause, "find user", "password_hash")

	// Two requests get two ids.
	answerOf(s, func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errors.New(cause)) })
	lines := logs.lines(cause)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	if a, b := requestIDAttr.FindString(lines[0]), requestIDAttr.FindString(lines[1]); a == b {
		t.Errorf("two requests share %s", a)
	}
}

// TestEncodeFailureIs500 checks that a value that cannot be encoded answers
// the JSON 500 too, with its cause in the request log.
func TestEncodeFailureIs500(t *testing.T) {
	s, _, logs := newLoggedServer(t)
	rec := answerOf(s, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]float64{"distance_km": math.NaN()})
	})
	checkFailureLogged(t, logs, rec.Code, rec.Body.Bytes(), "unsupported value: NaN")
}

// TestRouteFailureIs500 runs a real route into a real failure: the
// database is gone under the register route.
func TestRouteFailureIs500(t *testing.T) {
	s, st, logs := newLoggedServer(t)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	st.Close()
	body := `{"email":"kim@example.com","username":"kim","password":"password123","password2":"password123","address":"` + addrSajik + `"}`
	resp, err := http.Post(hs.URL+"/api/user/register/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	checkFailureLogged(t, logs, resp.StatusCode, buf.Bytes(), "database is closed", "kim@example.com", "password123")
	for _, line := range logs.lines("database is closed") {
		if strings.Contains(line, "password123") {
			t.Errorf("the log carries the password: %s", line)
		}
	}
}

// TestBodyTooLarge checks that every body kind over the limit is a 413,
// recognised by its error value (not its text).
func TestBodyTooLarge(t *testing.T) {
	e := newTestEnv(t)
	post := func(ctype string, body []byte) response {
		return e.do(req{method: "POST", path: "/api/user/register/", body: body, headers: map[string]string{"Content-Type": ctype}})
	}
	big := bytes.Repeat([]byte("a"), 2<<20)
	if r := post("application/x-www-form-urlencoded", append([]byte("email="), big...)); r.status != 413 {
		t.Errorf("big form: %d %s", r.status, r.raw)
	}
	multi := func(parts int, value []byte) (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for i := range parts {
			mw.WriteField(fmt.Sprintf("f%d", i), string(value))
		}
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	if ct, body := multi(1, big); true {
		if r := post(ct, body); r.status != 413 {
			t.Errorf("big multipart form: %d %s", r.status, r.raw)
		}
	}
	// Under 1 MiB, but more parts than mime/multipart accepts: its
	// ErrMessageTooLarge.
	if ct, body := multi(1100, []byte("x")); len(body) >= maxBodyBytes {
		t.Fatalf("the many-parts body is %d bytes", len(body))
	} else if r := post(ct, body); r.status != 413 {
		t.Errorf("multipart form of 1100 parts: %d %s", r.status, r.raw)
	}
	if ct, body := multi(3, []byte("x")); true {
		if r := post(ct, body); r.status != 400 || r.fieldErrs(t)["email"] == nil {
			t.Errorf("small multipart form: %d %s, want the field errors", r.status, r.raw)
		}
	}
}
