// Package store owns the SQLite database: connection setup, migrations,
// typed queries and transactions. It knows nothing of HTTP or JSON.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/mealbuddy/mealbuddy/migrations"
)

// Sentinel errors returned by store methods.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrEmailTaken and ErrUsernameTaken name the UNIQUE column of users
	// that a create or update collided with.
	ErrEmailTaken    = errors.New("store: email already registered")
	ErrUsernameTaken = errors.New("store: username already taken")
)

// FileName is the SQLite database file inside the data folder.
const FileName = "mealbuddy.db"

// Store is the one handle on the database: a single writer connection (SQLite
// allows one writer at a time; queueing in Go is cheaper than SQLITE_BUSY
// retries) beside a pool of read-only connections that WAL lets run
// concurrently with the writer.
type Store struct {
	w      *sql.DB
	wstmts writeStmts
	// writeTurn hands the writer to Store.tx's callers in the order they
	// asked: database/sql gives a freed connection to a random waiter,
	// which under a steady queue of writes left some waiting for many
	// turns (issue 11: the writes made the mixed load's p99).
	writeTurn chan struct{}
	r         *readPool
	now       func() time.Time

	// users counts the changes of users rows and blocks (UsersVersion).
	users *userWrites
	ckpt  *checkpointer
	// board finds the posts of board pages (boardIndex).
	board *boardIndex
	// history keeps rooms' latest messages (historyCache).
	history *historyCache
	// commits watches for other processes' commits (Commits).
	commits *CommitWatch

	path string // the database file, absolute
}

// DataVersion reads PRAGMA data_version on the writer connection. It changes
// when a commit by any other connection to the file is seen: another
// process (the CLI, `mealbuddy seed` while serving) or another Store. This
// Store's own commits never change it, since they are the writer's own.
// Like every use of the writer, it waits for a write transaction in
// progress.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}

// Commits is the watch on other processes' commits that every copy of the
// database's contents in this process follows (see CommitWatch).
func (s *Store) Commits() *CommitWatch { return s.commits }

// commitsEvery is how often Commits reads the data version: commits of
// other processes show within about that.
const commitsEvery = time.Second

// readPool is the pool of read-only connections. It keeps one prepared
// statement per query text: parsing and planning a query costs as much as
// running the small ones that serve most requests.
type readPool struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*cachedStmt
	max   int    // statements kept at most (maxCachedStatements)
	uses  uint64 // counts lookups: cachedStmt.used orders the statements by their last use
}

// cachedStmt is a kept statement. One pushed out of the cache while calls
// run on it is closed by the last of them (release).
type cachedStmt struct {
	*sql.Stmt
	used    uint64 // readPool.uses at its last lookup
	running int    // calls between stmt and release
	evicted bool
}

// maxCachedStatements bounds the cache: a prepared statement holds tens
// of kilobytes on each reader connection. The query texts are fixed
// strings, or vary with the shape of a board (its number of
// neighbourhoods, a category, the blocks of the viewer), not with its
// page (boundLimit); when more shapes than this are read, the statement
// used longest ago is closed.
const maxCachedStatements = 128

func newReadPool(db *sql.DB) *readPool {
	return &readPool{DB: db, stmts: map[string]*cachedStmt{}, max: maxCachedStatements}
}

// stmt returns the kept statement of query, preparing it the first time,
// or nil if it cannot be prepared (the unprepared call reports the
// error). A statement returned must be released once the call on it has
// returned; the rows it returned may outlive it (database/sql closes the
// statement after them).
//
// The lock is never held while a connection is awaited: preparing takes a
// connection, and the callers holding every connection may be waiting in
// release.
func (p *readPool) stmt(ctx context.Context, query string) *cachedStmt {
	if cs := p.lookup(query); cs != nil {
		return cs
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cs, ok := p.stmts[query]
	if ok { // prepared meanwhile by another caller
		st.Close()
	} else {
		if len(p.stmts) >= p.max {
			p.evictOldest()
		}
		cs = &cachedStmt{Stmt: st}
		p.stmts[query] = cs
	}
	return p.take(cs)
}

// lookup is stmt for a query already kept, or nil.
func (p *readPool) lookup(query string) *cachedStmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cs, ok := p.stmts[query]; ok {
		return p.take(cs)
	}
	return nil
}

// take marks cs used now and running (p.mu held).
func (p *readPool) take(cs *cachedStmt) *cachedStmt {
	p.uses++
	cs.used = p.uses
	cs.running++
	return cs
}

// evictOldest drops the statement used longest ago (p.mu held). A scan
// is enough: it runs only when a new query text meets a full cache.
func (p *readPool) evictOldest() {
	var oldest string
	var at uint64
	for q, cs := range p.stmts {
		if oldest == "" || cs.used < at {
			oldest, at = q, cs.used
		}
	}
	cs := p.stmts[oldest]
	delete(p.stmts, oldest)
	cs.evicted = true
	if cs.running == 0 {
		cs.Close()
	}
}

func (p *readPool) release(cs *cachedStmt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cs.running--
	if cs.evicted && cs.running == 0 {
		cs.Close()
	}
}

func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if cs := p.stmt(ctx, query); cs != nil {
		defer p.release(cs)
		return cs.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if cs := p.stmt(ctx, query); cs != nil {
		defer p.release(cs)
		return cs.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p *readPool) Close() error {
	p.mu.Lock()
	for _, cs := range p.stmts {
		cs.Close()
	}
	clear(p.stmts)
	p.mu.Unlock()
	return p.DB.Close()
}

// Option configures a Store at Open.
type Option func(*Store)

// WithClock makes the store read the time from now instead of the system
// clock: deadlines, expiries and timestamps follow it (tests move it).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(path string, opts ...Option) (*Store, error) {
	// The DSN is a file: URI, where a relative path would read as a host.
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("data file path: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	var w, r, c *sql.DB
	uw := new(userWrites)
	board := newBoardIndex()
	history := newHistoryCache()
	// The first connections create the files: under a private umask.
	err = withPrivateFiles(func() error {
		var err error
		base, err := sqlite.NewConnector(writerDSN(path))
		if err != nil {
			return fmt.Errorf("open writer: %w", err)
		}
		w = sql.OpenDB(uw.connector(base, board, history))
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		// Touch the writer first so the file exists and WAL is on before readers open.
		if err := w.Ping(); err != nil {
			w.Close()
			return fmt.Errorf("open %s: %w", path, err)
		}
		if r, err = sql.Open("sqlite", readerDSN(path)); err != nil {
			w.Close()
			return fmt.Errorf("open readers: %w", err)
		}
		// One reader now, so that -shm exists before the umask is back.
		if err := r.Ping(); err != nil {
			w.Close()
			r.Close()
			return fmt.Errorf("open %s: %w", path, err)
		}
		if c, err = sql.Open("sqlite", checkpointerDSN(path)); err != nil {
			w.Close()
			r.Close()
			return fmt.Errorf("open checkpointer: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(1)
	c.SetConnMaxIdleTime(0)
	c.SetConnMaxLifetime(0)
	uw.ckpt = newCheckpointer(c, checkpointEvery)
	readers := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	st := &Store{path: path, users: uw, ckpt: uw.ckpt, board: board, history: history, w: w, writeTurn: make(chan struct{}, 1), r: newReadPool(r), now: func() time.Time { return time.Now().UTC() }}
	st.commits = NewCommitWatch(st.DataVersion, commitsEvery, time.Now)
	st.commits.onMove = board.unload
	board.commits = st.commits
	for _, opt := range opts {
		opt(st)
	}
	return st, nil
}

// writerDSN is the connection string of the writer. _txlock=immediate
// makes write transactions take the lock at BEGIN, which turns lock
// upgrades (a deadlock source) into plain waiting. The checkpointer
// copies the log beside the writer; the writer's own automatic checkpoint
// is only a backstop, at ten times SQLite's default, for a checkpointer
// that cannot run (the log would grow without end).
func writerDSN(path string) string {
	q := pragmas()
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(writerCheckpointPages)+")")
	return fileURI(path, q)
}

// writerCheckpointPages is the log size (pages, ~40 MB) at which the
// writer checkpoints by itself.
const writerCheckpointPages = 10000

// checkpointerDSN is the connection string of the checkpointer.
func checkpointerDSN(path string) string { return fileURI(path, pragmas()) }

// readerDSN is the connection string of the read pool, which cannot write.
func readerDSN(path string) string {
	q := pragmas()
	q.Add("_pragma", "query_only(1)")
	return fileURI(path, q)
}

// pragmas are the pragmas of every connection. They go in the connection
// string so that each pooled connection gets them; busy_timeout comes first
// so the others wait too.
func pragmas() url.Values {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL is durable against a killed process in WAL mode; only a power
	// loss can roll back the last transactions.
	q.Add("_pragma", "synchronous(NORMAL)")
	// No memory map (mmap_size 0, SQLite's default): every commit makes each
	// reader connection drop its cache at its next read, and with a map it
	// also unmaps the whole file and faults the pages back in. Under a mix
	// of board reads and joins/posts that cost 40 % more server CPU per
	// request than pread does (issue 11); read-only loads gain little from
	// the map (~5 %).
	return q
}

// fileURI makes the file: URI of an absolute path with the query q.
func fileURI(path string, q url.Values) string {
	slashed := filepath.ToSlash(path)
	if !strings.HasPrefix(slashed, "/") {
		slashed = "/" + slashed // C:/data → /C:/data, SQLite's form on Windows
	}
	return "file:" + (&url.URL{Path: slashed}).EscapedPath() + "?" + q.Encode()
}

// Close closes both pools.
func (s *Store) Close() error {
	s.wstmts.close()
	return errors.Join(s.r.Close(), s.w.Close(), s.ckpt.close())
}

func (s *Store) provider() (*goose.Provider, error) {
	return goose.NewProvider(goose.DialectSQLite3, s.w, migrations.FS)
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// Never p.Close(): it would close our writer pool.
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// MigrateDown rolls back the newest applied migration.
func (s *Store) MigrateDown(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	return res.Source.Version, nil
}

// MigrationStatus describes one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// MigrationStatuses lists every known migration.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	list, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(list))
	for _, m := range list {
		out = append(out, MigrationStatus{
			Version:   m.Source.Version,
			Name:      filepath.Base(m.Source.Path),
			Applied:   m.State == goose.StateApplied,
			AppliedAt: m.AppliedAt,
		})
	}
	return out, nil
}

// tx runs fn in one write transaction, after the transactions asked for
// before it (writeTurn).
func (s *Store) tx(ctx context.Context, fn func(tx *wtx) error) error {
	select {
	case s.writeTurn <- struct{}{}: // a channel's blocked senders go in order
	case <-ctx.Done():
		return fmt.Errorf("begin: %w", ctx.Err())
	}
	defer func() { <-s.writeTurn }()
	// The transaction runs on the writer's connection taken out of the
	// pool, which gets it back only after settle: a write outside Store.tx
	// cannot slip in between the commit and settle and be taken for part
	// of this transaction.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return fmt.Errorf("begin: %w", err)
	}
	tx := &wtx{tx: sqlTx, stmts: &s.wstmts}
	s.users.members.begin()
	s.board.begin()
	committed := false
	// The writer's one connection is free again only after the
	// transaction: prepare the statements it met for the first time then.
	defer func() {
		s.users.members.settle(committed)
		s.board.settle(committed, tx.failed)
		s.history.settle()
		conn.Close()
		s.wstmts.prepare(context.WithoutCancel(ctx), s.w, tx.unprepared)
	}()
	defer sqlTx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	s.users.committed()
	return nil
}

// maxWriteStatements bounds the writer's statements (one connection, so
// a few megabytes at most); a text met when full runs unprepared.
const maxWriteStatements = 256

// writeStmts are the writer's prepared statements by query text. Parsing
// a statement cost more than running it in the write transactions of a
// busy board (13 % of the server's CPU under the mixed load). A statement
// is prepared after the first transaction that uses it, because the
// writer's only connection is taken during one.
type writeStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (c *writeStmts) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

func (c *writeStmts) prepare(ctx context.Context, w *sql.DB, queries []string) {
	for _, q := range queries {
		c.mu.Lock()
		_, done := c.stmts[q]
		full := len(c.stmts) >= maxWriteStatements
		c.mu.Unlock()
		if done || full {
			continue
		}
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			continue // the query reports its own error when it runs
		}
		c.mu.Lock()
		if _, done := c.stmts[q]; done {
			st.Close()
		} else {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *writeStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	clear(c.stmts)
}

// wtx is a write transaction that runs its statements prepared (writeStmts).
type wtx struct {
	tx         *sql.Tx
	stmts      *writeStmts
	unprepared []string // met for the first time: prepare after the transaction
	// failed: a statement failed, and may have been seen by the pre-update
	// hooks before SQLite undid it (boardIndex.settle).
	failed bool
}

// stmt is the transaction's handle on query's prepared statement, or nil
// the first time query runs.
func (t *wtx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st := t.stmts.get(query); st != nil {
		return t.tx.StmtContext(ctx, st)
	}
	t.unprepared = append(t.unprepared, query)
	return nil
}

func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if st := t.stmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, query, args...)
	}
	t.failed = t.failed || err != nil
	return res, err
}

func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// PrepareContext is for a statement run many times in one transaction
// (a batch of messages); the transaction closes it.
func (t *wtx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st, nil
	}
	return t.tx.PrepareContext(ctx, query)
}

// sqliteCode returns the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// timeFormat is fixed-width so stored timestamps sort as text.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	if t, ok := parseStoredTime(s); ok {
		return t
	}
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t.UTC()
}

// parseStoredTime reads timeFormat's fixed-width digits directly: every row
// read carries timestamps, and time.Parse was a tenth of reading a page of
// chat history. ok is false for any other text (time.Parse handles it).
func parseStoredTime(s string) (time.Time, bool) {
	if len(s) != len(timeFormat) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var f [7]int
	for i, span := range [7][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, 26}} {
		n, ok := num(span[0], span[1])
		if !ok {
			return time.Time{}, false
		}
		f[i] = n
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return time.Time{}, false // out of range: time.Parse says so
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], f[6]*1000, time.UTC)
	if t.Day() != f[2] {
		return time.Time{}, false // no such day (Feb 30): time.Parse says so
	}
	return t, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
