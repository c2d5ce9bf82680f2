package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// orderPost writes a post with an order due at `at`.
func orderPost(t *testing.T, st *Store, writer User, at time.Time, closeOnMin bool) Post {
	t.Helper()
	p, err := st.CreatePost(context.Background(), NewPost{WriterID: writer.ID, Title: "t", Category: "치킨",
		Content: "c", Address: writer.Address, Area: writer.Area(), TargetNumber: 5,
		Order: &OrderFields{StoreName: "s", DeliveryFee: 3000, MinOrder: 20000, OrderAt: at, PickupSpot: "p",
			CloseOnMin: closeOnMin, FeeTiers: []FeeTier{{FromTotal: 30000, Fee: 0}}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustJoin(t *testing.T, st *Store, room int64, u User) {
	t.Helper()
	if _, err := st.JoinRoom(context.Background(), room, u.ID); err != nil {
		t.Fatal(err)
	}
}

func mustCart(t *testing.T, st *Store, room int64, u User, price int64) {
	t.Helper()
	if _, err := st.SetCart(context.Background(), room, u.ID, []OrderItem{{Name: "x", Price: price, Qty: 1}}); err != nil {
		t.Fatal(err)
	}
}

func TestOrderOnPostAndBoardFilter(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	st := newTestStore(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	w, a := mustUser(t, st, "writer"), mustUser(t, st, "a")
	plain := mustPost(t, st, w, 3)
	open := orderPost(t, st, w, now.Add(time.Hour), false)
	minClosed := orderPost(t, st, w, now.Add(time.Hour), true)
	soon := orderPost(t, st, w, now.Add(10*time.Minute), false)

	p, err := st.PostByID(ctx, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Order == nil || p.Order.State != OrderRecruiting || p.Order.StoreName != "s" || !p.Order.OrderAt.Equal(now.Add(time.Hour)) ||
		len(p.Order.FeeTiers) != 1 || p.Order.FeeTiers[0] != (FeeTier{30000, 0}) {
		t.Fatalf("order on post: %+v", p.Order)
	}
	if plain.Order != nil {
		t.Errorf("plain post has an order: %+v", plain.Order)
	}
	mustJoin(t, st, minClosed.RoomID, a)
	mustCart(t, st, minClosed.RoomID, a, 20000)
	p, _ = st.PostByID(ctx, minClosed.ID)
	if p.Order.FoodTotal != 20000 || p.Order.WithItems != 1 || !p.Complete {
		t.Errorf("close_on_min reached: %+v complete %v", p.Order, p.Complete)
	}
	if _, err := st.JoinRoom(ctx, minClosed.RoomID, mustUser(t, st, "late").ID); !errors.Is(err, ErrCannotJoin) {
		t.Errorf("join after the minimum: %v", err)
	}

	list := func(at time.Time) map[int64]bool {
		t.Helper()
		f := PostFilter{Areas: []string{w.Area()}, Recruiting: true, Now: at, Limit: 10}
		posts, err := st.ListPosts(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		n, err := st.CountPosts(ctx, f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(posts) {
			t.Errorf("count %d, list %d", n, len(posts))
		}
		out := map[int64]bool{}
		for _, p := range posts {
			out[p.ID] = true
		}
		return out
	}
	got := list(now)
	if !got[plain.ID] || !got[open.ID] || !got[soon.ID] || got[minClosed.ID] || len(got) != 3 {
		t.Errorf("recruiting now: %v", got)
	}
	// Past soon's deadline, before any scheduler ran: not recruiting.
	got = list(now.Add(11 * time.Minute))
	if got[soon.ID] || !got[open.ID] || len(got) != 2 {
		t.Errorf("recruiting after soon's deadline: %v", got)
	}
	p, _ = st.PostByID(ctx, soon.ID)
	if p.Complete || !p.CompleteAt(now.Add(11*time.Minute)) {
		t.Errorf("soon: complete %v, at +11m %v", p.Complete, p.CompleteAt(now.Add(11*time.Minute)))
	}
	// Several areas take the merged page path.
	f := PostFilter{Areas: []string{w.Area(), "@elsewhere"}, Recruiting: true, Now: now, Limit: 10}
	if posts, err := st.ListPosts(ctx, f); err != nil || len(posts) != 3 {
		t.Errorf("two areas: %d posts, %v", len(posts), err)
	}
	// A locked order is not recruiting and takes nobody.
	if _, err := st.MoveOrder(ctx, open.RoomID, OrderLocked, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	if got = list(now); got[open.ID] {
		t.Errorf("locked order listed as recruiting")
	}
	if _, err := st.JoinRoom(ctx, open.RoomID, a.ID); !errors.Is(err, ErrOrderNotJoinable) {
		t.Errorf("join a locked order: %v", err)
	}
}

func TestOrderLeaveDropsCartAndHolds(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	w, a, b := mustUser(t, st, "writer"), mustUser(t, st, "a"), mustUser(t, st, "b")
	p := orderPost(t, st, w, time.Now().Add(time.Hour), false)
	mustJoin(t, st, p.RoomID, a)
	mustJoin(t, st, p.RoomID, b)
	mustCart(t, st, p.RoomID, a, 9000)
	mustCart(t, st, p.RoomID, b, 8000)
	if _, err := st.LeaveRoom(ctx, p.RoomID, b.ID); err != nil {
		t.Fatal(err)
	}
	o, err := st.OrderByRoom(ctx, p.RoomID)
	if err != nil {
		t.Fatal(err)
	}
	if sp := o.Split(); sp.FoodTotal != 9000 || len(o.Members) != 2 || sp.FeeShare != 3000 {
		t.Errorf("after leave: %+v %+v", o.Members, sp)
	}
	// Re-joining starts with an empty cart.
	mustJoin(t, st, p.RoomID, b)
	if o, _ = st.OrderByRoom(ctx, p.RoomID); len(o.Members[2].Items) != 0 {
		t.Errorf("re-joined with items %+v", o.Members[2].Items)
	}
	if _, err := st.MoveOrder(ctx, p.RoomID, OrderLocked, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LeaveRoom(ctx, p.RoomID, a.ID); !errors.Is(err, ErrOrderHolding) {
		t.Errorf("leave while locked: %v", err)
	}
	if _, err := st.BanUser(ctx, p.RoomID, a.ID); !errors.Is(err, ErrOrderHolding) {
		t.Errorf("ban while locked: %v", err)
	}
	// Banning someone who is not a member still works: it holds nobody.
	if _, err := st.BanUser(ctx, p.RoomID, mustUser(t, st, "stranger").ID); err != nil {
		t.Errorf("ban a non-member while locked: %v", err)
	}
	if _, err := st.MoveOrder(ctx, p.RoomID, OrderCancelled, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LeaveRoom(ctx, p.RoomID, a.ID); err != nil {
		t.Errorf("leave a cancelled order: %v", err)
	}
}

func TestMoveOrderTransitions(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	w := mustUser(t, st, "writer")
	all := []OrderState{OrderRecruiting, OrderLocked, OrderOrdered, OrderArrived, OrderSettled, OrderCancelled}
	allowed := map[[2]OrderState]bool{
		{OrderRecruiting, OrderLocked}: true, {OrderRecruiting, OrderCancelled}: true,
		{OrderLocked, OrderRecruiting}: true, {OrderLocked, OrderOrdered}: true, {OrderLocked, OrderCancelled}: true,
		{OrderOrdered, OrderArrived}: true,
	}
	// path reaches each state from recruiting.
	path := map[OrderState][]OrderState{
		OrderRecruiting: nil, OrderLocked: {OrderLocked}, OrderOrdered: {OrderLocked, OrderOrdered},
		OrderArrived: {OrderLocked, OrderOrdered, OrderArrived}, OrderCancelled: {OrderCancelled},
	}
	for from, steps := range path {
		for _, to := range all {
			p := orderPost(t, st, w, time.Now().Add(time.Hour), false)
			a := mustUser(t, st, "m"+string(from)+string(to))
			mustJoin(t, st, p.RoomID, a)
			mustCart(t, st, p.RoomID, a, 1000)
			for _, s := range steps {
				if _, err := st.MoveOrder(ctx, p.RoomID, s, nil, ByOrganiser); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			before, _ := st.OrderByRoom(ctx, p.RoomID)
			ch, err := st.MoveOrder(ctx, p.RoomID, to, nil, ByOrganiser)
			var te *TransitionError
			switch {
			case allowed[[2]OrderState{from, to}]:
				if err != nil || ch.Notice == nil {
					t.Errorf("%s → %s: %v", from, to, err)
				}
			case !errors.As(err, &te):
				t.Errorf("%s → %s: %v, want a TransitionError", from, to, err)
			default:
				if after, _ := st.OrderByRoom(ctx, p.RoomID); after.State != before.State {
					t.Errorf("%s → %s refused but state is %s", from, to, after.State)
				}
			}
		}
	}
}

func TestApplyDeadlines(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	st := newTestStore(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	w, a := mustUser(t, st, "writer"), mustUser(t, st, "a")
	enough := orderPost(t, st, w, now.Add(10*time.Minute), false)
	tooFew := orderPost(t, st, w, now.Add(20*time.Minute), false)
	later := orderPost(t, st, w, now.Add(time.Hour), false)
	for _, p := range []Post{enough, tooFew, later} {
		mustJoin(t, st, p.RoomID, a)
		mustCart(t, st, p.RoomID, a, 5000)
	}
	mustCart(t, st, enough.RoomID, w, 5000)

	if at, ok, err := st.NextDeadline(ctx); err != nil || !ok || !at.Equal(now.Add(10*time.Minute)) {
		t.Errorf("next deadline %v %v %v", at, ok, err)
	}
	if ch, err := st.ApplyDeadlines(ctx); err != nil || len(ch) != 0 {
		t.Errorf("nothing due yet: %v %v", ch, err)
	}
	now = now.Add(30 * time.Minute)
	ch, err := st.ApplyDeadlines(ctx)
	if err != nil || len(ch) != 2 {
		t.Fatalf("due: %+v %v", ch, err)
	}
	if ch[0].Order.PostID != enough.ID || ch[0].Order.State != OrderLocked || ch[0].Notice == nil {
		t.Errorf("enough: %+v", ch[0])
	}
	if ch[1].Order.PostID != tooFew.ID || ch[1].Order.State != OrderCancelled || ch[1].Notice.Body != noticeTooFew {
		t.Errorf("too few: %+v", ch[1])
	}
	if ch, err := st.ApplyDeadlines(ctx); err != nil || len(ch) != 0 {
		t.Errorf("applied twice: %v %v", ch, err)
	}
	if at, ok, _ := st.NextDeadline(ctx); !ok || !at.Equal(later.Order.OrderAt) {
		t.Errorf("next deadline %v %v, want later's", at, ok)
	}
	// An unlock after the deadline does not lock again; a new order_at
	// re-arms it.
	if _, err := st.MoveOrder(ctx, enough.RoomID, OrderRecruiting, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	if ch, _ := st.ApplyDeadlines(ctx); len(ch) != 0 {
		t.Errorf("unlocked order locked again: %+v", ch)
	}
	at := now.Add(15 * time.Minute)
	if _, err := st.EditPost(ctx, enough.ID, PostUpdate{Order: OrderFieldsUpdate{OrderAt: &at}}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(16 * time.Minute)
	if ch, _ := st.ApplyDeadlines(ctx); len(ch) != 1 || ch[0].Order.PostID != enough.ID || ch[0].Order.State != OrderLocked {
		t.Errorf("re-armed deadline: %+v", ch)
	}
}

func TestSettlement(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	w, a, b := mustUser(t, st, "writer"), mustUser(t, st, "a"), mustUser(t, st, "b")
	p := orderPost(t, st, w, time.Now().Add(time.Hour), false)
	mustJoin(t, st, p.RoomID, a)
	mustJoin(t, st, p.RoomID, b) // b orders nothing and owes nothing
	mustCart(t, st, p.RoomID, a, 9000)
	mustCart(t, st, p.RoomID, w, 9000)
	for _, s := range []OrderState{OrderLocked, OrderOrdered} {
		if _, err := st.MoveOrder(ctx, p.RoomID, s, nil, ByOrganiser); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.MarkSent(ctx, p.RoomID, w.ID); !errors.Is(err, ErrOrganiserPays) {
		t.Errorf("organiser sends: %v", err)
	}
	// Confirmed before arrival: arriving settles at once.
	if ch, err := st.ConfirmPaid(ctx, p.RoomID, a.ID); err != nil || ch.Order.State != OrderOrdered || ch.Notice != nil {
		t.Fatalf("confirm before arrival: %+v %v", ch, err)
	}
	ch, err := st.MoveOrder(ctx, p.RoomID, OrderArrived, nil, ByOrganiser)
	if err != nil || ch.Order.State != OrderSettled || ch.Notice == nil || ch.Notice.Body != noticeArrived+"p "+noticeSettled {
		t.Fatalf("arrive with everyone paid: %+v %v", ch, err)
	}
	if _, err := st.MarkSent(ctx, p.RoomID, a.ID); !errors.Is(err, ErrOrderOver) {
		t.Errorf("send after settled: %v", err)
	}
	if _, err := st.SetPaymentInfo(ctx, p.RoomID, "x"); !errors.Is(err, ErrOrderOver) {
		t.Errorf("payment info after settled: %v", err)
	}
}

func TestDeleteRoomCancelsOpenOrder(t *testing.T) {
	st := newTestStore(t)
	ctx := context.Background()
	w := mustUser(t, st, "writer")
	open := orderPost(t, st, w, time.Now().Add(time.Hour), false)
	placed := orderPost(t, st, w, time.Now().Add(time.Hour), false)
	for _, s := range []OrderState{OrderLocked, OrderOrdered} {
		if _, err := st.MoveOrder(ctx, placed.RoomID, s, nil, ByOrganiser); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []Post{open, placed} {
		if err := st.DeleteRoom(ctx, p.RoomID); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := st.PostByID(ctx, open.ID); p.Order.State != OrderCancelled || !p.Complete {
		t.Errorf("open order of a deleted room: %+v", p.Order)
	}
	if p, _ := st.PostByID(ctx, placed.ID); p.Order.State != OrderOrdered {
		t.Errorf("placed order of a deleted room: %+v", p.Order)
	}
	if _, ok, _ := st.NextDeadline(ctx); ok {
		t.Error("a deleted room's deadline is still scheduled")
	}
}

// TestCompleteFromColumns: scanPost applies completeSQL to the columns it
// reads (PostOrder.stoppedRecruiting and the member count) instead of
// running it. Both must answer the same for every kind of post.
func TestCompleteFromColumns(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	st := newTestStore(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	w, a, b := mustUser(t, st, "writer"), mustUser(t, st, "a"), mustUser(t, st, "b")
	yes := true

	full := mustPost(t, st, w, 2)
	mustJoin(t, st, full.RoomID, a)
	closed := mustPost(t, st, w, 3)
	if _, err := st.UpdatePost(ctx, closed.ID, PostUpdate{Closed: &yes}); err != nil {
		t.Fatal(err)
	}
	minReached := orderPost(t, st, w, now.Add(time.Hour), true)
	mustJoin(t, st, minReached.RoomID, a)
	mustCart(t, st, minReached.RoomID, a, 20000)
	minShort := orderPost(t, st, w, now.Add(time.Hour), true)
	mustJoin(t, st, minShort.RoomID, a)
	mustCart(t, st, minShort.RoomID, a, 19999)
	minIgnored := orderPost(t, st, w, now.Add(time.Hour), false)
	mustJoin(t, st, minIgnored.RoomID, b)
	mustCart(t, st, minIgnored.RoomID, b, 25000)
	locked := orderPost(t, st, w, now.Add(time.Hour), false)
	if _, err := st.MoveOrder(ctx, locked.RoomID, OrderLocked, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	cancelled := orderPost(t, st, w, now.Add(time.Hour), false)
	if _, err := st.MoveOrder(ctx, cancelled.RoomID, OrderCancelled, nil, ByOrganiser); err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{mustPost(t, st, w, 3).ID: false, full.ID: true, closed.ID: true, minReached.ID: true,
		minShort.ID: false, minIgnored.ID: false, locked.ID: true, cancelled.ID: true}

	for id, complete := range want {
		p, err := st.PostByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var inSQL bool
		if err := st.r.QueryRowContext(ctx, `SELECT `+completeSQL+` FROM posts p JOIN chat_rooms r ON r.post_id = p.id
			WHERE p.id = ?`, id).Scan(&inSQL); err != nil {
			t.Fatal(err)
		}
		if p.Complete != complete || inSQL != complete {
			t.Errorf("post %d (%+v, %d members): complete %v from the columns, %v in SQL; want %v",
				id, p.Order, p.JoinNumber, p.Complete, inSQL, complete)
		}
	}
}
