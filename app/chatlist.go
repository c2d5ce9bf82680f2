package app

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/store"
)

// "My chats" (issue 13): the list of my rooms, read markers and mute.
const (
	chatListPageSize   = 20
	chatListPreviewLen = 100 // runes of last_message.message
	msgBadChatCursor   = "cursor가 올바르지 않아요. 목록을 처음부터 다시 불러와 주세요."
	msgBadReadID       = "message_id는 양의 정수여야 해요."
)

// chatListPostJSON is the post summary of a list item.
type chatListPostJSON struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	StoreName   *string `json:"store_name"`
	OrderState  *string `json:"order_state"`
	OrderAt     *string `json:"order_at"`
	IsCompelete bool    `json:"is_compelete"`
}

// chatLastJSON is a list item's last message, its text cut to 100 runes.
type chatLastJSON struct {
	ID        int64        `json:"id"`
	Message   string       `json:"message"`
	CreatedAt string       `json:"created_at"`
	User      *userRefJSON `json:"user"`
}

// chatListItemJSON is one room of GET /api/chat/ and of the room.updated
// frame of /ws/me/.
type chatListItemJSON struct {
	ID          int64            `json:"id"`
	Post        chatListPostJSON `json:"post"`
	LastMessage *chatLastJSON    `json:"last_message"`
	Unread      int              `json:"unread"`
	Muted       bool             `json:"muted"`
}

type chatListJSON struct {
	Rooms []chatListItemJSON `json:"rooms"`
	Next  *string            `json:"next"`
}

// toChatListItem renders an item for its member (it.UserID): only that
// member's own email shows, hidden messages show the placeholder.
func (s *Server) toChatListItem(it store.ChatListItem) chatListItemJSON {
	out := chatListItemJSON{
		ID: it.RoomID,
		Post: chatListPostJSON{ID: it.PostID, Title: it.Title, StoreName: it.StoreName, OrderState: it.OrderState,
			IsCompelete: it.CompleteAt(s.now())},
		Unread: it.Unread,
		Muted:  it.Muted,
	}
	if it.OrderAt != nil {
		at := formatOrderAt(*it.OrderAt)
		out.Post.OrderAt = &at
	}
	if m := it.Last; m != nil {
		body := m.Body
		if it.LastHidden {
			body = msgHiddenMessage
		}
		last := &chatLastJSON{ID: m.ID, Message: cutRunes(body, chatListPreviewLen), CreatedAt: formatAPITime(m.CreatedAt)}
		if m.User != nil {
			u := toUserRef(*m.User, it.UserID)
			last.User = &u
		}
		out.LastMessage = last
	}
	return out
}

// cutRunes keeps the first n runes of s.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// encodeChatCursor makes the opaque ?cursor= of the next page.
func encodeChatCursor(c store.ChatListCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Activity, 10) + "." + strconv.FormatInt(c.RoomID, 10)))
}

// decodeChatCursor reads a cursor made by encodeChatCursor.
func decodeChatCursor(raw string) (store.ChatListCursor, bool) {
	if len(raw) > 64 {
		return store.ChatListCursor{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return store.ChatListCursor{}, false
	}
	a, r, ok := strings.Cut(string(b), ".")
	if !ok {
		return store.ChatListCursor{}, false
	}
	act, err1 := strconv.ParseInt(a, 10, 64)
	room, err2 := strconv.ParseInt(r, 10, 64)
	if err1 != nil || err2 != nil || act < 0 || room <= 0 {
		return store.ChatListCursor{}, false
	}
	return store.ChatListCursor{Activity: act, RoomID: room}, true
}

// handleChatList: GET /api/chat/ — the caller's rooms, by last activity,
// 20 a page; ?cursor= is the previous page's next.
func (s *Server) handleChatList(w http.ResponseWriter, r *http.Request) {
	var after *store.ChatListCursor
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		c, ok := decodeChatCursor(raw)
		if !ok {
			writeInvalid(w, fieldErrors{"cursor": {msgBadChatCursor}})
			return
		}
		after = &c
	}
	items, next, err := s.store.ChatList(r.Context(), currentUser(r).ID, after, chatListPageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := chatListJSON{Rooms: make([]chatListItemJSON, len(items))}
	for i, it := range items {
		out.Rooms[i] = s.toChatListItem(it)
	}
	if next != nil {
		c := encodeChatCursor(*next)
		out.Next = &c
	}
	writeJSON(w, http.StatusOK, out)
}

// handleChatRead: POST /api/chat/:id/read/ {"message_id": n} — members
// only; moves the caller's read marker forward (never back). 204.
func (s *Server) handleChatRead(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, errRoomNotFound)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	msgID, present := f.integer("message_id", errs)
	if _, bad := errs["message_id"]; !bad && (!present || msgID <= 0) {
		errs.add("message_id", msgBadReadID)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if err := s.markRead(r.Context(), id, currentUser(r).ID, msgID); err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// markRead moves the marker and, when it moved, refreshes the member's
// list item on their /ws/me/ sockets (the badge).
func (s *Server) markRead(ctx context.Context, roomID, userID, msgID int64) error {
	moved, err := s.store.MarkRead(ctx, roomID, userID, msgID)
	if err == nil && moved {
		s.me.touch(roomID, userID)
	}
	return err
}

// handleChatMute: POST /api/chat/:id/mute/ {"muted": bool} — members only.
// 204.
func (s *Server) handleChatMute(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(r, "id")
	if !ok {
		s.fail(w, r, errRoomNotFound)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	muted, present := f.boolean("muted", errs)
	if _, bad := errs["muted"]; !bad && !present {
		errs.add("muted", msgRequired)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	u := currentUser(r)
	if err := s.store.SetMuted(r.Context(), id, u.ID, muted); err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	s.me.touch(id, u.ID)
	w.WriteHeader(http.StatusNoContent)
}
