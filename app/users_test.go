package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mealbuddy/mealbuddy/internal/token"
)

func validRegistration() map[string]any {
	return map[string]any{
		"email": "new@example.com", "username": "새이웃", "password": "password123",
		"password2": "password123", "address": "제주특별자치도 제주시 용담이동",
	}
}

func TestRegister(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newTestEnv(t)
		r := e.do(req{method: "POST", path: "/api/user/register/", body: validRegistration()})
		if r.status != http.StatusCreated {
			t.Fatalf("status %d %s", r.status, r.raw)
		}
		u := r.json(t)["user"].(map[string]any)
		if u["address"] != "제주특별자치도 제주시 용담2동" {
			t.Errorf("address %v, want the dataset's canonical name", u["address"])
		}
		if _, ok := u["id"].(float64); !ok {
			t.Errorf("id %v is not a number", u["id"])
		}
		if tok, _ := u["token"].(string); strings.Count(tok, ".") != 2 {
			t.Errorf("token %q is not a JWT", tok)
		}
		nb := u["neighborhood"].(map[string]any)
		if nb["code"] != "5011058000" {
			t.Errorf("neighborhood code %v", nb["code"])
		}
	})
	t.Run("FormBody", func(t *testing.T) {
		e := newTestEnv(t)
		r := e.do(req{method: "POST", path: "/api/user/register/",
			body: "email=form%40example.com&username=form&password=password123&password2=password123&address=%EC%84%9C%EC%9A%B8%ED%8A%B9%EB%B3%84%EC%8B%9C+%EC%A2%85%EB%A1%9C%EA%B5%AC+%EC%82%AC%EC%A7%81%EB%8F%99"})
		if r.status != http.StatusCreated {
			t.Fatalf("status %d %s", r.status, r.raw)
		}
	})

	// Every rule: the field it is reported on, and nothing is created.
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"MissingEmail", func(m map[string]any) { delete(m, "email") }, "email"},
		{"MissingUsername", func(m map[string]any) { delete(m, "username") }, "username"},
		{"MissingPassword", func(m map[string]any) { delete(m, "password") }, "password"},
		{"MissingPassword2", func(m map[string]any) { delete(m, "password2") }, "password2"},
		{"MissingAddress", func(m map[string]any) { delete(m, "address") }, "address"},
		{"BlankUsername", func(m map[string]any) { m["username"] = "   " }, "username"},
		{"InvalidEmail", func(m map[string]any) { m["email"] = "not-an-email" }, "email"},
		{"EmailWithName", func(m map[string]any) { m["email"] = "Kim <kim@example.com>" }, "email"},
		{"ShortPassword", func(m map[string]any) { m["password"], m["password2"] = "short1", "short1" }, "password"},
		{"MismatchedPasswords", func(m map[string]any) { m["password2"] = "password124" }, "password2"},
		{"UsernameTooLong", func(m map[string]any) { m["username"] = strings.Repeat("가", 31) }, "username"},
		{"EmailNotString", func(m map[string]any) { m["email"] = 12 }, "email"},
		{"UnknownAddress", func(m map[string]any) { m["address"] = "어딘가 없는동" }, "address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			body := validRegistration()
			tt.edit(body)
			r := e.do(req{method: "POST", path: "/api/user/register/", body: body})
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d %s, want 400", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)[tt.field]; !ok {
				t.Errorf("no error on %q: %s", tt.field, r.raw)
			}
			if n, _ := e.store.CountUsers(context.Background()); n != 0 {
				t.Errorf("%d users created, want 0", n)
			}
		})
	}

	t.Run("Duplicates", func(t *testing.T) {
		e := newTestEnv(t)
		e.do(req{method: "POST", path: "/api/user/register/", body: validRegistration()})
		dupEmail := validRegistration()
		dupEmail["email"], dupEmail["username"] = "NEW@Example.COM", "다른이름"
		r := e.do(req{method: "POST", path: "/api/user/register/", body: dupEmail})
		if r.status != 400 || r.fieldErrs(t)["email"] == nil {
			t.Errorf("case-insensitive duplicate email: %d %s", r.status, r.raw)
		}
		dupName := validRegistration()
		dupName["email"] = "other@example.com"
		r = e.do(req{method: "POST", path: "/api/user/register/", body: dupName})
		if r.status != 400 || r.fieldErrs(t)["username"] == nil {
			t.Errorf("duplicate username: %d %s", r.status, r.raw)
		}
		if n, _ := e.store.CountUsers(context.Background()); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
	})
	t.Run("UnknownAddressSuggests", func(t *testing.T) {
		e := newTestEnv(t)
		body := validRegistration()
		body["address"] = "제주시 용담동"
		r := e.do(req{method: "POST", path: "/api/user/register/", body: body})
		sugg, ok := r.json(t)["suggestions"].([]any)
		if r.status != 400 || !ok || len(sugg) == 0 || len(sugg) > 5 {
			t.Fatalf("want 400 with 1–5 suggestions, got %d %s", r.status, r.raw)
		}
	})
}

func TestBodyLimits(t *testing.T) {
	e := newTestEnv(t)
	big := []byte(`{"email":"` + strings.Repeat("a", 1<<20) + `@example.com"}`)
	if r := e.do(req{method: "POST", path: "/api/user/register/", body: big}); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB body: %d, want 413", r.status)
	}
	bad := []byte("{\"email\":\"a\xffb@example.com\",\"username\":\"x\"}")
	if r := e.do(req{method: "POST", path: "/api/user/register/", body: bad}); r.status != 400 {
		t.Errorf("invalid UTF-8: %d, want 400", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/user/register/", body: []byte(`{"email":`)}); r.status != 400 {
		t.Errorf("broken JSON: %d, want 400", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/user/register/", body: []byte(`[1,2]`)}); r.status != 400 {
		t.Errorf("JSON array: %d, want 400", r.status)
	}
}

func TestLogin(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("kim", addrSajik)
	r := e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": "KIM@example.com", "password": u.password}})
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	if r.json(t)["user"].(map[string]any)["token"] == "" {
		t.Error("no token")
	}
	r = e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": "wrong-password"}})
	if r.status != 400 || r.fieldErrs(t)["non_field_errors"] == nil {
		t.Errorf("wrong password: %d %s", r.status, r.raw)
	}
	r = e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": "nobody@example.com", "password": "password123"}})
	if r.status != 400 || r.fieldErrs(t)["non_field_errors"] == nil {
		t.Errorf("unknown email: %d %s", r.status, r.raw)
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("PerAccount", func(t *testing.T) {
		e := newTestEnv(t, withAccountLimits)
		u := e.register("lee", addrSajik)
		var last response
		for range 8 {
			last = e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": "wrong-password"}})
		}
		if last.status != http.StatusTooManyRequests || !strings.Contains(last.str(t), "잠시 후") {
			t.Fatalf("after 8 tries: %d %s, want 429 with a Korean message", last.status, last.raw)
		}
	})
	t.Run("PerClient", func(t *testing.T) {
		e := newTestEnv(t, withAccountLimits)
		var last response
		for i := range 14 {
			last = e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{
				"email": strings.Repeat("x", i+1) + "@example.com", "password": "wrong-password"}})
		}
		if last.status != http.StatusTooManyRequests {
			t.Fatalf("after 14 tries on different accounts: %d, want 429", last.status)
		}
	})
}

func TestProfileUpdate(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("park", addrSajik)
	e.register("taken", addrSajik)
	r := e.do(req{method: "POST", path: "/api/user/update/", token: u.token, body: map[string]any{"address": "서울특별시  종로구 청운효자동 ", "range": "1"}})
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	m := r.json(t)
	if _, wrapped := m["user"]; wrapped {
		t.Error("update must answer the bare user object")
	}
	if m["username"] != "park" || m["address"] != "서울특별시 종로구 청운효자동" || m["range"] != float64(1) {
		t.Errorf("update answer %s", r.raw)
	}
	for name, body := range map[string]map[string]any{
		"TakenUsername": {"username": "taken"},
		"BadAddress":    {"address": "없는 주소"},
		"BadRange":      {"range": 3},
		"RangeNotInt":   {"range": "far"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/user/update/", token: u.token, body: body})
			if r.status != 400 {
				t.Errorf("%d %s, want 400", r.status, r.raw)
			}
		})
	}
}

func TestChangePasswordRevokesOldTokens(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("choi", addrSajik)
	other := e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": u.password}}).json(t)["user"].(map[string]any)["token"].(string)

	for name, body := range map[string]map[string]any{
		"WrongCurrent": {"current_password": "nope-nope", "new_password1": "brand-new-pw", "new_password2": "brand-new-pw"},
		"Mismatch":     {"current_password": u.password, "new_password1": "brand-new-pw", "new_password2": "brand-new-px"},
		"Short":        {"current_password": u.password, "new_password1": "short", "new_password2": "short"},
		"SameAsOld":    {"current_password": u.password, "new_password1": u.password, "new_password2": u.password},
	} {
		t.Run(name, func(t *testing.T) {
			if r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: u.token, body: body}); r.status != 400 {
				t.Errorf("%d %s, want 400", r.status, r.raw)
			}
		})
	}

	r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: u.token, body: map[string]any{
		"current_password": u.password, "new_password1": "brand-new-pw", "new_password2": "brand-new-pw"}})
	if r.status != 200 {
		t.Fatalf("change: %d %s", r.status, r.raw)
	}
	m := r.json(t)
	fresh, _ := m["token"].(string)
	if m["message"] != "비밀번호 변경 성공" || fresh == "" {
		t.Fatalf("answer %s", r.raw)
	}
	for name, tok := range map[string]string{"caller's old token": u.token, "other device": other} {
		if r := e.do(req{method: "GET", path: "/api/user/current/", token: tok}); r.status != 401 {
			t.Errorf("%s still works: %d", name, r.status)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: fresh}); r.status != 200 {
		t.Errorf("fresh token: %d", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": "brand-new-pw"}}); r.status != 200 {
		t.Errorf("login with the new password: %d", r.status)
	}
}

func TestDeleteAccount(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("jung", addrSajik)
	postID, _ := e.writePost(u, "남는 글", 3)
	if r := e.do(req{method: "POST", path: "/api/user/delete/", token: u.token, body: map[string]any{"password": "wrong-password"}}); r.status != 400 {
		t.Errorf("wrong password: %d", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/user/delete/", token: u.token, body: map[string]any{"password": u.password}}); r.status != 200 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: u.token}); r.status != 401 {
		t.Errorf("token after delete: %d, want 401", r.status)
	}
	if r := e.do(req{method: "POST", path: "/api/user/login/", body: map[string]any{"email": u.email, "password": u.password}}); r.status != 400 {
		t.Errorf("login after delete: %d, want 400", r.status)
	}
	if _, err := e.store.PostByID(context.Background(), postID); err != nil {
		t.Errorf("the post must stay: %v", err)
	}
}

// webLogin logs in as the web UI and returns the session cookie.
func (e *testEnv) webLogin(u testUser) *http.Cookie {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/user/login/", headers: map[string]string{webClientHeader: "web"},
		body: map[string]any{"email": u.email, "password": u.password}})
	if r.status != 200 {
		e.t.Fatalf("web login: %d %s", r.status, r.raw)
	}
	if _, has := r.json(e.t)["user"].(map[string]any)["token"]; has {
		e.t.Error("a web response carries a token")
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge != 30*24*3600 {
				e.t.Errorf("cookie attributes: %+v", c)
			}
			return c
		}
	}
	e.t.Fatal("no session cookie")
	return nil
}

func TestWebSession(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("web", addrSajik)
	ck := e.webLogin(u)
	web := map[string]string{webClientHeader: "web"}
	r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{ck}})
	if r.status != 200 {
		t.Fatalf("current with cookie: %d", r.status)
	}
	if _, has := r.json(t)["user"].(map[string]any)["token"]; has {
		t.Error("current answered a token to the web UI")
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", cookies: []*http.Cookie{ck}}); r.status != 401 {
		t.Errorf("cookie without the web header: %d, want 401", r.status)
	}
	// Password change from the web keeps the caller signed in under a new
	// session id (TestPasswordChangeRotatesSession) and answers no token.
	second := e.webLogin(u)
	r = e.do(req{method: "POST", path: "/api/user/changepassword/", headers: web, cookies: []*http.Cookie{ck}, body: map[string]any{
		"current_password": u.password, "new_password1": "another-pw-1", "new_password2": "another-pw-1"}})
	if r.status != 200 {
		t.Fatalf("change: %d %s", r.status, r.raw)
	}
	if _, has := r.json(t)["token"]; has {
		t.Error("web password change answered a token")
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{ck}}); r.status != 200 {
		t.Errorf("own session after change: %d, want 200", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{second}}); r.status != 401 {
		t.Errorf("other session after change: %d, want 401", r.status)
	}
	// Logout ends the session and clears the cookie, also a second time.
	for i := range 2 {
		r = e.do(req{method: "POST", path: "/api/user/logout/", headers: web, cookies: []*http.Cookie{ck}})
		if r.status != 200 || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("logout %d: %d, Set-Cookie %q", i+1, r.status, r.header.Get("Set-Cookie"))
		}
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{ck}}); r.status != 401 {
		t.Errorf("after logout: %d, want 401", r.status)
	}
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.PublicURL = "https://mealbuddy.example" })
	u := e.register("secure", addrSajik)
	r := e.do(req{method: "POST", path: "/api/user/login/", headers: map[string]string{webClientHeader: "web"},
		body: map[string]any{"email": u.email, "password": u.password}})
	if !strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("Set-Cookie %q lacks Secure with an https public URL", r.header.Get("Set-Cookie"))
	}
}

func TestNoCredentialedCORS(t *testing.T) {
	e := newTestEnv(t)
	r := e.do(req{method: "OPTIONS", path: "/api/user/current/", headers: map[string]string{
		"Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
		"Access-Control-Request-Headers": "X-MealBuddy-Client",
	}})
	for k := range r.header {
		if strings.HasPrefix(k, "Access-Control-Allow-") {
			t.Errorf("preflight answered %s: %s", k, r.header.Get(k))
		}
	}
}

// TestTokenValidation: expired, malformed, wrongly signed and alg:none
// tokens are all 401.
func TestTokenValidation(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("token", addrSajik)
	sign := func(key []byte, method jwt.SigningMethod, c jwt.Claims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func(exp time.Time) token.Claims {
		return token.Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "1", ExpiresAt: jwt.NewNumericDate(exp)}}
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, base(time.Now().Add(time.Hour))).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tests := map[string]string{
		"Expired":       sign(e.srv.secret, jwt.SigningMethodHS256, base(time.Now().Add(-time.Minute))),
		"WrongKey":      sign([]byte("another-secret-another-secret-123"), jwt.SigningMethodHS256, base(time.Now().Add(time.Hour))),
		"AlgNone":       none,
		"Malformed":     "not.a.token",
		"NoExpiry":      sign(e.srv.secret, jwt.SigningMethodHS256, token.Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "1"}}),
		"OldVersion":    sign(e.srv.secret, jwt.SigningMethodHS256, token.Claims{Ver: 0, RegisteredClaims: base(time.Now().Add(time.Hour)).RegisteredClaims}),
		"UnknownUser":   sign(e.srv.secret, jwt.SigningMethodHS256, token.Claims{Ver: 1, RegisteredClaims: jwt.RegisteredClaims{Subject: "99", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}),
		"HS512SameKey":  sign(e.srv.secret, jwt.SigningMethodHS512, base(time.Now().Add(time.Hour))),
		"EmptyAfterTok": "",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			r := e.do(req{method: "GET", path: "/api/user/current/", headers: map[string]string{"Authorization": "token " + tok}})
			if r.status != 401 {
				t.Errorf("%d, want 401", r.status)
			}
		})
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: map[string]string{"Authorization": "Bearer " + u.token}}); r.status != 200 {
		t.Errorf("Bearer scheme: %d, want 200", r.status)
	}
}
