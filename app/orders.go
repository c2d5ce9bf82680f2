package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mealbuddy/mealbuddy/internal/seoul"
	"github.com/mealbuddy/mealbuddy/store"
)

// Group orders (issue 12; docs/orders.md): the order fields on posts, the
// order routes of a room, the order.updated frame and the deadline
// scheduler. The money rule itself is store.SplitOrder.

// Bounds of the order fields and carts.
const (
	maxStoreNameLen  = 40
	maxMenuURLLen    = 500
	maxDeliveryFee   = 100_000
	maxFeeTiers      = 5
	maxTierFromTotal = 10_000_000
	maxMinOrder      = 1_000_000
	maxPickupSpotLen = 50
	maxPickupNoteLen = 200
	maxOrderAhead    = 24 * time.Hour
	defaultMinLead   = 10 * time.Minute
	maxCartItems     = 20
	maxItemNameLen   = 40
	maxItemPrice     = 1_000_000
	maxItemQty       = 20
	maxItemNoteLen   = 60
	maxETAMinutes    = 240
	maxPaymentInfo   = 200
)

// Messages of the order routes.
const (
	msgNoOrder          = "이 글에는 공동 주문이 없어요."
	msgOrganiserOnly    = "방장만 할 수 있어요."
	msgCartFrozen       = "주문이 마감되어 장바구니를 바꿀 수 없어요."
	msgOrderFieldsFixed = "모집 중일 때만 주문 정보를 바꿀 수 있어요."
	msgUnlockOnce       = "마감 해제는 한 번만 할 수 있어요."
	msgNotPayableYet    = "주문이 마감된 뒤부터 정산할 수 있어요."
	msgOrderOver        = "끝난 주문이에요."
	msgOrganiserNoSend  = "방장은 보낼 필요가 없어요."
	msgNotOrderMember   = "이 방의 참여자가 아니에요."
	msgOrganiserNoCheck = "방장 자신은 확인할 필요가 없어요."
	msgLeaveHeld        = "주문이 마감된 뒤에는 나갈 수 없어요. 방장에게 문의해 주세요."
	msgBanHeld          = "주문이 마감된 뒤에는 내보낼 수 없어요."
	msgOrderNotJoinable = "주문 모집이 끝나서 참여할 수 없어요."
	msgNotList          = "목록이어야 해요."
	msgNotObject        = "항목은 객체여야 해요."
)

// stateNames are the Korean names of the states in refusals.
var stateNames = map[store.OrderState]string{
	store.OrderRecruiting: "모집 중", store.OrderLocked: "마감", store.OrderOrdered: "주문 완료",
	store.OrderArrived: "도착", store.OrderSettled: "정산 완료", store.OrderCancelled: "취소",
}

// orderKeys are the post fields of an order.
var orderKeys = []string{"store_name", "menu_url", "delivery_fee", "fee_tiers", "min_order", "order_at",
	"pickup_spot", "pickup_note", "close_on_min"}

// --- post objects -----------------------------------------------------------

type feeTierJSON struct {
	FromTotal int64 `json:"from_total"`
	Fee       int64 `json:"fee"`
}

func toTiersJSON(tiers []store.FeeTier) []feeTierJSON {
	out := make([]feeTierJSON, len(tiers))
	for i, t := range tiers {
		out[i] = feeTierJSON{FromTotal: t.FromTotal, Fee: t.Fee}
	}
	return out
}

// orderSummaryJSON is what every post object (and the room payload) shows
// of its order: null order fields and zero money without one.
type orderSummaryJSON struct {
	StoreName      *string       `json:"store_name"`
	MenuURL        *string       `json:"menu_url"`
	DeliveryFee    *int64        `json:"delivery_fee"`
	FeeTiers       []feeTierJSON `json:"fee_tiers"`
	MinOrder       *int64        `json:"min_order"`
	OrderAt        *string       `json:"order_at"`
	PickupSpot     *string       `json:"pickup_spot"`
	PickupNote     *string       `json:"pickup_note"`
	CloseOnMin     *bool         `json:"close_on_min"`
	OrderState     *string       `json:"order_state"`
	FoodTotal      int64         `json:"food_total"`
	FeeNow         int64         `json:"fee_now"`
	RemainingToMin int64         `json:"remaining_to_min"`
	FeeShare       int64         `json:"fee_share"`
}

// formatOrderAt writes an order time in KST, as residents read it.
func formatOrderAt(t time.Time) string { return t.In(seoul.Zone).Format(time.RFC3339) }

func toOrderSummary(o *store.PostOrder) orderSummaryJSON {
	if o == nil {
		return orderSummaryJSON{}
	}
	f := o.OrderFields
	at, state := formatOrderAt(f.OrderAt), string(o.State)
	out := orderSummaryJSON{
		StoreName: &f.StoreName, MenuURL: &f.MenuURL, DeliveryFee: &f.DeliveryFee, FeeTiers: toTiersJSON(f.FeeTiers),
		MinOrder: &f.MinOrder, OrderAt: &at, PickupSpot: &f.PickupSpot, PickupNote: &f.PickupNote,
		CloseOnMin: &f.CloseOnMin, OrderState: &state, FoodTotal: o.FoodTotal,
	}
	out.FeeNow, out.RemainingToMin, out.FeeShare = o.Money()
	return out
}

// --- order fields on write and edit ----------------------------------------

// orderFieldsInput validates the order fields of a write or an edit.
// hasOrder says whether the post already has an order: then the given keys
// edit it (upd). Otherwise any non-null key creates one (create), with the
// required fields.
func (s *Server) orderFieldsInput(f fields, hasOrder bool, errs fieldErrors) (upd store.OrderFieldsUpdate, create *store.OrderFields) {
	given := false
	for _, k := range orderKeys {
		if v, ok := f[k]; ok && v != nil {
			given = true
		}
	}
	if !hasOrder && !given {
		return upd, nil
	}
	creating := !hasOrder
	// present: the key is there (null counts: on an edit it clears an
	// optional field and is refused on a required one).
	present := func(k string) bool { _, ok := f[k]; return ok }
	required := func(k string) bool {
		v, ok := f[k]
		if (creating && !ok) || (ok && v == nil) {
			errs.add(k, msgRequired)
			return false
		}
		return ok
	}
	text := func(k string, limit int, tooLong string, need bool) *string {
		if need {
			if !required(k) {
				return nil
			}
		} else if !present(k) {
			return nil
		}
		v, _ := f.str(k, errs)
		if _, bad := errs[k]; bad {
			return nil
		}
		v = strings.TrimSpace(v)
		switch {
		case need && v == "":
			errs.add(k, msgRequired)
		case utf8.RuneCountInString(v) > limit:
			errs.add(k, tooLong)
		}
		return &v
	}
	number := func(k string, limit int64, outOfRange string) *int64 {
		if !required(k) {
			return nil
		}
		n, ok := f.integer(k, errs)
		if _, bad := errs[k]; bad {
			return nil
		}
		if !ok { // "" from a form
			errs.add(k, msgRequired)
			return nil
		}
		if n < 0 || n > limit {
			errs.add(k, outOfRange)
		}
		return &n
	}
	upd.StoreName = text("store_name", maxStoreNameLen, "가게 이름은 40자 이하로 적어 주세요.", true)
	if upd.MenuURL = text("menu_url", maxMenuURLLen, "메뉴 링크는 500자 이하로 적어 주세요.", false); upd.MenuURL != nil && *upd.MenuURL != "" {
		if _, bad := errs["menu_url"]; !bad && !httpURL(*upd.MenuURL) {
			errs.add("menu_url", "메뉴 링크는 http:// 또는 https:// 주소로 적어 주세요.")
		}
	}
	upd.DeliveryFee = number("delivery_fee", maxDeliveryFee, "배달비는 0원에서 100,000원 사이로 적어 주세요.")
	upd.FeeTiers = feeTiersInput(f, errs)
	upd.MinOrder = number("min_order", maxMinOrder, "최소 주문 금액은 0원에서 1,000,000원 사이로 적어 주세요.")
	if required("order_at") {
		if v, _ := f.str("order_at", errs); errs["order_at"] == nil {
			at, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
			now := s.now()
			switch {
			case err != nil:
				errs.add("order_at", "주문 시각은 2026-11-28T19:00:00+09:00 같은 형식으로 보내 주세요.")
			case at.Before(now.Add(s.minLead())) || at.After(now.Add(maxOrderAhead)):
				errs.add("order_at", "주문 시각은 지금부터 10분 뒤에서 24시간 뒤 사이로 정해 주세요.")
			default:
				at = at.UTC()
				upd.OrderAt = &at
			}
		}
	}
	upd.PickupSpot = text("pickup_spot", maxPickupSpotLen, "픽업 장소는 50자 이하로 적어 주세요.", true)
	upd.PickupNote = text("pickup_note", maxPickupNoteLen, "픽업 메모는 200자 이하로 적어 주세요.", false)
	if present("close_on_min") {
		b, _ := f.boolean("close_on_min", errs)
		upd.CloseOnMin = &b
	}
	if !creating || len(errs) > 0 {
		return upd, nil
	}
	of := &store.OrderFields{StoreName: *upd.StoreName, DeliveryFee: *upd.DeliveryFee, MinOrder: *upd.MinOrder,
		OrderAt: *upd.OrderAt, PickupSpot: *upd.PickupSpot}
	if upd.MenuURL != nil {
		of.MenuURL = *upd.MenuURL
	}
	if upd.FeeTiers != nil {
		of.FeeTiers = *upd.FeeTiers
	}
	if upd.PickupNote != nil {
		of.PickupNote = *upd.PickupNote
	}
	if upd.CloseOnMin != nil {
		of.CloseOnMin = *upd.CloseOnMin
	}
	return store.OrderFieldsUpdate{}, of
}

func (s *Server) minLead() time.Duration {
	if s.cfg.OrderMinLead > 0 {
		return s.cfg.OrderMinLead
	}
	return defaultMinLead
}

// httpURL accepts absolute http and https URLs with a host.
func httpURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// feeTiersInput reads fee_tiers: nil when absent, an empty list for null.
func feeTiersInput(f fields, errs fieldErrors) *[]store.FeeTier {
	v, ok := f["fee_tiers"]
	if !ok {
		return nil
	}
	tiers := []store.FeeTier{}
	if v == nil {
		return &tiers
	}
	list, ok := v.([]any)
	if !ok {
		errs.add("fee_tiers", msgNotList)
		return nil
	}
	if len(list) > maxFeeTiers {
		errs.add("fee_tiers", "배달비 구간은 5개까지 정할 수 있어요.")
		return nil
	}
	for i, raw := range list {
		key := fmt.Sprintf("fee_tiers[%d]", i)
		obj, ok := raw.(map[string]any)
		if !ok {
			errs.add(key, msgNotObject)
			continue
		}
		from, okFrom := boundedInt(fields(obj), "from_total", key+".from_total", maxTierFromTotal,
			"구간 시작 금액은 0원에서 10,000,000원 사이로 적어 주세요.", errs)
		fee, okFee := boundedInt(fields(obj), "fee", key+".fee", maxDeliveryFee,
			"배달비는 0원에서 100,000원 사이로 적어 주세요.", errs)
		if okFrom && okFee {
			if n := len(tiers); n > 0 && from <= tiers[n-1].FromTotal {
				errs.add(key+".from_total", "구간 시작 금액은 앞 구간보다 커야 해요.")
			}
			tiers = append(tiers, store.FeeTier{FromTotal: from, Fee: fee})
		}
	}
	return &tiers
}

// boundedInt reads a required integer 0…limit of a nested object; errors go
// under key.
func boundedInt(obj fields, name, key string, limit int64, outOfRange string, errs fieldErrors) (int64, bool) {
	v, ok := obj[name]
	if !ok || v == nil {
		errs.add(key, msgRequired)
		return 0, false
	}
	if _, isString := v.(string); isString { // JSON bodies only: a number, not text
		errs.add(key, msgNotInteger)
		return 0, false
	}
	inner := fieldErrors{}
	n, _ := obj.integer(name, inner)
	if len(inner) > 0 {
		errs.add(key, msgNotInteger)
		return 0, false
	}
	if n < 0 || n > limit {
		errs.add(key, outOfRange)
		return 0, false
	}
	return n, true
}

// --- the whole order --------------------------------------------------------

type orderItemJSON struct {
	Name  string `json:"name"`
	Price int64  `json:"price"`
	Qty   int64  `json:"qty"`
	Note  string `json:"note"`
}

type orderMemberJSON struct {
	User     userRefJSON     `json:"user"`
	Items    []orderItemJSON `json:"items"`
	Subtotal int64           `json:"subtotal"`
	Fee      int64           `json:"fee"`
	ToPay    int64           `json:"to_pay"`
	Ready    bool            `json:"ready"`
	Paid     string          `json:"paid"`
}

// orderJSON is the whole order (GET …/order/, every order answer and the
// order.updated frame).
type orderJSON struct {
	State          string            `json:"state"`
	StoreName      string            `json:"store_name"`
	MenuURL        string            `json:"menu_url"`
	DeliveryFee    int64             `json:"delivery_fee"`
	FeeTiers       []feeTierJSON     `json:"fee_tiers"`
	FeeNow         int64             `json:"fee_now"`
	MinOrder       int64             `json:"min_order"`
	OrderAt        string            `json:"order_at"`
	PickupSpot     string            `json:"pickup_spot"`
	PickupNote     string            `json:"pickup_note"`
	CloseOnMin     bool              `json:"close_on_min"`
	ETAMinutes     *int64            `json:"eta_minutes"`
	CanUnlock      bool              `json:"can_unlock"`
	FoodTotal      int64             `json:"food_total"`
	RemainingToMin int64             `json:"remaining_to_min"`
	FeeShare       int64             `json:"fee_share"`
	PaymentInfo    string            `json:"payment_info"`
	Members        []orderMemberJSON `json:"members"`
}

// toOrderJSON renders an order; showPayment is false for staff who are not
// members (payment_info is for members only).
func toOrderJSON(o store.Order, showPayment bool) orderJSON {
	sp := o.Split()
	out := orderJSON{
		State: string(o.State), StoreName: o.StoreName, MenuURL: o.MenuURL, DeliveryFee: o.DeliveryFee,
		FeeTiers: toTiersJSON(o.FeeTiers), FeeNow: sp.FeeNow, MinOrder: o.MinOrder, OrderAt: formatOrderAt(o.OrderAt),
		PickupSpot: o.PickupSpot, PickupNote: o.PickupNote, CloseOnMin: o.CloseOnMin, ETAMinutes: o.ETAMinutes,
		CanUnlock: o.CanUnlock(), FoodTotal: sp.FoodTotal, RemainingToMin: sp.RemainingToMin, FeeShare: sp.FeeShare,
		Members: make([]orderMemberJSON, len(o.Members)),
	}
	if showPayment {
		out.PaymentInfo = o.PaymentInfo
	}
	for i, m := range o.Members {
		items := make([]orderItemJSON, len(m.Items))
		for j, it := range m.Items {
			items[j] = orderItemJSON{Name: it.Name, Price: it.Price, Qty: it.Qty, Note: it.Note}
		}
		out.Members[i] = orderMemberJSON{User: toUserRef(m.User, 0), Items: items, Subtotal: m.Subtotal(),
			Fee: sp.Fees[i], ToPay: sp.ToPay[i], Ready: m.Ready, Paid: m.Paid}
	}
	return out
}

type orderEvent struct {
	Type  string    `json:"type"`
	Order orderJSON `json:"order"`
}

func orderFrame(o store.Order) []byte {
	return mustJSON(orderEvent{Type: "order.updated", Order: toOrderJSON(o, true)})
}

// publishOrder sends a committed order change to the room: the step's
// system message first, then the whole order. The sockets of a room are
// its members', so the frame carries payment_info.
func (s *Server) publishOrder(ch store.OrderChange) { s.publishOrderBy(ch, 0) }

// publishOrderBy is publishOrder naming who made the change (0: the system
// or unknown), for the room event.
func (s *Server) publishOrderBy(ch store.OrderChange, actor int64) {
	s.boards.changedPost(ch.Order.Area, ch.Order.PostID) // food totals, shares and states show on the board
	if ch.Notice != nil {
		s.hub.Publish(ch.Order.RoomID, messageFrame(*ch.Notice))
	}
	s.hub.Publish(ch.Order.RoomID, orderFrame(ch.Order))
	if ch.Notice != nil { // a step (cart edits write no notice)
		s.emitRoomEvent(roomEvent{Kind: roomOrder, RoomID: ch.Order.RoomID, ActorID: actor, Message: ch.Notice})
	}
	s.deadlines.poke()
}

// publishOrderOf sends the room's current order, if its post has one, after
// a change outside the order routes (post edit, join, leave, ban). The
// caller has already dropped the board pages of the post's area.
//
// Without a notice and with no socket in the room, nobody is told anything:
// the order is not even loaded (joins and leaves are frequent, and loading
// an order reads its members and carts). A socket that subscribes later
// loads the room, and so the order, after this change committed.
func (s *Server) publishOrderOf(ctx context.Context, roomID int64, notice *store.Message) {
	if notice == nil && !s.hub.Watched(roomID) {
		return
	}
	o, err := s.store.OrderByRoom(ctx, roomID)
	if errors.Is(err, store.ErrNoOrder) || errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		s.log.Warn("order for live update", "room", roomID, "err", err)
		return
	}
	s.publishOrder(store.OrderChange{Order: o, Notice: notice})
}

// --- routes -----------------------------------------------------------------

// Errors the order code attributes before fail answers them (errors.go).
var (
	// errOrderFieldsFixed: a post edit touched the order fields of an order
	// that is no longer recruiting.
	errOrderFieldsFixed = errors.New("order fields are fixed")
	// errBanHeld: a ban refused because the order holds its members.
	errBanHeld = errors.New("ban refused: the order holds its members")
)

// orderFieldsFixed attributes the store's refusals of an order field edit.
func orderFieldsFixed(err error) error {
	if errors.Is(err, store.ErrOrderFrozen) || errors.Is(err, store.ErrOrderExists) || errors.Is(err, store.ErrNoOrder) {
		return fmt.Errorf("%w: %w", errOrderFieldsFixed, err)
	}
	return err
}

// orderCaller is the caller's standing in the :id room.
type orderCaller struct {
	user      store.User
	room      store.Room
	member    bool
	organiser bool
}

// loadOrderCaller reads the room and the caller's standing, answering 404
// itself for a missing room and for anyone who is neither a member nor
// staff (banned users are not members).
func (s *Server) loadOrderCaller(w http.ResponseWriter, r *http.Request) (orderCaller, bool) {
	room, ok := s.loadRoom(w, r)
	if !ok {
		return orderCaller{}, false
	}
	u := currentUser(r)
	member, err := s.store.IsMember(r.Context(), room.ID, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return orderCaller{}, false
	}
	if !member && !u.Staff {
		s.fail(w, r, errRoomNotFound)
		return orderCaller{}, false
	}
	return orderCaller{user: u, room: room, member: member, organiser: member && u.ID == room.Writer.ID}, true
}

// loadOrderMember is loadOrderCaller for members only (404 for staff who
// are not members).
func (s *Server) loadOrderMember(w http.ResponseWriter, r *http.Request) (orderCaller, bool) {
	c, ok := s.loadOrderCaller(w, r)
	if ok && !c.member {
		s.fail(w, r, errRoomNotFound)
		return c, false
	}
	return c, ok
}

// answerOrder answers an order step: the error's answer (errors.go; a
// refused move names both states), or 200 with the whole order after
// publishing it.
func (s *Server) answerOrder(w http.ResponseWriter, r *http.Request, ch store.OrderChange, err error) {
	var te *store.TransitionError
	switch {
	case err == nil:
		s.publishOrderBy(ch, currentUser(r).ID) // committed: publish, then answer
		writeJSON(w, http.StatusOK, toOrderJSON(ch.Order, true))
	case errors.As(err, &te):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("지금 상태(%s)에서는 %s(으)로 바꿀 수 없어요.",
			stateNames[te.From], stateNames[te.To]))
	default:
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
	}
}

// handleOrder: GET /api/chat/:id/order/ — members and staff.
func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderCaller(w, r)
	if !ok {
		return
	}
	o, err := s.store.OrderByRoom(r.Context(), c.room.ID)
	if err != nil {
		s.fail(w, r, notFoundAs(errRoomNotFound, err))
		return
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o, c.member))
}

// handleCart: PUT /api/chat/:id/order/cart/ {items} — a member replaces
// their cart while recruiting.
func (s *Server) handleCart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderMember(w, r)
	if !ok {
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	items := cartInput(f, errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	ch, err := s.store.SetCart(r.Context(), c.room.ID, c.user.ID, items)
	s.answerOrder(w, r, ch, err)
}

// cartInput validates {"items": [...]}.
func cartInput(f fields, errs fieldErrors) []store.OrderItem {
	v, ok := f["items"]
	if !ok || v == nil {
		errs.add("items", msgRequired)
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		errs.add("items", msgNotList)
		return nil
	}
	if len(list) > maxCartItems {
		errs.add("items", "메뉴는 20개까지 담을 수 있어요.")
		return nil
	}
	items := make([]store.OrderItem, 0, len(list))
	for i, raw := range list {
		key := fmt.Sprintf("items[%d]", i)
		obj, ok := raw.(map[string]any)
		if !ok {
			errs.add(key, msgNotObject)
			continue
		}
		it := fields(obj)
		var item store.OrderItem
		name, present := it.str("name", fieldErrors{})
		switch name = strings.TrimSpace(name); {
		case obj["name"] != nil && !present:
			errs.add(key+".name", msgNotString)
		case name == "":
			errs.add(key+".name", msgRequired)
		case utf8.RuneCountInString(name) > maxItemNameLen:
			errs.add(key+".name", "메뉴 이름은 40자 이하로 적어 주세요.")
		}
		item.Name = name
		item.Price, _ = boundedInt(it, "price", key+".price", maxItemPrice, "가격은 0원에서 1,000,000원 사이로 적어 주세요.", errs)
		qty, okQty := boundedInt(it, "qty", key+".qty", maxItemQty, "수량은 1개에서 20개 사이로 적어 주세요.", errs)
		if okQty && qty < 1 {
			errs.add(key+".qty", "수량은 1개에서 20개 사이로 적어 주세요.")
		}
		item.Qty = qty
		if nv, ok := obj["note"]; ok && nv != nil {
			note, isStr := nv.(string)
			note = strings.TrimSpace(note)
			switch {
			case !isStr:
				errs.add(key+".note", msgNotString)
			case utf8.RuneCountInString(note) > maxItemNoteLen:
				errs.add(key+".note", "메모는 60자 이하로 적어 주세요.")
			}
			item.Note = note
		}
		items = append(items, item)
	}
	return items
}

// handleReady: POST /api/chat/:id/order/ready/ {ready} — a member, while
// recruiting.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderMember(w, r)
	if !ok {
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	ready, present := f.boolean("ready", errs)
	if _, bad := errs["ready"]; !bad && !present {
		errs.add("ready", msgRequired)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	ch, err := s.store.SetReady(r.Context(), c.room.ID, c.user.ID, ready)
	s.answerOrder(w, r, ch, err)
}

// movable are the states a caller may ask for (settled is the server's).
var movable = map[string]store.OrderState{
	"locked": store.OrderLocked, "recruiting": store.OrderRecruiting, "ordered": store.OrderOrdered,
	"arrived": store.OrderArrived, "cancelled": store.OrderCancelled,
}

// handleOrderState: POST /api/chat/:id/order/state/ {state, eta_minutes} —
// the organiser moves the lifecycle; staff may cancel.
func (s *Server) handleOrderState(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderCaller(w, r)
	if !ok {
		return
	}
	if !c.organiser && !c.user.Staff {
		writeError(w, http.StatusForbidden, msgOrganiserOnly)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	to, known := store.OrderState(""), false
	if v, present := f.str("state", errs); present {
		if to, known = movable[strings.TrimSpace(v)]; !known {
			errs.add("state", "알 수 없는 상태예요.")
		}
	} else if errs["state"] == nil {
		errs.add("state", msgRequired)
	}
	var eta *int64
	if n, present := f.integer("eta_minutes", errs); present {
		if n < 1 || n > maxETAMinutes {
			errs.add("eta_minutes", "도착 예정 시간은 1분에서 240분 사이로 적어 주세요.")
		}
		if to == store.OrderOrdered {
			eta = &n
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	by := store.ByOrganiser
	if !c.organiser {
		if to != store.OrderCancelled {
			writeError(w, http.StatusForbidden, msgOrganiserOnly)
			return
		}
		by = store.ByStaff
	}
	ch, err := s.store.MoveOrder(r.Context(), c.room.ID, to, eta, by)
	if err == nil && by == store.ByStaff { // into the audit log, like a staff edit
		detail := fmt.Sprintf("organiser user %d: %q", c.room.Writer.ID, c.room.Title)
		if err := s.store.RecordStaffAction(r.Context(), actorOf(c.user), store.ActionCancelOrder, store.TargetPost, c.room.PostID, detail); err != nil {
			s.log.Error("audit of a staff order cancel", "post", c.room.PostID, "err", err)
		}
	}
	s.answerOrder(w, r, ch, err)
}

// handlePaymentInfo: PUT /api/chat/:id/order/payment-info/ {text} — the
// organiser.
func (s *Server) handlePaymentInfo(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderCaller(w, r)
	if !ok {
		return
	}
	if !c.organiser {
		writeError(w, http.StatusForbidden, msgOrganiserOnly)
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	text, present := f.str("text", errs)
	text = strings.TrimSpace(text)
	switch {
	case errs["text"] != nil:
	case !present:
		errs.add("text", msgRequired)
	case utf8.RuneCountInString(text) > maxPaymentInfo:
		errs.add("text", "받을 방법은 200자 이하로 적어 주세요.")
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	ch, err := s.store.SetPaymentInfo(r.Context(), c.room.ID, text)
	s.answerOrder(w, r, ch, err)
}

// handlePayment: POST /api/chat/:id/order/payment/ — {"action": "sent"}
// by a member, {"action": "confirm", "user_id": n} by the organiser.
func (s *Server) handlePayment(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadOrderCaller(w, r)
	if !ok {
		return
	}
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	action, present := f.str("action", errs)
	action = strings.TrimSpace(action)
	switch {
	case errs["action"] != nil:
	case !present:
		errs.add("action", msgRequired)
	case action != "sent" && action != "confirm":
		errs.add("action", "알 수 없는 동작이에요.")
	}
	var target int64
	if action == "confirm" {
		n, present := f.integer("user_id", errs)
		if errs["user_id"] == nil && !present {
			errs.add("user_id", msgRequired)
		}
		target = n
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if action == "sent" {
		if !c.member {
			s.fail(w, r, errRoomNotFound)
			return
		}
		ch, err := s.store.MarkSent(r.Context(), c.room.ID, c.user.ID)
		s.answerOrder(w, r, ch, err)
		return
	}
	if !c.organiser {
		writeError(w, http.StatusForbidden, msgOrganiserOnly)
		return
	}
	ch, err := s.store.ConfirmPaid(r.Context(), c.room.ID, target)
	switch {
	case errors.Is(err, store.ErrNotMember):
		writeInvalid(w, fieldErrors{"user_id": {msgNotOrderMember}})
	case errors.Is(err, store.ErrOrganiserPays):
		writeInvalid(w, fieldErrors{"user_id": {msgOrganiserNoCheck}})
	default:
		s.answerOrder(w, r, ch, err)
	}
}

// --- the deadline scheduler -------------------------------------------------

// deadlineScheduler applies order deadlines on time. It sleeps until the
// earliest deadline in the database (at most maxDeadlineSleep, so a clock
// jump is caught up), and any order change pokes it to look again.
type deadlineScheduler struct {
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

const (
	maxDeadlineSleep   = time.Minute
	minDeadlineSleep   = 20 * time.Millisecond
	deadlineRetryDelay = 5 * time.Second
)

// poke makes the scheduler re-read the next deadline; it never blocks.
func (d *deadlineScheduler) poke() {
	if d == nil {
		return
	}
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// startDeadlines applies the deadlines that passed while the server was
// down and finds the next one, before the server serves; then a goroutine
// waits for it. The goroutine touches the database only when a deadline
// comes or an order change pokes it.
func (s *Server) startDeadlines() {
	failed := s.applyDeadlines(context.Background()) != nil
	s.deadlines = &deadlineScheduler{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.runDeadlines(s.deadlines, s.nextDeadlineWait(failed))
}

// nextDeadlineWait is how long to sleep until the next deadline.
func (s *Server) nextDeadlineWait(failed bool) time.Duration {
	at, ok, err := s.store.NextDeadline(context.Background())
	switch {
	case err != nil || failed:
		if err != nil {
			s.log.Error("next order deadline", "err", err)
		}
		return deadlineRetryDelay // a failing database is not retried in a spin
	case ok:
		return min(max(at.Sub(s.now()), minDeadlineSleep), maxDeadlineSleep)
	}
	return maxDeadlineSleep
}

func (s *Server) runDeadlines(d *deadlineScheduler, wait time.Duration) {
	defer close(d.done)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		failed := false
		select {
		case <-d.stop:
			return
		case <-timer.C:
			failed = s.applyDeadlines(context.Background()) != nil
		case <-d.wake:
		}
		wait := s.nextDeadlineWait(failed)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// applyDeadlines locks or cancels the orders whose deadline has come and
// publishes each change after it committed.
func (s *Server) applyDeadlines(ctx context.Context) error {
	changes, err := s.store.ApplyDeadlines(ctx)
	if err != nil {
		s.log.Error("apply order deadlines", "err", err)
	}
	for _, ch := range changes {
		s.boards.changedPost(ch.Order.Area, ch.Order.PostID)
		if ch.Notice != nil {
			s.hub.Publish(ch.Order.RoomID, messageFrame(*ch.Notice))
		}
		s.hub.Publish(ch.Order.RoomID, orderFrame(ch.Order))
		s.emitRoomEvent(roomEvent{Kind: roomOrder, RoomID: ch.Order.RoomID, Message: ch.Notice})
	}
	return err
}

// closeDeadlines stops the scheduler and waits for it (bounded by ctx).
func (s *Server) closeDeadlines(ctx context.Context) error {
	d := s.deadlines
	if d == nil {
		return nil
	}
	d.stopOnce.Do(func() { close(d.stop) })
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
