package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

const (
	// webClientHeader marks a request from our own web UI. Cross-site pages
	// cannot send it without a CORS preflight, which we never allow, so a
	// cookie is only believed together with it.
	webClientHeader = "X-MealBuddy-Client"
	sessionCookie   = "mealbuddy_session"
	sessionLifetime = 30 * 24 * time.Hour
	// sessionRenewAfter: a session is extended at most once a day.
	sessionRenewAfter = 24 * time.Hour
)

func isWeb(r *http.Request) bool { return r.Header.Get(webClientHeader) == "web" }

// issueToken signs a token for the user.
func (s *Server) issueToken(u store.User) (string, error) {
	return token.Issue(s.secret, u.ID, u.CredVersion, s.now())
}

// parseToken verifies a token and returns its user id and version.
func (s *Server) parseToken(raw string) (int64, int64, error) { return s.tokens.Parse(raw) }

// credential says how a request authenticated.
type credential struct {
	user store.User
	// session is the hash of the web session, "" for a token.
	session string
	// tokenVer is the credential version carried by a token.
	tokenVer int64
	// renewCookie is set when the session was extended and its cookie must
	// be sent again with the new Max-Age.
	renewCookie string
}

type ctxKey int

const credKey ctxKey = iota

func withCredential(ctx context.Context, c *credential) context.Context {
	return context.WithValue(ctx, credKey, c)
}

func credentialFrom(ctx context.Context) *credential {
	c, _ := ctx.Value(credKey).(*credential)
	return c
}

// currentUser is the authenticated user of a request behind requireAuth.
func currentUser(r *http.Request) store.User { return credentialFrom(r.Context()).user }

var errNoCredential = errors.New("no valid credential")

// authenticateAPI finds the credential of an API request: a token in
// Authorization, else the web session cookie together with the web header
// (renewed at most once a day).
func (s *Server) authenticateAPI(r *http.Request) (*credential, error) {
	if raw, present := headerToken(r); present {
		return s.tokenCredential(r.Context(), raw)
	}
	if !isWeb(r) {
		return nil, errNoCredential
	}
	c, ck, expires, err := s.sessionCredential(r)
	if err != nil {
		return nil, err
	}
	if time.Until(expires) < sessionLifetime-sessionRenewAfter {
		// Renewal is a write; doing it once a day keeps reads read-only.
		if err := s.store.RenewSession(r.Context(), c.session, s.now().Add(sessionLifetime)); err == nil {
			c.renewCookie = ck.Value
		}
	}
	return c, nil
}

// authenticateSocket finds the credential of a chat socket's upgrade: a
// token in Authorization or in ?token= (the original's WebSocket clients
// cannot set headers), else the session cookie. A browser cannot add the
// web header to an upgrade either; the chat handler checks the Origin of a
// cookie instead. The session is not renewed: the socket is no page view.
func (s *Server) authenticateSocket(r *http.Request) (*credential, error) {
	raw, present := headerToken(r)
	if !present {
		raw = r.URL.Query().Get("token")
	}
	if present || raw != "" {
		return s.tokenCredential(r.Context(), raw)
	}
	c, _, _, err := s.sessionCredential(r)
	return c, err
}

// headerToken reads the token of the Authorization header ("Token x" or
// "Bearer x"). present is false without the header; a header of another
// scheme is present with raw "", which no token matches.
func headerToken(r *http.Request) (raw string, present bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, rest, _ := strings.Cut(h, " ")
	switch strings.ToLower(scheme) {
	case "token", "bearer":
		return strings.TrimSpace(rest), true
	}
	return "", true
}

// tokenCredential checks a token against the signature and the user's
// current state (active, credential version).
func (s *Server) tokenCredential(ctx context.Context, raw string) (*credential, error) {
	if raw == "" {
		return nil, errNoCredential
	}
	id, ver, err := s.parseToken(raw)
	if err != nil {
		return nil, errNoCredential
	}
	u, err := s.users.user(ctx, id)
	if err != nil || !u.Active || u.CredVersion != ver {
		return nil, errNoCredential
	}
	return &credential{user: u, tokenVer: ver}, nil
}

// sessionCredential finds the live session named by the cookie, with the
// cookie and the session's expiry.
func (s *Server) sessionCredential(r *http.Request) (*credential, *http.Cookie, time.Time, error) {
	ck, err := r.Cookie(s.cookieName)
	if err != nil || ck.Value == "" {
		return nil, nil, time.Time{}, errNoCredential
	}
	hash := hashSession(ck.Value)
	uid, expires, err := s.store.Session(r.Context(), hash)
	if err != nil {
		return nil, nil, time.Time{}, errNoCredential
	}
	u, err := s.users.user(r.Context(), uid)
	if err != nil || !u.Active {
		return nil, nil, time.Time{}, errNoCredential
	}
	return &credential{user: u, session: hash}, ck, expires, nil
}

// stillValid re-checks a credential: the user is active, a token's version
// is current (both from the user cache, as current as the request's own
// check), a session still exists.
func (s *Server) stillValid(ctx context.Context, c *credential) bool {
	u, err := s.users.user(ctx, c.user.ID)
	if err != nil || !u.Active {
		return false
	}
	if c.session != "" {
		uid, _, err := s.store.Session(ctx, c.session)
		return err == nil && uid == u.ID
	}
	return u.CredVersion == c.tokenVer
}

// requireAuth answers 401 unless the request has a valid credential.
func (s *Server) requireAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticateAPI(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if c.renewCookie != "" {
			s.setSessionCookie(w, c.renewCookie)
		}
		next(w, r.WithContext(withCredential(r.Context(), c)))
	}
}

func hashSession(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// startSession creates a web session and sets its cookie.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, userID int64) error {
	value, next, err := s.newSession(userID)
	if err != nil {
		return err
	}
	if err := s.store.CreateSession(ctx, next.TokenHash, userID, next.Expires); err != nil {
		return err
	}
	s.setSessionCookie(w, value)
	return nil
}

// newSession draws a session's cookie value; next is what the store keeps
// of it (the hash and the expiry). Nothing is stored yet.
func (s *Server) newSession(userID int64) (value string, next *store.NewSession, err error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, err
	}
	value = base64.RawURLEncoding.EncodeToString(buf)
	return value, &store.NewSession{TokenHash: hashSession(value), UserID: userID, Expires: s.now().Add(sessionLifetime)}, nil
}

// sessionCookieName is the session cookie's name: with Secure cookies the
// __Host- prefix makes browsers refuse it unless it was set over https for
// this exact host and path / — a subdomain or a plain-http page cannot
// plant one. The old name is not read then: a session cookie without the
// prefix may have been planted, so residents sign in once after TLS is
// turned on.
func sessionCookieName(secure bool) string {
	if secure {
		return "__Host-" + sessionCookie
	}
	return sessionCookie
}

func (s *Server) setSessionCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   int(sessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   s.secureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}
