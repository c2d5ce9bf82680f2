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
