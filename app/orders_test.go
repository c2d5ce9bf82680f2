package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

// orderAt is a deadline d from now, in KST as the web app sends it.
func orderAt(d time.Duration) string {
	return time.Now().Add(d).In(time.FixedZone("", 9*3600)).Format(time.RFC3339)
}

// orderPostBody is a valid write with an order (fee 3,000, minimum 20,000).
func orderPostBody() map[string]any {
	return map[string]any{
		"title": "치킨 같이 시켜요", "category": "치킨", "target_number": 4, "content": "같이 시켜요",
		"store_name": "교촌치킨 사직점", "menu_url": "https://example.com/menu", "delivery_fee": 3000,
		"min_order": 20000, "order_at": orderAt(time.Hour), "pickup_spot": "101동 앞",
	}
}

// writeOrder writes an order post and returns its post and room ids.
func (e *testEnv) writeOrder(u testUser, body map[string]any) (postID, roomID int64) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
	if r.status != http.StatusCreated {
		e.t.Fatalf("write order: %d %s", r.status, r.raw)
	}
	m := r.json(e.t)
	return int64(m["id"].(float64)), int64(m["chat_id"].(float64))
}

// wholeOrder mirrors orderJSON for decoding answers and frames.
type wholeOrder struct {
	State          string `json:"state"`
	StoreName      string `json:"store_name"`
	DeliveryFee    int64  `json:"delivery_fee"`
	FeeNow         int64  `json:"fee_now"`
	MinOrder       int64  `json:"min_order"`
	OrderAt        string `json:"order_at"`
	ETAMinutes     *int64 `json:"eta_minutes"`
	CanUnlock      bool   `json:"can_unlock"`
	FoodTotal      int64  `json:"food_total"`
	RemainingToMin int64  `json:"remaining_to_min"`
	FeeShare       int64  `json:"fee_share"`
	PaymentInfo    string `json:"payment_info"`
	Members        []struct {
		User     userRefJSON     `json:"user"`
		Items    []orderItemJSON `json:"items"`
		Subtotal int64           `json:"subtotal"`
		Fee      int64           `json:"fee"`
		ToPay    int64           `json:"to_pay"`
		Ready    bool            `json:"ready"`
		Paid     string          `json:"paid"`
	} `json:"members"`
}

func decodeOrder(t *testing.T, raw []byte) wholeOrder {
	t.Helper()
	var o wholeOrder
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("order %s: %v", raw, err)
	}
	return o
}

// member returns the member entry of a user.
func (o wholeOrder) member(t *testing.T, id int64) (subtotal, fee, toPay int64, ready bool, paid string) {
	t.Helper()
	for _, m := range o.Members {
		if m.User.ID == id {
			return m.Subtotal, m.Fee, m.ToPay, m.Ready, m.Paid
		}
	}
	t.Fatalf("user %d not in order %+v", id, o)
	return
}

// orderCall sends one order request and checks its status.
func (e *testEnv) orderCall(method string, room int64, rest string, u testUser, body any, want int) response {
	e.t.Helper()
	r := e.do(req{method: method, path: roomPath(room, "order/"+rest), token: u.token, body: body})
	if r.status != want {
		e.t.Fatalf("%s order/%s as %s: %d %s, want %d", method, rest, u.username, r.status, r.raw, want)
	}
	return r
}

func cart(items ...orderItemJSON) map[string]any {
	return map[string]any{"items": append([]orderItemJSON{}, items...)}
}

// snapshot is everything an order refusal must leave alone: the order, the
// room's history and members, and the post.
func (e *testEnv) snapshot(postID, room int64) string {
	e.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	o, err := e.store.OrderByRoom(ctx, room)
	if err != nil && !errors.Is(err, store.ErrNoOrder) {
		e.t.Fatal(err)
	}
	fmt.Fprintf(&b, "%s\n", mustJSON(toOrderJSON(o, true)))
	msgs, _, err := e.store.Messages(ctx, room, store.MessagePage{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	fmt.Fprintf(&b, "%d messages\n", len(msgs))
	members, _ := e.store.RoomMembers(ctx, room)
	fmt.Fprintf(&b, "%v\n", members)
	p, err := e.store.PostByID(ctx, postID)
	if err != nil {
		e.t.Fatal(err)
	}
	var po store.PostOrder
	if p.Order != nil {
		po = *p.Order
	}
	p.Order = nil // print the values, not the pointer
	fmt.Fprintf(&b, "%+v %+v", p, po)
	return b.String()
}

func TestOrderFieldsOnPosts(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)

	t.Run("a post without an order is as before", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: validPost()})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		m := r.json(t)
		for _, k := range []string{"store_name", "menu_url", "delivery_fee", "fee_tiers", "min_order", "order_at",
			"pickup_spot", "pickup_note", "close_on_min", "order_state"} {
			if v, ok := m[k]; !ok || v != nil {
				t.Errorf("%s = %v (present %v), want null", k, v, ok)
			}
		}
		for _, k := range []string{"food_total", "fee_now", "remaining_to_min", "fee_share"} {
			if m[k] != float64(0) {
				t.Errorf("%s = %v, want 0", k, m[k])
			}
		}
		if m["is_compelete"] != false {
			t.Errorf("is_compelete %v", m["is_compelete"])
		}
		room := int64(m["chat_id"].(float64))
		if r := e.do(req{method: "GET", path: roomPath(room, "order/"), token: u.token}); r.status != 404 || r.str(t) != msgNoOrder {
			t.Errorf("order of a post without one: %d %s", r.status, r.raw)
		}
	})
	t.Run("a post with an order carries it everywhere", func(t *testing.T) {
		body := orderPostBody()
		body["fee_tiers"] = []map[string]any{{"from_total": 30000, "fee": 1000}}
		body["pickup_note"] = "경비실 옆"
		body["close_on_min"] = true
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		m := r.json(t)
		check := func(where string, m map[string]any) {
			t.Helper()
			if m["store_name"] != "교촌치킨 사직점" || m["menu_url"] != "https://example.com/menu" ||
				m["delivery_fee"] != float64(3000) || m["min_order"] != float64(20000) || m["pickup_spot"] != "101동 앞" ||
				m["pickup_note"] != "경비실 옆" || m["close_on_min"] != true || m["order_state"] != "recruiting" ||
				m["food_total"] != float64(0) || m["fee_now"] != float64(3000) || m["remaining_to_min"] != float64(20000) ||
				m["fee_share"] != float64(0) || m["is_compelete"] != false {
				t.Errorf("%s: %v", where, m)
			}
			if at, ok := m["order_at"].(string); !ok || !strings.HasSuffix(at, "+09:00") {
				t.Errorf("%s: order_at %v", where, m["order_at"])
			}
			tiers, _ := json.Marshal(m["fee_tiers"])
			if string(tiers) != `[{"fee":1000,"from_total":30000}]` {
				t.Errorf("%s: fee_tiers %s", where, tiers)
			}
			if _, ok := m["payment_info"]; ok {
				t.Errorf("%s: payment_info on a post object", where)
			}
		}
		check("write", m)
		id, room := int64(m["id"].(float64)), int64(m["chat_id"].(float64))
		check("detail", e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", id), token: u.token}).json(t))
		check("room", e.do(req{method: "GET", path: roomPath(room, ""), token: u.token}).json(t))
		board := e.do(req{method: "GET", path: "/api/post/", token: u.token}).json(t)
		check("board", board["posts"].([]any)[0].(map[string]any))
		check("edit", e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", id), token: u.token,
			body: map[string]any{"title": "제목만"}}).json(t))
	})
}

func TestOrderWriteValidation(t *testing.T) {
	e := newTestEnv(t)
	u := e.register("writer", addrSajik)
	long := func(n int) string { return strings.Repeat("가", n) }
	cases := []struct {
		name  string
		set   map[string]any
		drop  string
		field string
	}{
		{"store_name missing", nil, "store_name", "store_name"},
		{"store_name null", map[string]any{"store_name": nil}, "", "store_name"},
		{"store_name blank", map[string]any{"store_name": "  "}, "", "store_name"},
		{"store_name long", map[string]any{"store_name": long(41)}, "", "store_name"},
		{"store_name number", map[string]any{"store_name": 5}, "", "store_name"},
		{"menu_url ftp", map[string]any{"menu_url": "ftp://example.com/x"}, "", "menu_url"},
		{"menu_url javascript", map[string]any{"menu_url": "javascript:alert(1)"}, "", "menu_url"},
		{"menu_url no host", map[string]any{"menu_url": "https://"}, "", "menu_url"},
		{"menu_url long", map[string]any{"menu_url": "https://example.com/" + strings.Repeat("a", 481)}, "", "menu_url"},
		{"menu_url list", map[string]any{"menu_url": []any{"x"}}, "", "menu_url"},
		{"delivery_fee missing", nil, "delivery_fee", "delivery_fee"},
		{"delivery_fee null", map[string]any{"delivery_fee": nil}, "", "delivery_fee"},
		{"delivery_fee negative", map[string]any{"delivery_fee": -1}, "", "delivery_fee"},
		{"delivery_fee too big", map[string]any{"delivery_fee": 100001}, "", "delivery_fee"},
		{"delivery_fee fraction", map[string]any{"delivery_fee": 3000.5}, "", "delivery_fee"},
		{"delivery_fee bool", map[string]any{"delivery_fee": true}, "", "delivery_fee"},
		{"fee_tiers not a list", map[string]any{"fee_tiers": "30000:1000"}, "", "fee_tiers"},
		{"fee_tiers six", map[string]any{"fee_tiers": []map[string]any{{"from_total": 1, "fee": 0}, {"from_total": 2, "fee": 0},
			{"from_total": 3, "fee": 0}, {"from_total": 4, "fee": 0}, {"from_total": 5, "fee": 0}, {"from_total": 6, "fee": 0}}}, "", "fee_tiers"},
		{"fee_tiers not increasing", map[string]any{"fee_tiers": []map[string]any{{"from_total": 2000, "fee": 0}, {"from_total": 2000, "fee": 0}}}, "", "fee_tiers[1].from_total"},
		{"fee_tiers element", map[string]any{"fee_tiers": []any{5}}, "", "fee_tiers[0]"},
		{"fee_tiers fee too big", map[string]any{"fee_tiers": []map[string]any{{"from_total": 0, "fee": 100001}}}, "", "fee_tiers[0].fee"},
		{"fee_tiers from null", map[string]any{"fee_tiers": []map[string]any{{"from_total": nil, "fee": 1}}}, "", "fee_tiers[0].from_total"},
		{"fee_tiers from string", map[string]any{"fee_tiers": []map[string]any{{"from_total": "10", "fee": 1}}}, "", "fee_tiers[0].from_total"},
		{"fee_tiers from too big", map[string]any{"fee_tiers": []map[string]any{{"from_total": 10_000_001, "fee": 1}}}, "", "fee_tiers[0].from_total"},
		{"min_order missing", nil, "min_order", "min_order"},
		{"min_order too big", map[string]any{"min_order": 1_000_001}, "", "min_order"},
		{"min_order string", map[string]any{"min_order": "많이"}, "", "min_order"},
		{"order_at missing", nil, "order_at", "order_at"},
		{"order_at null", map[string]any{"order_at": nil}, "", "order_at"},
		{"order_at 9 minutes", map[string]any{"order_at": orderAt(9 * time.Minute)}, "", "order_at"},
		{"order_at 25 hours", map[string]any{"order_at": orderAt(25 * time.Hour)}, "", "order_at"},
		{"order_at past", map[string]any{"order_at": orderAt(-time.Hour)}, "", "order_at"},
		{"order_at without offset", map[string]any{"order_at": time.Now().Add(time.Hour).Format("2006-01-02T15:04:05")}, "", "order_at"},
		{"order_at number", map[string]any{"order_at": 1700000000}, "", "order_at"},
		{"pickup_spot missing", nil, "pickup_spot", "pickup_spot"},
		{"pickup_spot long", map[string]any{"pickup_spot": long(51)}, "", "pickup_spot"},
		{"pickup_note long", map[string]any{"pickup_note": long(201)}, "", "pickup_note"},
		{"close_on_min string", map[string]any{"close_on_min": "yes"}, "", "close_on_min"},
	}
	count := func() int {
		n, err := e.store.CountPosts(context.Background(), store.PostFilter{Areas: []string{u2area(e, u)}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := orderPostBody()
			for k, v := range tc.set {
				body[k] = v
			}
			if tc.drop != "" {
				delete(body, tc.drop)
			}
			r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if errs := r.fieldErrs(t); errs[tc.field] == nil {
				t.Errorf("no error on %s: %s", tc.field, r.raw)
			}
		})
	}
	t.Run("trailing garbage", func(t *testing.T) {
		raw, _ := json.Marshal(orderPostBody())
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: append(raw, []byte(` {"x":1}`)...)})
		if r.status != 400 || r.str(t) != msgBadBody {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
	if after := count(); after != before {
		t.Errorf("refused writes stored %d posts", after-before)
	}
	t.Run("explicit nulls are refused", func(t *testing.T) {
		body := validPost()
		for _, k := range orderKeys {
			body[k] = nil
		}
		r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body})
		if r.status != 400 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		errs := r.json(t)["errors"].(map[string]any)
		for _, k := range orderKeys {
			if errs[k] == nil {
				t.Errorf("no error on null %s: %s", k, r.raw)
			}
		}
	})
	t.Run("bounds that pass", func(t *testing.T) {
		body := orderPostBody()
		body["store_name"], body["delivery_fee"], body["min_order"] = long(40), 100000, 1_000_000
		body["order_at"], body["pickup_spot"], body["pickup_note"] = orderAt(23*time.Hour+50*time.Minute), long(50), long(200)
		body["menu_url"] = "http://example.com/" + strings.Repeat("a", 481)
		body["fee_tiers"] = []map[string]any{{"from_total": 0, "fee": 0}, {"from_total": 1, "fee": 1}, {"from_total": 2, "fee": 2},
			{"from_total": 3, "fee": 3}, {"from_total": 10_000_000, "fee": 100000}}
		if r := e.do(req{method: "POST", path: "/api/post/write/", token: u.token, body: body}); r.status != 201 {
			t.Errorf("%d %s", r.status, r.raw)
		}
	})
}

// u2area is the board area of a user.
func u2area(e *testEnv, u testUser) string {
	e.t.Helper()
	usr, err := e.store.UserByID(context.Background(), u.id)
	if err != nil {
		e.t.Fatal(err)
	}
	return usr.Area()
}

func TestOrderEditFields(t *testing.T) {
	e := newChatEnv(t)
	w := e.register("writer", addrSajik)
	m := e.register("member", addrSajik)
	postID, room := e.writeOrder(w, orderPostBody())
	e.joinAPI(room, m, 200)
	e.orderCall("PUT", room, "cart/", m, cart(orderItemJSON{Name: "양념", Price: 19000, Qty: 1}), 200)
	ws := e.mustDial(room, m)
	edit := func(u testUser, body map[string]any) response {
		return e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: u.token, body: body})
	}
	if r := edit(m, map[string]any{"delivery_fee": 0}); r.status != 403 {
		t.Errorf("member edits: %d %s", r.status, r.raw)
	}
	before := e.snapshot(postID, room)
	for name, body := range map[string]map[string]any{
		"null required": {"store_name": nil},
		"fee bounds":    {"delivery_fee": 100001},
		"deadline":      {"order_at": orderAt(time.Minute)},
		"tiers type":    {"fee_tiers": map[string]any{}},
	} {
		if r := edit(w, body); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if after := e.snapshot(postID, room); after != before {
		t.Errorf("refused edits changed something:\n%s\n%s", before, after)
	}
	r := edit(w, map[string]any{"delivery_fee": 4000, "menu_url": "", "fee_tiers": []map[string]any{{"from_total": 19000, "fee": 2000}}})
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.raw)
	}
	pm := r.json(t)
	if pm["delivery_fee"] != float64(4000) || pm["menu_url"] != "" || pm["fee_now"] != float64(2000) || pm["fee_share"] != float64(2000) {
		t.Errorf("after edit: %v", pm)
	}
	if ev := ws.expect("chat.message"); ev.Message.Message != "주문 정보가 바뀌었어요." || ev.Message.User != nil {
		t.Errorf("notice: %s", ev.raw)
	}
	ev := ws.expect("order.updated")
	var frame struct{ Order wholeOrder }
	json.Unmarshal([]byte(ev.raw), &frame)
	if frame.Order.DeliveryFee != 4000 || frame.Order.FeeNow != 2000 {
		t.Errorf("frame: %s", ev.raw)
	}
	e.orderCall("POST", room, "state/", w, map[string]any{"state": "locked"}, 200)
	before = e.snapshot(postID, room)
	if r := edit(w, map[string]any{"delivery_fee": 1000}); r.status != 400 || r.str(t) != msgOrderFieldsFixed {
		t.Errorf("edit after lock: %d %s", r.status, r.raw)
	}
	if after := e.snapshot(postID, room); after != before {
		t.Errorf("refused edit after lock changed something")
	}
	// The original fields stay editable after the lock.
	if r := edit(w, map[string]any{"title": "새 제목"}); r.status != 200 {
		t.Errorf("title after lock: %d %s", r.status, r.raw)
	}
	t.Run("an edit can add an order", func(t *testing.T) {
		plain, plainRoom := e.writePost(w, "그냥 글", 3)
		r := edit2(e, w, plain, map[string]any{"store_name": "피자"})
		if r.status != 400 || r.fieldErrs(t)["delivery_fee"] == nil {
			t.Errorf("partial new order: %d %s", r.status, r.raw)
		}
		body := orderPostBody()
		for _, k := range []string{"title", "category", "content", "target_number"} {
			delete(body, k)
		}
		if r := edit2(e, w, plain, body); r.status != 200 || r.json(t)["order_state"] != "recruiting" {
			t.Errorf("add order: %d %s", r.status, r.raw)
		}
		e.orderCall("GET", plainRoom, "", w, nil, 200)
	})
}

func edit2(e *testEnv, u testUser, postID int64, body map[string]any) response {
	return e.do(req{method: "POST", path: fmt.Sprintf("/api/post/detail/%d/edit/", postID), token: u.token, body: body})
}

// TestOrderFlow is the story: the organiser and two neighbours, a
// fee of 3,000 and a minimum of 20,000, through every state to settled,
// with each person's share checked at every step and every step heard on
// the room's sockets.
func TestOrderFlow(t *testing.T) {
	e := newChatEnv(t)
	org := e.register("organiser", addrSajik)
	a := e.register("neighbour_a", addrSajik)
	b := e.register("neighbour_b", addrSajik)
	postID, room := e.writeOrder(org, orderPostBody())
	e.joinAPI(room, a, 200)
	e.joinAPI(room, b, 200)
	ws := e.mustDial(room, a)

	// step runs one order call and checks the answer and the frame agree.
	step := func(method, rest string, u testUser, body any, notice string) wholeOrder {
		t.Helper()
		o := decodeOrder(t, e.orderCall(method, room, rest, u, body, 200).raw)
		if notice != "" {
			if ev := ws.expect("chat.message"); ev.Message.Message != notice || ev.Message.User != nil {
				t.Errorf("notice %q, want %q", ev.Message.Message, notice)
			}
		}
		ev := ws.expect("order.updated")
		var frame struct{ Order json.RawMessage }
		json.Unmarshal([]byte(ev.raw), &frame)
		if fo := decodeOrder(t, frame.Order); fo.State != o.State || fo.FoodTotal != o.FoodTotal || fo.FeeShare != o.FeeShare ||
			len(fo.Members) != len(o.Members) {
			t.Errorf("frame %s differs from answer %+v", frame.Order, o)
		}
		return o
	}
	shares := func(o wholeOrder, want map[int64][3]int64) {
		t.Helper()
		var sum int64
		for id, w := range want {
			sub, fee, toPay, _, _ := o.member(t, id)
			if [3]int64{sub, fee, toPay} != w {
				t.Errorf("user %d: subtotal/fee/to_pay %d/%d/%d, want %v", id, sub, fee, toPay, w)
			}
		}
		for _, m := range o.Members {
			sum += m.ToPay
		}
		if sum != o.FoodTotal+o.FeeNow {
			t.Errorf("Σ to_pay %d ≠ %d + %d", sum, o.FoodTotal, o.FeeNow)
		}
	}

	o := step("PUT", "cart/", a, cart(orderItemJSON{Name: "후라이드", Price: 9000, Qty: 1, Note: "바삭하게"}), "")
	if o.FoodTotal != 9000 || o.FeeShare != 3000 || o.RemainingToMin != 11000 {
		t.Errorf("one cart: %+v", o)
	}
	shares(o, map[int64][3]int64{org.id: {0, 0, 0}, a.id: {9000, 3000, 12000}, b.id: {0, 0, 0}})
	o = step("PUT", "cart/", b, cart(orderItemJSON{Name: "양념", Price: 10000, Qty: 1}, orderItemJSON{Name: "콜라", Price: 1000, Qty: 2}), "")
	if o.FoodTotal != 21000 || o.FeeShare != 1500 || o.RemainingToMin != 0 {
		t.Errorf("two carts: %+v", o)
	}
	shares(o, map[int64][3]int64{org.id: {0, 0, 0}, a.id: {9000, 1500, 10500}, b.id: {12000, 1500, 13500}})
	o = step("PUT", "cart/", org, cart(orderItemJSON{Name: "치즈볼", Price: 5000, Qty: 1}), "")
	shares(o, map[int64][3]int64{org.id: {5000, 1000, 6000}, a.id: {9000, 1000, 10000}, b.id: {12000, 1000, 13000}})
	o = step("POST", "ready/", a, map[string]any{"ready": true}, "")
	if _, _, _, ready, _ := o.member(t, a.id); !ready {
		t.Error("a is not ready")
	}
	// Changing the cart clears the ready mark.
	o = step("PUT", "cart/", a, cart(orderItemJSON{Name: "후라이드", Price: 9000, Qty: 1}), "")
	if _, _, _, ready, _ := o.member(t, a.id); ready {
		t.Error("a is still ready after a cart change")
	}
	// The board shows the progress.
	board := e.do(req{method: "GET", path: "/api/post/", token: b.token}).json(t)
	card := board["posts"].([]any)[0].(map[string]any)
	if card["food_total"] != float64(26000) || card["remaining_to_min"] != float64(0) || card["fee_share"] != float64(1000) ||
		card["order_state"] != "recruiting" {
		t.Errorf("board card: %v", card)
	}

	o = step("POST", "state/", org, map[string]any{"state": "locked"}, "방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요.")
	if o.State != "locked" || !o.CanUnlock {
		t.Errorf("locked: %+v", o)
	}
	if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: b.token}); r.status != 400 || r.str(t) != msgLeaveHeld {
		t.Errorf("leave after lock: %d %s", r.status, r.raw)
	}
	if r := e.do(req{method: "POST", path: roomPath(room, "user/ban/"), token: org.token, body: map[string]any{"target_user_id": b.id}}); r.status != 400 || r.str(t) != msgBanHeld {
		t.Errorf("ban after lock: %d %s", r.status, r.raw)
	}
	late := e.register("late", addrSajik)
	if r := e.do(req{method: "POST", path: roomPath(room, ""), token: late.token}); r.status != 400 || r.str(t) != msgOrderNotJoinable {
		t.Errorf("join after lock: %d %s", r.status, r.raw)
	}
	if r := e.orderCall("PUT", room, "cart/", b, cart(), 400); r.str(t) != msgCartFrozen {
		t.Errorf("cart after lock: %s", r.raw)
	}
	o = step("POST", "state/", org, map[string]any{"state": "recruiting"}, "방장이 마감을 풀었어요. 장바구니를 다시 바꿀 수 있어요.")
	if o.State != "recruiting" || o.CanUnlock {
		t.Errorf("unlocked: %+v", o)
	}
	step("PUT", "cart/", b, cart(orderItemJSON{Name: "양념", Price: 10000, Qty: 1}, orderItemJSON{Name: "콜라", Price: 1000, Qty: 1}), "")
	step("POST", "state/", org, map[string]any{"state": "locked"}, "방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요.")
	if r := e.orderCall("POST", room, "state/", org, map[string]any{"state": "recruiting"}, 400); r.str(t) != msgUnlockOnce {
		t.Errorf("second unlock: %s", r.raw)
	}
	o = step("PUT", "payment-info/", org, map[string]any{"text": "카카오뱅크 3333-01-1234567"}, "")
	if o.PaymentInfo != "카카오뱅크 3333-01-1234567" {
		t.Errorf("payment info: %+v", o)
	}
	o = step("POST", "state/", org, map[string]any{"state": "ordered", "eta_minutes": 40}, "방장이 주문했어요. 약 40분 뒤 도착 예정이에요.")
	if o.State != "ordered" || o.ETAMinutes == nil || *o.ETAMinutes != 40 {
		t.Errorf("ordered: %+v", o)
	}
	shares(o, map[int64][3]int64{org.id: {5000, 1000, 6000}, a.id: {9000, 1000, 10000}, b.id: {11000, 1000, 12000}})
	o = step("POST", "payment/", a, map[string]any{"action": "sent"}, "")
	if _, _, _, _, paid := o.member(t, a.id); paid != "sent" {
		t.Errorf("a paid %q", paid)
	}
	o = step("POST", "state/", org, map[string]any{"state": "arrived"}, "주문한 음식이 도착했어요. 픽업 장소: 101동 앞")
	if o.State != "arrived" {
		t.Errorf("arrived: %+v", o)
	}
	step("POST", "payment/", b, map[string]any{"action": "sent"}, "")
	o = step("POST", "payment/", org, map[string]any{"action": "confirm", "user_id": a.id}, "")
	if o.State != "arrived" {
		t.Errorf("settled with b unconfirmed: %+v", o)
	}
	o = step("POST", "payment/", org, map[string]any{"action": "confirm", "user_id": b.id}, "모두 정산을 마쳤어요.")
	if o.State != "settled" {
		t.Errorf("not settled: %+v", o)
	}
	shares(o, map[int64][3]int64{org.id: {5000, 1000, 6000}, a.id: {9000, 1000, 10000}, b.id: {11000, 1000, 12000}})
	detail := e.do(req{method: "GET", path: fmt.Sprintf("/api/post/detail/%d/", postID), token: a.token}).json(t)
	if detail["is_compelete"] != true || detail["order_state"] != "settled" {
		t.Errorf("settled post: %v", detail)
	}
	// After settlement leaving works again.
	if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: b.token}); r.status != 202 {
		t.Errorf("leave after settled: %d %s", r.status, r.raw)
	}
	// Every step is in the room's history.
	msgs, _, _ := e.store.Messages(context.Background(), room, store.MessagePage{Limit: 1000})
	var system []string
	for _, m := range msgs {
		// Join and leave notices are not order steps.
		if m.User == nil && !strings.HasSuffix(m.Body, " 님이 들어왔어요.") && !strings.HasSuffix(m.Body, " 님이 나갔어요.") {
			system = append(system, m.Body)
		}
	}
	want := []string{"방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요.", "방장이 마감을 풀었어요. 장바구니를 다시 바꿀 수 있어요.",
		"방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요.", "방장이 주문했어요. 약 40분 뒤 도착 예정이에요.",
		"주문한 음식이 도착했어요. 픽업 장소: 101동 앞", "모두 정산을 마쳤어요."}
	if strings.Join(system, "|") != strings.Join(want, "|") {
		t.Errorf("history:\n%s\nwant\n%s", strings.Join(system, "\n"), strings.Join(want, "\n"))
	}
}

// TestOrderAuthorization runs every order route as each kind of caller on a
// fresh order: organiser, member, staff (not a member), outsider, banned,
// anonymous. A refusal changes nothing.
func TestOrderAuthorization(t *testing.T) {
	e := newTestEnv(t)
	org := e.register("organiser", addrSajik)
	member := e.register("member", addrSajik)
	staff := e.register("staff", addrSajik)
	if err := e.store.SetStaff(context.Background(), staff.id, true); err != nil {
		t.Fatal(err)
	}
	outsider := e.register("outsider", addrSajik)
	banned := e.register("banned", addrSajik)
	anon := testUser{username: "anonymous"}
	callers := map[string]testUser{"organiser": org, "member": member, "staff": staff, "outsider": outsider, "banned": banned, "anonymous": anon}

	// fresh is an order in state locked (for payment routes) or recruiting,
	// with member and banned's history in it.
	fresh := func(locked bool) (int64, int64) {
		postID, room := e.writeOrder(org, orderPostBody())
		e.joinAPI(room, member, 200)
		e.joinAPI(room, banned, 200)
		if r := e.do(req{method: "POST", path: roomPath(room, "user/ban/"), token: org.token, body: map[string]any{"target_user_id": banned.id}}); r.status != 202 {
			t.Fatalf("ban: %d %s", r.status, r.raw)
		}
		e.orderCall("PUT", room, "cart/", member, cart(orderItemJSON{Name: "a", Price: 1000, Qty: 1}), 200)
		if locked {
			e.orderCall("POST", room, "state/", org, map[string]any{"state": "locked"}, 200)
		}
		return postID, room
	}
	item := cart(orderItemJSON{Name: "b", Price: 2000, Qty: 1})
	routes := []struct {
		method, rest string
		body         any
		locked       bool
		want         map[string]int
	}{
		{"GET", "", nil, false, map[string]int{"organiser": 200, "member": 200, "staff": 200, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"PUT", "cart/", item, false, map[string]int{"organiser": 200, "member": 200, "staff": 404, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"POST", "ready/", map[string]any{"ready": true}, false, map[string]int{"organiser": 200, "member": 200, "staff": 404, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"POST", "state/", map[string]any{"state": "locked"}, false, map[string]int{"organiser": 200, "member": 403, "staff": 403, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"POST", "state/", map[string]any{"state": "cancelled"}, false, map[string]int{"organiser": 200, "member": 403, "staff": 200, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"PUT", "payment-info/", map[string]any{"text": "토스 1234"}, false, map[string]int{"organiser": 200, "member": 403, "staff": 403, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"POST", "payment/", map[string]any{"action": "sent"}, true, map[string]int{"organiser": 400, "member": 200, "staff": 404, "outsider": 404, "banned": 404, "anonymous": 401}},
		{"POST", "payment/", map[string]any{"action": "confirm", "user_id": member.id}, true, map[string]int{"organiser": 200, "member": 403, "staff": 403, "outsider": 404, "banned": 404, "anonymous": 401}},
	}
	for _, rt := range routes {
		for who, u := range callers {
			want := rt.want[who]
			t.Run(fmt.Sprintf("%s %s %v as %s", rt.method, rt.rest, rt.body, who), func(t *testing.T) {
				postID, room := fresh(rt.locked)
				before := e.snapshot(postID, room)
				r := e.do(req{method: rt.method, path: roomPath(room, "order/"+rt.rest), token: u.token, body: rt.body})
				if r.status != want {
					t.Fatalf("%d %s, want %d", r.status, r.raw, want)
				}
				after := e.snapshot(postID, room)
				if want != 200 && after != before {
					t.Errorf("refusal changed something:\n%s\n%s", before, after)
				}
				if want == 200 && rt.method != "GET" && after == before {
					t.Errorf("success changed nothing")
				}
				if want == 200 {
					o := decodeOrder(t, r.raw)
					if (o.PaymentInfo != "") && who == "staff" {
						t.Errorf("staff sees payment_info")
					}
				}
			})
		}
	}
	t.Run("payment_info only for members", func(t *testing.T) {
		_, room := fresh(false)
		e.orderCall("PUT", room, "payment-info/", org, map[string]any{"text": "토스 1234"}, 200)
		if o := decodeOrder(t, e.orderCall("GET", room, "", member, nil, 200).raw); o.PaymentInfo != "토스 1234" {
			t.Errorf("member: %q", o.PaymentInfo)
		}
		if o := decodeOrder(t, e.orderCall("GET", room, "", staff, nil, 200).raw); o.PaymentInfo != "" {
			t.Errorf("staff: %q", o.PaymentInfo)
		}
		if r := e.do(req{method: "GET", path: "/api/post/", token: outsider.token}); strings.Contains(string(r.raw), "토스 1234") {
			t.Error("board shows payment_info")
		}
	})
	t.Run("staff cancel says so", func(t *testing.T) {
		_, room := fresh(true)
		o := decodeOrder(t, e.orderCall("POST", room, "state/", staff, map[string]any{"state": "cancelled"}, 200).raw)
		msgs, _, _ := e.store.Messages(context.Background(), room, store.MessagePage{})
		if o.State != "cancelled" || msgs[len(msgs)-1].Body != "운영자가 주문을 취소했어요." {
			t.Errorf("%s / %q", o.State, msgs[len(msgs)-1].Body)
		}
	})
}

// TestOrderValidation: every field and bound of the order routes, explicit
// nulls, wrong types and trailing garbage; nothing changes on a refusal.
func TestOrderValidation(t *testing.T) {
	e := newTestEnv(t)
	org := e.register("organiser", addrSajik)
	member := e.register("member", addrSajik)
	outsider := e.register("outsider", addrSajik)
	postID, room := e.writeOrder(org, orderPostBody())
	e.joinAPI(room, member, 200)
	e.orderCall("PUT", room, "cart/", member, cart(orderItemJSON{Name: "a", Price: 1000, Qty: 1}), 200)
	long := func(n int) string { return strings.Repeat("a", n) }
	it := func(kv ...any) map[string]any {
		m := map[string]any{"name": "후라이드", "price": 1000, "qty": 1}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "DROP" {
				delete(m, kv[i].(string))
			} else {
				m[kv[i].(string)] = kv[i+1]
			}
		}
		return m
	}
	items := func(list ...any) map[string]any { return map[string]any{"items": list} }
	many := make([]any, 21)
	for i := range many {
		many[i] = it()
	}
	type vcase struct {
		name       string
		method     string
		rest       string
		u          testUser
		body       any
		field, msg string // a field error, or a bare message when field is ""
	}
	cases := []vcase{
		{"items missing", "PUT", "cart/", member, map[string]any{}, "items", ""},
		{"items null", "PUT", "cart/", member, map[string]any{"items": nil}, "items", ""},
		{"items object", "PUT", "cart/", member, map[string]any{"items": map[string]any{}}, "items", ""},
		{"items string", "PUT", "cart/", member, map[string]any{"items": "치킨"}, "items", ""},
		{"21 items", "PUT", "cart/", member, items(many...), "items", ""},
		{"item not object", "PUT", "cart/", member, items(it(), 5), "items[1]", ""},
		{"name missing", "PUT", "cart/", member, items(it("name", "DROP")), "items[0].name", ""},
		{"name null", "PUT", "cart/", member, items(it("name", nil)), "items[0].name", ""},
		{"name blank", "PUT", "cart/", member, items(it("name", " ")), "items[0].name", ""},
		{"name long", "PUT", "cart/", member, items(it("name", long(41))), "items[0].name", ""},
		{"name number", "PUT", "cart/", member, items(it("name", 3)), "items[0].name", ""},
		{"price missing", "PUT", "cart/", member, items(it("price", "DROP")), "items[0].price", ""},
		{"price null", "PUT", "cart/", member, items(it("price", nil)), "items[0].price", ""},
		{"price negative", "PUT", "cart/", member, items(it("price", -1)), "items[0].price", ""},
		{"price too big", "PUT", "cart/", member, items(it("price", 1_000_001)), "items[0].price", ""},
		{"price fraction", "PUT", "cart/", member, items(it("price", 10.5)), "items[0].price", ""},
		{"price string", "PUT", "cart/", member, items(it("price", "1000")), "items[0].price", ""},
		{"qty 0", "PUT", "cart/", member, items(it("qty", 0)), "items[0].qty", ""},
		{"qty 21", "PUT", "cart/", member, items(it("qty", 21)), "items[0].qty", ""},
		{"qty bool", "PUT", "cart/", member, items(it("qty", true)), "items[0].qty", ""},
		{"note long", "PUT", "cart/", member, items(it("note", long(61))), "items[0].note", ""},
		{"note number", "PUT", "cart/", member, items(it("note", 1)), "items[0].note", ""},
		{"second item bad", "PUT", "cart/", member, items(it(), it("qty", 99)), "items[1].qty", ""},
		{"ready missing", "POST", "ready/", member, map[string]any{}, "ready", ""},
		{"ready null", "POST", "ready/", member, map[string]any{"ready": nil}, "ready", ""},
		{"ready number", "POST", "ready/", member, map[string]any{"ready": 1}, "ready", ""},
		{"state missing", "POST", "state/", org, map[string]any{}, "state", ""},
		{"state null", "POST", "state/", org, map[string]any{"state": nil}, "state", ""},
		{"state unknown", "POST", "state/", org, map[string]any{"state": "done"}, "state", ""},
		{"state settled", "POST", "state/", org, map[string]any{"state": "settled"}, "state", ""},
		{"state number", "POST", "state/", org, map[string]any{"state": 1}, "state", ""},
		{"eta 0", "POST", "state/", org, map[string]any{"state": "ordered", "eta_minutes": 0}, "eta_minutes", ""},
		{"eta 241", "POST", "state/", org, map[string]any{"state": "ordered", "eta_minutes": 241}, "eta_minutes", ""},
		{"eta string", "POST", "state/", org, map[string]any{"state": "ordered", "eta_minutes": "soon"}, "eta_minutes", ""},
		{"ordered from recruiting", "POST", "state/", org, map[string]any{"state": "ordered"}, "", "지금 상태(모집 중)에서는 주문 완료(으)로 바꿀 수 없어요."},
		{"arrived from recruiting", "POST", "state/", org, map[string]any{"state": "arrived"}, "", "지금 상태(모집 중)에서는 도착(으)로 바꿀 수 없어요."},
		{"recruiting from recruiting", "POST", "state/", org, map[string]any{"state": "recruiting"}, "", "지금 상태(모집 중)에서는 모집 중(으)로 바꿀 수 없어요."},
		{"text missing", "PUT", "payment-info/", org, map[string]any{}, "text", ""},
		{"text null", "PUT", "payment-info/", org, map[string]any{"text": nil}, "text", ""},
		{"text long", "PUT", "payment-info/", org, map[string]any{"text": long(201)}, "text", ""},
		{"text number", "PUT", "payment-info/", org, map[string]any{"text": 3333}, "text", ""},
		{"action missing", "POST", "payment/", member, map[string]any{}, "action", ""},
		{"action null", "POST", "payment/", member, map[string]any{"action": nil}, "action", ""},
		{"action unknown", "POST", "payment/", member, map[string]any{"action": "paid"}, "action", ""},
		{"confirm without user", "POST", "payment/", org, map[string]any{"action": "confirm"}, "user_id", ""},
		{"confirm user null", "POST", "payment/", org, map[string]any{"action": "confirm", "user_id": nil}, "user_id", ""},
		{"confirm user string", "POST", "payment/", org, map[string]any{"action": "confirm", "user_id": "x"}, "user_id", ""},
		{"sent while recruiting", "POST", "payment/", member, map[string]any{"action": "sent"}, "", msgNotPayableYet},
		{"confirm while recruiting", "POST", "payment/", org, map[string]any{"action": "confirm", "user_id": member.id}, "", msgNotPayableYet},
		{"confirm an outsider", "POST", "payment/", org, map[string]any{"action": "confirm", "user_id": outsider.id}, "user_id", msgNotOrderMember},
		{"confirm the organiser", "POST", "payment/", org, map[string]any{"action": "confirm", "user_id": org.id}, "user_id", msgOrganiserNoCheck},
		{"organiser sends", "POST", "payment/", org, map[string]any{"action": "sent"}, "", msgOrganiserNoSend},
	}
	for _, rest := range []string{"cart/", "ready/", "state/", "payment-info/", "payment/"} {
		u, method := member, "POST"
		if rest == "state/" || rest == "payment-info/" {
			u = org
		}
		if rest == "cart/" || rest == "payment-info/" {
			method = "PUT"
		}
		cases = append(cases,
			vcase{"trailing garbage " + rest, method, rest, u, []byte(`{"items": [], "ready": true, "state": "locked", "text": "x", "action": "sent"} x`), "", msgBadBody},
			vcase{"not JSON " + rest, method, rest, u, []byte(`[1, 2]`), "", msgBadBody})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot(postID, room)
			r := e.do(req{method: tc.method, path: roomPath(room, "order/"+tc.rest), token: tc.u.token, body: tc.body})
			if r.status != 400 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if tc.field != "" {
				errs := r.fieldErrs(t)
				got, ok := errs[tc.field].([]any)
				if !ok || len(got) == 0 || (tc.msg != "" && got[0] != tc.msg) {
					t.Errorf("errors %s, want %s %q", r.raw, tc.field, tc.msg)
				}
			} else if got := r.str(t); got != tc.msg {
				t.Errorf("message %q, want %q", got, tc.msg)
			}
			if after := e.snapshot(postID, room); after != before {
				t.Errorf("refusal changed something:\n%s\n%s", before, after)
			}
		})
	}
	t.Run("bounds that pass", func(t *testing.T) {
		list := make([]any, 20)
		for i := range list {
			list[i] = it("name", long(40), "price", 1_000_000, "qty", 20, "note", long(60))
		}
		o := decodeOrder(t, e.orderCall("PUT", room, "cart/", member, items(list...), 200).raw)
		if _, _, toPay, _, _ := o.member(t, member.id); toPay != 400_000_000+3000 {
			t.Errorf("to_pay %d", toPay)
		}
		o = decodeOrder(t, e.orderCall("PUT", room, "cart/", member, items(it("note", nil, "price", 0)), 200).raw)
		if o.FoodTotal != 0 || o.FeeShare != 3000 {
			t.Errorf("zero-price item: %+v", o)
		}
		e.orderCall("PUT", room, "payment-info/", org, map[string]any{"text": long(200)}, 200)
	})
}

// TestOrderDeadline: with a short lead (the test flag), the deadline locks
// an order with two carts and cancels one with fewer, on time and heard on
// the sockets, and the board never lists a passed order as recruiting.
func TestOrderDeadline(t *testing.T) {
	e := newChatEnv(t, func(c *Config) { c.OrderMinLead = time.Second })
	org := e.register("organiser", addrSajik)
	a := e.register("neighbour_a", addrSajik)

	body := orderPostBody()
	body["order_at"] = orderAt(5 * time.Second)
	_, lockRoom := e.writeOrder(org, body)
	_, cancelRoom := e.writeOrder(org, body)
	// The organiser's sockets open first: they hear the deadline however
	// slowly the rest of the set-up runs.
	wsLock, wsCancel := e.mustDial(lockRoom, org), e.mustDial(cancelRoom, org)
	for _, room := range []int64{lockRoom, cancelRoom} {
		e.joinAPI(room, a, 200)
		e.orderCall("PUT", room, "cart/", a, cart(orderItemJSON{Name: "a", Price: 9000, Qty: 1}), 200)
	}
	e.orderCall("PUT", lockRoom, "cart/", org, cart(orderItemJSON{Name: "b", Price: 9000, Qty: 1}), 200)
	if ev := wsLock.expect("chat.message"); ev.Message.Message != "주문 시각이 되어 주문을 마감했어요." {
		t.Errorf("lock notice: %s", ev.raw)
	}
	if ev := wsLock.expect("order.updated"); !strings.Contains(ev.raw, `"state":"locked"`) {
		t.Errorf("lock frame: %s", ev.raw)
	}
	if ev := wsCancel.expect("chat.message"); ev.Message.Message != "주문 시각이 되었지만 메뉴를 담은 사람이 2명보다 적어서 주문이 취소됐어요." {
		t.Errorf("cancel notice: %s", ev.raw)
	}
	if ev := wsCancel.expect("order.updated"); !strings.Contains(ev.raw, `"state":"cancelled"`) {
		t.Errorf("cancel frame: %s", ev.raw)
	}
	board := e.do(req{method: "GET", path: "/api/post/?recruiting=1", token: a.token}).json(t)
	if n := len(board["posts"].([]any)); n != 0 {
		t.Errorf("%d recruiting posts after the deadline", n)
	}
	all := e.do(req{method: "GET", path: "/api/post/", token: a.token}).json(t)["posts"].([]any)
	for _, p := range all {
		if p.(map[string]any)["is_compelete"] != true {
			t.Errorf("passed order not complete: %v", p)
		}
	}
	if r := e.do(req{method: "GET", path: "/api/post/?recruiting=yes", token: a.token}); r.status != 400 || r.fieldErrs(t)["recruiting"] == nil {
		t.Errorf("recruiting=yes: %d %s", r.status, r.raw)
	}
	t.Run("unlock after the deadline does not lock again", func(t *testing.T) {
		o := decodeOrder(t, e.orderCall("POST", lockRoom, "state/", org, map[string]any{"state": "recruiting"}, 200).raw)
		if o.State != "recruiting" {
			t.Fatalf("%+v", o)
		}
		e.srv.deadlines.poke()
		e.srv.applyDeadlines(context.Background())
		if o := decodeOrder(t, e.orderCall("GET", lockRoom, "", org, nil, 200).raw); o.State != "recruiting" {
			t.Errorf("relocked: %s", o.State)
		}
	})
}

// TestOrderDeadlineAcrossRestart: a deadline that passed while the server
// was down is applied when it starts, before it serves.
func TestOrderDeadlineAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, store.FileName)
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.NewUser{Email: "w@example.com", Username: "writer", PasswordHash: "x", Address: addrSajik})
	if err != nil {
		t.Fatal(err)
	}
	// Written an hour ago with a deadline half an hour ago: the server was
	// down when it passed.
	p, err := st.CreatePost(ctx, store.NewPost{WriterID: u.ID, Title: "t", Category: "치킨", Content: "c", Address: addrSajik,
		Area: "x", TargetNumber: 3, Order: &store.OrderFields{StoreName: "s", DeliveryFee: 3000, MinOrder: 0,
			OrderAt: time.Now().Add(-30 * time.Minute), PickupSpot: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(Config{DataDir: dir, PasswordCost: PasswordCost{MemoryKiB: 64, Time: 1}, Weather: "off"}, st, neighborhood.Default(), testUI, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Close(ctx); st.Close() }()
	o, err := st.OrderByRoom(ctx, p.RoomID)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != store.OrderCancelled {
		t.Errorf("state %s after start, want cancelled (one member without items)", o.State)
	}
	msgs, _, _ := st.Messages(ctx, p.RoomID, store.MessagePage{})
	if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "2명보다 적어서") {
		t.Errorf("history %+v", msgs)
	}
}

// TestOrderHearsMembers: a join and a leave in a room with an order send
// order.updated after the member event, with the split recomputed.
func TestOrderHearsMembers(t *testing.T) {
	e := newChatEnv(t)
	org := e.register("organiser", addrSajik)
	a := e.register("neighbour_a", addrSajik)
	_, room := e.writeOrder(org, orderPostBody())
	e.orderCall("PUT", room, "cart/", org, cart(orderItemJSON{Name: "a", Price: 10000, Qty: 1}), 200)
	ws := e.mustDial(room, org)
	e.joinAPI(room, a, 200)
	if ev := ws.next(); ev.Type != "chat.user.join" || ev.UserID != a.id {
		t.Fatalf("got %s, want the join", ev.raw)
	}
	var frame struct{ Order wholeOrder }
	ev := ws.next()
	if json.Unmarshal([]byte(ev.raw), &frame); ev.Type != "order.updated" || len(frame.Order.Members) != 2 {
		t.Fatalf("after join: %s", ev.raw)
	}
	e.orderCall("PUT", room, "cart/", a, cart(orderItemJSON{Name: "b", Price: 10000, Qty: 1}), 200)
	if ev := ws.expect("order.updated"); !strings.Contains(ev.raw, `"fee_share":1500`) {
		t.Errorf("two carts: %s", ev.raw)
	}
	if r := e.do(req{method: "DELETE", path: roomPath(room, "user/"), token: a.token}); r.status != 202 {
		t.Fatalf("leave: %d %s", r.status, r.raw)
	}
	if ev := ws.next(); ev.Type != "chat.user.leave" {
		t.Fatalf("got %s, want the leave", ev.raw)
	}
	ev = ws.next()
	frame.Order = wholeOrder{}
	if json.Unmarshal([]byte(ev.raw), &frame); ev.Type != "order.updated" || len(frame.Order.Members) != 1 ||
		frame.Order.FoodTotal != 10000 || frame.Order.FeeShare != 3000 {
		t.Errorf("after leave: %s", ev.raw)
	}
}

// TestOrderMinLeadFlag: serve has the hidden --order-min-lead the
// end-to-end tests use, it takes a duration, and help does not show it.
func TestOrderMinLeadFlag(t *testing.T) {
	err := serveMustFail(t, t.TempDir(), "--order-min-lead", "soon")
	if err == nil || !strings.Contains(err.Error(), "order-min-lead") {
		t.Errorf("bad duration: %v", err)
	}
	cmd := NewRootCommand()
	var out strings.Builder
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"serve", "--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "--public-url") || strings.Contains(out.String(), "order-min-lead") {
		t.Errorf("serve --help:\n%s", out.String())
	}
}
