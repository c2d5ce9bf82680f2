package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// ChatListItem is one room of a member's "My chats" list, as that member
// sees it (issue 13): the post's summary, the last message the member can
// see, how many messages by other people came after the member's read
// marker, and the member's mute switch.
type ChatListItem struct {
	RoomID int64
	UserID int64 // the member this item is for
	PostID int64
	Title  string
	// StoreName, OrderState and OrderAt are set when the post has an order.
	StoreName  *string
	OrderState *string
	OrderAt    *time.Time
	// Complete is completeSQL; see CompleteAt.
	Complete bool
	// Last is the latest message the member sees (blocked users' messages
	// are skipped, as in the history), nil when there is none.
	Last *Message
	// LastHidden: staff hid Last; the app shows the placeholder text.
	LastHidden bool
	// Unread counts the messages after the read marker written by other
	// members (system notices and blocked users' messages excluded).
	Unread int
	Muted  bool
	// Activity is the sort key: the id of Last, 0 without one.
	Activity int64
}

// CompleteAt is the post's is_compelete at now, as Post.CompleteAt.
func (it ChatListItem) CompleteAt(now time.Time) bool {
	return it.Complete || (it.OrderAt != nil && !it.OrderAt.After(now))
}

// ChatListCursor is where a page of ChatList continues: after the item
// with this Activity and RoomID in the list's order.
type ChatListCursor struct {
	Activity int64
	RoomID   int64
}

// visibleToMember is true for a message (alias %[1]s) that the member
// (column %[2]s) sees: a system notice, or a message by someone the member
// did not block.
const visibleToMember = `(%[1]s.user_id IS NULL OR NOT EXISTS (SELECT 1 FROM user_blocks b
	WHERE b.blocker_id = %[2]s AND b.blocked_id = %[1]s.user_id))`

// chatListSQL selects list items. The CTE picks the memberships (%[1]s
// narrows it), of rooms that are not deleted, with the last visible
// message's id; %[2]s narrows the page. MATERIALIZED: inlined, SQLite
// would look for the last message up to three times per row. One query per
// page, whatever its size: every column is a join or a correlated subquery.
var chatListSQL = `WITH mine AS MATERIALIZED (
	SELECT rm.room_id, rm.user_id, rm.last_read_id, rm.muted,
		COALESCE((SELECT m.id FROM messages m WHERE m.room_id = rm.room_id AND ` + fmt.Sprintf(visibleToMember, "m", "rm.user_id") + `
			ORDER BY m.id DESC LIMIT 1), 0) AS last_id
	FROM room_members rm JOIN chat_rooms cr ON cr.id = rm.room_id
	WHERE cr.deleted_at IS NULL AND %[1]s
)
SELECT mine.room_id, mine.user_id, mine.last_id, mine.muted, p.id, p.title, o.store_name, o.state, o.order_at,
	` + completeSQL + `,
	lm.body, lm.created_at, lu.id, lu.username, lu.email, (lu.password_hash = '` + deletedHash + `'),
	EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = lm.id),
	(SELECT COUNT(*) FROM messages c WHERE c.room_id = mine.room_id AND c.id > mine.last_read_id
		AND c.user_id IS NOT NULL AND c.user_id <> mine.user_id AND ` + fmt.Sprintf(visibleToMember, "c", "mine.user_id") + `)
FROM mine JOIN chat_rooms r ON r.id = mine.room_id JOIN posts p ON p.id = r.post_id
	LEFT JOIN orders o ON o.post_id = p.id
	LEFT JOIN messages lm ON lm.id = mine.last_id LEFT JOIN users lu ON lu.id = lm.user_id
WHERE %[2]s
ORDER BY mine.last_id DESC, mine.room_id DESC`

var (
	chatListPageSQL = fmt.Sprintf(chatListSQL, `rm.user_id = ?1`, `(mine.last_id, mine.room_id) < (?2, ?3)`) + ` LIMIT ?4`
	chatListForSQL  = fmt.Sprintf(chatListSQL,
		`rm.room_id IN (SELECT value FROM json_each(?1)) AND rm.user_id IN (SELECT value FROM json_each(?2))`, `1`)
)

// ChatList returns a page of the rooms userID belongs to, by last activity
// (newest first), and the cursor of the next page (nil on the last one).
// Rooms the user left or was banned from (no membership) and deleted rooms
// are not listed. after nil is the first page.
func (s *Store) ChatList(ctx context.Context, userID int64, after *ChatListCursor, limit int) ([]ChatListItem, *ChatListCursor, error) {
	if limit <= 0 {
		limit = 20
	}
	cur := ChatListCursor{Activity: math.MaxInt64, RoomID: math.MaxInt64}
	if after != nil {
		cur = *after
	}
	rows, err := s.r.QueryContext(ctx, chatListPageSQL, userID, cur.Activity, cur.RoomID, limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("chat list: %w", err)
	}
	items, err := scanChatList(rows)
	if err != nil {
		return nil, nil, err
	}
	var next *ChatListCursor
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = &ChatListCursor{Activity: last.Activity, RoomID: last.RoomID}
	}
	return items, next, nil
}

// ChatListItems returns the list items of every membership of a room in
// roomIDs by a user in userIDs, in one query: the live updates of /ws/me/
// render a batch of changed rooms for the members who are online.
func (s *Store) ChatListItems(ctx context.Context, roomIDs, userIDs []int64) ([]ChatListItem, error) {
	if len(roomIDs) == 0 || len(userIDs) == 0 {
		return nil, nil
	}
	rooms, err := json.Marshal(roomIDs)
	if err != nil {
		return nil, fmt.Errorf("chat list items: %w", err)
	}
	users, err := json.Marshal(userIDs)
	if err != nil {
		return nil, fmt.Errorf("chat list items: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, chatListForSQL, string(rooms), string(users))
	if err != nil {
		return nil, fmt.Errorf("chat list items: %w", err)
	}
	return scanChatList(rows)
}

func scanChatList(rows *sql.Rows) ([]ChatListItem, error) {
	defer rows.Close()
	var out []ChatListItem
	for rows.Next() {
		var (
			it                          ChatListItem
			storeName, state, orderAt   sql.NullString
			body, created, uname, email sql.NullString
			uid                         sql.NullInt64
			deleted                     sql.NullBool
		)
		if err := rows.Scan(&it.RoomID, &it.UserID, &it.Activity, &it.Muted, &it.PostID, &it.Title,
			&storeName, &state, &orderAt, &it.Complete,
			&body, &created, &uid, &uname, &email, &deleted, &it.LastHidden, &it.Unread); err != nil {
			return nil, fmt.Errorf("scan chat list: %w", err)
		}
		if storeName.Valid {
			it.StoreName, it.OrderState = &storeName.String, &state.String
			t := parseTime(orderAt.String)
			it.OrderAt = &t
		}
		if it.Activity != 0 {
			m := Message{ID: it.Activity, RoomID: it.RoomID, Body: body.String, CreatedAt: parseTime(created.String)}
			if uid.Valid {
				m.User = &UserRef{ID: uid.Int64, Username: uname.String, Email: email.String, Deleted: deleted.Bool}
			}
			it.Last = &m
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("chat list: %w", err)
	}
	return out, nil
}

// MarkRead moves the member's read marker of the room forward to
// messageID, never back and never past the room's last message. moved is
// false when the marker already stood there or later. A missing or deleted
// room is ErrNotFound, a non-member (also a banned user) ErrNotMember.
func (s *Store) MarkRead(ctx context.Context, roomID, userID, messageID int64) (moved bool, err error) {
	err = s.tx(ctx, func(tx *wtx) error {
		if err := memberInTx(ctx, tx, roomID, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE room_members
			SET last_read_id = MIN(?3, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE room_id = ?1))
			WHERE room_id = ?1 AND user_id = ?2
				AND last_read_id < MIN(?3, (SELECT COALESCE(MAX(id), 0) FROM messages WHERE room_id = ?1))`,
			roomID, userID, messageID)
		if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		n, _ := res.RowsAffected()
		moved = n > 0
		return nil
	})
	return moved, err
}

// SetMuted sets the member's mute switch of the room. Errors as MarkRead.
func (s *Store) SetMuted(ctx context.Context, roomID, userID int64, muted bool) error {
	return s.tx(ctx, func(tx *wtx) error {
		if err := memberInTx(ctx, tx, roomID, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE room_members SET muted = ? WHERE room_id = ? AND user_id = ?`,
			boolInt(muted), roomID, userID); err != nil {
			return fmt.Errorf("set muted: %w", err)
		}
		return nil
	})
}

// memberInTx is nil when userID is a member of the room, which exists and
// is not deleted; ErrNotFound or ErrNotMember otherwise.
func memberInTx(ctx context.Context, tx *wtx, roomID, userID int64) error {
	var exists, member bool
	if err := tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM chat_rooms WHERE id = ?1 AND deleted_at IS NULL),
		EXISTS (SELECT 1 FROM room_members WHERE room_id = ?1 AND user_id = ?2)`, roomID, userID).
		Scan(&exists, &member); err != nil {
		return fmt.Errorf("membership: %w", err)
	}
	switch {
	case !exists:
		return ErrNotFound
	case !member:
		return ErrNotMember
	}
	return nil
}

// MemberIDs lists the ids of a room's members (also of a deleted room).
func (s *Store) MemberIDs(ctx context.Context, roomID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id`, roomID)
	if err != nil {
		return nil, fmt.Errorf("member ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan member id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AddNotice writes body as a system message (no user) into a room that is
// not deleted: the room-full and closed-by-organiser notices of issue 13.
func (s *Store) AddNotice(ctx context.Context, roomID int64, body string) (Message, error) {
	var m Message
	err := s.tx(ctx, func(tx *wtx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM chat_rooms WHERE id = ? AND deleted_at IS NULL)`,
			roomID).Scan(&exists); err != nil {
			return fmt.Errorf("notice room: %w", err)
		}
		if !exists {
			return ErrNotFound
		}
		var err error
		m, err = s.insertSystemMessage(ctx, tx, roomID, body)
		return err
	})
	return m, err
}
