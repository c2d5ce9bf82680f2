package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/store"
)

// Reports and blocks: residents report a post, a chat message or a user to
// the staff queue, and block users whose posts and messages they no longer
// want to see.

// reportReasons are the reasons a report may give; the web app shows them
// as 스팸·광고, 욕설·괴롭힘, 사기, 부적절한 내용 and 기타.
var reportReasons = []string{"spam", "abuse", "fraud", "inappropriate", "other"}

const (
	maxReportTextLen = 500
	// msgHiddenMessage replaces the text of a message staff hid, for
	// everyone, in history and live.
	msgHiddenMessage   = "운영 정책에 따라 가려진 메시지예요"
	msgReportNotFound  = "신고할 대상을 찾을 수 없어요."
	msgReportSelf      = "자기 자신은 신고할 수 없어요."
	msgBlockSelf       = "자기 자신은 차단할 수 없어요."
	msgBlockUnknown    = "존재하지 않는 사용자예요."
	msgJoinBlocked     = "작성자가 참여를 제한해서 이 모집에 참여할 수 없어요."
	msgReportBadTarget = "신고 대상은 post, message, user 중 하나여야 해요."
	msgReportBadReason = "신고 사유는 spam, abuse, fraud, inappropriate, other 중 하나여야 해요."
	msgReportTooLong   = "신고 내용은 500자 이하로 적어 주세요."
)

// reportJSON is a report as its reporter and staff see it.
type reportJSON struct {
	ID        int64  `json:"id"`
	Target    string `json:"target"`
	TargetID  int64  `json:"target_id"`
	Reason    string `json:"reason"`
	Text      string `json:"text"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

func toReportJSON(r store.Report) reportJSON {
	return reportJSON{ID: r.ID, Target: r.TargetType, TargetID: r.TargetID, Reason: r.Reason, Text: r.Text,
		Status: r.Status, CreatedAt: formatAPITime(r.CreatedAt)}
}

// handleCreateReport: POST /api/reports/ {target, id, reason, text} → 201;
// the same reporter reporting the same target again gets 200 and the first
// report. Only what the reporter can see may be reported: anything else is
// a 404, so that reports cannot probe for hidden posts or foreign rooms.
func (s *Server) handleCreateReport(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	target := f.required("target", errs)
	if target != "" && target != store.TargetPost && target != store.TargetMessage && target != store.TargetUser {
		errs.add("target", msgReportBadTarget)
	}
	id, present := f.integer("id", errs)
	if _, bad := errs["id"]; !bad && (!present || id <= 0) {
		errs.add("id", "신고할 대상의 번호(양의 정수)를 보내 주세요.")
	}
	reason := f.required("reason", errs)
	if reason != "" && !slices.Contains(reportReasons, reason) {
		errs.add("reason", msgReportBadReason)
	}
	text, _ := f.str("text", errs)
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxReportTextLen {
		errs.add("text", msgReportTooLong)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	u := currentUser(r)
	visible, err := s.canSee(r.Context(), u, target, id)
	switch {
	case errors.Is(err, store.ErrSelfTarget):
		writeInvalid(w, fieldErrors{"id": {msgReportSelf}})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	case !visible:
		writeError(w, http.StatusNotFound, msgReportNotFound)
		return
	}
	rep, created, err := s.store.CreateReport(r.Context(), store.NewReport{
		ReporterID: u.ID, TargetType: target, TargetID: id, Reason: reason, Text: text,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, toReportJSON(rep))
}

// canSee reports whether u can see the target: a post that is not hidden
// (staff see hidden ones), a message of a room u belongs to, any account
// but u's own (ErrSelfTarget).
func (s *Server) canSee(ctx context.Context, u store.User, target string, id int64) (bool, error) {
	switch target {
	case store.TargetPost:
		_, hidden, err := s.viewPost(ctx, id)
		if err != nil {
			return false, ignoreNotFound(err)
		}
		return !hidden || u.Staff, nil
	case store.TargetMessage:
		m, err := s.store.MessageByID(ctx, id)
		if err != nil {
			return false, ignoreNotFound(err)
		}
		return s.store.IsMember(ctx, m.RoomID, u.ID)
	case store.TargetUser:
		if id == u.ID {
			return false, store.ErrSelfTarget
		}
		if _, err := s.store.UserByID(ctx, id); err != nil {
			return false, ignoreNotFound(err)
		}
		return true, nil
	}
	return false, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// handleBlocks: GET /api/user/blocks/ — the users I blocked.
func (s *Server) handleBlocks(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Blocked(r.Context(), currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]userRefJSON, len(list))
	for i, u := range list {
		out[i] = toUserRef(u, currentUser(r).ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"blocks": out})
}

// handleBlock: POST /api/user/blocks/ {user_id} → 201 (again: 201, nothing
// changes); DELETE the same → 204.
func (s *Server) handleBlock(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	target, present := f.integer("user_id", errs)
	if _, bad := errs["user_id"]; !bad && (!present || target <= 0) {
		errs.add("user_id", msgRequired)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	me := currentUser(r)
	if r.Method == http.MethodDelete {
		if err := s.store.Unblock(r.Context(), me.ID, target); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch err := s.store.Block(r.Context(), me.ID, target); {
	case errors.Is(err, store.ErrSelfTarget):
		writeInvalid(w, fieldErrors{"user_id": {msgBlockSelf}})
	case errors.Is(err, store.ErrUnknownUser):
		writeInvalid(w, fieldErrors{"user_id": {msgBlockUnknown}})
	case err != nil:
		s.fail(w, r, err)
	default:
		u, err := s.store.UserByID(r.Context(), target)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, toUserRef(store.UserRef{ID: u.ID, Username: u.Username, Email: u.Email}, currentUser(r).ID))
	}
}

// blockedWriters lists the writers whose posts the viewer does not see.
// A viewer with blocks bypasses the shared board cache (whose pages are
// rendered for every viewer of an area) and gets a page queried with the
// writers excluded, so paging stays exact; unless the blocked writers have
// no post on the board at all (handleListPosts).
func (s *Server) blockedWriters(ctx context.Context, viewer store.User) ([]int64, error) {
	return s.users.blocked(ctx, viewer.ID) // cached: every board view asks (usercache.go)
}

// postVisible answers 404 itself and returns false when the viewer may not
// see the post: staff hid it (staff still see it) or its writer is blocked.
func (s *Server) postVisible(w http.ResponseWriter, r *http.Request, p store.Post, hidden bool) bool {
	u := currentUser(r)
	blocks, err := s.users.blocked(r.Context(), u.ID)
	blocked := slices.Contains(blocks, p.Writer.ID)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if (hidden && !u.Staff) || blocked {
		writeError(w, http.StatusNotFound, msgPostNotFound)
		return false
	}
	return true
}

// joinAllowed answers 400 itself and returns false when the room's writer
// blocked the user who wants to join.
func (s *Server) joinAllowed(w http.ResponseWriter, r *http.Request, room store.Room) bool {
	blocks, err := s.users.blocked(r.Context(), room.Writer.ID)
	blocked := slices.Contains(blocks, currentUser(r).ID)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if blocked {
		writeError(w, http.StatusBadRequest, msgJoinBlocked)
		return false
	}
	return true
}

// moderateHistory drops the messages of users the viewer blocked and
// replaces the text of hidden messages.
func (s *Server) moderateHistory(ctx context.Context, viewer store.User, msgs []store.Message) ([]store.Message, error) {
	if len(msgs) == 0 {
		return msgs, nil
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	hidden, err := s.store.HiddenMessages(ctx, ids)
	if err != nil {
		return nil, err
	}
	blocked, err := s.blockedWriters(ctx, viewer)
	if err != nil {
		return nil, err
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m.User != nil && slices.Contains(blocked, m.User.ID) {
			continue
		}
		if hidden[m.ID] {
			m.Body = msgHiddenMessage
		}
		out = append(out, m)
	}
	return out, nil
}

// hiddenMessageFrame tells the room's live sockets that a message was
// hidden: a chat.message.hidden event carrying the message with the
// placeholder text under its own id.
func hiddenMessageFrame(m store.MessageRef, author *store.UserRef) []byte {
	msg := store.Message{ID: m.ID, RoomID: m.RoomID, User: author, Body: msgHiddenMessage, CreatedAt: m.CreatedAt}
	return mustJSON(messageEvent{Type: "chat.message.hidden", Message: toMessageJSON(msg, 0)})
}
