package app

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
)

var resetLinkRE = regexp.MustCompile(`(\S*)/reset-password\?token=([A-Za-z0-9_-]+)`)

// resetToken prints a reset link with the CLI and returns its token.
func resetToken(t *testing.T, e *testEnv, user string) string {
	t.Helper()
	out := mustCLI(t, e.dir, "", "user", "reset-link", user, "--public-url", "https://mealbuddy.example")
	m := resetLinkRE.FindStringSubmatch(out)
	if m == nil || m[1] != "https://mealbuddy.example" {
		t.Fatalf("no link in %q", out)
	}
	return m[2]
}

func (e *testEnv) resetPassword(token, pw string) response {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/api/user/reset-password/",
		body: map[string]any{"token": token, "password1": pw, "password2": pw}})
}

func TestResetLink(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("forgetful", addrSajik)
	cookie := e.webLogin(u)
	earlier := resetToken(t, e, u.email)
	token := resetToken(t, e, "forgetful")

	r := e.resetPassword(token, "brand-new-pass")
	if r.status != 200 || r.json(t)["message"] != msgResetDone {
		t.Fatalf("reset: %d %s", r.status, r.raw)
	}
	// Every earlier token, session and reset link of the account ends.
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: u.token}); r.status != 401 {
		t.Errorf("old API token after reset: %d", r.status)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", cookies: []*http.Cookie{cookie},
		headers: map[string]string{webClientHeader: "web"}}); r.status != 401 {
		t.Errorf("old session after reset: %d", r.status)
	}
	for name, tok := range map[string]string{"used": token, "earlier": earlier} {
		r := e.resetPassword(tok, "another-pass-1")
		if r.status != 400 || r.fieldErrs(t)["token"].([]any)[0] != msgResetInvalid {
			t.Errorf("%s link again: %d %s", name, r.status, r.raw)
		}
	}
	if r := e.login(u.email, "brand-new-pass"); r.status != 200 {
		t.Errorf("login with the new password: %d %s", r.status, r.raw)
	}
	if r := e.login(u.email, testPassword); r.status != 400 {
		t.Errorf("login with the old password: %d", r.status)
	}
	// Only a hash is stored; expired after an hour.
	late := resetToken(t, e, u.email)
	ctx := context.Background()
	if ok, err := e.store.ResetValid(ctx, late); err != nil || ok {
		t.Errorf("the raw token is stored (%v, %v)", ok, err)
	}
	if ok, err := e.store.ResetValid(ctx, hashSession(late)); err != nil || !ok {
		t.Errorf("the token's hash is not stored (%v, %v)", ok, err)
	}
	e.advanceStoreClock(61 * time.Minute)
	if r := e.resetPassword(late, "late-password-1"); r.status != 400 {
		t.Errorf("an expired link: %d %s", r.status, r.raw)
	}
}

func TestResetPasswordValidation(t *testing.T) {
	e := newTestEnv(t)
	e.register("v", addrSajik)
	token := resetToken(t, e, "v")
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"ErrTokenMissing", map[string]any{"password1": "longenough1", "password2": "longenough1"}, "token"},
		{"ErrTokenUnknown", map[string]any{"token": "nope", "password1": "longenough1", "password2": "longenough1"}, "token"},
		{"ErrPasswordShort", map[string]any{"token": token, "password1": "short", "password2": "short"}, "password1"},
		{"ErrPasswordMismatch", map[string]any{"token": token, "password1": "longenough1", "password2": "longenough2"}, "password2"},
		{"ErrPassword2Missing", map[string]any{"token": token, "password1": "longenough1"}, "password2"},
		{"ErrPasswordNotString", map[string]any{"token": token, "password1": 12345678, "password2": "x"}, "password1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: "/api/user/reset-password/", body: c.body})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if _, ok := r.fieldErrs(t)[c.field]; !ok {
				t.Errorf("no %s error: %s", c.field, r.raw)
			}
		})
	}
	// None of them used the token up.
	if r := e.resetPassword(token, "longenough1"); r.status != 200 {
		t.Errorf("the token after refused attempts: %d %s", r.status, r.raw)
	}
}

func TestCLIResetLinkRefusals(t *testing.T) {
	e := newTestEnv(t)
	e.register("gone", addrSajik)
	mustCLI(t, e.dir, "", "user", "disable", "gone")
	if _, err := runCLI(t, e.dir, "", "user", "reset-link", "gone"); err == nil {
		t.Error("a reset link for a disabled account")
	}
	if _, err := runCLI(t, e.dir, "", "user", "reset-link", "nobody"); err == nil {
		t.Error("a reset link for nobody")
	}
	mustCLI(t, e.dir, "", "user", "enable", "gone")
	out := mustCLI(t, e.dir, "", "user", "reset-link", "gone")
	if !strings.HasPrefix(out, "/reset-password?token=") || !strings.Contains(out, "--public-url") {
		t.Errorf("without a public URL: %q", out)
	}
}

// fakeSMTP is a small SMTP server: enough of RFC 5321 for net/smtp, with
// AUTH PLAIN checked against user and pass.
type fakeSMTP struct {
	ln         net.Listener
	user, pass string
	mu         sync.Mutex
	mails      []fakeMail
	got        chan fakeMail
}

type fakeMail struct {
	from, to string
	authed   bool
	data     string
}

func newFakeSMTP(t *testing.T, user, pass string) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln, user: user, pass: pass, got: make(chan fakeMail, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	rd := bufio.NewReader(c)
	say := func(s string) { fmt.Fprintf(c, "%s\r\n", s) }
	say("220 fake.test ESMTP")
	var m fakeMail
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			say("250-fake.test")
			say("250-AUTH PLAIN")
			say("250 8BITMIME")
		case "AUTH":
			parts := strings.Fields(line)
			raw, _ := base64.StdEncoding.DecodeString(parts[len(parts)-1])
			if len(parts) == 3 && string(raw) == "\x00"+f.user+"\x00"+f.pass {
				m.authed = true
				say("235 2.7.0 ok")
			} else {
				say("535 5.7.8 bad credentials")
			}
		case "MAIL":
			m.from = line
			say("250 ok")
		case "RCPT":
			m.to = strings.Trim(line[len("RCPT TO:"):], "<> ")
			say("250 ok")
		case "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			m.data = b.String()
			f.mu.Lock()
			f.mails = append(f.mails, m)
			f.mu.Unlock()
			f.got <- m
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (f *fakeSMTP) next(t *testing.T) fakeMail {
	t.Helper()
	select {
	case m := <-f.got:
		return m
	case <-time.After(wait):
		t.Fatal("no mail arrived")
		return fakeMail{}
	}
}

func (f *fakeSMTP) count(to string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.mails {
		if m.to == to {
			n++
		}
	}
	return n
}

// mailBody decodes the message's base64 text body.
func mailBody(t *testing.T, data string) (subject, body string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("mail: %v\n%s", err, data)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	raw, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		t.Fatalf("mail body: %v", err)
	}
	return subject, string(raw)
}

func TestResetByMail(t *testing.T) {
	smtpd := newFakeSMTP(t, "mailer", "s3cret")
	e := newTestEnv(t, func(c *Config) {
		c.PublicURL = "https://mealbuddy.example"
		c.SMTPURL = "smtp://mailer:s3cret@" + smtpd.ln.Addr().String()
		c.SMTPFrom = "밀버디 <noreply@mealbuddy.example>"
	})
	a := e.register("alice", addrSajik)
	b := e.register("bob", addrSajik)
	if got := e.do(req{method: "GET", path: "/api/user/signup/"}).json(t)["reset_by_email"]; got != true {
		t.Errorf("signup info reset_by_email = %v", got)
	}
	ask := func(email string) response {
		t.Helper()
		return e.do(req{method: "POST", path: "/api/user/reset-request/", body: map[string]any{"email": email}})
	}
	unknown := ask("nobody@example.com")
	known := ask(strings.ToUpper(a.email))
	if unknown.status != 200 || known.status != 200 || string(unknown.raw) != string(known.raw) {
		t.Errorf("answers differ: %d %s / %d %s", unknown.status, unknown.raw, known.status, known.raw)
	}
	m := smtpd.next(t)
	if m.to != a.email || !m.authed || !strings.Contains(m.from, "noreply@mealbuddy.example") {
		t.Fatalf("mail: to %q authed %v from %q", m.to, m.authed, m.from)
	}
	subject, body := mailBody(t, m.data)
	link := resetLinkRE.FindStringSubmatch(body)
	if subject != "밀버디 비밀번호 재설정" || link == nil || link[1] != "https://mealbuddy.example" {
		t.Fatalf("mail subject %q body %q", subject, body)
	}
	if r := e.resetPassword(link[2], "mailed-password"); r.status != 200 {
		t.Fatalf("reset with the mailed token: %d %s", r.status, r.raw)
	}
	if r := e.login(a.email, "mailed-password"); r.status != 200 {
		t.Errorf("login after the mailed reset: %d", r.status)
	}

	// Per address: three mails an hour, then the same answer and no mail.
	for i := 0; i < 3; i++ {
		if r := ask(b.email); r.status != 200 || string(r.raw) != string(known.raw) {
			t.Fatalf("ask %d: %d %s", i, r.status, r.raw)
		}
	}
	for i := 0; i < 3; i++ {
		if got := smtpd.next(t); got.to != b.email {
			t.Fatalf("mail to %q", got.to)
		}
	}
	// That was 5 requests from this client; more for bob are silent, and
	// the client limit (10 an hour) answers 429 on the 11th.
	for i := 6; i <= 10; i++ {
		if r := ask(b.email); r.status != 200 || string(r.raw) != string(known.raw) {
			t.Fatalf("request %d: %d %s", i, r.status, r.raw)
		}
	}
	if r := ask(b.email); r.status != http.StatusTooManyRequests {
		t.Errorf("request 11: %d %s", r.status, r.raw)
	}
	if n := smtpd.count(b.email); n != 3 {
		t.Errorf("%d mails to bob, want 3", n)
	}
	if n := smtpd.count("nobody@example.com"); n != 0 {
		t.Errorf("%d mails to an unknown address", n)
	}
}

func TestResetMailConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ErrNoPublicURL", Config{SMTPURL: "smtp://a:b@127.0.0.1:25", SMTPFrom: "a@example.com"}, "--public-url"},
		{"ErrNoFrom", Config{SMTPURL: "smtp://a:b@127.0.0.1:25", PublicURL: "https://x.example"}, "--smtp-from"},
		{"ErrScheme", Config{SMTPURL: "http://a:secretpw@127.0.0.1:25", SMTPFrom: "a@example.com", PublicURL: "https://x.example"}, "--smtp-url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.DataDir = t.TempDir()
			c.cfg.Weather = "off"
			st := openTestStore(t, c.cfg.DataDir)
			_, err := NewServer(c.cfg, st, neighborhood.Default(), testUI, testLogger(t))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one naming %s", err, c.want)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("the error shows the SMTP password: %v", err)
			}
		})
	}
}
