package app

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

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

func validUsername(name string, errs fieldErrors) string {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		errs.add("username", msgRequired)
	case n > maxUsernameLen:
		errs.add("username", "유저명은 30자 이하로 입력해 주세요.")
	case strings.ContainsAny(name, "\r\n\t"):
		errs.add("username", "유저명에 줄바꿈이나 탭을 쓸 수 없습니다.")
	}
	return name
}

func validPassword(field, pw string, errs fieldErrors) {
	switch n := utf8.RuneCountInString(pw); {
	case n < minPasswordLen:
		errs.add(field, "비밀번호는 8자 이상이어야 합니다.")
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
		errs.add("password2", "비밀번호가 일치하지 않습니다.")
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

const msgBadLogin = "이메일 또는 비밀번호가 올바르지 않습니다."

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
	if !s.loginByIP.allow(s.clientKey(r)) || !s.loginByUser.allow(strings.ToLower(email)) {
		s.metrics.rateLimited("login")
		writeError(w, http.StatusTooManyRequests, "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.")
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
	if s.refusePending(w, r, u) {
		return
	}
	s.signedIn(w, r, http.StatusOK, u)
}

// handleLogout ends the web session named by the cookie and clears it, also
// when the session is already gone. Tokens are stateless: for API clients
// logout is a no-op that succeeds.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(s.cookieName); err == nil && ck.Value != "" && isWeb(r) {
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
	writeMessage(w, http.StatusOK, "로그아웃 되었습니다.")
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
			errs.add("range", "범위는 0, 1, 2 중 하나여야 합니다.")
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
		errs.add("new_password2", "새 비밀번호가 일치하지 않습니다.")
	}
	if new1 != "" && new1 == current {
		errs.add("new_password1", "새 비밀번호는 현재 비밀번호와 달라야 합니다.")
	}
	cred := credentialFrom(r.Context())
	if current != "" && !s.hasher.Check(cred.user.PasswordHash, current) {
		errs.add("current_password", "현재 비밀번호가 올바르지 않습니다.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	hash, err := s.hasher.Hash(new1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.SetPassword(r.Context(), cred.user.ID, hash, cred.session)
	if err != nil {
		s.fail(w, r, err)
		return
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
	u := currentUser(r)
	if password != "" && !s.hasher.Check(u.PasswordHash, password) {
		errs.add("password", "비밀번호가 올바르지 않습니다.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if err := s.store.SetActive(r.Context(), u.ID, false); err != nil {
		s.fail(w, r, err)
		return
	}
	s.boards.changed()
	s.credentialsChanged(u.ID)
	s.clearSessionCookie(w)
	writeMessage(w, http.StatusOK, "회원 탈퇴가 완료되었습니다.")
}
