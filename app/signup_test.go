package app

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func registration(name string, extra map[string]any) map[string]any {
	b := map[string]any{"email": name + "@example.com", "username": name, "password": testPassword,
		"password2": testPassword, "address": addrSajik}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestSignupClosed(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Signup = signupClosed })
	r := e.do(req{method: "POST", path: "/api/user/register/", body: registration("kim", nil)})
	if r.status != 403 || r.str(t) != msgSignupClosed {
		t.Errorf("closed register: %d %s", r.status, r.raw)
	}
	if n, _ := e.store.CountUsers(context.Background()); n != 0 {
		t.Errorf("%d users after a closed sign-up", n)
	}
	if got := e.do(req{method: "GET", path: "/api/user/signup/"}).json(t)["mode"]; got != "closed" {
		t.Errorf("signup info mode %v", got)
	}
}

var inviteCodeRE = regexp.MustCompile(`invite code: ([A-Z0-9]+)`)

func TestSignupInvite(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Signup = signupInvite })
	out := mustCLI(t, e.dir, "", "invite", "create", "--uses", "2", "--expires", "7d", "--public-url", "https://mealbuddy.example/x")
	mm := inviteCodeRE.FindStringSubmatch(out)
	if mm == nil {
		t.Fatalf("no code in %q", out)
	}
	code := mm[1]
	if !strings.Contains(out, "link: https://mealbuddy.example/register?invite="+code+"\n") {
		t.Errorf("no link in %q", out)
	}
	short := inviteCodeRE.FindStringSubmatch(mustCLI(t, e.dir, "", "invite", "create", "--expires", "1h"))[1]

	for _, c := range []struct {
		name   string
		invite any
	}{{"ErrMissing", nil}, {"ErrBlank", "  "}, {"ErrUnknown", "NOPE"}, {"ErrNotString", 5}, {"ErrTooLong", strings.Repeat("A", 65)}} {
		t.Run(c.name, func(t *testing.T) {
			extra := map[string]any{}
			if c.invite != nil {
				extra["invite"] = c.invite
			}
			r := e.do(req{method: "POST", path: "/api/user/register/", body: registration("x"+strings.ToLower(c.name), extra)})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)["invite"]; !ok {
				t.Errorf("no invite error: %s", r.raw)
			}
		})
	}
	for i, name := range []string{"first", "second"} {
		typed := code
		if i == 1 {
			typed = " " + strings.ToLower(code) + " " // retyped by hand
		}
		r := e.do(req{method: "POST", path: "/api/user/register/", body: registration(name, map[string]any{"invite": typed})})
		if r.status != 201 {
			t.Fatalf("use %d of the invite: %d %s", i+1, r.status, r.raw)
		}
	}
	r := e.do(req{method: "POST", path: "/api/user/register/", body: registration("third", map[string]any{"invite": code})})
	if r.status != 400 || r.fieldErrs(t)["invite"].([]any)[0] != msgInviteInvalid {
		t.Errorf("a used-up invite: %d %s", r.status, r.raw)
	}
	// Expired: two hours later the one-hour code no longer works.
	e.advanceStoreClock(2 * time.Hour)
	r = e.do(req{method: "POST", path: "/api/user/register/", body: registration("late", map[string]any{"invite": short})})
	if r.status != 400 || r.fieldErrs(t)["invite"] == nil {
		t.Errorf("an expired invite: %d %s", r.status, r.raw)
	}
	list := mustCLI(t, e.dir, "", "invite", "list")
	if !strings.Contains(list, "\t2/2\t") || !strings.Contains(list, "\t0/1\t") || strings.Contains(list, code) {
		t.Errorf("invite list: %q", list)
	}
}

func (e *testEnv) login(email, password string) response {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": email, "password": password}})
}

func TestSignupApproval(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Signup = signupApproval })
	mustCLI(t, e.dir, "boss-password\n", "user", "create", "--email", "boss@example.com", "--username", "boss",
		"--address", addrSajik, "--admin")
	staffTok := e.login("boss@example.com", "boss-password").json(t)["user"].(map[string]any)["token"].(string)

	for _, web := range []bool{false, true} {
		name := "kim"
		headers := map[string]string{}
		if web {
			name, headers[webClientHeader] = "lee", "web"
		}
		r := e.do(req{method: "POST", path: "/api/user/register/", body: registration(name, nil), headers: headers})
		if r.status != http.StatusAccepted || r.json(t)["pending"] != true || r.json(t)["message"] != msgPendingSignup {
			t.Fatalf("register in approval mode: %d %s", r.status, r.raw)
		}
		if strings.Contains(string(r.raw), "token") || r.header.Get("Set-Cookie") != "" {
			t.Errorf("a waiting account got a credential: %s %v", r.raw, r.header)
		}
		if r := e.login(name+"@example.com", testPassword); r.status != 403 || r.str(t) != msgPendingLogin {
			t.Errorf("login while waiting: %d %s", r.status, r.raw)
		}
	}
	// A wrong password of a waiting account is the usual 400: 403 only
	// tells someone who knows the password.
	if r := e.login("kim@example.com", "wrong-password"); r.status != 400 {
		t.Errorf("wrong password of a waiting account: %d", r.status)
	}
	r := e.do(req{method: "GET", path: "/api/admin/users/pending/", token: staffTok})
	users := r.json(t)["users"].([]any)
	if len(users) != 2 || users[0].(map[string]any)["username"] != "kim" {
		t.Fatalf("pending: %s", r.raw)
	}
	kimID := int64(users[0].(map[string]any)["id"].(float64))
	if r := e.do(req{method: "POST", path: "/api/admin/users/" + itoa(kimID) + "/approve/", token: staffTok}); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.raw)
	}
	if r := e.do(req{method: "POST", path: "/api/admin/users/" + itoa(kimID) + "/approve/", token: staffTok}); r.status != 404 {
		t.Errorf("approve twice: %d", r.status)
	}
	if r := e.login("kim@example.com", testPassword); r.status != 200 {
		t.Errorf("login after approval: %d %s", r.status, r.raw)
	}
	// The CLI approves the other one.
	out := mustCLI(t, e.dir, "", "user", "approve", "lee")
	if !strings.Contains(out, "approved") {
		t.Errorf("user approve: %q", out)
	}
	if _, err := runCLI(t, e.dir, "", "user", "approve", "lee"); err == nil {
		t.Error("approving an approved account succeeded")
	}
	if r := e.login("lee@example.com", testPassword); r.status != 200 {
		t.Errorf("login after CLI approval: %d %s", r.status, r.raw)
	}
	audit := mustCLI(t, e.dir, "", "audit")
	if strings.Count(audit, "\tapprove\t") != 2 || !strings.Contains(audit, "boss (user ") || !strings.Contains(audit, "cli:") {
		t.Errorf("audit: %q", audit)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
