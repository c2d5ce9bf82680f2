package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// ErrClosed is returned by a MessageWriter after Close.
var ErrClosed = errors.New("store: message writer closed")

// Message is one chat message; User is nil for the system's join and leave
// notices.
type Message struct {
	ID        int64
	RoomID    int64
	User      *UserRef
	Body      string
	CreatedAt time.Time
}

// MessagePage selects a page of a room's history. With neither Before nor
// After it is the latest Limit messages; Before pages back from (excluding)
// a message id, After fetches what came after one (catch-up after a
// reconnect). Messages are always returned oldest first.
type MessagePage struct {
	Before int64
	After  int64
	Limit  int
}

// Messages returns a page of a room's history, oldest first, and whether
// more messages lie beyond the page in its direction (older for the latest
// page and Before, newer for After).
func (s *Store) Messages(ctx context.Context, roomID int64, pg MessagePage) ([]Message, bool, error) {
	if pg.Limit <= 0 {
		pg.Limit = 100
	}
	if pg.Before <= 0 && pg.After <= 0 {
		return s.latestMessages(ctx, roomID, pg.Limit) // history.go
	}
	return s.readMessages(ctx, roomID, pg)
}

// readMessages is Messages from the database.
func (s *Store) readMessages(ctx context.Context, roomID int64, pg MessagePage) ([]Message, bool, error) {
	limit := pg.Limit
	const cols = `SELECT m.id, m.room_id, m.body, m.created_at, u.id, u.username, u.email
		FROM messages m LEFT JOIN users u ON u.id = m.user_id WHERE m.room_id = ?`
	var (
		rows *sql.Rows
		err  error
	)
	switch {
	case pg.After > 0:
		rows, err = s.r.QueryContext(ctx, cols+` AND m.id > ? ORDER BY m.id LIMIT ?`, roomID, pg.After, limit+1)
	case pg.Before > 0:
		rows, err = s.r.QueryContext(ctx, cols+` AND m.id < ? ORDER BY m.id DESC LIMIT ?`, roomID, pg.Before, limit+1)
	default:
		rows, err = s.r.QueryContext(ctx, cols+` ORDER BY m.id DESC LIMIT ?`, roomID, limit+1)
	}
	if err != nil {
		return nil, false, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	out := make([]Message, 0, min(limit+1, 128))
	for rows.Next() {
		var (
			m       Message
			created string
			uid     sql.NullInt64
			name    sql.NullString
			email   sql.NullString
		)
		if err := rows.Scan(&m.ID, &m.RoomID, &m.Body, &created, &uid, &name, &email); err != nil {
			return nil, false, fmt.Errorf("scan message: %w", err)
		}
		m.CreatedAt = parseTime(created)
		if uid.Valid {
			m.User = &UserRef{ID: uid.Int64, Username: name.String, Email: email.String}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("messages: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	if pg.After <= 0 {
		slices.Reverse(out)
	}
	return out, more, nil
}

// NewMessage is a member's chat message to store.
type NewMessage struct {
	RoomID int64
	UserID int64
	Body   string
	// ClientID, if not "", is the sender's own id for the message: within
	// ClientIDWindow at most one message per (room, sender, ClientID) is
	// stored, and a resend gets the stored one back.
	ClientID string
}

// ClientIDWindow is how long a client id names one message: a message with
// the same id from the same sender in the same room within it is a resend.
const ClientIDWindow = 24 * time.Hour

// MessageWriterConfig tunes group commit. Zero fields take the defaults.
type MessageWriterConfig struct {
	// MaxBatch is the most messages one transaction inserts (default 256).
	MaxBatch int
	// MaxDelay is how long a batch waits for company after the queue ran
	// dry (default 2ms). Negative means never wait.
	MaxDelay time.Duration
	// OnCommit, if not nil, is called after each batch transaction with the
	// batch size and how long the transaction took (metrics).
	OnCommit func(batch int, took time.Duration)
}

// MessageWriter stores chat messages with group commit: one goroutine takes
// every pending insert (up to MaxBatch, waiting at most MaxDelay for more),
// writes them in one transaction and hands the committed batch to a second
// goroutine, which runs the committed callbacks and completes each
// caller's Append with its stored row. SQLite has one writer; a
// transaction per message would spend the writer lock on BEGIN/COMMIT
// instead of rows, and that is what caps throughput. Batching keeps the
// per-message cost at one insert (one membership query per batch) while
// each caller still learns only after its row committed.
//
// The two goroutines overlap: while the callbacks of one batch encode and
// fan out its frames (on one core), the next batch is being written (on
// another). Before, the callbacks ran between the commits, and at 2,000
// rooms the queue formed there.
type MessageWriter struct {
	s         *Store
	cfg       MessageWriterConfig
	reqs      chan *pendingMessage
	committed chan []*pendingMessage // committed batches, in commit order
	done      chan struct{}

	mu     sync.RWMutex // guards closed against sends on a closed reqs
	closed bool
}

type pendingMessage struct {
	n         NewMessage
	committed func(Message)
	r         messageResult      // set by the commit
	res       chan messageResult // buffered: the writer never blocks on it
}

type messageResult struct {
	m     Message
	fresh bool // stored now, not found as an earlier message with its client id
	err   error
}

// NewMessageWriter starts a writer; Close stops it.
func (s *Store) NewMessageWriter(cfg MessageWriterConfig) *MessageWriter {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = 2 * time.Millisecond
	}
	w := &MessageWriter{
		s:         s,
		cfg:       cfg,
		reqs:      make(chan *pendingMessage, 4*cfg.MaxBatch),
		committed: make(chan []*pendingMessage, 4),
		done:      make(chan struct{}),
	}
	go w.loop()
	go w.answer()
	return w
}

// Append stores a member's message and returns it once committed, with
// fresh set. The sender must be a member of a room that still exists and an
// active user, else ErrNotMember (checked in the same transaction as the
// insert, so a ban or leave that committed first always wins). A resend (a
// NewMessage.ClientID that names a message of the same sender and room
// stored within ClientIDWindow) stores nothing: Append returns that earlier
// message with fresh unset and does not call committed.
//
// committed, if not nil, is called with the stored message after the
// commit on the writer's second goroutine, in id order across all rooms,
// before Append returns; it must not block (hub.Publish does not).
// Publishing from there keeps a room's frames in id order. Later batches
// may commit while it runs.
//
// When ctx ends first Append returns ctx.Err(); the message may still be
// stored (it was never acknowledged).
func (w *MessageWriter) Append(ctx context.Context, n NewMessage, committed func(Message)) (m Message, fresh bool, err error) {
	p := &pendingMessage{n: n, committed: committed, res: make(chan messageResult, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return Message{}, false, ErrClosed
	}
	select {
	case w.reqs <- p:
	case <-ctx.Done():
		w.mu.RUnlock()
		return Message{}, false, ctx.Err()
	}
	w.mu.RUnlock()
	select {
	case r := <-p.res:
		return r.m, r.fresh, r.err
	case <-ctx.Done():
		return Message{}, false, ctx.Err()
	}
}

// Close stores what is pending, stops the writer and waits for it, bounded
// by ctx. It may be called more than once.
func (w *MessageWriter) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *MessageWriter) loop() {
	defer close(w.committed)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for first := range w.reqs {
		// A fresh slice per batch: the answering goroutine still reads the
		// previous one.
		batch := append(make([]*pendingMessage, 0, min(w.cfg.MaxBatch, 1+len(w.reqs))), first)
		open := w.collect(&batch, timer)
		w.timedCommit(batch)
		w.committed <- batch
		if !open {
			return
		}
	}
}

// answer runs the committed callbacks of each batch, in commit order, and
// completes the Appends.
func (w *MessageWriter) answer() {
	defer close(w.done)
	for batch := range w.committed {
		for _, p := range batch {
			if p.r.fresh && p.committed != nil {
				p.committed(p.r.m)
			}
			p.res <- p.r
		}
	}
}

// collect adds queued requests to batch: first whatever is waiting, then
// what arrives within MaxDelay. It reports false once reqs is closed.
func (w *MessageWriter) collect(batch *[]*pendingMessage, timer *time.Timer) bool {
	for len(*batch) < w.cfg.MaxBatch {
		select {
		case p, ok := <-w.reqs:
			if !ok {
				return false
			}
			*batch = append(*batch, p)
			continue
		default:
		}
		break
	}
	if len(*batch) >= w.cfg.MaxBatch || w.cfg.MaxDelay < 0 {
		return true
	}
	timer.Reset(w.cfg.MaxDelay)
	defer timer.Stop()
	for len(*batch) < w.cfg.MaxBatch {
		select {
		case p, ok := <-w.reqs:
			if !ok {
				return false
			}
			*batch = append(*batch, p)
		case <-timer.C:
			return true
		}
	}
	return true
}

// commit writes one batch in one transaction and sets every message's
// result: the stored message, or the error that rolled the batch back.
func (w *MessageWriter) commit(batch []*pendingMessage) {
	ctx := context.Background()
	err := w.s.tx(ctx, func(tx *wtx) error {
		senders, err := activeMembers(ctx, tx, batch)
		if err != nil {
			return err
		}
		taken, err := clientIDsTaken(ctx, tx, batch)
		if err != nil {
			return err
		}
		st, err := prepareMessageStmts(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		for _, p := range batch {
			u, ok := senders[roomUser{p.n.RoomID, p.n.UserID}]
			if !ok {
				p.r = messageResult{err: ErrNotMember}
				continue
			}
			k := resendKey{p.n.RoomID, p.n.UserID, p.n.ClientID}
			if p.r, err = w.store(ctx, st, p.n, u, taken[k]); err != nil {
				return err
			}
			if p.r.fresh && p.n.ClientID != "" {
				taken[k] = true // a resend later in this batch finds it
			}
		}
		return nil
	})
	if err != nil {
		for _, p := range batch {
			p.r = messageResult{err: err}
		}
	}
}

type roomUser struct{ room, user int64 }

// resendKey is what names one message for a resend.
type resendKey struct {
	room, user int64
	clientID   string
}

// clientIDsTaken finds, with one query, which client ids of the batch
// already name a stored message of their sender and room. Only those need
// the per-message look-up of a resend; a fresh id (every message but a
// resend) costs nothing more.
func clientIDsTaken(ctx context.Context, tx *wtx, batch []*pendingMessage) (map[resendKey]bool, error) {
	var keys [][3]any
	for _, p := range batch {
		if p.n.ClientID != "" {
			keys = append(keys, [3]any{p.n.RoomID, p.n.UserID, p.n.ClientID})
		}
	}
	taken := make(map[resendKey]bool, len(keys))
	if len(keys) == 0 {
		return taken, nil
	}
	arg, err := json.Marshal(keys)
	if err != nil {
		return nil, fmt.Errorf("client ids: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.room_id, m.user_id, m.client_id
		FROM json_each(?) j JOIN messages m
		ON m.room_id = j.value ->> 0 AND m.user_id = j.value ->> 1 AND m.client_id = j.value ->> 2`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("find client ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k resendKey
		if err := rows.Scan(&k.room, &k.user, &k.clientID); err != nil {
			return nil, fmt.Errorf("scan client id: %w", err)
		}
		taken[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find client ids: %w", err)
	}
	return taken, nil
}

// activeMembers finds, with one query in the batch's transaction, which
// senders of the batch may post: members of a room that still exists and
// active users, with the name and email their messages carry. Being the
// same transaction as the inserts, a ban or leave that committed first
// always wins, as with a query per message.
func activeMembers(ctx context.Context, tx *wtx, batch []*pendingMessage) (map[roomUser]UserRef, error) {
	pairs := make(map[roomUser]UserRef, len(batch))
	arg := make([]byte, 0, 24*len(batch))
	arg = append(arg, '[')
	for _, p := range batch {
		k := roomUser{p.n.RoomID, p.n.UserID}
		if _, seen := pairs[k]; seen {
			continue
		}
		pairs[k] = UserRef{}
		if len(arg) > 1 {
			arg = append(arg, ',')
		}
		arg = append(arg, '[')
		arg = strconv.AppendInt(arg, k.room, 10)
		arg = append(arg, ',')
		arg = strconv.AppendInt(arg, k.user, 10)
		arg = append(arg, ']')
	}
	arg = append(arg, ']')
	clear(pairs)
	rows, err := tx.QueryContext(ctx, `SELECT m.room_id, m.user_id, u.username, u.email
		FROM json_each(?) j
		JOIN room_members m ON m.room_id = j.value ->> 0 AND m.user_id = j.value ->> 1
		JOIN users u ON u.id = m.user_id JOIN chat_rooms r ON r.id = m.room_id
		WHERE r.deleted_at IS NULL AND u.is_active = 1`, string(arg))
	if err != nil {
		return nil, fmt.Errorf("check senders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k roomUser
		var u UserRef
		if err := rows.Scan(&k.room, &k.user, &u.Username, &u.Email); err != nil {
			return nil, fmt.Errorf("scan sender: %w", err)
		}
		u.ID = k.user
		pairs[k] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check senders: %w", err)
	}
	return pairs, nil
}

// messageStmts are the statements commit runs for every message of a batch.
type messageStmts struct {
	find, forget, insert *sql.Stmt
}

func prepareMessageStmts(ctx context.Context, tx *wtx) (*messageStmts, error) {
	var st messageStmts
	for _, q := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&st.find, `SELECT id, body, created_at FROM messages WHERE room_id = ? AND user_id = ? AND client_id = ?`},
		{&st.forget, `UPDATE messages SET client_id = NULL WHERE id = ?`},
		{&st.insert, `INSERT INTO messages (room_id, user_id, body, created_at, client_id) VALUES (?, ?, ?, ?, ?)`},
	} {
		stmt, err := tx.PrepareContext(ctx, q.sql)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("prepare message statement: %w", err)
		}
		*q.stmt = stmt
	}
	return &st, nil
}

func (st *messageStmts) close() {
	for _, s := range []*sql.Stmt{st.find, st.forget, st.insert} {
		if s != nil {
			s.Close()
		}
	}
}

// store stores one message of a batch from sender u, whom activeMembers
// admitted, or finds the earlier one its client id names; taken says
// whether one may exist (clientIDsTaken, or stored earlier in the batch).
func (w *MessageWriter) store(ctx context.Context, st *messageStmts, n NewMessage, u UserRef, taken bool) (messageResult, error) {
	now := w.s.now()
	clientID := sql.NullString{String: n.ClientID, Valid: n.ClientID != ""}
	if clientID.Valid && taken {
		earlier := Message{RoomID: n.RoomID, User: &u}
		var created string
		err := st.find.QueryRowContext(ctx, n.RoomID, n.UserID, n.ClientID).Scan(&earlier.ID, &earlier.Body, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return messageResult{}, fmt.Errorf("find resent message: %w", err)
		default:
			earlier.CreatedAt = parseTime(created)
			if now.Sub(earlier.CreatedAt) < ClientIDWindow {
				return messageResult{m: earlier}, nil
			}
			// An old message keeps its text but gives its id up for reuse.
			if _, err := st.forget.ExecContext(ctx, earlier.ID); err != nil {
				return messageResult{}, fmt.Errorf("forget old client id: %w", err)
			}
		}
	}
	m := Message{RoomID: n.RoomID, User: &u, Body: n.Body, CreatedAt: now}
	res, err := st.insert.ExecContext(ctx, m.RoomID, u.ID, m.Body, formatTime(m.CreatedAt), clientID)
	if err != nil {
		return messageResult{}, fmt.Errorf("insert message: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	return messageResult{m: m, fresh: true}, nil
}
