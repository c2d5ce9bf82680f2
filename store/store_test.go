package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestMigrationsUpDownUp applies, rolls back and re-applies every migration
// on a fresh file.
func TestMigrationsUpDownUp(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := st.MigrationStatuses(ctx)
	if err != nil || len(list) == 0 {
		t.Fatalf("status: %v %v", list, err)
	}
	for range list {
		if _, err := st.MigrateDown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CountUsers(ctx); err == nil {
		t.Error("users table survived rolling everything back")
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{Email: "a@b.c", Username: "a", PasswordHash: "x", Address: "y"}); err != nil {
		t.Fatal(err)
	}
}

func TestPragmas(t *testing.T) {
	st := openTest(t)
	var mode string
	var fk, timeout int
	if err := st.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q %v", mode, err)
	}
	if err := st.r.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys %d %v", fk, err)
	}
	if err := st.w.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil || timeout < 1000 {
		t.Errorf("busy_timeout %d %v", timeout, err)
	}
	if _, err := st.r.Exec(`CREATE TABLE x (y)`); err == nil {
		t.Error("the reader pool can write")
	}
}

func TestUniqueUsers(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{Email: "Kim@Example.com", Username: "kim", PasswordHash: "x", Address: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{Email: "kim@example.COM", Username: "kim2", PasswordHash: "x", Address: "a"}); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("case-insensitive email: %v", err)
	}
	if _, err := st.CreateUser(ctx, NewUser{Email: "lee@example.com", Username: "kim", PasswordHash: "x", Address: "a"}); !errors.Is(err, ErrUsernameTaken) {
		t.Errorf("username: %v", err)
	}
	if _, err := st.UserByID(ctx, 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing user: %v", err)
	}
}

// TestDataVersion: the data version stays put for this store's own commits
// and moves for a commit through another handle on the file, as another
// process's would.
func TestDataVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	read := func() int64 {
		t.Helper()
		v, err := st.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := read()
	u, err := st.CreateUser(ctx, NewUser{Email: "a@b.c", Username: "a", PasswordHash: "x", Address: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if v := read(); v != v0 {
		t.Errorf("own commit moved the data version %d → %d", v0, v)
	}
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.CreatePost(ctx, NewPost{WriterID: u.ID, Title: "t", Category: "치킨", Content: "c",
		Address: "y", Area: u.Area(), TargetNumber: 2}); err != nil {
		t.Fatal(err)
	}
	if v := read(); v == v0 {
		t.Error("another handle's commit left the data version unchanged")
	}
}

// TestOpenPaths: relative folders (the default ./mealbuddy-data) and names
// that mean something in a URI must open the file they name.
func TestOpenPaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, path := range []string{
		filepath.Join("mealbuddy-data", FileName),
		filepath.Join(".", "rel data", FileName),
		filepath.Join(dir, "밀버디 #1?x=y", FileName),
	} {
		st, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		st.Close()
		abs, _ := filepath.Abs(path)
		if _, err := os.Stat(abs); err != nil {
			t.Errorf("%s: the file is not where it was asked for: %v", path, err)
		}
	}
}

// A write transaction's statements are prepared once, after the first
// transaction that runs them, and the prepared ones give the same answers;
// a statement that fails to prepare is not kept and still reports its error.
func TestWriteStatementsPreparedOnce(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	const insert = `INSERT INTO invites (code_hash, max_uses, expires_at, created_at) VALUES (?, 1, '', '')`
	const count = `SELECT COUNT(*) FROM invites`
	run := func(code string) int {
		t.Helper()
		var n int
		err := s.tx(ctx, func(tx *wtx) error {
			if _, err := tx.ExecContext(ctx, insert, code); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, count).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run("a"); n != 1 {
		t.Fatalf("first transaction counted %d invites, want 1", n)
	}
	first := s.wstmts.get(insert)
	if first == nil || s.wstmts.get(count) == nil {
		t.Fatal("the statements of the first transaction were not prepared after it")
	}
	if n := run("b"); n != 2 {
		t.Fatalf("second transaction counted %d invites, want 2", n)
	}
	if s.wstmts.get(insert) != first {
		t.Fatal("the second transaction prepared its statement again")
	}

	const broken = `SELECT nope FROM invites`
	for range 2 {
		err := s.tx(ctx, func(tx *wtx) error {
			var v int
			return tx.QueryRowContext(ctx, broken).Scan(&v)
		})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Fatalf("broken statement: err = %v, want the column error", err)
		}
	}
	if s.wstmts.get(broken) != nil {
		t.Fatal("a statement that does not prepare was kept")
	}
}

// parseStoredTime reads what formatTime writes exactly as time.Parse does,
// and leaves every other text to it.
func TestParseStoredTime(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 11, 28, 17, 4, 5, 123456000, time.UTC),
		time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 59, 59, 999999000, time.UTC),
	} {
		s := formatTime(at)
		got, ok := parseStoredTime(s)
		want, err := time.Parse(timeFormat, s)
		if !ok || err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v %v, want %v %v", s, got, ok, want, err)
		}
		if !parseTime(s).Equal(at) {
			t.Errorf("parseTime(%s) = %v, want %v", s, parseTime(s), at)
		}
	}
	for _, s := range []string{"", "2026-11-28T17:04:05Z", "2026-02-30T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z",
		"2026-11-28 17:04:05.000000Z", "2026-11-28T17:04:05.00000xZ", "2026-11-28T24:00:00.000000Z"} {
		if _, ok := parseStoredTime(s); ok {
			t.Errorf("%q: parsed, want it left to time.Parse", s)
		}
	}
	if got := parseTime("2026-11-28T17:04:05+09:00"); !got.Equal(time.Date(2026, 11, 28, 8, 4, 5, 0, time.UTC)) {
		t.Errorf("RFC 3339 with an offset: %v", got)
	}
}

// TestReadStatementCache: the reader pool keeps at most its bound of
// prepared statements, drops the one used longest ago, and a statement
// dropped while its rows are open leaves them readable.
func TestReadStatementCache(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	p := st.r
	p.mu.Lock()
	p.max = 3
	clear(p.stmts)
	p.mu.Unlock()
	query := func(n int) string { return fmt.Sprintf("SELECT ? + %d", n) }
	ask := func(n int) {
		t.Helper()
		var got int
		if err := p.QueryRowContext(ctx, query(n), 1000).Scan(&got); err != nil || got != 1000+n {
			t.Fatalf("query %d: %d, %v", n, got, err)
		}
	}
	cached := func() []string {
		p.mu.Lock()
		defer p.mu.Unlock()
		return slices.Sorted(maps.Keys(p.stmts))
	}

	ask(1)
	ask(2)
	ask(3)
	ask(1) // 2 is now the one used longest ago
	ask(4)
	if got, want := cached(), []string{query(1), query(3), query(4)}; !slices.Equal(got, want) {
		t.Fatalf("cached %q, want %q", got, want)
	}

	// Rows of a statement that is dropped while they are open.
	rows, err := p.QueryContext(ctx, `SELECT value FROM json_each('[1,2,3]')`)
	if err != nil {
		t.Fatal(err)
	}
	for n := 5; n <= 8; n++ {
		ask(n)
	}
	if slices.Contains(cached(), `SELECT value FROM json_each('[1,2,3]')`) {
		t.Fatal("the open rows' statement was not dropped")
	}
	var sum int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if err := rows.Err(); err != nil || sum != 6 {
		t.Fatalf("rows after their statement was dropped: sum %d, %v", sum, err)
	}
	rows.Close()

	// Many callers over more texts than the cache holds (go test -race).
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := (g + i) % 10
				var got int
				if err := p.QueryRowContext(ctx, query(n), i).Scan(&got); err != nil || got != i+n {
					t.Errorf("query %d: %d, %v", n, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(cached()); n > 3 {
		t.Fatalf("%d statements kept, bound 3", n)
	}
}
