package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Errors of the chat room use cases.
var (
	// ErrCannotJoin: the room is full, its post is complete, or the user is
	// banned from it.
	ErrCannotJoin = errors.New("store: room is full, complete or the user is banned")
	// ErrNotMember: the user is not a member of the room.
	ErrNotMember = errors.New("store: not a member of the room")
	// ErrWriterStays: the post's writer can neither leave nor be banned.
	ErrWriterStays = errors.New("store: the writer cannot leave the room")
	// ErrUnknownUser: the user a change names does not exist.
	ErrUnknownUser = errors.New("store: no such user")
)

// Room is a post's chat room with what its page shows of the post.
type Room struct {
	ID           int64
	PostID       int64
	Title        string
	TargetNumber int
	JoinNumber   int
	// Closed is the writer's own flag; see Complete.
	Closed bool
	// Complete is the post's is_compelete of docs/api.md (see completeSQL).
	Complete bool
	Writer   UserRef
	// Area is the post's area key (see Post.Area).
	Area string
}

const roomSelect = `SELECT r.id, p.id, p.title, p.target_number, p.closed, u.id, u.username, u.email, p.area,
	` + joinNumberSQL + `, ` + completeSQL + `, ` + deletedSQL + `
	FROM chat_rooms r JOIN posts p ON p.id = r.post_id JOIN users u ON u.id = p.writer_id
	WHERE r.id = ? AND r.deleted_at IS NULL`

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findRoom(ctx context.Context, q querier, id int64) (Room, error) {
	var r Room
	err := q.QueryRowContext(ctx, roomSelect, id).Scan(&r.ID, &r.PostID, &r.Title, &r.TargetNumber, &r.Closed,
		&r.Writer.ID, &r.Writer.Username, &r.Writer.Email, &r.Area, &r.JoinNumber, &r.Complete, &r.Writer.Deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return Room{}, ErrNotFound
	}
	if err != nil {
		return Room{}, fmt.Errorf("find room: %w", err)
	}
	return r, nil
}

// RoomByID finds a room that has not been deleted; ErrNotFound otherwise.
func (s *Store) RoomByID(ctx context.Context, id int64) (Room, error) {
	return findRoom(ctx, s.r, id)
}

// Membership is one user's standing in one room.
type Membership struct {
	RoomExists bool // the room exists and is not deleted
	Member     bool
	Banned     bool
}

// MembershipOf reads a user's standing in a room in one query.
func (s *Store) MembershipOf(ctx context.Context, roomID, userID int64) (Membership, error) {
	var m Membership
	err := s.r.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM chat_rooms WHERE id = ?1 AND deleted_at IS NULL),
		EXISTS (SELECT 1 FROM room_members WHERE room_id = ?1 AND user_id = ?2),
		EXISTS (SELECT 1 FROM room_bans WHERE room_id = ?1 AND user_id = ?2)`, roomID, userID).
		Scan(&m.RoomExists, &m.Member, &m.Banned)
	if err != nil {
		return Membership{}, fmt.Errorf("membership: %w", err)
	}
	return m, nil
}

// RoomMembers lists the members of a room in the order they joined.
func (s *Store) RoomMembers(ctx context.Context, roomID int64) ([]UserRef, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.username, u.email FROM room_members m
		JOIN users u ON u.id = m.user_id WHERE m.room_id = ? ORDER BY m.joined_at, u.id`, roomID)
	if err != nil {
		return nil, fmt.Errorf("room members: %w", err)
	}
	defer rows.Close()
	out := []UserRef{}
	for rows.Next() {
		var u UserRef
		if err := rows.Scan(&u.ID, &u.Username, &u.Email); err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// System message texts of the original service, written with no user.
const (
	joinNotice  = " 님이 들어왔어요."
	leaveNotice = " 님이 나갔어요."
	// kickNotice is written when the writer bans a member (issue 13).
	kickNotice = " 님을 방장이 채팅방에서 내보냈어요."
)

// RoomChange is the outcome of a join, leave or ban.
type RoomChange struct {
	Room Room // the room after the change
	// Changed is false when nothing happened (joining a room twice).
	Changed bool
	// Notice is the system message written, when Changed.
	Notice Message
}

// JoinRoom adds the user to the room and writes the join notice, in one
// transaction. Joining twice changes nothing. A full or complete room, or a
// ban, is ErrCannotJoin; a missing or deleted room ErrNotFound. The writer
// connection serialises joins, so the member count never passes the target.
func (s *Store) JoinRoom(ctx context.Context, roomID, userID int64) (RoomChange, error) {
	return s.JoinRoomLimited(ctx, roomID, userID, 0)
}

// ErrTooManyOpenRooms: the user already belongs to maxOpen rooms of other
// people's posts that are not complete.
var ErrTooManyOpenRooms = errors.New("store: too many open rooms")

// JoinRoomLimited is JoinRoom that, when maxOpen is positive, refuses a new
// membership with ErrTooManyOpenRooms while the user belongs to maxOpen
// rooms (of posts written by others) that are not complete. The count is
// read in the join's write transaction.
func (s *Store) JoinRoomLimited(ctx context.Context, roomID, userID int64, maxOpen int) (RoomChange, error) {
	var out RoomChange
	err := s.tx(ctx, func(tx *wtx) error {
		room, err := findRoom(ctx, tx, roomID)
		if err != nil {
			return err
		}
		var member, banned bool
		if err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM room_members WHERE room_id = ?1 AND user_id = ?2),
			EXISTS (SELECT 1 FROM room_bans WHERE room_id = ?1 AND user_id = ?2)`, roomID, userID).
			Scan(&member, &banned); err != nil {
			return fmt.Errorf("join check: %w", err)
		}
		if member {
			out.Room = room
			return nil
		}
		if banned {
			return ErrCannotJoin
		}
		// Before Complete, which also holds for a locked order: the refusal
		// names the order.
		if err := orderJoinCheck(ctx, tx, room.PostID, s.now()); err != nil {
			return err
		}
		if room.Complete {
			return ErrCannotJoin
		}
		if maxOpen > 0 {
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM room_members m
				JOIN chat_rooms r ON r.id = m.room_id JOIN posts p ON p.id = r.post_id
				WHERE m.user_id = ?1 AND p.writer_id <> ?1 AND r.deleted_at IS NULL AND NOT `+completeSQL,
				userID).Scan(&open); err != nil {
				return fmt.Errorf("count open rooms: %w", err)
			}
			if open >= maxOpen {
				return ErrTooManyOpenRooms
			}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_members (room_id, user_id, joined_at) VALUES (?, ?, ?)`,
			roomID, userID, formatTime(now)); err != nil {
			return fmt.Errorf("insert member: %w", err)
		}
		if out.Notice, err = s.insertNotice(ctx, tx, roomID, userID, joinNotice); err != nil {
			return err
		}
		out.Changed = true
		out.Room, err = findRoom(ctx, tx, roomID)
		return err
	})
	return out, err
}

// LeaveRoom removes the user from the room and writes the leave notice, in
// one transaction. The writer cannot leave (ErrWriterStays); a non-member is
// ErrNotMember. A full room reopens unless its writer closed it.
func (s *Store) LeaveRoom(ctx context.Context, roomID, userID int64) (RoomChange, error) {
	var out RoomChange
	err := s.tx(ctx, func(tx *wtx) error {
		room, err := findRoom(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if room.Writer.ID == userID {
			return ErrWriterStays
		}
		out, err = s.removeMember(ctx, tx, room, userID, leaveNotice)
		if err != nil {
			return err
		}
		if !out.Changed {
			return ErrNotMember
		}
		return nil
	})
	return out, err
}

// BanUser bans target from the room for good and, when it was a member,
// removes it and writes the leave notice, all in one transaction. The
// writer cannot be banned (ErrWriterStays); an unknown user is
// ErrUnknownUser. Banning a user who is not a member still keeps them out.
func (s *Store) BanUser(ctx context.Context, roomID, targetID int64) (RoomChange, error) {
	var out RoomChange
	err := s.tx(ctx, func(tx *wtx) error {
		room, err := findRoom(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if room.Writer.ID == targetID {
			return ErrWriterStays
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`, targetID).Scan(&exists); err != nil {
			return fmt.Errorf("ban check: %w", err)
		}
		if !exists {
			return ErrUnknownUser
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_bans (room_id, user_id, banned_at) VALUES (?, ?, ?)
			ON CONFLICT (room_id, user_id) DO NOTHING`, roomID, targetID, formatTime(s.now())); err != nil {
			return fmt.Errorf("insert ban: %w", err)
		}
		out, err = s.removeMember(ctx, tx, room, targetID, kickNotice)
		return err
	})
	return out, err
}

// removeMember deletes a membership and writes the notice (leave or kick);
// Changed is false when the user was not a member.
func (s *Store) removeMember(ctx context.Context, tx *wtx, room Room, userID int64, notice string) (RoomChange, error) {
	if err := orderLeaveCheck(ctx, tx, room, userID); err != nil {
		return RoomChange{}, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM room_members WHERE room_id = ? AND user_id = ?`, room.ID, userID)
	if err != nil {
		return RoomChange{}, fmt.Errorf("delete member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return RoomChange{Room: room}, nil
	}
	written, err := s.insertNotice(ctx, tx, room.ID, userID, notice)
	if err != nil {
		return RoomChange{}, err
	}
	room, err = findRoom(ctx, tx, room.ID)
	return RoomChange{Room: room, Changed: true, Notice: written}, err
}

// insertNotice writes "<username><suffix>" as a system message (no user).
func (s *Store) insertNotice(ctx context.Context, tx *wtx, roomID, userID int64, suffix string) (Message, error) {
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&name); err != nil {
		return Message{}, fmt.Errorf("notice user: %w", err)
	}
	m := Message{RoomID: roomID, Body: name + suffix, CreatedAt: s.now()}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (room_id, user_id, body, created_at) VALUES (?, NULL, ?, ?)`,
		roomID, m.Body, formatTime(m.CreatedAt))
	if err != nil {
		return Message{}, fmt.Errorf("insert notice: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	return m, nil
}

// DeleteRoom marks the room deleted and closes its post for good, in one
// transaction. The post stays readable; the room answers ErrNotFound from
// then on.
func (s *Store) DeleteRoom(ctx context.Context, roomID int64) error {
	return s.tx(ctx, func(tx *wtx) error { return deleteRoom(ctx, tx, roomID, s.now()) })
}

// deleteRoom is DeleteRoom inside tx (also DeleteRoomBy's).
func deleteRoom(ctx context.Context, tx *wtx, roomID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE chat_rooms SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`,
		formatTime(now), roomID)
	if err != nil {
		return fmt.Errorf("delete room: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET closed = 1 WHERE id = (SELECT post_id FROM chat_rooms WHERE id = ?)`,
		roomID); err != nil {
		return fmt.Errorf("close post: %w", err)
	}
	return cancelOrderOfDeletedRoom(ctx, tx, roomID)
}
