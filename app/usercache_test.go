package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/store"
)

// The credential check's user rows come from a cache; a change made by this
// process applies to the very next request.
func TestUserCacheSeesOwnWrites(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("cacheuser", addrSajik)
	ctx := context.Background()
	current := func() response {
		return e.do(req{method: "GET", path: "/api/user/current/", token: u.token})
	}
	if r := current(); r.status != http.StatusOK || userName(t, r) != "cacheuser" {
		t.Fatalf("current: %d %s", r.status, r.raw)
	}
	name := "renamed"
	if _, err := e.store.UpdateUser(ctx, u.id, store.UserUpdate{Username: &name}); err != nil {
		t.Fatal(err)
	}
	if r := current(); r.status != http.StatusOK || userName(t, r) != "renamed" {
		t.Fatalf("after rename: %d %s, want the new username at once", r.status, r.raw)
	}
	if err := e.store.SetActive(ctx, u.id, false); err != nil {
		t.Fatal(err)
	}
	if r := current(); r.status != http.StatusUnauthorized {
		t.Fatalf("after disable: %d %s, want 401 at once", r.status, r.raw)
	}
	// Staff disabling an account (the admin page's path) too.
	w := e.register("cacheuser3", addrSajik)
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: w.token}); r.status != http.StatusOK {
		t.Fatalf("current: %d %s", r.status, r.raw)
	}
	if err := e.store.SetActiveBy(ctx, w.id, false, store.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: w.token}); r.status != http.StatusUnauthorized {
		t.Fatalf("after SetActiveBy: %d %s, want 401 at once", r.status, r.raw)
	}
	// Through the API too: a password change ends the old token at once.
	v := e.register("cacheuser2", addrSajik)
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: v.token}); r.status != http.StatusOK {
		t.Fatalf("current: %d %s", r.status, r.raw)
	}
	r := e.do(req{method: "POST", path: "/api/user/changepassword/", token: v.token, body: map[string]any{
		"current_password": testPassword, "new_password1": "another-pass-123", "new_password2": "another-pass-123",
	}})
	if r.status != http.StatusOK {
		t.Fatalf("changepassword: %d %s", r.status, r.raw)
	}
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: v.token}); r.status != http.StatusUnauthorized {
		t.Fatalf("old token after password change: %d %s, want 401", r.status, r.raw)
	}
}

// A change by another process (the CLI) reaches the cache through the data
// version, which is read at most once a second.
func TestUserCacheSeesOtherProcess(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("otherproc", addrSajik)
	if r := e.do(req{method: "GET", path: "/api/user/current/", token: u.token}); r.status != http.StatusOK {
		t.Fatalf("current: %d %s", r.status, r.raw)
	}
	other, err := store.Open(filepath.Join(e.dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetActive(context.Background(), u.id, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.do(req{method: "GET", path: "/api/user/current/", token: u.token})
		if r.status == http.StatusUnauthorized {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a user disabled by another process still gets %d", r.status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A join by another process (a second Store on the file, as the CLI is)
// reaches the viewer's "내 주문" marks through the data version too.
func TestRoomsCacheSeesOtherProcess(t *testing.T) {
	e := newTestEnv(t)
	writer := e.register("roomwriter", addrSajik)
	joiner := e.register("roomjoiner", addrSajik)
	post, room := e.writePost(writer, "다른 프로세스", 4)
	if got := boardJoined(t, e, joiner, ""); got[post] {
		t.Fatal("is_joined before joining")
	}
	other, err := store.Open(filepath.Join(e.dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.JoinRoom(context.Background(), room, joiner.id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !boardJoined(t, e, joiner, "")[post] {
		if time.Now().After(deadline) {
			t.Fatal("a join by another process never showed as is_joined")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func userName(t *testing.T, r response) any {
	t.Helper()
	u, _ := r.json(t)["user"].(map[string]any)
	return u["username"]
}

// TestEvictOne: a full cache loses one entry, not all of them.
func TestEvictOne(t *testing.T) {
	m := map[int64]versioned[store.User]{1: {}, 2: {}, 3: {}}
	evictOne(m)
	if len(m) != 2 {
		t.Fatalf("%d entries left, want 2", len(m))
	}
}

// TestRoomsOfCatchesUp: the kept room sets, brought up to date with the
// store's change log rather than read again, equal the rows at every
// quiet moment, while joins, leaves, new posts and deletions run beside
// board views that read the sets at the same time.
func TestRoomsOfCatchesUp(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	users := make([]testUser, 4)
	for i := range users {
		users[i] = e.register(fmt.Sprintf("catchup%d", i), addrSajik)
	}
	check := func(when string) {
		t.Helper()
		for _, u := range users {
			got, err := e.srv.users.roomsOf(ctx, u.id)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := e.store.RoomsOf(ctx, u.id)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]bool{}
			for _, id := range ids {
				want[id] = true
			}
			if !maps.Equal(got, want) {
				t.Fatalf("%s: %s's kept rooms %v, rows %v", when, u.username, got, want)
			}
		}
	}
	var rooms []int64
	var posts []int64
	for _, u := range users {
		p, r := e.writePost(u, "따라잡기", 4)
		posts, rooms = append(posts, p), append(rooms, r)
	}
	check("after the posts")

	for round := range 5 {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for _, u := range users { // readers: the sets as the board reads them
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := e.srv.users.roomsOf(ctx, u.id); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		var writers sync.WaitGroup
		for i, u := range users {
			writers.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(i)))
				for range 30 {
					room := rooms[rng.IntN(len(rooms))]
					var err error
					switch rng.IntN(3) {
					case 0:
						_, err = e.store.JoinRoom(ctx, room, u.id)
					case 1:
						_, err = e.store.LeaveRoom(ctx, room, u.id)
					default:
						_, err = e.srv.users.roomsOf(ctx, u.id)
					}
					if err != nil && !errors.Is(err, store.ErrCannotJoin) && !errors.Is(err, store.ErrNotMember) && !errors.Is(err, store.ErrWriterStays) {
						t.Error(err)
					}
				}
			})
		}
		writers.Wait()
		close(stop)
		wg.Wait()
		check(fmt.Sprintf("round %d", round))
	}
	// A deleted post takes its room from every member at once (a cascade).
	if err := e.store.DeletePost(ctx, posts[0]); err != nil {
		t.Fatal(err)
	}
	check("after a post was deleted")
}
