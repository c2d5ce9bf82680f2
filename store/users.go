package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// User is a resident or staff account.
type User struct {
	ID           int64
	Email        string
	Username     string
	PasswordHash string
	Address      string
	// DongCode is the neighbourhood's dataset code, "" when the address is
	// free text.
	DongCode    string
	Range       int
	Active      bool
	Staff       bool
	CredVersion int64
	CreatedAt   time.Time
}

// Area is the key posts of this user's neighbourhood are matched on.
func (u User) Area() string { return AreaKey(u.DongCode, u.Address) }

// AreaKey is the board's match key: the dataset code when there is one, else
// the exact address string marked with "@" so it never equals a code.
func AreaKey(dongCode, address string) string {
	if dongCode != "" {
		return dongCode
	}
	return "@" + address
}

// NewUser holds what CreateUser needs.
type NewUser struct {
	Email        string
	Username     string
	PasswordHash string
	Address      string
	DongCode     string
	Staff        bool
}

const userColumns = `id, email, username, password_hash, address, COALESCE(dong_code, ''),
	search_range, is_active, is_staff, cred_version, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	err := row.Scan(&u.ID, &u.Email, &u.Username, &u.PasswordHash, &u.Address, &u.DongCode,
		&u.Range, &u.Active, &u.Staff, &u.CredVersion, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	u.CreatedAt = parseTime(created)
	return u, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateUser inserts a user; ErrEmailTaken or ErrUsernameTaken name the
// column a duplicate hit (the email is compared case-insensitively).
func (s *Store) CreateUser(ctx context.Context, n NewUser) (User, error) {
	var u User
	err := s.tx(ctx, func(tx *wtx) error {
		var err error
		u, err = s.createUser(ctx, tx, n)
		return err
	})
	return u, err
}

// createUser inserts a user inside tx (CreateUser, Register).
func (s *Store) createUser(ctx context.Context, tx *wtx, n NewUser) (User, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO users
		(email, email_key, username, password_hash, address, dong_code, is_staff, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		n.Email, strings.ToLower(n.Email), n.Username, n.PasswordHash, n.Address,
		nullable(n.DongCode), boolInt(n.Staff), formatTime(s.now()))
	if err != nil {
		return User{}, uniqueConflict(ctx, tx, 0, n.Email, n.Username, fmt.Errorf("insert user: %w", err))
	}
	id, _ := res.LastInsertId()
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// uniqueConflict turns a failed write of a users row into ErrEmailTaken or
// ErrUsernameTaken when it broke one of those UNIQUE constraints. SQLite
// names the column only in the error's text, so the table is asked instead,
// inside the same transaction (a failed statement does not end it). Any
// other failure is returned as it is.
func uniqueConflict(ctx context.Context, tx *wtx, selfID int64, email, username string, err error) error {
	if !isUnique(err) {
		return err
	}
	if taken := checkUnique(ctx, tx, selfID, email, username); taken != nil {
		return taken
	}
	return err
}

// CheckAvailable tells, before the costly password hash of a sign-up,
// whether email or username is taken: ErrEmailTaken, ErrUsernameTaken or
// nil. CreateUser still enforces both (a race between two sign-ups).
func (s *Store) CheckAvailable(ctx context.Context, email, username string) error {
	return checkUnique(ctx, s.r, 0, email, username)
}

// checkUnique tells which of email and username another user already has:
// the email first, as registration reports it.
func checkUnique(ctx context.Context, tx interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, selfID int64, email, username string) error {
	if email != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email_key = ? AND id != ?`,
			strings.ToLower(email), selfID).Scan(&n); err != nil {
			return fmt.Errorf("check email: %w", err)
		}
		if n > 0 {
			return ErrEmailTaken
		}
	}
	if username != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = ? AND id != ?`,
			username, selfID).Scan(&n); err != nil {
			return fmt.Errorf("check username: %w", err)
		}
		if n > 0 {
			return ErrUsernameTaken
		}
	}
	return nil
}

// UsersVersion moves on after every change of a users row or of a user's
// blocks made through this Store, once the change has committed (or
// failed): a copy read while it had one value is current as long as it has
// that value.
// Changes by other processes (the CLI) do not move it; DataVersion does.
// Every method that writes users calls usersChanged (deferred, so after
// its commit).
func (s *Store) UsersVersion() uint64 { return s.users.ver.Load() }

func (s *Store) usersChanged() { s.users.ver.Add(1) }

// userWrites counts the changes of users and user_blocks rows on the
// writer connection. Besides the explicit usersChanged of the methods that
// write them, a pre-update hook on every writer connection sees each row
// written to those tables, so that a write added later without the call
// still moves the version: at the row (before its commit) and, inside
// Store.tx, again once the transaction has committed.
type userWrites struct {
	ver   atomic.Uint64
	dirty atomic.Bool // a users row was written since the last commit of tx

	members memberWrites // room_members rows, by user (MembershipVersion)

	ckpt *checkpointer // told of every commit of the writer
}

// connector opens writer connections with the hook on; it also tells
// board of the posts written and history of the messages changed.
func (u *userWrites) connector(base driver.Connector, board *boardIndex, history *historyCache) driver.Connector {
	return hookedConnector{Connector: base, u: u, board: board, history: history}
}

type hookedConnector struct {
	driver.Connector
	u       *userWrites
	board   *boardIndex
	history *historyCache
}

func (c hookedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	h, ok := conn.(sqlite.HookRegisterer)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlite connection without hooks")
	}
	h.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) {
		switch d.TableName {
		case "users", "user_blocks":
			c.u.ver.Add(1)
			c.u.dirty.Store(true)
		case "room_members":
			c.u.members.hook(&d)
		case "posts", "hidden_posts":
			c.board.hook(&d)
		case "messages":
			c.history.hook(&d)
		}
	})
	h.RegisterCommitHook(func() int32 {
		c.u.ckpt.committed()
		return 0 // go on with the commit
	})
	return conn, nil
}

// committed moves the version after a transaction that wrote users rows.
func (u *userWrites) committed() {
	if u.dirty.Swap(false) {
		u.ver.Add(1)
	}
}

// UserByID finds a user, active or not.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UserByEmail finds a user by email, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = ?`,
		strings.ToLower(email)))
}

// UserByLogin finds a user by email or, failing that, by username (the CLI
// accepts either).
func (s *Store) UserByLogin(ctx context.Context, login string) (User, error) {
	u, err := s.UserByEmail(ctx, login)
	if errors.Is(err, ErrNotFound) {
		return scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, login))
	}
	return u, err
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers counts every account.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// UserUpdate changes the non-nil fields.
type UserUpdate struct {
	Username *string
	// Address and DongCode change together.
	Address  *string
	DongCode *string
	Range    *int
}

// UpdateUser applies a profile change; ErrUsernameTaken when another user
// has the new username.
func (s *Store) UpdateUser(ctx context.Context, id int64, up UserUpdate) (User, error) {
	defer s.usersChanged()
	var u User
	err := s.tx(ctx, func(tx *wtx) error {
		if up.Username != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET username = ? WHERE id = ?`, *up.Username, id); err != nil {
				return uniqueConflict(ctx, tx, id, "", *up.Username, fmt.Errorf("update username: %w", err))
			}
		}
		if up.Address != nil {
			code := ""
			if up.DongCode != nil {
				code = *up.DongCode
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET address = ?, dong_code = ? WHERE id = ?`,
				*up.Address, nullable(code), id); err != nil {
				return fmt.Errorf("update address: %w", err)
			}
		}
		if up.Range != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET search_range = ? WHERE id = ?`, *up.Range, id); err != nil {
				return fmt.Errorf("update range: %w", err)
			}
		}
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		return err
	})
	return u, err
}

// NewSession is a web session to store: the hash of its cookie value.
type NewSession struct {
	TokenHash string
	UserID    int64
	Expires   time.Time
}

// SetPassword stores a new password hash, bumps the credential version (so
// every earlier token stops working) and ends every session of the user;
// next, when not nil, is stored in the same transaction as the caller's
// new session (a web password change rotates the session id). It returns
// the updated user.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, next *NewSession) (User, error) {
	defer s.usersChanged()
	var u User
	err := s.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, cred_version = cred_version + 1 WHERE id = ?`, hash, id)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if next != nil {
			if next.UserID != id {
				return fmt.Errorf("set password: new session of user %d, not %d", next.UserID, id)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
				next.TokenHash, id, formatTime(s.now()), formatTime(next.Expires)); err != nil {
				return fmt.Errorf("rotate session: %w", err)
			}
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		return err
	})
	return u, err
}

// SetActive enables or disables an account. Disabling bumps the credential
// version and ends every session, so the account's tokens stop at once.
func (s *Store) SetActive(ctx context.Context, id int64, active bool) error {
	defer s.usersChanged()
	return s.tx(ctx, func(tx *wtx) error { return setActive(ctx, tx, id, active) })
}

// setActive is SetActive inside tx (also SetActiveBy's and a report's
// disable-user): disabling bumps the credential version and ends the
// sessions, so tokens and cookies stop at once.
func setActive(ctx context.Context, tx *wtx, id int64, active bool) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET is_active = ?, cred_version = cred_version + ? WHERE id = ?`,
		boolInt(active), boolInt(!active), id)
	if err != nil {
		return fmt.Errorf("set active: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if !active {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
	}
	return nil
}

// SetStaff grants or takes staff rights.
func (s *Store) SetStaff(ctx context.Context, id int64, staff bool) error {
	defer s.usersChanged()
	return setStaff(ctx, s.w, id, staff)
}

// setStaff is SetStaff on db, a transaction or the writer.
func setStaff(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, id int64, staff bool) error {
	res, err := db.ExecContext(ctx, `UPDATE users SET is_staff = ? WHERE id = ?`, boolInt(staff), id)
	if err != nil {
		return fmt.Errorf("set staff: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateSession stores a web session by the hash of its cookie value.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, formatTime(s.now()), formatTime(expires))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the user id and expiry of a live session.
func (s *Store) Session(ctx context.Context, tokenHash string) (userID int64, expires time.Time, err error) {
	var exp string
	err = s.r.QueryRowContext(ctx, `SELECT user_id, expires_at FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&userID, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, ErrNotFound
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("session: %w", err)
	}
	expires = parseTime(exp)
	if !expires.After(s.now()) {
		return 0, time.Time{}, ErrNotFound
	}
	return userID, expires, nil
}

// RenewSession moves a session's expiry.
func (s *Store) RenewSession(ctx context.Context, tokenHash string, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, formatTime(expires), tokenHash)
	if err != nil {
		return fmt.Errorf("renew session: %w", err)
	}
	return nil
}

// DeleteSession ends one session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, formatTime(s.now()))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeleteAccount is a resident leaving the service, in one transaction: the
// account is disabled (its credential version moves on and its sessions
// end, as SetActive) and marked deleted (its password hash becomes
// deletedHash: no password matches; writer references say Deleted), its
// posts close, and it leaves every room of other
// people's posts it was in, each with its leave notice (the counts drop, a
// full room reopens). It stays in the rooms of its own, now closed, posts.
// The changes are returned for the caller to publish after the commit.
func (s *Store) DeleteAccount(ctx context.Context, id int64) ([]RoomChange, error) {
	defer s.usersChanged()
	var left []RoomChange
	err := s.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET is_active = 0, cred_version = cred_version + 1,
			password_hash = ? WHERE id = ?`, deletedHash, id)
		if err != nil {
			return fmt.Errorf("disable account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET closed = 1 WHERE writer_id = ?`, id); err != nil {
			return fmt.Errorf("close posts: %w", err)
		}
		// Every room it is in, its own posts' rooms too: the counts drop.
		rows, err := tx.QueryContext(ctx, `SELECT m.room_id FROM room_members m
			JOIN chat_rooms r ON r.id = m.room_id
			WHERE m.user_id = ? AND r.deleted_at IS NULL ORDER BY m.room_id`, id)
		if err != nil {
			return fmt.Errorf("rooms of account: %w", err)
		}
		var rooms []int64
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return fmt.Errorf("scan room: %w", err)
			}
			rooms = append(rooms, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("rooms of account: %w", err)
		}
		for _, r := range rooms {
			room, err := findRoom(ctx, tx, r)
			if err != nil {
				return err
			}
			ch, err := s.removeMember(ctx, tx, room, id, leaveNotice)
			if err != nil {
				return err
			}
			left = append(left, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return left, nil
}
