package store

import (
	"context"
	"testing"
)

// Every method that writes a users row moves UsersVersion after it returns
// (the app's credential cache depends on it).
func TestUsersVersionMoves(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, NewUser{Email: "v@example.com", Username: "v", PasswordHash: "h", Address: "서울특별시 종로구 사직동"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.CreateUser(ctx, NewUser{Email: "w@example.com", Username: "w", PasswordHash: "h", Address: "서울특별시 종로구 사직동"})
	if err != nil {
		t.Fatal(err)
	}
	name := "v2"
	for _, c := range []struct {
		name  string
		write func() error
	}{
		{"UpdateUser", func() error { _, err := s.UpdateUser(ctx, u.ID, UserUpdate{Username: &name}); return err }},
		{"SetPassword", func() error { _, err := s.SetPassword(ctx, u.ID, "h2", nil); return err }},
		{"SetStaff", func() error { return s.SetStaff(ctx, u.ID, true) }},
		{"SetActive", func() error { return s.SetActive(ctx, u.ID, false) }},
		{"Block", func() error { return s.Block(ctx, u.ID, w.ID) }},
		{"Unblock", func() error { return s.Unblock(ctx, u.ID, w.ID) }},
		{"DeleteAccount", func() error { _, err := s.DeleteAccount(ctx, u.ID); return err }},
	} {
		before := s.UsersVersion()
		if err := c.write(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s.UsersVersion() == before {
			t.Errorf("%s did not move UsersVersion", c.name)
		}
	}
	// Reads leave it alone.
	before := s.UsersVersion()
	if _, err := s.UserByID(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if s.UsersVersion() != before {
		t.Error("UserByID moved UsersVersion")
	}
}

// A write to users that no method announces (one added later without
// usersChanged) still moves UsersVersion, through the writer's hook; a
// write elsewhere does not.
func TestUsersVersionHook(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, NewUser{Email: "h@example.com", Username: "h", PasswordHash: "h", Address: "서울특별시 종로구 사직동"})
	if err != nil {
		t.Fatal(err)
	}
	before := s.UsersVersion()
	if err := s.tx(ctx, func(tx *wtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET is_active = 0 WHERE id = ?`, u.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mid := s.UsersVersion()
	if mid == before {
		t.Fatal("an UPDATE users in a transaction did not move UsersVersion")
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE users SET is_active = 1 WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if s.UsersVersion() == mid {
		t.Fatal("an UPDATE users outside a transaction did not move UsersVersion")
	}
	// The next transaction moves it once more (after that write's commit).
	if err := s.tx(ctx, func(*wtx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	after := s.UsersVersion()
	if _, err := s.w.ExecContext(ctx, `UPDATE posts SET title = title WHERE id = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePost(ctx, NewPost{WriterID: u.ID, Title: "t", Category: "치킨", Content: "c", Address: u.Address, Area: u.Area(), TargetNumber: 3}); err != nil {
		t.Fatal(err)
	}
	if s.UsersVersion() != after {
		t.Fatal("a post moved UsersVersion")
	}
}
