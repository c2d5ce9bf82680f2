package app

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/mealbuddy/mealbuddy/store"
)

const (
	minPasswordLen = 8
	maxPasswordLen = 128
	maxUsernameLen = 30
	maxEmailLen    = 254
	maxAddressLen  = 100
)

// userJSON is the original service's user object (docs/api.md, User), extended with range and neighbourhood.
type userJSON struct {
	ID           int64             `json:"id"`
	Username     string            `json:"username"`
	Email        string            `json:"email"`
	Address      string            `json:"address"`
	Token        string            `json:"token,omitempty"`
	Range        int               `json:"range"`
	IsStaff      bool              `json:"is_staff"`
	Neighborhood *neighborhoodJSON `json:"neighborhood"`
}

func (s *Server) userJSON(u store.User) userJSON {
	return userJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, Address: u.Address,
		Range: u.Range, IsStaff: u.Staff, Neighborhood: s.neighborhoodOf(u.DongCode),
	}
}

// userWithToken is the user as answered to the request: with a fresh token
// for API clients; web responses never carry a token.
func (s *Server) userWithToken(r *http.Request, u store.User) (userJSON, error) {
	body := s.userJSON(u)
	if !isWeb(r) {
		tok, err := s.issueToken(u)
		if err != nil {
			return userJSON{}, err
		}
		body.Token = tok
	}
	return body, nil
}

// respondUser answers {"user": {...}}, as the original does everywhere but
// after a profile update (respondBareUser).
func (s *Server) respondUser(w http.ResponseWriter, r *http.Request, status int, u store.User) {
	body, err := s.userWithToken(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, map[string]any{"user": body})
}

// respondBareUser answers the user object itself; the original client reads
// it so after a profile update.
func (s *Server) respondBareUser(w http.ResponseWriter, r *http.Request, status int, u store.User) {
	body, err := s.userWithToken(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, body)
}

// signedIn answers a registration or login: the web UI gets a session
// cookie, API clients a token.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, status int, u store.User) {
	if isWeb(r) {
		if err := s.startSession(r.Context(), w, u.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.respondUser(w, r, status, u)
}

// validUsername checks a username and returns it as stored: trimmed and
// NFC-normalised, so that the same name typed as composed syllables or as
// jamo is one name and the users table's UNIQUE compares normalised forms.
func validUsername(name string, errs fieldErrors) string {
	name = norm.NFC.String(strings.TrimSpace(name))
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.add("username", msgRequired)
	case n > maxUsernameLen:
		errs.add("username", "유저명은 30자 이하로 입력해 주세요.")
	case strings.ContainsAny(name, "\r\n\t"):
		errs.add("username", "유저명에 줄바꿈이나 탭을 쓸 수 없어요.")
	case strings.IndexFunc(name, invisibleRune) >= 0:
		errs.add("username", "유저명에 보이지 않는 문자나 제어 문자는 쓸 수 없어요.")
	}
	return name
}

// invisibleRune reports the characters a username may not hold because
// they let two different names look the same: control characters (Cc, NUL
// among them), format characters (Cf: zero-width space U+200B, word joiner
// U+2060, the bidi override U+202E, …) and the Hangul fillers, which
// render as blank space.
func invisibleRune(r rune) bool {
	switch r {
	case '\u3164', '\u115F', '\u1160', '\uFFA0':
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

func validPassword(field, pw string, errs fieldErrors) {
	switch n := utf8.RuneCountInString(pw); {
	case n < minPasswordLen:
		errs.add(field, "비밀번호는 8자 이상이어야 해요.")
	case n > maxPasswordLen:
		errs.add(field, "비밀번호는 128자 이하로 입력해 주세요.")
	}
}

// signup is a registration that passed validateSignup.
type signup struct {
	email, username, password string
	address                   resolvedAddress
}

// newUser is the account to store, with the password's hash.
func (in signup) newUser(passwordHash string) store.NewUser {
	return store.NewUser{
		Email: in.email, Username: in.username, PasswordHash: passwordHash,
		Address: in.address.Address, DongCode: in.address.DongCode,
	}
}

// validateSignup checks a registration's fields (email, username, password
// and its repetition password2, address) under the address rules. The
// register route and `mealbuddy user create` both call it, so an account
// the API refuses cannot be made on the command line either. suggestions
// are neighbourhoods an unknown address may have meant.
func validateSignup(f fields, rules addressRules, errs fieldErrors) (in signup, suggestions []string) {
	in.email = strings.TrimSpace(f.required("email", errs))
	if in.email != "" {
		addr, err := mail.ParseAddress(in.email)
		if err != nil || addr.Address != in.email || len(in.email) > maxEmailLen || !strings.Contains(in.email, ".") {
			errs.add("email", "올바른 이메일 주소를 입력해 주세요.")
		}
	}
	in.username = f.required("username", errs)
	if in.username != "" {
		in.username = validUsername(in.username, errs)
	}
	in.password = f.required("password", errs)
	if in.password != "" {
		validPassword("password", in.password, errs)
	}
	password2 := f.required("password2", errs)
	if in.password != "" && password2 != "" && in.password != password2 {
		errs.add("password2", "비밀번호가 일치하지 않아요.")
	}
	in.address, suggestions = rules.resolve(f.required("address", errs), errs)
	return in, suggestions
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	if !s.signupAllowed(w) {
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	in, suggestions := validateSignup(f, s.addressRules(), errs)
	invite := s.inviteField(r.Context(), f, errs)
	if len(errs) > 0 {
		writeInvalidWithSuggestions(w, errs, suggestions)
		return
	}
	// Everything cheap comes before the hash, which costs 19 MiB and tens
	// of milliseconds: the fields above, the limits, then whether the email
	// and username are free. The limit comes before the uniqueness check so
	// that it also bounds probing which emails have an account.
	if !s.accounts.allowRegister(s.clientKey(r)) {
		s.metrics.rateLimited("register")
		writeError(w, http.StatusTooManyRequests, msgTooManySignups)
		return
	}
	if err := s.store.CheckAvailable(r.Context(), in.email, in.username); err != nil {
		s.fail(w, r, err) // a taken email or username answers as a field error
		return
	}
	hash, err := s.hasher.Hash(in.password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.createAccount(r.Context(), in.newUser(hash), invite)
	if err != nil {
		s.fail(w, r, err) // a taken email or username, or a used-up invite, answers as a field error
		return
	}
	if s.awaitingApproval(w) {
		return
	}
	s.signedIn(w, r, http.StatusCreated, u)
}

const (
	msgBadLogin        = "이메일 또는 비밀번호가 올바르지 않아요."
	msgTooManyLogins   = "로그인 시도가 너무 많아요. 잠시 후 다시 시도해 주세요."
	msgTooManySignups  = "가입 요청이 너무 많아요. 잠시 후 다시 시도해 주세요."
	msgTooManyAttempts = "비밀번호를 너무 많이 틀렸어요. 잠시 후 다시 시도해 주세요."
	msgForeignLogout   = "다른 사이트에서 보낸 로그아웃 요청은 받지 않아요."
)

// accountKey keys an account in the password limits: its lower-cased
// email, as a login names it.
func accountKey(email string) string { return strings.ToLower(email) }

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	email := strings.TrimSpace(f.required("email", errs))
	password := f.required("password", errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	client := s.clientKey(r)
	try := s.accounts.attempt(accountKey(email), client)
	if !allows(s.accounts.loginByIP, client) || !try.begin() {
		s.metrics.rateLimited("login")
		writeError(w, http.StatusTooManyRequests, msgTooManyLogins)
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	known := err == nil
	if !known && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	hash := u.PasswordHash
	if !known {
		hash = s.hasher.dummyHash()
	}
	if ok := s.hasher.Check(hash, password); !ok || !known || !u.Active {
		s.metrics.loginFailures.Inc()
		errs.add("non_field_errors", msgBadLogin)
		writeInvalid(w, errs)
		return
	}
	try.succeeded() // the password was right, whatever the account's state
	if s.refusePending(w, r, u) {
		return
	}
	s.signedIn(w, r, http.StatusOK, u)
}

// handleLogout ends the web session named by the cookie and clears it, also
// when the session is already gone. Tokens are stateless: for API clients
// logout is a no-op that succeeds. The cookie is only touched for a request
// from our own pages (the web header, or our Origin): a form on another
// site could otherwise sign a resident out. Such a request that carries
// the cookie is refused; one without it is an API client's no-op.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(s.cookieName)
	hasCookie := err == nil && ck.Value != ""
	if !isWeb(r) && !s.sameOrigin(r) {
		if hasCookie {
			writeError(w, http.StatusForbidden, msgForeignLogout)
			return
		}
		writeMessage(w, http.StatusOK, "로그아웃했어요.")
		return
	}
	if hasCookie {
		hash := hashSession(ck.Value)
		if uid, _, err := s.store.Session(r.Context(), hash); err == nil {
			if err := s.store.DeleteSession(r.Context(), hash); err != nil {
				s.fail(w, r, err)
				return
			}
			s.sessionEnded(uid, hash)
		}
	}
	s.clearSessionCookie(w)
	writeMessage(w, http.StatusOK, "로그아웃했어요.")
}

func (s *Server) handleCurrent(w http.ResponseWriter, r *http.Request) {
	s.respondUser(w, r, http.StatusOK, currentUser(r))
}

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readChanges(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	var up store.UserUpdate
	if name, ok := f.str("username", errs); ok {
		name = validUsername(name, errs)
		up.Username = &name
	}
	var suggestions []string
	if raw, ok := f.str("address", errs); ok {
		var addr resolvedAddress
		addr, suggestions = s.addressRules().resolve(raw, errs)
		up.Address, up.DongCode = &addr.Address, &addr.DongCode
	}
	if n, ok := f.integer("range", errs); ok {
		if n < 0 || n > 2 {
			errs.add("range", "범위는 0, 1, 2 중 하나여야 해요.")
		}
		rng := int(n)
		up.Range = &rng
	}
	if len(errs) > 0 {
		writeInvalidWithSuggestions(w, errs, suggestions)
		return
	}
	u, err := s.store.UpdateUser(r.Context(), currentUser(r).ID, up)
	if err != nil {
		s.fail(w, r, err) // a taken username answers as a field error
		return
	}
	s.boards.changed()
	s.respondBareUser(w, r, http.StatusOK, u)
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	current := f.required("current_password", errs)
	new1 := f.required("new_password1", errs)
	new2 := f.required("new_password2", errs)
	if new1 != "" {
		validPassword("new_password1", new1, errs)
	}
	if new1 != "" && new2 != "" && new1 != new2 {
		errs.add("new_password2", "새 비밀번호가 일치하지 않아요.")
	}
	if new1 != "" && new1 == current {
		errs.add("new_password1", "새 비밀번호는 현재 비밀번호와 달라야 해요.")
	}
	// The new pair first: a request that cannot succeed never checks the
	// current password, so it is no oracle for it.
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	cred := credentialFrom(r.Context())
	if !s.checkOwnPassword(w, r, cred.user, current, "current_password", "현재 비밀번호가 올바르지 않아요.") {
		return
	}
	hash, err := s.hasher.Hash(new1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// A web caller's session is replaced by a new one (its id may have
	// been seen by whoever prompted the change); every other ends.
	var next *store.NewSession
	var cookie string
	if cred.session != "" {
		cookie, next, err = s.newSession(cred.user.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	u, err := s.store.SetPassword(r.Context(), cred.user.ID, hash, next)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if next != nil {
		s.setSessionCookie(w, cookie)
	}
	s.credentialsChanged(u.ID)
	body := map[string]any{"message": "비밀번호 변경 성공"}
	if cred.session == "" {
		tok, err := s.issueToken(u)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		body["token"] = tok
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	password := f.required("password", errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	u := currentUser(r)
	if !s.checkOwnPassword(w, r, u, password, "password", "비밀번호가 올바르지 않아요.") {
		return
	}
	left, err := s.store.DeleteAccount(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.boards.changed()
	for _, ch := range left { // commit, then publish: the event first, then the close
		s.hub.Publish(ch.Room.ID, memberFrame("chat.user.leave", u.ID, ch.Notice))
		s.kick(ch.Room.ID, u.ID, statusLeft)
		s.emitRoomEvent(roomEvent{Kind: roomLeft, RoomID: ch.Room.ID, ActorID: u.ID, Message: &ch.Notice, Members: []int64{u.ID}})
	}
	s.credentialsChanged(u.ID)
	s.clearSessionCookie(w)
	writeMessage(w, http.StatusOK, "회원 탈퇴를 마쳤어요.")
}

// checkOwnPassword checks the signed-in user's password under the same
// per-account limits as login (a stolen session must not become a password
// oracle). On a wrong password or over the limit it answers (400 on field,
// 429) and reports false.
func (s *Server) checkOwnPassword(w http.ResponseWriter, r *http.Request, u store.User, password, field, wrong string) bool {
	try := s.accounts.attempt(accountKey(u.Email), s.clientKey(r))
	if !try.begin() {
		s.metrics.rateLimited("password")
		writeError(w, http.StatusTooManyRequests, msgTooManyAttempts)
		return false
	}
	if !s.hasher.Check(u.PasswordHash, password) {
		writeInvalid(w, fieldErrors{field: {wrong}})
		return false
	}
	try.succeeded()
	return true
}
