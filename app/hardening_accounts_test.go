package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// withAccountLimits turns on serve's default sign-up and password limits
// (a zero Config has none).
func withAccountLimits(c *Config) {
	c.Accounts = AccountLimits{
		RegisterRate: defaultRegisterRate, RegisterRateGlobal: defaultRegisterRateGlobal,
		LoginRate: defaultLoginRate, LoginAccountRate: defaultLoginAccountRate, LoginIPRate: defaultLoginIPRate,
	}
}

// behindProxy makes the test client a trusted proxy, so that each request
// names its client address in X-Forwarded-For.
func behindProxy(c *Config) {
	_, lo, _ := net.ParseCIDR("127.0.0.1/32")
	c.TrustedProxies = []*net.IPNet{lo}
}

func from(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }

func signupBody(name string) map[string]any {
	return map[string]any{"email": name + "@example.com", "username": name, "password": testPassword,
		"password2": testPassword, "address": addrSajik}
}

func TestRegisterLimits(t *testing.T) {
	t.Run("PerAddress", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, func(c *Config) { c.Accounts.RegisterRate = 3 })
		for i, name := range []string{"ra", "rb", "rc"} {
			if r := e.do(req{method: "POST", path: "/api/user/register/", headers: from("203.0.113.9"), body: signupBody(name)}); r.status != 201 {
				t.Fatalf("sign-up %d: %d %s", i+1, r.status, r.raw)
			}
		}
		r := e.do(req{method: "POST", path: "/api/user/register/", headers: from("203.0.113.9"), body: signupBody("rd")})
		if r.status != http.StatusTooManyRequests || r.str(t) != msgTooManySignups {
			t.Fatalf("4th sign-up from one address: %d %s, want 429", r.status, r.raw)
		}
		if r := e.do(req{method: "POST", path: "/api/user/register/", headers: from("198.51.100.1"), body: signupBody("rd")}); r.status != 201 {
			t.Errorf("another address: %d %s", r.status, r.raw)
		}
		if _, err := e.store.UserByEmail(context.Background(), "rd@example.com"); err != nil {
			t.Errorf("the refused sign-up's retry from elsewhere made no account: %v", err)
		}
	})
	t.Run("Global", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, func(c *Config) { c.Accounts.RegisterRateGlobal = 2 })
		for i, addr := range []string{"203.0.113.1", "203.0.113.2"} {
			if r := e.do(req{method: "POST", path: "/api/user/register/", headers: from(addr), body: signupBody("g" + addr[len(addr)-1:])}); r.status != 201 {
				t.Fatalf("sign-up %d: %d %s", i+1, r.status, r.raw)
			}
		}
		if r := e.do(req{method: "POST", path: "/api/user/register/", headers: from("203.0.113.3"), body: signupBody("g3")}); r.status != http.StatusTooManyRequests {
			t.Fatalf("3rd sign-up over the global ceiling: %d %s, want 429", r.status, r.raw)
		}
	})
	t.Run("CheapChecksBeforeHashing", func(t *testing.T) {
		e := newTestEnv(t)
		e.register("first", addrSajik)
		before := e.srv.hasher.runs.Load()
		for name, body := range map[string]map[string]any{
			"TakenEmail":    {"email": "first@example.com", "username": "second", "password": testPassword, "password2": testPassword, "address": addrSajik},
			"TakenUsername": {"email": "second@example.com", "username": "first", "password": testPassword, "password2": testPassword, "address": addrSajik},
			"BadEmail":      {"email": "second@", "username": "second", "password": testPassword, "password2": testPassword, "address": addrSajik},
			"BadRegion":     {"email": "second@example.com", "username": "second", "password": testPassword, "password2": testPassword, "address": "없는 주소"},
		} {
			if r := e.do(req{method: "POST", path: "/api/user/register/", body: body}); r.status != 400 {
				t.Errorf("%s: %d %s, want 400", name, r.status, r.raw)
			}
		}
		if n := e.srv.hasher.runs.Load() - before; n != 0 {
			t.Errorf("refused sign-ups ran argon2 %d times, want 0", n)
		}
	})
}

func login(e *testEnv, addr, email, password string) response {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/user/login/", headers: from(addr), body: map[string]any{"email": email, "password": password}})
}

// TestLoginLockoutPerAddress: failures lock the (account, address) pair,
// not the account, up to a per-account ceiling.
func TestLoginLockoutPerAddress(t *testing.T) {
	t.Run("OthersFailuresDoNotLockOut", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, withAccountLimits)
		u := e.register("victim", addrSajik)
		var last response
		for range defaultLoginRate + 1 {
			last = login(e, "203.0.113.66", u.email, "wrong-password")
		}
		if last.status != http.StatusTooManyRequests || last.str(t) != msgTooManyLogins {
			t.Fatalf("attacker after %d failures: %d %s, want 429", defaultLoginRate+1, last.status, last.raw)
		}
		if r := login(e, "203.0.113.66", u.email, u.password); r.status != http.StatusTooManyRequests {
			t.Errorf("the failing address with the right password: %d, want 429", r.status)
		}
		if r := login(e, "198.51.100.20", u.email, u.password); r.status != 200 {
			t.Fatalf("the resident from home: %d %s, want 200", r.status, r.raw)
		}
	})
	t.Run("SuccessCostsNothing", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, func(c *Config) { c.Accounts.LoginRate, c.Accounts.LoginAccountRate = 2, 2 })
		u := e.register("often", addrSajik)
		for i := range 6 {
			if r := login(e, "198.51.100.20", u.email, u.password); r.status != 200 {
				t.Fatalf("login %d: %d", i+1, r.status)
			}
		}
	})
	t.Run("AccountCeiling", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, func(c *Config) { c.Accounts.LoginRate, c.Accounts.LoginAccountRate = 3, 4 })
		u := e.register("target", addrSajik)
		// Four addresses fail once each: the account's ceiling is reached,
		// no pair's limit is.
		for _, a := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"} {
			if r := login(e, a, u.email, "wrong-password"); r.status != 400 {
				t.Fatalf("failure from %s: %d", a, r.status)
			}
		}
		if r := login(e, "203.0.113.1", u.email, "wrong-password"); r.status != http.StatusTooManyRequests {
			t.Errorf("an address that failed, over the ceiling: %d, want 429", r.status)
		}
		// An address that has not failed gets one try.
		if r := login(e, "203.0.113.5", u.email, "wrong-password"); r.status != 400 {
			t.Errorf("a fresh address over the ceiling: %d, want 400 (one try)", r.status)
		}
		if r := login(e, "203.0.113.5", u.email, "wrong-password"); r.status != http.StatusTooManyRequests {
			t.Errorf("its second try over the ceiling: %d, want 429", r.status)
		}
		if r := login(e, "198.51.100.20", u.email, u.password); r.status != 200 {
			t.Errorf("the resident from home over the ceiling: %d %s, want 200", r.status, r.raw)
		}
	})
}

func TestChangePasswordOracle(t *testing.T) {
	t.Run("NewPairFirst", func(t *testing.T) {
		e := newTestEnv(t)
		u := e.register("oracle", addrSajik)
		before := e.srv.hasher.runs.Load()
		r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: u.token, body: map[string]any{
			"current_password": "a-guess-123", "new_password1": "brand-new-pw", "new_password2": "different-pw"}})
		if r.status != 400 {
			t.Fatalf("%d %s, want 400", r.status, r.raw)
		}
		errs := r.fieldErrs(t)
		if errs["new_password2"] == nil || errs["current_password"] != nil {
			t.Errorf("errors %s: want new_password2 only, the current password unchecked", r.raw)
		}
		if n := e.srv.hasher.runs.Load() - before; n != 0 {
			t.Errorf("a mismatched new pair ran argon2 %d times, want 0", n)
		}
	})
	t.Run("UnderLoginLimiter", func(t *testing.T) {
		e := newTestEnv(t, behindProxy, withAccountLimits)
		u := e.register("guessed", addrSajik)
		change := func(addr, current string) response {
			return e.do(req{method: "POST", path: "/api/user/changepassword/", token: u.token, headers: from(addr), body: map[string]any{
				"current_password": current, "new_password1": "brand-new-pw", "new_password2": "brand-new-pw"}})
		}
		for i := range defaultLoginRate {
			if r := change("203.0.113.7", "guess-"+strings.Repeat("x", i+1)); r.status != 400 || r.fieldErrs(t)["current_password"] == nil {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.raw)
			}
		}
		r := change("203.0.113.7", u.password)
		if r.status != http.StatusTooManyRequests || r.str(t) != msgTooManyAttempts {
			t.Fatalf("after %d wrong guesses: %d %s, want 429", defaultLoginRate, r.status, r.raw)
		}
		// The same per-account limiter as login.
		if r := login(e, "203.0.113.7", u.email, u.password); r.status != http.StatusTooManyRequests {
			t.Errorf("login from the guessing address: %d, want 429", r.status)
		}
		if r := change("198.51.100.20", u.password); r.status != 200 {
			t.Errorf("the owner from home: %d %s", r.status, r.raw)
		}
	})
}

func TestUsernameLookalikes(t *testing.T) {
	e := newTestEnv(t)
	base := "김민준"
	e.register(base, addrSajik)
	for name, username := range map[string]string{
		"ZeroWidthSpace":  base + "\u200b",
		"WordJoiner":      base + "\u2060",
		"RTLOverride":     "\u202e" + base,
		"BOM":             base + "\ufeff",
		"HangulFiller":    base + "\u3164",
		"FillerOnly":      "\u3164",
		"ChoseongFiller":  "\u115f" + base,
		"JungseongFiller": base + "\u1160",
		"HalfwidthFiller": base + "\uffa0",
		"NUL":             base + "\x00",
		"Bell":            base + "\a",
		"Decomposed":      norm.NFD.String(base),
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/user/register/", body: map[string]any{
				"email": "x" + strings.ToLower(name) + "@example.com", "username": username,
				"password": testPassword, "password2": testPassword, "address": addrSajik}})
			if r.status != 400 || r.fieldErrs(t)["username"] == nil {
				t.Errorf("%q: %d %s, want 400 on username", username, r.status, r.raw)
			}
		})
	}
	t.Run("StoredNormalised", func(t *testing.T) {
		nfd := norm.NFD.String("박서연")
		r := e.do(req{method: "POST", path: "/api/user/register/", body: map[string]any{
			"email": "seoyeon@example.com", "username": nfd, "password": testPassword, "password2": testPassword, "address": addrSajik}})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if got := r.json(t)["user"].(map[string]any)["username"]; got != "박서연" {
			t.Errorf("stored %q, want the NFC form", got)
		}
	})
	t.Run("ProfileUpdate", func(t *testing.T) {
		u := e.register("updater", addrSajik)
		for _, name := range []string{"새이름\u200b", norm.NFD.String(base)} {
			r := e.do(req{method: "POST", path: "/api/user/update/", token: u.token, body: map[string]any{"username": name}})
			if r.status != 400 || r.fieldErrs(t)["username"] == nil {
				t.Errorf("update to %q: %d %s, want 400", name, r.status, r.raw)
			}
		}
	})
}

func TestCrossSiteLogout(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("loggedin", addrSajik)
	ck := e.webLogin(u)
	web := map[string]string{webClientHeader: "web"}
	stillIn := func() bool {
		return e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{ck}}).status == 200
	}
	// What a form on another site sends: the cookie (were it not Strict),
	// a foreign Origin, no web header.
	r := e.do(req{method: "POST", path: "/api/user/logout/", body: "x=1", cookies: []*http.Cookie{ck},
		headers: map[string]string{"Origin": "https://evil.example"}})
	if r.status != http.StatusForbidden || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site logout with the cookie: %d, Set-Cookie %q; want 403 and no cookie change", r.status, r.header.Get("Set-Cookie"))
	}
	// SameSite=Strict keeps the cookie off a cross-site form; the answer
	// must not clear it either.
	r = e.do(req{method: "POST", path: "/api/user/logout/", body: "x=1", headers: map[string]string{"Origin": "https://evil.example"}})
	if r.status != 200 || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site logout without the cookie: %d, Set-Cookie %q; want a no-op", r.status, r.header.Get("Set-Cookie"))
	}
	if !stillIn() {
		t.Fatal("the session ended after cross-site logouts")
	}
	// Our own page without the header (a plain form): same Origin is enough.
	r = e.do(req{method: "POST", path: "/api/user/logout/", cookies: []*http.Cookie{ck}, headers: map[string]string{"Origin": e.http.URL}})
	if r.status != 200 || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("same-origin logout: %d, Set-Cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	if stillIn() {
		t.Error("the session survived a same-origin logout")
	}
}

func TestPasswordChangeRotatesSession(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("rotate", addrSajik)
	ck := e.webLogin(u)
	other := e.webLogin(u)
	web := map[string]string{webClientHeader: "web"}
	r := e.do(req{method: "POST", path: "/api/user/changepassword/", headers: web, cookies: []*http.Cookie{ck}, body: map[string]any{
		"current_password": u.password, "new_password1": "rotated-pw-1", "new_password2": "rotated-pw-1"}})
	if r.status != 200 {
		t.Fatalf("change: %d %s", r.status, r.raw)
	}
	var fresh *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie {
			fresh = c
		}
	}
	if fresh == nil || fresh.Value == "" || fresh.Value == ck.Value || !fresh.HttpOnly || fresh.MaxAge <= 0 {
		t.Fatalf("no new session cookie: %+v", fresh)
	}
	for name, c := range map[string]*http.Cookie{"the old session id": ck, "another session": other} {
		if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{c}}); r.status != 401 {
			t.Errorf("%s after the change: %d, want 401", name, r.status)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", headers: web, cookies: []*http.Cookie{fresh}}); r.status != 200 {
		t.Errorf("the new session: %d, want 200", r.status)
	}
}

// TestConcurrentGuessesReserve: guesses sent at once cannot all pass the
// limit before the first failure is counted; each reserves its try.
func TestConcurrentGuessesReserve(t *testing.T) {
	const limit, guesses = 3, 24
	e := newTestEnv(t, func(c *Config) { c.Accounts.LoginRate = limit })
	u := e.register("burst", addrSajik)
	statuses := make(chan int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"current_password":"guess-%03d","new_password1":"brand-new-pw","new_password2":"brand-new-pw"}`, i)
			hr, err := http.NewRequest("POST", e.http.URL+"/api/user/changepassword/", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", "token "+u.token)
			resp, err := e.http.Client().Do(hr)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[400] != limit || count[429] != guesses-limit {
		t.Errorf("answers %v: want %d × 400 (checked) and the rest 429", count, limit)
	}
}

// TestAccountLimitFlags: each limit is a serve flag with its default and
// its MEALBUDDY_ twin; a negative one is refused.
func TestAccountLimitFlags(t *testing.T) {
	cmd := newServeCommand(&rootOptions{})
	for flag, def := range map[string]int{
		"register-rate": defaultRegisterRate, "register-rate-global": defaultRegisterRateGlobal,
		"login-rate": defaultLoginRate, "login-account-rate": defaultLoginAccountRate, "login-ip-rate": defaultLoginIPRate,
	} {
		f := cmd.Flags().Lookup(flag)
		if f == nil || f.DefValue != fmt.Sprint(def) {
			t.Errorf("--%s: %+v, want default %d", flag, f, def)
		}
	}
	t.Setenv("MEALBUDDY_LOGIN_RATE", "0")
	if err := bindEnv(cmd.Flags()); err != nil {
		t.Fatal(err)
	}
	if v, _ := cmd.Flags().GetInt("login-rate"); v != 0 {
		t.Errorf("MEALBUDDY_LOGIN_RATE=0 gave --login-rate %d", v)
	}
	if err := (AccountLimits{LoginRate: -1}).check(); err == nil {
		t.Error("a negative --login-rate was accepted")
	}
}
