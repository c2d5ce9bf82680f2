package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/mealbuddy/mealbuddy/store"
)

// Sign-up modes (--signup): open to anyone, with an invite code, with staff
// approval, or closed.
const (
	signupOpen     = "open"
	signupInvite   = "invite"
	signupApproval = "approval"
	signupClosed   = "closed"
)

const (
	msgSignupClosed   = "지금은 새로 가입할 수 없어요. 운영자에게 문의해 주세요."
	msgInviteRequired = "초대 코드가 있어야 가입할 수 있어요."
	msgInviteInvalid  = "초대 코드가 올바르지 않거나, 이미 다 쓰였거나, 기한이 지났어요."
	msgPendingSignup  = "가입 신청이 접수되었어요. 운영자가 승인하면 로그인할 수 있어요."
	msgPendingLogin   = "운영자의 가입 승인을 기다리고 있어요. 승인되면 로그인할 수 있어요."
	maxInviteLen      = 64
)

// checkSignupMode rejects an unknown --signup value.
func checkSignupMode(mode string) error {
	switch mode {
	case "", signupOpen, signupInvite, signupApproval, signupClosed:
		return nil
	}
	return fmt.Errorf("--signup %q: use open, invite, approval or closed", mode)
}

func (s *Server) signupMode() string {
	if s.cfg.Signup == "" {
		return signupOpen
	}
	return s.cfg.Signup
}

// signupAllowed answers 403 itself and returns false when sign-up is closed.
func (s *Server) signupAllowed(w http.ResponseWriter) bool {
	if s.signupMode() == signupClosed {
		writeError(w, http.StatusForbidden, msgSignupClosed)
		return false
	}
	return true
}

// inviteField reads and checks the "invite" field in invite mode (a
// missing, unknown, used-up or expired code is a field error) and returns
// its hash, "" in the other modes. createAccount takes the use atomically.
func (s *Server) inviteField(ctx context.Context, f fields, errs fieldErrors) string {
	if s.signupMode() != signupInvite {
		return ""
	}
	code, _ := f.str("invite", errs)
	// Codes are upper case; people retype them in any case.
	code = strings.ToUpper(strings.TrimSpace(code))
	if _, bad := errs["invite"]; bad {
		return ""
	}
	if code == "" {
		errs.add("invite", msgInviteRequired)
		return ""
	}
	if len(code) > maxInviteLen {
		errs.add("invite", msgInviteInvalid)
		return ""
	}
	hash := hashSession(code)
	ok, err := s.store.InviteValid(ctx, hash)
	if err == nil && !ok {
		errs.add("invite", msgInviteInvalid)
	}
	// A failed look-up is left to createAccount, which checks again.
	return hash
}

// createAccount stores a new account as the sign-up mode says: with the
// invite's use taken, or waiting for approval.
func (s *Server) createAccount(ctx context.Context, n store.NewUser, inviteHash string) (store.User, error) {
	return s.store.Register(ctx, n, store.Signup{InviteHash: inviteHash, Pending: s.signupMode() == signupApproval})
}

// awaitingApproval answers 202 with the reason and returns true when the
// new account waits for staff approval: it gets no session and no token.
func (s *Server) awaitingApproval(w http.ResponseWriter) bool {
	if s.signupMode() != signupApproval {
		return false
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"pending": true, "message": msgPendingSignup})
	return true
}

// refusePending answers 403 with the reason and returns true when the
// account waits for approval (login after a correct password).
func (s *Server) refusePending(w http.ResponseWriter, r *http.Request, u store.User) bool {
	pending, err := s.store.IsPending(r.Context(), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return true
	}
	if pending {
		writeError(w, http.StatusForbidden, msgPendingLogin)
	}
	return pending
}

// handleSignupInfo: GET /api/user/signup/ — what the register and login
// pages need to know: the sign-up mode and whether residents can ask for a
// reset link by e-mail.
func (s *Server) handleSignupInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"mode": s.signupMode(), "reset_by_email": s.resets.mailer != nil})
}
