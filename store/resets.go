package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrResetInvalid: the reset token is unknown, used or expired.
var ErrResetInvalid = errors.New("store: reset token unknown, used or expired")

// CreateReset stores a one-time password reset token by its hash.
func (s *Store) CreateReset(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, formatTime(expires), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("create reset: %w", err)
	}
	return nil
}

// ResetValid reports whether a reset token can still be used.
func (s *Store) ResetValid(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		tokenHash, formatTime(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("reset: %w", err)
	}
	return n > 0, nil
}

// ResetPassword uses a reset token: in one transaction it sets the new
// password hash, bumps the credential version (every earlier API token stops
// working), ends every session and uses up every reset token of the account.
// ErrResetInvalid when the token is unknown, used or expired.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (User, error) {
	defer s.usersChanged()
	var u User
	err := s.tx(ctx, func(tx *wtx) error {
		now := formatTime(s.now())
		var uid int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			tokenHash, now).Scan(&uid)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrResetInvalid
		}
		if err != nil {
			return fmt.Errorf("reset: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, uid); err != nil {
			return fmt.Errorf("use reset tokens: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, cred_version = cred_version + 1 WHERE id = ?`,
			passwordHash, uid); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, uid); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, uid))
		return err
	})
	return u, err
}
