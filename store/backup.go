package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/mealbuddy/mealbuddy/migrations"
)

// BackupTo writes a consistent copy of the database to path, which must not
// exist yet, while other connections keep reading and writing.
//
// It runs VACUUM INTO on a read connection: the copy is taken inside one
// read transaction, so it is the snapshot of the last commit before it
// started, and in WAL mode the writer (chat group commit included) goes on
// committing meanwhile. The driver's online backup API (NewBackup) would
// work as well, but copied in steps it restarts whenever another connection
// writes, which under chat load is always; in one step it holds the same
// read transaction as VACUUM INTO and does not compact the copy.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup path: %w", err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("backup: %s already exists", abs)
	}
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	// Read connections are query_only, which refuses VACUUM INTO even
	// though it only writes the new file. Lift it on this connection for
	// the copy, and never hand the connection back without it.
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.Background(), `PRAGMA query_only = 1`); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn }) // discard it
		}
	}()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	return nil
}

// Checkpoint moves every committed page from the WAL into the database file
// and truncates the WAL, so that the file alone holds the database. It fails
// when another connection (another process) keeps the WAL busy.
func (s *Store) Checkpoint(ctx context.Context) error {
	s.ckpt.running.Lock() // not beside our own: SQLite would fail this one
	defer s.ckpt.running.Unlock()
	var busy, logPages, moved int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("checkpoint: the database is in use by another process")
	}
	return nil
}

// SchemaVersion is the newest migration applied to the database, and
// Latest the newest migration this binary knows.
type SchemaVersion struct {
	Current int64
	Latest  int64
}

// Pending reports whether migrations wait to be applied.
func (v SchemaVersion) Pending() bool { return v.Current < v.Latest }

// SchemaVersion reads the applied and the known migration versions. It
// only reads, on a read connection.
func (s *Store) SchemaVersion(ctx context.Context) (SchemaVersion, error) {
	return schemaVersion(ctx, s.r.DB)
}

func schemaVersion(ctx context.Context, db *sql.DB) (SchemaVersion, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.FS)
	if err != nil {
		return SchemaVersion{}, fmt.Errorf("migrations: %w", err)
	}
	// Never p.Close(): it closes db.
	var v SchemaVersion
	for _, src := range p.ListSources() {
		v.Latest = max(v.Latest, src.Version)
	}
	if v.Current, err = p.GetDBVersion(ctx); err != nil {
		return SchemaVersion{}, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// Ping checks that a read connection answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Size is the bytes the database takes on disk: the file and its WAL.
func (s *Store) Size() int64 {
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// ErrNotADatabase is returned by CheckFile for a file that is not a
// MealBuddy database.
var ErrNotADatabase = errors.New("store: not a MealBuddy database")

// CheckFile opens the SQLite file at path read-only (it does not change it
// or create a WAL beside it), runs PRAGMA integrity_check and reads its
// schema version. A damaged file returns an error naming the first problem
// SQLite found.
func CheckFile(ctx context.Context, path string) (SchemaVersion, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return SchemaVersion{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return SchemaVersion{}, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(10000)")
	slashed := filepath.ToSlash(abs)
	if !strings.HasPrefix(slashed, "/") {
		slashed = "/" + slashed
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: slashed}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return SchemaVersion{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check(5)`)
	if err != nil {
		return SchemaVersion{}, fmt.Errorf("%w: %w", ErrNotADatabase, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return SchemaVersion{}, fmt.Errorf("integrity check: %w", err)
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return SchemaVersion{}, fmt.Errorf("%w: %w", ErrNotADatabase, err)
	}
	rows.Close()
	if len(problems) != 1 || problems[0] != "ok" {
		return SchemaVersion{}, fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('goose_db_version', 'users', 'posts')`).Scan(&n); err != nil || n != 3 {
		return SchemaVersion{}, ErrNotADatabase
	}
	return schemaVersion(ctx, db)
}
