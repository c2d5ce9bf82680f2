package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
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
