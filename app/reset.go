package app

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// Password reset without e-mail infrastructure: the operator prints a
// one-time link (mealbuddy user reset-link) and sends it by any channel.
// With --smtp-url the server mails the link itself on request.

const (
	resetLifetime   = time.Hour
	resetPath       = "/reset-password"
	msgResetInvalid = "재설정 링크가 만료되었거나 이미 사용되었어요. 새 링크를 받아 주세요."
	msgResetDone    = "비밀번호를 바꿨어요. 새 비밀번호로 로그인해 주세요."
	msgResetSent    = "입력한 주소로 가입된 계정이 있으면 재설정 링크를 보냈어요. 메일함을 확인해 주세요."
	msgResetNoMail  = "이 서버는 메일을 보내지 않아요. 운영자에게 비밀번호 재설정 링크를 요청해 주세요."
	msgResetTooMany = "요청이 너무 많아요. 잠시 후 다시 시도해 주세요."
)

// resetState is the server's part of password reset by e-mail.
type resetState struct {
	mailer   *mailer  // nil without --smtp-url
	byAddr   *limiter // reset mails per address
	byClient *limiter // reset requests per client address
}

// initResets sets up mail sending; --smtp-url needs --smtp-from and a
// public URL (links must not be built from a request's Host header, which
// an attacker chooses).
func (s *Server) initResets() error {
	// 3 mails per address an hour; 10 requests per client an hour.
	s.resets.byAddr = newHourlyLimiter(3, 3, s.now)
	s.resets.byClient = newHourlyLimiter(10, 10, s.now)
	if s.cfg.SMTPURL == "" {
		return nil
	}
	if s.origin == "" {
		return errors.New("--smtp-url needs --public-url: reset links point at it")
	}
	m, err := newMailer(s.cfg.SMTPURL, s.cfg.SMTPFrom)
	if err != nil {
		return err
	}
	s.resets.mailer = m
	return nil
}

// newResetToken returns a random token and the hash that is stored.
func newResetToken() (token, hash string, err error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(buf)
	return token, hashSession(token), nil
}

// createResetLink stores a one-time token for the user and returns the
// link's path and query (the caller puts the origin in front).
func createResetLink(ctx context.Context, st *store.Store, userID int64, now time.Time) (string, error) {
	token, hash, err := newResetToken()
	if err != nil {
		return "", err
	}
	if err := st.CreateReset(ctx, hash, userID, now.Add(resetLifetime)); err != nil {
		return "", err
	}
	return resetPath + "?token=" + url.QueryEscape(token), nil
}

// handleResetPassword: POST /api/user/reset-password/ {token, password1,
// password2} — sets the password and ends every earlier token, session
// and reset link of the account.
func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	token := strings.TrimSpace(f.required("token", errs))
	p1 := f.required("password1", errs)
	p2 := f.required("password2", errs)
	if p1 != "" {
		validPassword("password1", p1, errs)
	}
	if p1 != "" && p2 != "" && p1 != p2 {
		errs.add("password2", "비밀번호가 일치하지 않아요.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	hash := hashSession(token)
	// Check before hashing the password: hashing is the costly part.
	valid, err := s.store.ResetValid(r.Context(), hash)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !valid {
		writeInvalid(w, fieldErrors{"token": {msgResetInvalid}})
		return
	}
	pwHash, err := s.hasher.Hash(p1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.ResetPassword(r.Context(), hash, pwHash)
	if errors.Is(err, store.ErrResetInvalid) {
		writeInvalid(w, fieldErrors{"token": {msgResetInvalid}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.credentialsChanged(u.ID)
	writeJSON(w, http.StatusOK, map[string]any{"message": msgResetDone})
}

// handleResetRequest: POST /api/user/reset-request/ {email} — with SMTP
// configured, mails a reset link to the account with that address. The
// answer is the same whether or not the address exists, and the mail is
// sent after answering, so neither the answer nor its timing tells.
func (s *Server) handleResetRequest(w http.ResponseWriter, r *http.Request) {
	if s.resets.mailer == nil {
		writeError(w, http.StatusNotFound, msgResetNoMail)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	email := strings.TrimSpace(f.required("email", errs))
	if email != "" && (len(email) > maxEmailLen || !strings.Contains(email, "@")) {
		errs.add("email", "올바른 이메일 주소를 입력해 주세요.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if !s.resets.byClient.allow(s.clientIP(r)) {
		s.metrics.rateLimited("reset_request")
		writeError(w, http.StatusTooManyRequests, msgResetTooMany)
		return
	}
	// Over the per-address limit nothing is sent, and the answer is the
	// same: it tells nothing about the address.
	if s.resets.byAddr.allow(strings.ToLower(email)) {
		go s.mailResetLink(email)
	} else {
		s.metrics.rateLimited("reset_mail")
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": msgResetSent})
}

// mailResetLink sends a reset link to the active account with the address,
// if there is one. Failures are logged without the address' token or the
// SMTP credentials.
func (s *Server) mailResetLink(email string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
		return
	}
	if err != nil {
		s.log.Error("reset request: look-up failed", "err", err)
		return
	}
	link, err := createResetLink(ctx, s.store, u.ID, s.now())
	if err != nil {
		s.log.Error("reset request: store token", "err", err)
		return
	}
	body := fmt.Sprintf("%s님, 안녕하세요.\r\n\r\n밀버디 비밀번호를 다시 정하려면 한 시간 안에 아래 링크를 열어 주세요. 링크는 한 번만 쓸 수 있어요.\r\n\r\n%s%s\r\n\r\n요청하지 않았다면 이 메일은 무시해 주세요.\r\n",
		u.Username, s.origin, link)
	if err := s.resets.mailer.send(ctx, u.Email, "밀버디 비밀번호 재설정", body); err != nil {
		s.log.Warn("reset request: mail not sent", "user", u.ID, "err", err)
	}
}

// mailer sends plain-text mail through one SMTP server. smtp:// uses
// STARTTLS when the server offers it; smtps:// connects with TLS. Plain
// authentication is only used over TLS or to a server on this machine
// (net/smtp refuses anything else).
type mailer struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://
	user     string
	pass     string
	from     *mail.Address
}

func newMailer(rawURL, from string) (*mailer, error) {
	u, err := url.Parse(rawURL)
	// Never echo the URL: it holds the password.
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("--smtp-url must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	if from == "" {
		return nil, errors.New("--smtp-url needs --smtp-from, e.g. \"밀버디 <noreply@mealbuddy.example>\"")
	}
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--smtp-from %q is not an e-mail address", from)
	}
	m := &mailer{host: u.Hostname(), implicit: u.Scheme == "smtps", from: fromAddr}
	port := u.Port()
	if port == "" {
		port = "587"
		if m.implicit {
			port = "465"
		}
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	return m, nil
}

// send delivers one message.
func (m *mailer) send(ctx context.Context, to, subject, body string) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if m.implicit {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: m.host}}).DialContext(ctx, "tcp", m.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.addr)
	}
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp hello: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok && !m.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: m.host}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.user != "" {
		if err := c.Auth(smtp.PlainAuth("", m.user, m.pass, m.host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp rcpt: %w", err)
	}
	wc, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	msg := "From: " + m.from.String() + "\r\n" +
		"To: " + to + "\r\n" +
		"Subject: " + mime.BEncoding.Encode("UTF-8", subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		wrap76(base64.StdEncoding.EncodeToString([]byte(body)))
	if _, err := wc.Write([]byte(msg)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := wc.Close(); err != nil {
		return fmt.Errorf("smtp end data: %w", err)
	}
	return c.Quit()
}

// wrap76 breaks base64 text into lines of 76 characters (RFC 2045).
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}
