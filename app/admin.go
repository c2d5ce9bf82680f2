package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mealbuddy/mealbuddy/store"
)

// The staff queue: reports, waiting accounts and the audit log, for staff
// only, under /api/admin/. The CLI (reports, user approve, audit) shares
// resolveReport and reportTarget with these handlers.

// staffOnly answers 403 for residents; the router has authenticated the
// request already (signedIn).
func staffOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !currentUser(r).Staff {
			writeError(w, http.StatusForbidden, msgForbidden)
			return
		}
		next(w, r)
	}
}

// reportTarget is what a report points at, for the staff to judge: a short
// text of the post, message or account, and the account disable-user would
// disable (0 for a system notice).
type reportTarget struct {
	Summary string
	Owner   int64
	// Message is set for a message target (the live hide needs its room).
	Message *store.MessageRef
	Gone    bool // deleted since it was reported
}

func targetOf(ctx context.Context, st *store.Store, rep store.Report) (reportTarget, error) {
	var t reportTarget
	switch rep.TargetType {
	case store.TargetPost:
		p, err := st.PostByID(ctx, rep.TargetID)
		if errors.Is(err, store.ErrNotFound) {
			return reportTarget{Gone: true, Summary: "(삭제된 게시글)"}, nil
		}
		if err != nil {
			return t, err
		}
		t.Summary, t.Owner = fmt.Sprintf("%s — %s (작성자 %s)", p.Title, clip(p.Content, 200), p.Writer.Username), p.Writer.ID
	case store.TargetMessage:
		m, err := st.MessageByID(ctx, rep.TargetID)
		if errors.Is(err, store.ErrNotFound) {
			return reportTarget{Gone: true, Summary: "(삭제된 메시지)"}, nil
		}
		if err != nil {
			return t, err
		}
		t.Summary, t.Owner, t.Message = clip(m.Body, 300), m.UserID, &m
	case store.TargetUser:
		u, err := st.UserByID(ctx, rep.TargetID)
		if errors.Is(err, store.ErrNotFound) {
			return reportTarget{Gone: true, Summary: "(없는 사용자)"}, nil
		}
		if err != nil {
			return t, err
		}
		t.Summary, t.Owner = fmt.Sprintf("%s <%s>", u.Username, u.Email), u.ID
	}
	return t, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// errBadAction is a resolve the target does not allow; its text is Korean
// and shown as is.
type errBadAction string

func (e errBadAction) Error() string { return string(e) }

// resolveReport applies a staff decision (hide, disable-user, dismiss) to a
// report and every other open report on its target, with an audit entry.
func resolveReport(ctx context.Context, st *store.Store, id int64, action string, by store.Actor) (store.Report, reportTarget, error) {
	rep, err := st.ReportByID(ctx, id)
	if err != nil {
		return rep, reportTarget{}, err
	}
	t, err := targetOf(ctx, st, rep)
	if err != nil {
		return rep, t, err
	}
	switch action {
	case store.ActionDismiss:
	case store.ActionHide:
		if rep.TargetType == store.TargetUser {
			return rep, t, errBadAction("사용자는 가릴 수 없어요. 계정 정지(disable-user)나 기각(dismiss)을 골라 주세요.")
		}
		if t.Gone {
			return rep, t, errBadAction("대상이 이미 삭제되었어요. 기각(dismiss)으로 정리해 주세요.")
		}
	case store.ActionDisableUser:
		if t.Owner == 0 {
			return rep, t, errBadAction("정지할 계정이 없어요. 기각(dismiss)으로 정리해 주세요.")
		}
	default:
		return rep, t, errBadAction("처리 방법은 hide, disable-user, dismiss 중 하나여야 해요.")
	}
	rep, err = st.ResolveReport(ctx, id, action, t.Owner, by)
	return rep, t, err
}

// adminReportJSON is a report with its target for the staff queue.
type adminReportJSON struct {
	reportJSON
	Reporter      userRefJSON  `json:"reporter"`
	TargetSummary string       `json:"target_summary"`
	TargetOwner   int64        `json:"target_owner"`
	Action        string       `json:"action"`
	ResolvedBy    *userRefJSON `json:"resolved_by"`
	ResolvedAt    *string      `json:"resolved_at"`
}

func (s *Server) adminReportJSON(ctx context.Context, rep store.Report) (adminReportJSON, error) {
	t, err := targetOf(ctx, s.store, rep)
	if err != nil {
		return adminReportJSON{}, err
	}
	out := adminReportJSON{reportJSON: toReportJSON(rep), Reporter: staffUserRef(rep.Reporter),
		TargetSummary: t.Summary, TargetOwner: t.Owner, Action: rep.Action}
	if rep.ResolvedBy != nil {
		ref := staffUserRef(*rep.ResolvedBy)
		out.ResolvedBy = &ref
	}
	if !rep.ResolvedAt.IsZero() {
		at := formatAPITime(rep.ResolvedAt)
		out.ResolvedAt = &at
	}
	return out, nil
}

// handleAdminReports: GET /api/admin/reports/[?all=1] — open reports,
// oldest first; with all=1 every report, newest first.
func (s *Server) handleAdminReports(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.store.ListReports(r.Context(), store.ReportFilter{All: all, Limit: 200})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]adminReportJSON, 0, len(list))
	for _, rep := range list {
		j, err := s.adminReportJSON(r.Context(), rep)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": out})
}

const msgAdminReportNotFound = "신고를 찾을 수 없어요."

func (s *Server) handleAdminReport(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		writeError(w, http.StatusNotFound, msgAdminReportNotFound)
		return
	}
	rep, err := s.store.ReportByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, msgAdminReportNotFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.adminReportJSON(r.Context(), rep)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// actorOf names a staff member for the audit log.
func actorOf(u store.User) store.Actor { return store.Actor{ID: u.ID, Name: u.Username} }

// handleAdminResolve: POST /api/admin/reports/:id/resolve/ {action}.
func (s *Server) handleAdminResolve(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		writeError(w, http.StatusNotFound, msgAdminReportNotFound)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	action := strings.TrimSpace(f.required("action", errs))
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	rep, t, err := resolveReport(r.Context(), s.store, id, action, actorOf(currentUser(r)))
	var bad errBadAction
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, msgAdminReportNotFound)
		return
	case errors.As(err, &bad):
		writeInvalid(w, fieldErrors{"action": {string(bad)}})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.afterResolve(action, t)
	j, err := s.adminReportJSON(r.Context(), rep)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// afterResolve tells live sockets: a hidden message is replaced in the
// room, a disabled account's sockets close (4401).
func (s *Server) afterResolve(action string, t reportTarget) {
	switch action {
	case store.ActionHide:
		s.boards.changed() // a hidden post leaves the board
		if m := t.Message; m != nil {
			var author *store.UserRef
			if m.UserID != 0 {
				if u, err := s.store.UserByID(context.Background(), m.UserID); err == nil {
					author = &store.UserRef{ID: u.ID, Username: u.Username, Email: u.Email}
				}
			}
			s.hub.Publish(m.RoomID, hiddenMessageFrame(*m, author))
			s.me.touchRoom(m.RoomID) // a list's last message may be the hidden one
		}
	case store.ActionDisableUser:
		s.credentialsChanged(t.Owner)
	}
}

// handleAdminPending: GET /api/admin/users/pending/ — accounts waiting for
// approval.
func (s *Server) handleAdminPending(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.PendingUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type pendingJSON struct {
		userJSON
		CreatedAt string `json:"created_at"`
	}
	out := make([]pendingJSON, len(list))
	for i, u := range list {
		out[i] = pendingJSON{userJSON: s.userJSON(u), CreatedAt: formatAPITime(u.CreatedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// handleAdminApprove: POST /api/admin/users/:id/approve/.
func (s *Server) handleAdminApprove(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		writeError(w, http.StatusNotFound, msgNotWaiting)
		return
	}
	err := s.store.Approve(r.Context(), id, actorOf(currentUser(r)))
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, msgNotWaiting)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": "가입을 승인했어요.", "user_id": id})
}

const msgNotWaiting = "승인을 기다리는 계정이 아니에요."

// auditJSON is one staff action.
type auditJSON struct {
	ID        int64  `json:"id"`
	ActorID   *int64 `json:"actor_id"`
	Actor     string `json:"actor"`
	Action    string `json:"action"`
	Target    string `json:"target"`
	TargetID  int64  `json:"target_id"`
	Detail    string `json:"detail"`
	CreatedAt string `json:"created_at"`
}

// handleAdminAudit: GET /api/admin/audit/ — the latest 200 staff actions.
func (s *Server) handleAdminAudit(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.AuditLog(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]auditJSON, len(list))
	for i, e := range list {
		out[i] = auditJSON{ID: e.ID, Actor: e.Actor, Action: e.Action, Target: e.TargetType, TargetID: e.TargetID,
			Detail: e.Detail, CreatedAt: formatAPITime(e.CreatedAt)}
		if e.ActorID != 0 {
			id := e.ActorID
			out[i].ActorID = &id
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}
