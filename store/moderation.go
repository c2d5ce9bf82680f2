package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of moderation.
var (
	// ErrSelfTarget: a user tried to report or block themselves.
	ErrSelfTarget = errors.New("store: cannot target yourself")
	// ErrNotReportable: the target is not a post, message or user.
	ErrNotReportable = errors.New("store: unknown report target type")
)

// Report target types.
const (
	TargetPost    = "post"
	TargetMessage = "message"
	TargetUser    = "user"
)

// Report is a resident's report of a post, message or user.
type Report struct {
	ID         int64
	Reporter   UserRef
	TargetType string
	TargetID   int64
	Reason     string
	Text       string
	Status     string // "open" or "resolved"
	Action     string // "" while open; hide, disable-user or dismiss
	ResolvedBy *UserRef
	ResolvedAt time.Time
	CreatedAt  time.Time
}

// NewReport is what CreateReport needs.
type NewReport struct {
	ReporterID int64
	TargetType string
	TargetID   int64
	Reason     string
	Text       string
}

const reportSelect = `SELECT r.id, u.id, u.username, u.email, r.target_type, r.target_id, r.reason, r.body,
	r.status, COALESCE(r.action, ''), s.id, s.username, s.email, COALESCE(r.resolved_at, ''), r.created_at
	FROM reports r JOIN users u ON u.id = r.reporter_id LEFT JOIN users s ON s.id = r.resolved_by`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var (
		r                 Report
		sid               sql.NullInt64
		sname, semail     sql.NullString
		resolved, created string
	)
	err := row.Scan(&r.ID, &r.Reporter.ID, &r.Reporter.Username, &r.Reporter.Email, &r.TargetType, &r.TargetID,
		&r.Reason, &r.Text, &r.Status, &r.Action, &sid, &sname, &semail, &resolved, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, ErrNotFound
	}
	if err != nil {
		return Report{}, fmt.Errorf("scan report: %w", err)
	}
	if sid.Valid {
		r.ResolvedBy = &UserRef{ID: sid.Int64, Username: sname.String, Email: semail.String}
	}
	if resolved != "" {
		r.ResolvedAt = parseTime(resolved)
	}
	r.CreatedAt = parseTime(created)
	return r, nil
}

// CreateReport stores a report. A second report by the same reporter on the
// same target changes nothing and returns the first one with created false.
func (s *Store) CreateReport(ctx context.Context, n NewReport) (r Report, created bool, err error) {
	err = s.tx(ctx, func(tx *wtx) error {
		r, err = scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE r.reporter_id = ? AND r.target_type = ? AND r.target_id = ?`,
			n.ReporterID, n.TargetType, n.TargetID))
		if err == nil || !errors.Is(err, ErrNotFound) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO reports (reporter_id, target_type, target_id, reason, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, n.ReporterID, n.TargetType, n.TargetID, n.Reason, n.Text, formatTime(s.now()))
		if err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		id, _ := res.LastInsertId()
		created = true
		r, err = scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE r.id = ?`, id))
		return err
	})
	return r, created, err
}

// ReportByID finds one report.
func (s *Store) ReportByID(ctx context.Context, id int64) (Report, error) {
	return scanReport(s.r.QueryRowContext(ctx, reportSelect+` WHERE r.id = ?`, id))
}

// ReportFilter selects reports; the zero value lists open ones, oldest first.
type ReportFilter struct {
	All   bool // also resolved ones, newest first
	Limit int  // default 100
}

// ListReports lists reports.
func (s *Store) ListReports(ctx context.Context, f ReportFilter) ([]Report, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := reportSelect + ` WHERE r.status = 'open' ORDER BY r.id LIMIT ?`
	if f.All {
		q = reportSelect + ` ORDER BY r.id DESC LIMIT ?`
	}
	rows, err := s.r.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Actor is who performed a staff action: a staff account (ID) from the web
// app, or the operator at the CLI (ID 0, Name describes them).
type Actor struct {
	ID   int64
	Name string
}

func (a Actor) id() any {
	if a.ID == 0 {
		return nil
	}
	return a.ID
}

// Staff actions recorded in the audit log.
const (
	ActionHide        = "hide"
	ActionDisableUser = "disable-user"
	ActionDismiss     = "dismiss"
	ActionApprove     = "approve"
	// Outside the report queue: the CLI's user commands and staff
	// editing or deleting someone else's post or room, or cancelling its
	// group order.
	ActionEnableUser  = "enable-user"
	ActionGrantStaff  = "grant-staff"
	ActionRevokeStaff = "revoke-staff"
	ActionDeletePost  = "delete-post"
	ActionDeleteRoom  = "delete-room"
	ActionEditPost    = "edit-post"
	ActionCancelOrder = "cancel-order"
)

// SetActiveBy disables or enables an account as SetActive does (disabling
// ends its sessions and tokens) and records who did, in one transaction.
func (s *Store) SetActiveBy(ctx context.Context, userID int64, active bool, by Actor) error {
	return s.tx(ctx, func(tx *wtx) error {
		if err := setActive(ctx, tx, userID, active); err != nil {
			return err
		}
		action := ActionDisableUser
		if active {
			action = ActionEnableUser
		}
		return audit(ctx, tx, by, action, TargetUser, userID, "", formatTime(s.now()))
	})
}

// SetStaffBy grants or takes staff rights as SetStaff does and records who
// did, in one transaction.
func (s *Store) SetStaffBy(ctx context.Context, userID int64, staff bool, by Actor) error {
	return s.tx(ctx, func(tx *wtx) error {
		if err := setStaff(ctx, tx, userID, staff); err != nil {
			return err
		}
		action := ActionRevokeStaff
		if staff {
			action = ActionGrantStaff
		}
		return audit(ctx, tx, by, action, TargetUser, userID, "", formatTime(s.now()))
	})
}

// DeletePostBy removes a post as DeletePost does, for staff removing
// someone else's post, and records who did in the same transaction. The
// post is gone afterwards, so the entry keeps its writer and title.
func (s *Store) DeletePostBy(ctx context.Context, postID int64, by Actor) error {
	return s.tx(ctx, func(tx *wtx) error {
		var writer int64
		var title string
		err := tx.QueryRowContext(ctx, `SELECT writer_id, title FROM posts WHERE id = ?`, postID).Scan(&writer, &title)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, postID); err != nil {
			return fmt.Errorf("delete post: %w", err)
		}
		detail := fmt.Sprintf("writer user %d: %q", writer, title)
		return audit(ctx, tx, by, ActionDeletePost, TargetPost, postID, detail, formatTime(s.now()))
	})
}

// DeleteRoomBy deletes a room as DeleteRoom does and records who did, in
// one transaction: staff deleting the room of someone else's post. The
// entry names the post (a room is its post's).
func (s *Store) DeleteRoomBy(ctx context.Context, roomID int64, by Actor) error {
	return s.tx(ctx, func(tx *wtx) error {
		var postID int64
		err := tx.QueryRowContext(ctx, `SELECT post_id FROM chat_rooms WHERE id = ?`, roomID).Scan(&postID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("delete room: %w", err)
		}
		if err := deleteRoom(ctx, tx, roomID, s.now()); err != nil {
			return err
		}
		return audit(ctx, tx, by, ActionDeleteRoom, TargetPost, postID, fmt.Sprintf("room %d", roomID), formatTime(s.now()))
	})
}

// RecordStaffAction writes an audit entry on its own, for a staff change
// made through a method that has no actor (a post edit): it commits right
// after the change it records, not with it.
func (s *Store) RecordStaffAction(ctx context.Context, by Actor, action, targetType string, targetID int64, detail string) error {
	return s.tx(ctx, func(tx *wtx) error {
		return audit(ctx, tx, by, action, targetType, targetID, detail, formatTime(s.now()))
	})
}

// ResolveReport closes every open report on the same target as report id
// with action, applies the action (hide the post or message; disable the
// user) and writes the audit entry, all in one transaction. disableUserID
// is the account that disable-user disables (the writer, the author or the
// reported user); the caller works it out from the target.
func (s *Store) ResolveReport(ctx context.Context, id int64, action string, disableUserID int64, by Actor) (Report, error) {
	defer s.usersChanged() // disable-user
	var r Report
	err := s.tx(ctx, func(tx *wtx) error {
		var err error
		r, err = scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE r.id = ?`, id))
		if err != nil {
			return err
		}
		now := formatTime(s.now())
		switch action {
		case ActionHide:
			if err := hide(ctx, tx, r.TargetType, r.TargetID, by, now); err != nil {
				return err
			}
		case ActionDisableUser:
			if err := setActive(ctx, tx, disableUserID, false); err != nil {
				return err
			}
		case ActionDismiss:
		default:
			return fmt.Errorf("resolve report: unknown action %q", action)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = 'resolved', action = ?, resolved_by = ?, resolved_at = ?
			WHERE target_type = ? AND target_id = ? AND status = 'open'`, action, by.id(), now, r.TargetType, r.TargetID); err != nil {
			return fmt.Errorf("resolve report: %w", err)
		}
		detail := fmt.Sprintf("report %d (%s %d)", r.ID, r.TargetType, r.TargetID)
		targetType, targetID := r.TargetType, r.TargetID
		if action == ActionDisableUser {
			targetType, targetID = TargetUser, disableUserID
		}
		if err := audit(ctx, tx, by, action, targetType, targetID, detail, now); err != nil {
			return err
		}
		r, err = scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE r.id = ?`, id))
		return err
	})
	return r, err
}

func hide(ctx context.Context, tx *wtx, targetType string, targetID int64, by Actor, now string) error {
	var q string
	switch targetType {
	case TargetPost:
		q = `INSERT INTO hidden_posts (post_id, hidden_by, hidden_at) SELECT id, ?, ? FROM posts WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM hidden_posts WHERE post_id = ?)`
	case TargetMessage:
		q = `INSERT INTO hidden_messages (message_id, hidden_by, hidden_at) SELECT id, ?, ? FROM messages WHERE id = ?
			AND NOT EXISTS (SELECT 1 FROM hidden_messages WHERE message_id = ?)`
	default:
		return ErrNotReportable
	}
	if _, err := tx.ExecContext(ctx, q, by.id(), now, targetID, targetID); err != nil {
		return fmt.Errorf("hide %s: %w", targetType, err)
	}
	return nil
}

// audit writes one staff action into the audit log inside tx.
func audit(ctx context.Context, tx *wtx, by Actor, action, targetType string, targetID int64, detail, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor_id, actor, action, target_type, target_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, by.id(), by.Name, action, targetType, targetID, detail, now)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEntry is one staff action.
type AuditEntry struct {
	ID         int64
	ActorID    int64 // 0 for the CLI
	Actor      string
	Action     string
	TargetType string
	TargetID   int64
	Detail     string
	CreatedAt  time.Time
}

// AuditLog lists staff actions, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, COALESCE(actor_id, 0), actor, action, target_type, target_id, detail, created_at
		FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var created string
		if err := rows.Scan(&e.ID, &e.ActorID, &e.Actor, &e.Action, &e.TargetType, &e.TargetID, &e.Detail, &created); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.CreatedAt = parseTime(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Block makes blocker stop seeing blocked. Blocking twice changes nothing.
func (s *Store) Block(ctx context.Context, blocker, blocked int64) error {
	defer s.usersChanged() // UsersVersion covers blocks too
	if blocker == blocked {
		return ErrSelfTarget
	}
	return s.tx(ctx, func(tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, blocked).Scan(&n); err != nil {
			return fmt.Errorf("block: %w", err)
		}
		if n == 0 {
			return ErrUnknownUser
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_blocks (blocker_id, blocked_id, created_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?)`,
			blocker, blocked, formatTime(s.now()), blocker, blocked)
		if err != nil {
			return fmt.Errorf("block: %w", err)
		}
		return nil
	})
}

// Unblock undoes Block; unblocking someone not blocked is not an error.
func (s *Store) Unblock(ctx context.Context, blocker, blocked int64) error {
	defer s.usersChanged()
	if _, err := s.w.ExecContext(ctx, `DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?`, blocker, blocked); err != nil {
		return fmt.Errorf("unblock: %w", err)
	}
	return nil
}

// Blocked lists the users blocker has blocked, in the order of blocking.
func (s *Store) Blocked(ctx context.Context, blocker int64) ([]UserRef, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.username, u.email FROM user_blocks b JOIN users u ON u.id = b.blocked_id
		WHERE b.blocker_id = ? ORDER BY b.created_at, u.id`, blocker)
	if err != nil {
		return nil, fmt.Errorf("blocked: %w", err)
	}
	defer rows.Close()
	var out []UserRef
	for rows.Next() {
		var u UserRef
		if err := rows.Scan(&u.ID, &u.Username, &u.Email); err != nil {
			return nil, fmt.Errorf("scan blocked: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Blockers returns every block as blocked id → the ids of the users who
// block it. The table holds a few rows per resident at most; the app reads
// it whole when it changed, so that a live chat message costs a map lookup.
func (s *Store) Blockers(ctx context.Context) (map[int64][]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT blocked_id, blocker_id FROM user_blocks ORDER BY blocked_id, blocker_id`)
	if err != nil {
		return nil, fmt.Errorf("blockers: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var blocked, blocker int64
		if err := rows.Scan(&blocked, &blocker); err != nil {
			return nil, fmt.Errorf("scan blockers: %w", err)
		}
		out[blocked] = append(out[blocked], blocker)
	}
	return out, rows.Err()
}

// IsBlocked reports whether blocker has blocked blocked.
func (s *Store) IsBlocked(ctx context.Context, blocker, blocked int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?`, blocker, blocked).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is blocked: %w", err)
	}
	return n > 0, nil
}

// PostHidden reports whether staff hid the post.
func (s *Store) PostHidden(ctx context.Context, postID int64) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM hidden_posts WHERE post_id = ?`, postID).Scan(&n); err != nil {
		return false, fmt.Errorf("post hidden: %w", err)
	}
	return n > 0, nil
}

// HiddenMessages returns which of the message ids staff hid.
func (s *Store) HiddenMessages(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	// A page of history is a run of ids: one range of the table's rowid
	// serves any page with one prepared statement, where an IN list had a
	// text (and a parse) per page size. Hidden messages of other rooms in
	// the range are left out below.
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	rows, err := s.r.QueryContext(ctx, `SELECT message_id FROM hidden_messages WHERE message_id BETWEEN ? AND ?`,
		slices.Min(ids), slices.Max(ids))
	if err != nil {
		return nil, fmt.Errorf("hidden messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan hidden message: %w", err)
		}
		if want[id] {
			out[id] = true
		}
	}
	return out, rows.Err()
}

// MessageRef is where a message lives and who wrote it (UserID 0 for a
// system notice).
type MessageRef struct {
	ID        int64
	RoomID    int64
	UserID    int64
	Body      string
	CreatedAt time.Time
}

// MessageByID finds one message of a room that still exists.
func (s *Store) MessageByID(ctx context.Context, id int64) (MessageRef, error) {
	var m MessageRef
	var uid sql.NullInt64
	var created string
	err := s.r.QueryRowContext(ctx, `SELECT m.id, m.room_id, m.user_id, m.body, m.created_at FROM messages m
		JOIN chat_rooms r ON r.id = m.room_id WHERE m.id = ? AND r.deleted_at IS NULL`, id).Scan(&m.ID, &m.RoomID, &uid, &m.Body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return MessageRef{}, ErrNotFound
	}
	if err != nil {
		return MessageRef{}, fmt.Errorf("message: %w", err)
	}
	m.UserID = uid.Int64
	m.CreatedAt = parseTime(created)
	return m, nil
}

// moderationFilter is the board's extra condition: no hidden posts, and no
// posts of the writers the viewer blocked. col prefixes the column names
// ("p." or "").
func (f PostFilter) moderationFilter(col string) (string, []any) {
	clause := ` AND ` + col + `id NOT IN (SELECT post_id FROM hidden_posts)`
	if len(f.ExcludeWriters) == 0 {
		return clause, nil
	}
	args := make([]any, len(f.ExcludeWriters))
	for i, id := range f.ExcludeWriters {
		args[i] = id
	}
	return clause + ` AND ` + col + `writer_id NOT IN (?` + strings.Repeat(`, ?`, len(args)-1) + `)`, args
}

// writesInSQL reads the areas of at most ?3 posts of the writers (?1, a
// JSON array of ids) on the writers' index, never a board's, and counts
// them and those in one of the areas (?2, a JSON array of area keys). One
// text for any number of writers and areas, so one prepared statement.
const writesInSQL = `SELECT COUNT(*), COALESCE(SUM(area IN (SELECT value FROM json_each(?2))), 0)
	FROM (SELECT area FROM posts INDEXED BY posts_writer WHERE writer_id IN (SELECT value FROM json_each(?1)) LIMIT ?3+0)`

// writesInLooksAt bounds the posts WritesIn reads, ~0.35 µs each: a
// blocked writer with 5,000 posts elsewhere took 600 µs to clear, three
// times the page it would save rendering.
const writesInLooksAt = 100

// WritesIn reports whether any of writers may have a post, hidden or not,
// in one of areas: one has, or they have more than writesInLooksAt posts
// and it did not look further. A viewer whose blocks are of writers with
// no post there sees those areas' boards as everyone does (the board
// shares its page).
func (s *Store) WritesIn(ctx context.Context, writers []int64, areas []string) (bool, error) {
	if len(writers) == 0 || len(areas) == 0 {
		return false, nil
	}
	ws, err := json.Marshal(writers)
	if err != nil {
		return false, fmt.Errorf("writes in: %w", err)
	}
	as, err := json.Marshal(areas)
	if err != nil {
		return false, fmt.Errorf("writes in: %w", err)
	}
	var read, in int
	if err := s.r.QueryRowContext(ctx, writesInSQL, string(ws), string(as), writesInLooksAt+1).Scan(&read, &in); err != nil {
		return false, fmt.Errorf("writes in: %w", err)
	}
	return in > 0 || read > writesInLooksAt, nil
}

// Approve lets a waiting account in and records who did.
func (s *Store) Approve(ctx context.Context, userID int64, by Actor) error {
	return s.tx(ctx, func(tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pending_users WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("approve: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, by, ActionApprove, TargetUser, userID, "", formatTime(s.now()))
	})
}

// IsPending reports whether the account waits for approval.
func (s *Store) IsPending(ctx context.Context, userID int64) (bool, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM pending_users WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("is pending: %w", err)
	}
	return n > 0, nil
}

// PendingUsers lists the accounts waiting for approval, oldest first.
func (s *Store) PendingUsers(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id IN (SELECT user_id FROM pending_users) ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("pending users: %w", err)
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
