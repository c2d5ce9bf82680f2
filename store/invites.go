package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInviteInvalid: the invite code is unknown, used up or expired.
var ErrInviteInvalid = errors.New("store: invite code unknown, used up or expired")

// Invite is an invite code's state; the code itself is never stored.
type Invite struct {
	ID        int64
	MaxUses   int
	Uses      int
	ExpiresAt time.Time // zero: never
	CreatedAt time.Time
}

// CreateInvite stores an invite by the hash of its code.
func (s *Store) CreateInvite(ctx context.Context, codeHash string, maxUses int, expires time.Time) (Invite, error) {
	var exp any
	if !expires.IsZero() {
		exp = formatTime(expires)
	}
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO invites (code_hash, max_uses, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		codeHash, maxUses, exp, formatTime(now))
	if err != nil {
		return Invite{}, fmt.Errorf("create invite: %w", err)
	}
	id, _ := res.LastInsertId()
	return Invite{ID: id, MaxUses: maxUses, ExpiresAt: expires, CreatedAt: now}, nil
}

// InviteValid reports whether an invite can still be used (for the
// validation message; Register checks again atomically).
func (s *Store) InviteValid(ctx context.Context, codeHash string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM invites WHERE code_hash = ? AND uses < max_uses
		AND (expires_at IS NULL OR expires_at > ?)`, codeHash, formatTime(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("invite: %w", err)
	}
	return n > 0, nil
}

// Signup is how Register admits an account.
type Signup struct {
	// InviteHash, when set, must name a valid invite; one use is taken.
	InviteHash string
	// Pending makes the account wait for staff approval.
	Pending bool
}

// Register creates an account as CreateUser does and, in the same
// transaction, takes one use of the invite (ErrInviteInvalid when it is
// unknown, used up or expired) and marks the account as waiting.
func (s *Store) Register(ctx context.Context, n NewUser, how Signup) (User, error) {
	var u User
	err := s.tx(ctx, func(tx *wtx) error {
		now := formatTime(s.now())
		if how.InviteHash != "" {
			res, err := tx.ExecContext(ctx, `UPDATE invites SET uses = uses + 1 WHERE code_hash = ? AND uses < max_uses
				AND (expires_at IS NULL OR expires_at > ?)`, how.InviteHash, now)
			if err != nil {
				return fmt.Errorf("use invite: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrInviteInvalid
			}
		}
		var err error
		if u, err = s.createUser(ctx, tx, n); err != nil {
			return err
		}
		if how.Pending {
			if _, err := tx.ExecContext(ctx, `INSERT INTO pending_users (user_id, created_at) VALUES (?, ?)`, u.ID, now); err != nil {
				return fmt.Errorf("mark pending: %w", err)
			}
		}
		return nil
	})
	return u, err
}

// Invites lists invite codes, newest first.
func (s *Store) Invites(ctx context.Context) ([]Invite, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, max_uses, uses, COALESCE(expires_at, ''), created_at FROM invites ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("invites: %w", err)
	}
	defer rows.Close()
	var out []Invite
	for rows.Next() {
		var in Invite
		var exp, created string
		if err := rows.Scan(&in.ID, &in.MaxUses, &in.Uses, &exp, &created); err != nil {
			return nil, fmt.Errorf("scan invite: %w", err)
		}
		if strings.TrimSpace(exp) != "" {
			in.ExpiresAt = parseTime(exp)
		}
		in.CreatedAt = parseTime(created)
		out = append(out, in)
	}
	return out, rows.Err()
}
