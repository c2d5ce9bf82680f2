package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PushSubscription is one browser's Web Push subscription (issue 13): the
// push service's endpoint URL and the browser's P-256 public key and auth
// secret, both base64url as the browser gives them.
type PushSubscription struct {
	ID       int64
	UserID   int64
	Endpoint string
	P256dh   string
	Auth     string
}

// PushCredential says what registered a subscription: a web session
// (its hash), else a token of this credential version.
type PushCredential struct {
	SessionHash string
	CredVersion int64
}

// SavePushSubscription stores sub for sub.UserID. The same endpoint again
// updates its keys and owner rather than adding a row: a browser has one
// subscription, whoever signed in last owns it. by ties it to the web
// session that registered it, or to the token's credential version. Only
// the keep newest subscriptions of the user stay (keep <= 0: all).
func (s *Store) SavePushSubscription(ctx context.Context, sub PushSubscription, by PushCredential, keep int) error {
	var session, ver any
	if by.SessionHash != "" {
		session = by.SessionHash
	} else {
		ver = by.CredVersion
	}
	return s.tx(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions (user_id, session_hash, cred_version, endpoint, p256dh, auth, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(endpoint) DO UPDATE SET user_id = excluded.user_id, session_hash = excluded.session_hash,
				cred_version = excluded.cred_version, p256dh = excluded.p256dh, auth = excluded.auth, updated_at = excluded.updated_at`,
			sub.UserID, session, ver, sub.Endpoint, sub.P256dh, sub.Auth, formatTime(s.now()))
		if err != nil {
			return fmt.Errorf("save push subscription: %w", err)
		}
		if keep <= 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE user_id = ? AND id NOT IN
			(SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?)`,
			sub.UserID, sub.UserID, keep)
		if err != nil {
			return fmt.Errorf("trim push subscriptions: %w", err)
		}
		return nil
	})
}

// DeletePushSubscription removes userID's subscription with this endpoint;
// ErrNotFound when the user has none (another user's is left alone).
func (s *Store) DeletePushSubscription(ctx context.Context, userID int64, endpoint string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?`, userID, endpoint)
	if err != nil {
		return fmt.Errorf("delete push subscription: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeletePushEndpoint removes a subscription whatever its owner: the push
// service answered that it is gone (404/410).
func (s *Store) DeletePushEndpoint(ctx context.Context, endpoint string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint = ?`, endpoint); err != nil {
		return fmt.Errorf("delete push endpoint: %w", err)
	}
	return nil
}

// PushSubscriptionsOf lists the live subscriptions of these users: of
// active accounts, and for a token-registered one only while that token's
// credential version is current.
func (s *Store) PushSubscriptionsOf(ctx context.Context, userIDs []int64) ([]PushSubscription, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.user_id, p.endpoint, p.p256dh, p.auth FROM push_subscriptions p
		JOIN users u ON u.id = p.user_id AND u.is_active = 1
		WHERE p.user_id IN (?`+strings.Repeat(",?", len(userIDs)-1)+`)
		AND (p.session_hash IS NOT NULL OR p.cred_version = u.cred_version)
		ORDER BY p.user_id, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []PushSubscription
	for rows.Next() {
		var p PushSubscription
		if err := rows.Scan(&p.ID, &p.UserID, &p.Endpoint, &p.P256dh, &p.Auth); err != nil {
			return nil, fmt.Errorf("scan push subscription: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PushMember is a room member as Web Push sees it.
type PushMember struct {
	UserID int64
	Muted  bool // room_members.muted: no message pushes
}

// PushMembers lists a room's members with their mute switch.
func (s *Store) PushMembers(ctx context.Context, roomID int64) ([]PushMember, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT user_id, muted FROM room_members WHERE room_id = ? ORDER BY user_id`, roomID)
	if err != nil {
		return nil, fmt.Errorf("push members: %w", err)
	}
	defer rows.Close()
	var out []PushMember
	for rows.Next() {
		var m PushMember
		if err := rows.Scan(&m.UserID, &m.Muted); err != nil {
			return nil, fmt.Errorf("scan push member: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Reminder kinds of push_reminders.
const (
	ReminderDeadline = "deadline" // 10 minutes before an order's deadline
	ReminderSettle   = "settle"   // two hours after arrival, to who has not paid
)

// Reminder is one reminder that is due.
type Reminder struct {
	RoomID int64
	Kind   string
	At     string // the key within the room and kind
}

// ClaimDeadlineReminders returns the rooms whose order is still recruiting
// with its deadline in (now, now+lead], and marks their reminder sent in
// the same transaction: each (room, deadline) is returned once, ever, also
// across restarts. A deadline that is edited gets its own reminder.
func (s *Store) ClaimDeadlineReminders(ctx context.Context, lead time.Duration) ([]Reminder, error) {
	now := s.now()
	var out []Reminder
	err := s.tx(ctx, func(tx *wtx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, o.order_at FROM orders o
			JOIN chat_rooms r ON r.post_id = o.post_id AND r.deleted_at IS NULL
			WHERE o.state = 'recruiting' AND o.order_at > ? AND o.order_at <= ?
			AND NOT EXISTS (SELECT 1 FROM push_reminders p WHERE p.room_id = r.id AND p.kind = 'deadline' AND p.at = o.order_at)`,
			formatTime(now), formatTime(now.Add(lead)))
		if err != nil {
			return fmt.Errorf("due deadlines: %w", err)
		}
		for rows.Next() {
			r := Reminder{Kind: ReminderDeadline}
			if err := rows.Scan(&r.RoomID, &r.At); err != nil {
				rows.Close()
				return fmt.Errorf("scan due deadline: %w", err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range out {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO push_reminders (room_id, kind, at, due_at, sent) VALUES (?, ?, ?, ?, 1)`,
				r.RoomID, r.Kind, r.At, formatTime(now)); err != nil {
				return fmt.Errorf("claim deadline reminder: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// ScheduleSettleReminder plans a room's settlement reminder for
// arrivedAt+after. A room gets one, however often it is scheduled.
func (s *Store) ScheduleSettleReminder(ctx context.Context, roomID int64, due time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO push_reminders (room_id, kind, at, due_at, sent) VALUES (?, 'settle', '', ?, 0)`,
		roomID, formatTime(due))
	if err != nil {
		return fmt.Errorf("schedule settle reminder: %w", err)
	}
	return nil
}

// ClaimSettleReminders returns the settlement reminders that are due and
// marks them sent, in one transaction.
func (s *Store) ClaimSettleReminders(ctx context.Context) ([]Reminder, error) {
	now := formatTime(s.now())
	var out []Reminder
	err := s.tx(ctx, func(tx *wtx) error {
		rows, err := tx.QueryContext(ctx, `SELECT room_id, at FROM push_reminders WHERE kind = 'settle' AND sent = 0 AND due_at <= ?`, now)
		if err != nil {
			return fmt.Errorf("due settle reminders: %w", err)
		}
		for rows.Next() {
			r := Reminder{Kind: ReminderSettle}
			if err := rows.Scan(&r.RoomID, &r.At); err != nil {
				rows.Close()
				return fmt.Errorf("scan settle reminder: %w", err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE push_reminders SET sent = 1 WHERE kind = 'settle' AND sent = 0 AND due_at <= ?`, now)
		if err != nil {
			return fmt.Errorf("mark settle reminders: %w", err)
		}
		return nil
	})
	return out, err
}

// UnpaidMembers lists the members of a room whose order has arrived and who
// have not marked their payment, the organiser (who is paid) excepted. Nil
// when the order is not in the arrived state any more.
func (s *Store) UnpaidMembers(ctx context.Context, roomID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT m.user_id FROM chat_rooms r
		JOIN posts p ON p.id = r.post_id
		JOIN orders o ON o.post_id = p.id AND o.state = 'arrived'
		JOIN room_members m ON m.room_id = r.id AND m.user_id <> p.writer_id
		LEFT JOIN order_members om ON om.post_id = p.id AND om.user_id = m.user_id
		WHERE r.id = ? AND r.deleted_at IS NULL AND COALESCE(om.paid, 'none') = 'none'
		ORDER BY m.user_id`, roomID)
	if err != nil {
		return nil, fmt.Errorf("unpaid members: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan unpaid member: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PushSubscriberIDs lists the users who have at least one subscription.
func (s *Store) PushSubscriberIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT user_id FROM push_subscriptions`)
	if err != nil {
		return nil, fmt.Errorf("push subscribers: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan push subscriber: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
