package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestUniqueConflictNamesTheColumn checks that a duplicate reports the
// column it hit, from the constraint itself, and changes nothing.
func TestUniqueConflictNamesTheColumn(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kim, err := st.CreateUser(ctx, NewUser{Email: "kim@example.com", Username: "kim", PasswordHash: "x", Address: "a"})
	if err != nil {
		t.Fatal(err)
	}
	lee, err := st.CreateUser(ctx, NewUser{Email: "lee@example.com", Username: "lee", PasswordHash: "x", Address: "a"})
	if err != nil {
		t.Fatal(err)
	}

	creates := []struct {
		name  string
		user  NewUser
		want  error
		other error // the sentinel it must not also match
	}{
		{"EmailOnly", NewUser{Email: "KIM@example.com", Username: "park"}, ErrEmailTaken, ErrUsernameTaken},
		{"UsernameOnly", NewUser{Email: "park@example.com", Username: "kim"}, ErrUsernameTaken, ErrEmailTaken},
		{"BothReportsEmail", NewUser{Email: "kim@example.com", Username: "lee"}, ErrEmailTaken, ErrUsernameTaken},
	}
	for _, tc := range creates {
		t.Run("Create"+tc.name, func(t *testing.T) {
			tc.user.PasswordHash, tc.user.Address = "x", "a"
			_, err := st.CreateUser(ctx, tc.user)
			if !errors.Is(err, tc.want) || errors.Is(err, tc.other) {
				t.Errorf("err %v, want %v only", err, tc.want)
			}
		})
	}
	if n, _ := st.CountUsers(ctx); n != 2 {
		t.Errorf("%d users after refused creates, want 2", n)
	}

	t.Run("UpdateUsernameTaken", func(t *testing.T) {
		name, addr := "kim", "b"
		_, err := st.UpdateUser(ctx, lee.ID, UserUpdate{Username: &name, Address: &addr})
		if !errors.Is(err, ErrUsernameTaken) {
			t.Fatalf("err %v, want ErrUsernameTaken", err)
		}
		if u, _ := st.UserByID(ctx, lee.ID); u.Username != "lee" || u.Address != "a" {
			t.Errorf("a refused update changed the row: %+v", u)
		}
	})
	t.Run("UpdateToOwnUsername", func(t *testing.T) {
		name := "kim"
		if _, err := st.UpdateUser(ctx, kim.ID, UserUpdate{Username: &name}); err != nil {
			t.Errorf("keeping one's own username: %v", err)
		}
	})
}

func TestCheckAvailable(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{Email: "kim@example.com", Username: "kim", PasswordHash: "x", Address: "a"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		email, username string
		want            error
	}{
		{"KIM@example.com", "other", ErrEmailTaken},
		{"new@example.com", "kim", ErrUsernameTaken},
		{"new@example.com", "other", nil},
	} {
		if err := st.CheckAvailable(ctx, tc.email, tc.username); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("CheckAvailable(%q, %q) = %v, want %v", tc.email, tc.username, err, tc.want)
		}
	}
}

// TestSetPasswordRotatesSession: every session ends, the new one is
// stored in the same transaction.
func TestSetPasswordRotatesSession(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, NewUser{Email: "kim@example.com", Username: "kim", PasswordHash: "x", Address: "a"})
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Now().Add(time.Hour)
	for _, h := range []string{"current", "other"} {
		if err := st.CreateSession(ctx, h, u.ID, expires); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.SetPassword(ctx, u.ID, "y", &NewSession{TokenHash: "rotated", UserID: u.ID, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != "y" || got.CredVersion != u.CredVersion+1 {
		t.Errorf("user after: %+v", got)
	}
	for h, live := range map[string]bool{"current": false, "other": false, "rotated": true} {
		if _, _, err := st.Session(ctx, h); (err == nil) != live {
			t.Errorf("session %s: err %v, want live=%v", h, err, live)
		}
	}
	if _, err := st.SetPassword(ctx, u.ID, "z", &NewSession{TokenHash: "foreign", UserID: u.ID + 1, Expires: expires}); err == nil {
		t.Error("a new session of another user was accepted")
	}
	if got, _ := st.UserByID(ctx, u.ID); got.PasswordHash != "y" {
		t.Error("the refused change was not rolled back")
	}
}
