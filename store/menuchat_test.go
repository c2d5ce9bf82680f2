package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// openMenuChatTestStore opens a migrated store in a temp folder with one user.
func openMenuChatTestStore(t *testing.T) (*Store, User) {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(context.Background(), NewUser{
		Email: "menu@example.com", Username: "menu", PasswordHash: "x", Address: "서울특별시 종로구 사직동", DongCode: "1111053000",
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, u
}

func foodTurn(u User, day, q string) MenuChatTurn {
	return MenuChatTurn{
		UserID: u.ID, Day: day, Question: q, Answer: "답: " + q, Limit: 3, KeepTurns: 20,
		System: []MenuChatMessage{{Role: "system", Content: "prompt"}, {Role: "system", Content: "context"}},
	}
}

func TestMenuChat(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		st, u := openMenuChatTestStore(t)
		msgs, asked, err := st.MenuChat(ctx, u.ID, "2024-06-01")
		if err != nil || len(msgs) != 0 || asked != 0 {
			t.Fatalf("empty chat = %v, %d, %v", msgs, asked, err)
		}
		conv, err := st.AppendMenuChat(ctx, foodTurn(u, "2024-06-01", "뭐 먹지"))
		if err != nil {
			t.Fatal(err)
		}
		want := []MenuChatMessage{{"system", "prompt"}, {"system", "context"}, {"user", "뭐 먹지"}, {"assistant", "답: 뭐 먹지"}}
		if fmt.Sprint(conv) != fmt.Sprint(want) {
			t.Fatalf("conv = %v, want %v", conv, want)
		}
		// The system messages open the conversation once.
		conv, err = st.AppendMenuChat(ctx, foodTurn(u, "2024-06-01", "또"))
		if err != nil {
			t.Fatal(err)
		}
		if len(conv) != 6 || conv[4].Content != "또" || conv[5].Role != "assistant" {
			t.Fatalf("conv = %v", conv)
		}
		msgs, asked, err = st.MenuChat(ctx, u.ID, "2024-06-01")
		if err != nil || fmt.Sprint(msgs) != fmt.Sprint(conv) || asked != 2 {
			t.Fatalf("MenuChat = %v, %d, %v", msgs, asked, err)
		}
	})

	t.Run("ErrQuotaExceeded", func(t *testing.T) {
		st, u := openMenuChatTestStore(t)
		for i := range 3 {
			if _, err := st.AppendMenuChat(ctx, foodTurn(u, "2024-06-01", fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		_, err := st.AppendMenuChat(ctx, foodTurn(u, "2024-06-01", "넷째"))
		if !errors.Is(err, ErrQuotaExceeded) {
			t.Fatalf("4th question: err = %v, want ErrQuotaExceeded", err)
		}
		msgs, asked, _ := st.MenuChat(ctx, u.ID, "2024-06-01")
		if asked != 3 || len(msgs) != 2+6 {
			t.Fatalf("after refusal: %d messages, %d asked", len(msgs), asked)
		}
		// Resetting the conversation keeps the count.
		if err := st.ResetMenuChat(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		msgs, asked, _ = st.MenuChat(ctx, u.ID, "2024-06-01")
		if asked != 3 || len(msgs) != 0 {
			t.Fatalf("after reset: %d messages, %d asked", len(msgs), asked)
		}
		// A new service day starts afresh and drops the old day's rows.
		conv, err := st.AppendMenuChat(ctx, foodTurn(u, "2024-06-02", "새날"))
		if err != nil || len(conv) != 4 {
			t.Fatalf("next day: %v, %v", conv, err)
		}
		var old int
		if err := st.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM foodchat_quota WHERE day <> '2024-06-02') +
			(SELECT COUNT(*) FROM foodchat_messages WHERE day <> '2024-06-02')`).Scan(&old); err != nil || old != 0 {
			t.Fatalf("old rows = %d, %v", old, err)
		}
	})

	t.Run("OKBounded", func(t *testing.T) {
		st, u := openMenuChatTestStore(t)
		var conv []MenuChatMessage
		for i := range 5 {
			tr := foodTurn(u, "2024-06-01", fmt.Sprint("q", i))
			tr.Limit, tr.KeepTurns = 10, 2
			var err error
			if conv, err = st.AppendMenuChat(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
		want := []MenuChatMessage{{"system", "prompt"}, {"system", "context"},
			{"user", "q3"}, {"assistant", "답: q3"}, {"user", "q4"}, {"assistant", "답: q4"}}
		if fmt.Sprint(conv) != fmt.Sprint(want) {
			t.Fatalf("conv = %v, want %v", conv, want)
		}
	})

	t.Run("OKUsersApart", func(t *testing.T) {
		st, u := openMenuChatTestStore(t)
		other, err := st.CreateUser(ctx, NewUser{Email: "o@example.com", Username: "other", PasswordHash: "x", Address: "a"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AppendMenuChat(ctx, foodTurn(u, "2024-06-01", "내 질문")); err != nil {
			t.Fatal(err)
		}
		msgs, asked, err := st.MenuChat(ctx, other.ID, "2024-06-01")
		if err != nil || len(msgs) != 0 || asked != 0 {
			t.Fatalf("other user sees %v, %d, %v", msgs, asked, err)
		}
	})
}
