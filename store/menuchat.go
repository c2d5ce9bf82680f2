package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrQuotaExceeded is returned by AppendMenuChat when the user has already
// asked the day's allowance of questions.
var ErrQuotaExceeded = errors.New("store: daily question quota exceeded")

// MenuChatMessage is one message of a user's conversation with the menu
// assistant.
type MenuChatMessage struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// MenuChat returns the user's conversation of the service day day, oldest
// first, and how many questions the user asked that day. Messages of other
// days are not returned: the conversation resets with the day.
func (s *Store) MenuChat(ctx context.Context, userID int64, day string) (msgs []MenuChatMessage, asked int, err error) {
	msgs, err = menuChat(ctx, s.r, userID, day)
	if err != nil {
		return nil, 0, err
	}
	err = s.r.QueryRowContext(ctx, `SELECT questions FROM foodchat_quota WHERE user_id = ? AND day = ?`,
		userID, day).Scan(&asked)
	if errors.Is(err, sql.ErrNoRows) {
		return msgs, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("foodchat quota: %w", err)
	}
	return msgs, asked, nil
}

type menuChatQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func menuChat(ctx context.Context, q menuChatQueryer, userID int64, day string) ([]MenuChatMessage, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, content FROM foodchat_messages
		WHERE user_id = ? AND day = ? ORDER BY id`, userID, day)
	if err != nil {
		return nil, fmt.Errorf("foodchat messages: %w", err)
	}
	defer rows.Close()
	var out []MenuChatMessage
	for rows.Next() {
		var m MenuChatMessage
		if err := rows.Scan(&m.Role, &m.Content); err != nil {
			return nil, fmt.Errorf("scan foodchat message: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReserveMenuQuestion counts one question of the user's day before it is
// answered, in one statement that increments only while fewer than limit
// were asked: concurrent questions cannot all pass a read-then-write check.
// It returns ErrQuotaExceeded, changing nothing, at the limit. Counts of
// other days are dropped.
func (s *Store) ReserveMenuQuestion(ctx context.Context, userID int64, day string, limit int) error {
	return s.tx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM foodchat_quota WHERE user_id = ? AND day <> ?`, userID, day); err != nil {
			return fmt.Errorf("drop old foodchat quota: %w", err)
		}
		if limit <= 0 {
			return ErrQuotaExceeded
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO foodchat_quota (user_id, day, questions) VALUES (?, ?, 1)
			ON CONFLICT (user_id, day) DO UPDATE SET questions = foodchat_quota.questions + 1
			WHERE foodchat_quota.questions < ?`, userID, day, limit)
		if err != nil {
			return fmt.Errorf("reserve foodchat question: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("reserve foodchat question: %w", err)
		} else if n == 0 {
			return ErrQuotaExceeded
		}
		return nil
	})
}

// ReleaseMenuQuestion gives back a question ReserveMenuQuestion counted,
// for when the answer could not be had (the LLM failed).
func (s *Store) ReleaseMenuQuestion(ctx context.Context, userID int64, day string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE foodchat_quota SET questions = questions - 1
		WHERE user_id = ? AND day = ? AND questions > 0`, userID, day); err != nil {
		return fmt.Errorf("release foodchat question: %w", err)
	}
	return nil
}

// MenuChatTurn is one answered question to store.
type MenuChatTurn struct {
	UserID int64
	Day    string // service day, as given to MenuChat
	// System opens the conversation; it is stored only when the day's
	// conversation is still empty (a concurrent turn may have opened it).
	System   []MenuChatMessage
	Question string
	Answer   string
	// Limit is the number of questions allowed a day.
	Limit int
	// Reserved: the question was already counted by ReserveMenuQuestion;
	// the turn is stored without counting it again.
	Reserved bool
	// KeepTurns bounds the stored conversation: the system messages and the
	// newest KeepTurns question-answer pairs stay.
	KeepTurns int
}

// AppendMenuChat counts one question (unless Reserved) and stores the
// question and its answer in one transaction, so that a failed answer
// neither spends the quota nor leaves a dangling question. It returns
// ErrQuotaExceeded, changing nothing, when Limit questions were already
// asked that day, and else the day's conversation after the turn. Other
// days' messages and counts are dropped.
func (s *Store) AppendMenuChat(ctx context.Context, t MenuChatTurn) ([]MenuChatMessage, error) {
	var conv []MenuChatMessage
	err := s.tx(ctx, func(tx *wtx) error {
		if !t.Reserved {
			if err := countQuestion(ctx, tx, t); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM foodchat_messages WHERE user_id = ? AND day <> ?`, t.UserID, t.Day); err != nil {
			return fmt.Errorf("drop old foodchat messages: %w", err)
		}
		var existing int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM foodchat_messages WHERE user_id = ? AND day = ?`,
			t.UserID, t.Day).Scan(&existing); err != nil {
			return fmt.Errorf("count foodchat messages: %w", err)
		}
		add := []MenuChatMessage{{Role: "user", Content: t.Question}, {Role: "assistant", Content: t.Answer}}
		if existing == 0 {
			add = append(append([]MenuChatMessage(nil), t.System...), add...)
		}
		now := formatTime(s.now())
		for _, m := range add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO foodchat_messages (user_id, day, role, content, created_at)
				VALUES (?, ?, ?, ?, ?)`, t.UserID, t.Day, m.Role, m.Content, now); err != nil {
				return fmt.Errorf("insert foodchat message: %w", err)
			}
		}
		if t.KeepTurns > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM foodchat_messages
				WHERE user_id = ? AND role <> 'system' AND id NOT IN (
					SELECT id FROM foodchat_messages WHERE user_id = ? AND role <> 'system' ORDER BY id DESC LIMIT ?)`,
				t.UserID, t.UserID, 2*t.KeepTurns); err != nil {
				return fmt.Errorf("trim foodchat: %w", err)
			}
		}
		var err error
		conv, err = menuChat(ctx, tx, t.UserID, t.Day)
		return err
	})
	if err != nil {
		return nil, err
	}
	return conv, nil
}

// countQuestion counts the turn's question inside AppendMenuChat's
// transaction, refusing it at the limit.
func countQuestion(ctx context.Context, tx *wtx, t MenuChatTurn) error {
	var asked int
	err := tx.QueryRowContext(ctx, `SELECT questions FROM foodchat_quota WHERE user_id = ? AND day = ?`,
		t.UserID, t.Day).Scan(&asked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("foodchat quota: %w", err)
	}
	if asked >= t.Limit {
		return ErrQuotaExceeded
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM foodchat_quota WHERE user_id = ? AND day <> ?`, t.UserID, t.Day); err != nil {
		return fmt.Errorf("drop old foodchat quota: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO foodchat_quota (user_id, day, questions) VALUES (?, ?, 1)
		ON CONFLICT (user_id, day) DO UPDATE SET questions = foodchat_quota.questions + 1`, t.UserID, t.Day); err != nil {
		return fmt.Errorf("count foodchat question: %w", err)
	}
	return nil
}

// ResetMenuChat deletes the user's conversation. The day's question count
// stays: a reset is not a way around the quota.
func (s *Store) ResetMenuChat(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM foodchat_messages WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("reset foodchat: %w", err)
		}
		return nil
	})
}
