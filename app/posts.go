package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

const (
	maxTitleLen     = 30
	maxContentLen   = 2000
	minTargetNumber = 2
	maxTargetNumber = 10
)

// postJSON is the original service's post object, extended with the neighbourhood and
// its distance from the requester's.
type postJSON struct {
	ID           int64             `json:"id"`
	Title        string            `json:"title"`
	CreatedAt    string            `json:"created_at"`
	Category     string            `json:"category"`
	Address      string            `json:"address"`
	Content      string            `json:"content"`
	IsCompelete  bool              `json:"is_compelete"`
	TargetNumber int               `json:"target_number"`
	JoinNumber   int               `json:"join_number"`
	ChatID       int64             `json:"chat_id"`
	Writer       userRefJSON       `json:"writer"`
	IsJoined     *bool             `json:"is_joined,omitempty"`
	IsBanned     *bool             `json:"is_banned,omitempty"` // detail only: the writer sent the viewer out
	Neighborhood *neighborhoodJSON `json:"neighborhood"`
	DistanceKm   *float64          `json:"distance_km"`
	orderSummaryJSON
}

type userRefJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

// toUserRef renders a user as seen by the user viewer: only one's own
// email is shown; everyone else's is "" (the field stays for old clients).
// Answers shared between viewers (board pages, socket frames) pass
// viewer 0, so no email reaches them.
func toUserRef(u store.UserRef, viewer int64) userRefJSON {
	out := userRefJSON{ID: u.ID, Username: u.Username}
	if u.Deleted {
		out.Username = deletedUsername
		return out
	}
	if viewer != 0 && u.ID == viewer {
		out.Email = u.Email
	}
	return out
}

// staffUserRef is a user with its email, for staff-only answers (the
// reports page), where staff need to know whom a report is about.
func staffUserRef(u store.UserRef) userRefJSON {
	return userRefJSON{ID: u.ID, Username: u.Username, Email: u.Email}
}

func formatAPITime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// postJSON renders a post as seen by viewer.
func (s *Server) postJSON(p store.Post, viewer store.User) postJSON {
	out := postJSON{
		ID: p.ID, Title: p.Title, CreatedAt: formatAPITime(p.CreatedAt), Category: p.Category,
		Address: p.Address, Content: p.Content, IsCompelete: p.CompleteAt(s.now()), TargetNumber: p.TargetNumber,
		JoinNumber: p.JoinNumber, ChatID: p.RoomID, Writer: toUserRef(p.Writer, viewer.ID),
		orderSummaryJSON: toOrderSummary(p.Order),
	}
	if code := p.DongCode(); code != "" {
		if d, ok := s.dongs.ByCode(code); ok {
			out.Neighborhood = &neighborhoodJSON{Code: d.Code, Name: d.Name, Lat: d.Lat, Lon: d.Lon}
			if mine, ok := s.dongs.ByCode(viewer.DongCode); ok {
				km := math.Round(neighborhood.DistanceKm(mine.Lat, mine.Lon, d.Lat, d.Lon)*10) / 10
				out.DistanceKm = &km
			}
		}
	}
	return out
}

// postFields validates the fields that a write and an edit share. A field
// that is missing stays nil; newPostInput requires it, editPostInput not.
func postFields(f fields, errs fieldErrors) store.PostUpdate {
	var up store.PostUpdate
	text := func(name string, limit int, tooLong string) *string {
		v, ok := f.str(name, errs)
		if !ok {
			return nil // missing, or not a string (already reported)
		}
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			errs.add(name, msgRequired)
		case utf8.RuneCountInString(v) > limit:
			errs.add(name, tooLong)
		}
		return &v
	}
	up.Title = text("title", maxTitleLen, "제목은 30자 이하로 입력해 주세요.")
	up.Content = text("content", maxContentLen, "내용은 2000자 이하로 입력해 주세요.")
	if c := text("category", 20, "알 수 없는 카테고리예요."); c != nil {
		if _, bad := errs["category"]; !bad && !menu.IsCategory(*c) {
			errs.add("category", "알 수 없는 카테고리예요.")
		}
		up.Category = c
	}
	if n, ok := f.integer("target_number", errs); ok {
		if n < minTargetNumber || n > maxTargetNumber {
			errs.add("target_number", "모집 인원은 2명 이상 10명 이하로 정해 주세요.")
		}
		t := int(n)
		up.TargetNumber = &t
	}
	return up
}

// newPostInput validates a new post: every field is required.
func newPostInput(f fields, errs fieldErrors) store.PostUpdate {
	up := postFields(f, errs)
	for name, missing := range map[string]bool{
		"title": up.Title == nil, "content": up.Content == nil,
		"category": up.Category == nil, "target_number": up.TargetNumber == nil,
	} {
		if _, bad := errs[name]; missing && !bad {
			errs.add(name, msgRequired)
		}
	}
	return up
}

// editPostInput validates an edit: every field is optional, and the writer
// may also close or reopen the post (is_compelete).
func editPostInput(f fields, errs fieldErrors) store.PostUpdate {
	up := postFields(f, errs)
	if b, ok := f.boolean("is_compelete", errs); ok {
		up.Closed = &b
	}
	return up
}

func (s *Server) handleWritePost(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	in := newPostInput(f, errs)
	_, order := s.orderFieldsInput(f, false, errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	u := currentUser(r)
	s.boards.beginAdd(u.Area())
	p, err := s.store.CreatePost(r.Context(), store.NewPost{
		WriterID: u.ID, Title: *in.Title, Category: *in.Category, Content: *in.Content,
		Address: u.Address, Area: u.Area(), TargetNumber: *in.TargetNumber, Order: order,
		MaxOpen: s.cfg.MaxOpenPosts,
	})
	if err != nil {
		s.boards.addFailed(u.Area())
		s.fail(w, r, err)
		return
	}
	s.boards.addedIn(p.Area, p.ID, p.Category)
	if order != nil {
		s.deadlines.poke()
	}
	writeJSON(w, http.StatusCreated, s.postJSON(p, u))
}

const (
	msgPostNotFound     = "게시글을 찾을 수 없어요."
	deletedUsername     = "탈퇴한 사용자" // the writer of a deleted account's posts
	msgTooManyOpenPosts = "아직 모집 중인 글이 너무 많아요. 모집을 완료하거나 글을 정리한 뒤 다시 써 주세요."
	msgTooManyOpenRooms = "참여 중인 채팅방이 너무 많아요. 끝나지 않은 방에서 나간 뒤 다시 참여해 주세요."
)

// loadPost reads the :id post, answering 404 itself when there is none.
func (s *Server) loadPost(w http.ResponseWriter, r *http.Request) (store.Post, bool) {
	return loadByID(s, w, r, errPostNotFound, s.store.PostByID)
}

// detailJSON is a post with is_joined and is_banned for the viewer, so
// that a banned resident's page shows the refusal instead of a join button.
func (s *Server) detailJSON(w http.ResponseWriter, r *http.Request, p store.Post) (postJSON, bool) {
	u := currentUser(r)
	ms, err := s.store.MembershipOf(r.Context(), p.RoomID, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return postJSON{}, false
	}
	out := s.postJSON(p, u)
	out.IsJoined = &ms.Member
	out.IsBanned = &ms.Banned
	return out, true
}

// inReach tells whether u may see a post of area (and its room): posts
// inside u's widest board range (the 4 km set, or u's own area for a
// free-text address), posts whose room u already belongs to, and, for
// staff, every post. Anything else answers 404, as if it did not exist, so
// that no one walks the ids of other neighbourhoods.
func (s *Server) inReach(ctx context.Context, u store.User, area string, roomID int64) (bool, error) {
	if u.Staff || area == u.Area() || slices.Contains(s.areasFor(u, 2), area) {
		return true, nil
	}
	return s.store.IsMember(ctx, roomID, u.ID)
}

// viewPost reads post id as store.PostByID does, and whether staff hid it,
// through the board cache: a post's page, its room's answers and its
// shared preview are read far more often than the post changes.
func (s *Server) viewPost(ctx context.Context, id int64) (p store.Post, hidden bool, err error) {
	if kept, ok := s.boards.post(ctx, id); ok {
		return kept.p, kept.hidden, nil
	}
	seq := s.boards.seqNow(ctx)
	if p, err = s.store.PostByID(ctx, id); err != nil {
		return p, false, err
	}
	if hidden, err = s.store.PostHidden(ctx, id); err != nil {
		return p, false, err
	}
	s.boards.putPost(seq, cachedPost{p: p, hidden: hidden})
	return p, hidden, nil
}

func (s *Server) handlePostDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, errPostNotFound)
		return
	}
	p, hidden, err := s.viewPost(r.Context(), id)
	if err != nil {
		s.fail(w, r, notFoundAs(errPostNotFound, err))
		return
	}
	if !s.postVisible(w, r, p, hidden) {
		return
	}
	if near, err := s.inReach(r.Context(), currentUser(r), p.Area, p.RoomID); err != nil || !near {
		s.fail(w, r, cmp.Or(err, errPostNotFound))
		return
	}
	if out, ok := s.detailJSON(w, r, p); ok {
		writeJSON(w, http.StatusOK, out)
	}
}

// writerOrStaff is the rule for editing or deleting a post and deleting its
// chat room: the post's writer may, and so may staff.
func writerOrStaff(u store.User, writer store.UserRef) bool { return u.Staff || u.ID == writer.ID }

func (s *Server) handleEditPost(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if !writerOrStaff(currentUser(r), p.Writer) {
		writeError(w, http.StatusForbidden, "게시글을 수정할 권한이 없어요.")
		return
	}
	f, ok := s.readChanges(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	up := editPostInput(f, errs)
	up.Order, up.NewOrder = s.orderFieldsInput(f, p.Order != nil, errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	edit, err := s.store.EditPost(r.Context(), p.ID, up)
	if err != nil {
		s.fail(w, r, notFoundAs(errPostNotFound, orderFieldsFixed(err)))
		return
	}
	before := p
	p = edit.Post
	s.boards.changedIn(p.Area, p.ID)
	if u := currentUser(r); u.ID != p.Writer.ID { // staff: into the audit log
		detail := fmt.Sprintf("writer user %d: %q", p.Writer.ID, p.Title)
		if err := s.store.RecordStaffAction(r.Context(), actorOf(u), store.ActionEditPost, store.TargetPost, p.ID, detail); err != nil {
			s.log.Error("audit of a staff post edit", "post", p.ID, "err", err)
		}
	}
	if edit.Notice != nil { // committed: the room hears the new order
		s.publishOrderOf(r.Context(), p.RoomID, edit.Notice)
	}
	switch {
	case !before.Closed && p.Closed:
		s.roomNotice(r.Context(), p.RoomID, currentUser(r).ID, roomClosed, noticeRoomClosedBy)
	case before.JoinNumber < before.TargetNumber && p.JoinNumber >= p.TargetNumber: // a lower target filled it
		s.roomNotice(r.Context(), p.RoomID, 0, roomFull, noticeRoomFull)
	}
	if out, ok := s.detailJSON(w, r, p); ok {
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) handleDeletePost(w http.ResponseWriter, r *http.Request) {
	p, ok := s.loadPost(w, r)
	if !ok {
		return
	}
	if !writerOrStaff(currentUser(r), p.Writer) {
		writeError(w, http.StatusForbidden, "게시글을 삭제할 권한이 없어요.")
		return
	}
	del := s.store.DeletePost
	if u := currentUser(r); u.ID != p.Writer.ID { // staff: into the audit log
		del = func(ctx context.Context, id int64) error { return s.store.DeletePostBy(ctx, id, actorOf(u)) }
	}
	// The deletion takes the memberships with it: read them first.
	members := s.roomMembersBefore(r.Context(), p.RoomID)
	if err := unlessGone(del(r.Context(), p.ID)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.boards.changedIn(p.Area, p.ID)
	s.roomDeleted(p.RoomID)
	s.emitRoomEvent(roomEvent{Kind: roomDeleted, RoomID: p.RoomID, ActorID: currentUser(r).ID, Members: members})
	w.WriteHeader(http.StatusNoContent)
}
