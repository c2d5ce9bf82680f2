package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// OrderState is where a group order is in its lifecycle.
type OrderState string

// The states of an order: recruiting → locked → ordered → arrived →
// settled, or cancelled from recruiting or locked.
const (
	OrderRecruiting OrderState = "recruiting"
	OrderLocked     OrderState = "locked"
	OrderOrdered    OrderState = "ordered"
	OrderArrived    OrderState = "arrived"
	OrderSettled    OrderState = "settled"
	OrderCancelled  OrderState = "cancelled"
)

// Holding reports whether members are bound to the order: it is past
// recruiting and not over, so nobody joins, leaves or is banned.
func (s OrderState) Holding() bool {
	return s == OrderLocked || s == OrderOrdered || s == OrderArrived
}

// Paid marks of a member.
const (
	PaidNone      = "none"
	PaidSent      = "sent"
	PaidConfirmed = "confirmed"
)

// Errors of the group order use cases.
var (
	// ErrNoOrder: the room's post has no order.
	ErrNoOrder = errors.New("store: the post has no order")
	// ErrOrderFrozen: carts, ready marks and order fields change only while
	// recruiting.
	ErrOrderFrozen = errors.New("store: the order is not recruiting")
	// ErrOrderHolding: nobody leaves or is banned between locked and
	// arrived.
	ErrOrderHolding = errors.New("store: the order holds its members")
	// ErrOrderNotJoinable: the order stopped recruiting (state or deadline).
	ErrOrderNotJoinable = errors.New("store: the order stopped recruiting")
	// ErrUnlockUsed: an order unlocks once.
	ErrUnlockUsed = errors.New("store: the order was unlocked before")
	// ErrOrderNotPayable: payments are marked only in locked, ordered and
	// arrived; ErrOrderOver is the same refusal for a settled or cancelled
	// order.
	ErrOrderNotPayable = errors.New("store: the order is not yet payable")
	ErrOrderOver       = errors.New("store: the order is over")
	// ErrOrganiserPays: the organiser neither sends nor is confirmed.
	ErrOrganiserPays = errors.New("store: the organiser is paid, not paying")
)

// TransitionError is a lifecycle move the state does not allow.
type TransitionError struct{ From, To OrderState }

func (e *TransitionError) Error() string {
	return fmt.Sprintf("store: order cannot move from %s to %s", e.From, e.To)
}

// OrderFields are the order's own fields, as written on the post.
type OrderFields struct {
	StoreName   string
	MenuURL     string
	DeliveryFee int64
	FeeTiers    []FeeTier
	MinOrder    int64
	OrderAt     time.Time
	PickupSpot  string
	PickupNote  string
	CloseOnMin  bool
}

// OrderFieldsUpdate changes the non-nil fields of an order.
type OrderFieldsUpdate struct {
	StoreName   *string
	MenuURL     *string
	DeliveryFee *int64
	FeeTiers    *[]FeeTier
	MinOrder    *int64
	OrderAt     *time.Time
	PickupSpot  *string
	PickupNote  *string
	CloseOnMin  *bool
}

// Empty reports whether the update changes nothing.
func (u OrderFieldsUpdate) Empty() bool { return u == OrderFieldsUpdate{} }

// PostOrder is the order as every post object shows it.
type PostOrder struct {
	OrderFields
	State     OrderState
	FoodTotal int64
	WithItems int // members with at least one item
}

// orderClosedSQL extends completeSQL for post p: its order is past
// recruiting, or close_on_min is set and the food total reached the minimum.
// PostOrder.stoppedRecruiting is the same rule on a post's columns.
const orderClosedSQL = ` OR EXISTS (SELECT 1 FROM orders oc WHERE oc.post_id = p.id AND (oc.state <> 'recruiting'
	OR (oc.close_on_min = 1 AND oc.min_order <= (SELECT COALESCE(SUM(i.price * i.qty), 0) FROM order_items i WHERE i.post_id = p.id))))`

// stoppedRecruiting is orderClosedSQL on a post's order: it is past
// recruiting, or close_on_min is set and the food total reached the minimum.
func (o PostOrder) stoppedRecruiting() bool {
	return o.State != OrderRecruiting || o.CloseOnMin && o.MinOrder <= o.FoodTotal
}

// Money is the post object's summary of the split.
func (o PostOrder) Money() (feeNow, remainingToMin, feeShare int64) {
	return PostMoney(o.DeliveryFee, o.FeeTiers, o.MinOrder, o.FoodTotal, o.WithItems)
}

// OrderItem is one cart line.
type OrderItem struct {
	Name  string
	Price int64
	Qty   int64
	Note  string
}

// OrderMember is a room member's part of the order.
type OrderMember struct {
	User  UserRef
	Items []OrderItem
	Ready bool
	Paid  string
}

// Subtotal is Σ price × qty of the member's items.
func (m OrderMember) Subtotal() int64 {
	var t int64
	for _, it := range m.Items {
		t += it.Price * it.Qty
	}
	return t
}

// Order is the whole order of a room.
type Order struct {
	PostID    int64
	RoomID    int64
	Area      string // the post's area: the board pages that show it
	Organiser UserRef
	OrderFields
	State       OrderState
	ETAMinutes  *int64
	PaymentInfo string
	Unlocked    bool
	Members     []OrderMember // every room member, in join order
}

// Split computes the money of the order; Fees and ToPay follow Members.
func (o Order) Split() Split {
	carts := make([]CartTotal, len(o.Members))
	for i, m := range o.Members {
		carts[i] = CartTotal{UserID: m.User.ID, Items: len(m.Items), Subtotal: m.Subtotal()}
	}
	return SplitOrder(o.DeliveryFee, o.FeeTiers, o.MinOrder, o.Organiser.ID, carts)
}

// CanUnlock reports whether the organiser may still unlock.
func (o Order) CanUnlock() bool { return o.State == OrderLocked && !o.Unlocked }

// OrderChange is the outcome of one order step: the order after it and the
// system message it wrote, if any.
type OrderChange struct {
	Order  Order
	Notice *Message
}

// The columns every post query adds for its order (NULL without one).
// The items are read only for a post with an order: CASE runs its
// subqueries only when their branch is taken.
const postOrderCols = `, o.state, o.store_name, o.menu_url, o.delivery_fee, o.fee_tiers, o.min_order, o.order_at,
	o.pickup_spot, o.pickup_note, o.close_on_min,
	CASE WHEN o.post_id IS NULL THEN 0 ELSE (SELECT COALESCE(SUM(i.price * i.qty), 0) FROM order_items i WHERE i.post_id = p.id) END,
	CASE WHEN o.post_id IS NULL THEN 0 ELSE (SELECT COUNT(DISTINCT i.user_id) FROM order_items i WHERE i.post_id = p.id) END`

const postOrderJoin = ` LEFT JOIN orders o ON o.post_id = p.id`

// postOrderScan holds the order columns of a post row.
type postOrderScan struct {
	state, storeName, menuURL, tiers, orderAt, pickupSpot, pickupNote sql.NullString
	fee, minOrder, closeOnMin                                         sql.NullInt64
	foodTotal, withItems                                              int64
}

func (s *postOrderScan) dest() []any {
	return []any{&s.state, &s.storeName, &s.menuURL, &s.fee, &s.tiers, &s.minOrder, &s.orderAt,
		&s.pickupSpot, &s.pickupNote, &s.closeOnMin, &s.foodTotal, &s.withItems}
}

func (s *postOrderScan) order() *PostOrder {
	if !s.state.Valid {
		return nil
	}
	return &PostOrder{
		OrderFields: OrderFields{
			StoreName: s.storeName.String, MenuURL: s.menuURL.String, DeliveryFee: s.fee.Int64,
			FeeTiers: decodeTiers(s.tiers.String), MinOrder: s.minOrder.Int64, OrderAt: parseTime(s.orderAt.String),
			PickupSpot: s.pickupSpot.String, PickupNote: s.pickupNote.String, CloseOnMin: s.closeOnMin.Int64 != 0,
		},
		State: OrderState(s.state.String), FoodTotal: s.foodTotal, WithItems: int(s.withItems),
	}
}

// Tiers are stored as a JSON array of [from_total, fee] pairs.
func encodeTiers(tiers []FeeTier) string {
	pairs := make([][2]int64, len(tiers))
	for i, t := range tiers {
		pairs[i] = [2]int64{t.FromTotal, t.Fee}
	}
	b, _ := json.Marshal(pairs) // integers only: cannot fail
	return string(b)
}

func decodeTiers(s string) []FeeTier {
	var pairs [][2]int64
	if json.Unmarshal([]byte(s), &pairs) != nil {
		return nil
	}
	out := make([]FeeTier, len(pairs))
	for i, p := range pairs {
		out[i] = FeeTier{FromTotal: p[0], Fee: p[1]}
	}
	return out
}

// insertOrder writes a new post's order.
func insertOrder(ctx context.Context, tx *wtx, postID int64, f OrderFields) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO orders (post_id, store_name, menu_url, delivery_fee, fee_tiers, min_order,
		order_at, pickup_spot, pickup_note, close_on_min) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		postID, f.StoreName, f.MenuURL, f.DeliveryFee, encodeTiers(f.FeeTiers), f.MinOrder, formatTime(f.OrderAt),
		f.PickupSpot, f.PickupNote, boolInt(f.CloseOnMin))
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	return nil
}

// updateOrderFields applies an edit of the order fields of a recruiting
// order; a new deadline re-arms the scheduler.
func updateOrderFields(ctx context.Context, tx *wtx, postID int64, u OrderFieldsUpdate) error {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM orders WHERE post_id = ?`, postID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNoOrder
	}
	if err != nil {
		return fmt.Errorf("order state: %w", err)
	}
	if OrderState(state) != OrderRecruiting {
		return ErrOrderFrozen
	}
	var sets []string
	var args []any
	set := func(col string, v any) { sets = append(sets, col+` = ?`); args = append(args, v) }
	if u.StoreName != nil {
		set("store_name", *u.StoreName)
	}
	if u.MenuURL != nil {
		set("menu_url", *u.MenuURL)
	}
	if u.DeliveryFee != nil {
		set("delivery_fee", *u.DeliveryFee)
	}
	if u.FeeTiers != nil {
		set("fee_tiers", encodeTiers(*u.FeeTiers))
	}
	if u.MinOrder != nil {
		set("min_order", *u.MinOrder)
	}
	if u.OrderAt != nil {
		set("order_at", formatTime(*u.OrderAt))
		set("deadline_done", 0)
	}
	if u.PickupSpot != nil {
		set("pickup_spot", *u.PickupSpot)
	}
	if u.PickupNote != nil {
		set("pickup_note", *u.PickupNote)
	}
	if u.CloseOnMin != nil {
		set("close_on_min", boolInt(*u.CloseOnMin))
	}
	if len(sets) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET `+strings.Join(sets, ", ")+` WHERE post_id = ?`,
		append(args, postID)...); err != nil {
		return fmt.Errorf("update order: %w", err)
	}
	return nil
}

// queryer is what loading an order needs: the reader pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// OrderByRoom reads the whole order of a room; ErrNotFound for a missing or
// deleted room, ErrNoOrder when its post has no order.
func (s *Store) OrderByRoom(ctx context.Context, roomID int64) (Order, error) {
	return loadOrder(ctx, s.r, roomID)
}

func loadOrder(ctx context.Context, q queryer, roomID int64) (Order, error) {
	var (
		o                Order
		state, tiers, at string
		eta              sql.NullInt64
		postID           sql.NullInt64
	)
	err := q.QueryRowContext(ctx, `SELECT r.id, p.id, p.area, u.id, u.username, u.email, o.post_id, o.state, o.store_name, o.menu_url,
		o.delivery_fee, o.fee_tiers, o.min_order, o.order_at, o.pickup_spot, o.pickup_note, o.close_on_min, o.eta_minutes,
		o.payment_info, o.unlocked
		FROM chat_rooms r JOIN posts p ON p.id = r.post_id JOIN users u ON u.id = p.writer_id
		LEFT JOIN orders o ON o.post_id = p.id
		WHERE r.id = ? AND r.deleted_at IS NULL`, roomID).Scan(&o.RoomID, &o.PostID, &o.Area, &o.Organiser.ID, &o.Organiser.Username,
		&o.Organiser.Email, &postID, nullStr{&state}, nullStr{&o.StoreName}, nullStr{&o.MenuURL}, nullInt{&o.DeliveryFee},
		nullStr{&tiers}, nullInt{&o.MinOrder}, nullStr{&at}, nullStr{&o.PickupSpot}, nullStr{&o.PickupNote},
		nullBool{&o.CloseOnMin}, &eta, nullStr{&o.PaymentInfo}, nullBool{&o.Unlocked})
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("load order: %w", err)
	}
	if !postID.Valid {
		return Order{}, ErrNoOrder
	}
	o.State, o.FeeTiers, o.OrderAt = OrderState(state), decodeTiers(tiers), parseTime(at)
	if eta.Valid {
		o.ETAMinutes = &eta.Int64
	}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.username, u.email, COALESCE(om.ready, 0), COALESCE(om.paid, 'none')
		FROM room_members m JOIN users u ON u.id = m.user_id
		LEFT JOIN order_members om ON om.post_id = ? AND om.user_id = m.user_id
		WHERE m.room_id = ? ORDER BY m.joined_at, u.id`, o.PostID, roomID)
	if err != nil {
		return Order{}, fmt.Errorf("order members: %w", err)
	}
	index := map[int64]int{}
	for rows.Next() {
		var m OrderMember
		if err := rows.Scan(&m.User.ID, &m.User.Username, &m.User.Email, &m.Ready, &m.Paid); err != nil {
			rows.Close()
			return Order{}, fmt.Errorf("scan order member: %w", err)
		}
		m.Items = []OrderItem{}
		index[m.User.ID] = len(o.Members)
		o.Members = append(o.Members, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return Order{}, fmt.Errorf("order members: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT user_id, name, price, qty, note FROM order_items
		WHERE post_id = ? ORDER BY user_id, position`, o.PostID)
	if err != nil {
		return Order{}, fmt.Errorf("order items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			uid int64
			it  OrderItem
		)
		if err := rows.Scan(&uid, &it.Name, &it.Price, &it.Qty, &it.Note); err != nil {
			return Order{}, fmt.Errorf("scan order item: %w", err)
		}
		if i, ok := index[uid]; ok { // a leaver's items are deleted with the membership
			o.Members[i].Items = append(o.Members[i].Items, it)
		}
	}
	if err := rows.Err(); err != nil {
		return Order{}, fmt.Errorf("order items: %w", err)
	}
	return o, nil
}

// Scan targets for the order columns of a LEFT JOIN.
type nullStr struct{ p *string }

func (n nullStr) Scan(v any) error {
	var ns sql.NullString
	err := ns.Scan(v)
	*n.p = ns.String
	return err
}

type nullInt struct{ p *int64 }

func (n nullInt) Scan(v any) error {
	var ni sql.NullInt64
	err := ni.Scan(v)
	*n.p = ni.Int64
	return err
}

type nullBool struct{ p *bool }

func (n nullBool) Scan(v any) error {
	var ni sql.NullInt64
	err := ni.Scan(v)
	*n.p = ni.Int64 != 0
	return err
}

// orderStep runs one order step in a transaction: it loads the order, lets
// step change it (step returns the notice text to write, or ""), and
// returns the order as committed with the notice.
func (s *Store) orderStep(ctx context.Context, roomID int64, step func(tx *wtx, o Order) (string, error)) (OrderChange, error) {
	var out OrderChange
	err := s.tx(ctx, func(tx *wtx) error {
		o, err := loadOrder(ctx, tx, roomID)
		if err != nil {
			return err
		}
		notice, err := step(tx, o)
		if err != nil {
			return err
		}
		if notice != "" {
			m, err := s.insertSystemMessage(ctx, tx, roomID, notice)
			if err != nil {
				return err
			}
			out.Notice = &m
		}
		out.Order, err = loadOrder(ctx, tx, roomID)
		return err
	})
	return out, err
}

// insertSystemMessage writes a system message (no user) into a room.
func (s *Store) insertSystemMessage(ctx context.Context, tx *wtx, roomID int64, body string) (Message, error) {
	m := Message{RoomID: roomID, Body: body, CreatedAt: s.now()}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (room_id, user_id, body, created_at) VALUES (?, NULL, ?, ?)`,
		roomID, m.Body, formatTime(m.CreatedAt))
	if err != nil {
		return Message{}, fmt.Errorf("insert system message: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	return m, nil
}

func (o Order) member(userID int64) (OrderMember, bool) {
	for _, m := range o.Members {
		if m.User.ID == userID {
			return m, true
		}
	}
	return OrderMember{}, false
}

// upsertOrderMember sets a member's ready and/or paid mark.
func upsertOrderMember(ctx context.Context, tx *wtx, postID, userID int64, col string, v any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_members (post_id, user_id, `+col+`) VALUES (?, ?, ?)
		ON CONFLICT (post_id, user_id) DO UPDATE SET `+col+` = excluded.`+col, postID, userID, v)
	if err != nil {
		return fmt.Errorf("order member %s: %w", col, err)
	}
	return nil
}

// SetCart replaces a member's items while the order is recruiting and
// clears their ready and paid marks.
func (s *Store) SetCart(ctx context.Context, roomID, userID int64, items []OrderItem) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		if _, ok := o.member(userID); !ok {
			return "", ErrNotMember
		}
		if o.State != OrderRecruiting {
			return "", ErrOrderFrozen
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM order_items WHERE post_id = ? AND user_id = ?`, o.PostID, userID); err != nil {
			return "", fmt.Errorf("clear cart: %w", err)
		}
		for i, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (post_id, user_id, position, name, price, qty, note)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, o.PostID, userID, i, it.Name, it.Price, it.Qty, it.Note); err != nil {
				return "", fmt.Errorf("insert item: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO order_members (post_id, user_id, ready, paid) VALUES (?, ?, 0, 'none')
			ON CONFLICT (post_id, user_id) DO UPDATE SET ready = 0, paid = 'none'`, o.PostID, userID)
		if err != nil {
			return "", fmt.Errorf("reset marks: %w", err)
		}
		return "", nil
	})
}

// SetReady sets a member's ready mark while the order is recruiting.
func (s *Store) SetReady(ctx context.Context, roomID, userID int64, ready bool) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		if _, ok := o.member(userID); !ok {
			return "", ErrNotMember
		}
		if o.State != OrderRecruiting {
			return "", ErrOrderFrozen
		}
		return "", upsertOrderMember(ctx, tx, o.PostID, userID, "ready", boolInt(ready))
	})
}

// Mover says who moves an order, for its system message.
type Mover int

// Who moves an order.
const (
	ByOrganiser Mover = iota
	ByStaff
	ByDeadline
)

// System messages of the order steps.
const (
	noticeLocked         = "방장이 주문을 마감했어요. 이제 장바구니를 바꿀 수 없어요."
	noticeDeadlineLocked = "주문 시각이 되어 주문을 마감했어요."
	noticeUnlocked       = "방장이 마감을 풀었어요. 장바구니를 다시 바꿀 수 있어요."
	noticeOrdered        = "방장이 주문했어요."
	noticeArrived        = "주문한 음식이 도착했어요. 픽업 장소: "
	noticeSettled        = "모두 정산을 마쳤어요."
	noticeCancelled      = "방장이 주문을 취소했어요."
	noticeStaffCancelled = "운영자가 주문을 취소했어요."
	noticeTooFew         = "주문 시각이 되었지만 메뉴를 담은 사람이 2명보다 적어서 주문이 취소됐어요."
	noticeEdited         = "주문 정보가 바뀌었어요."
)

// MoveOrder moves the order of a room to state (locked, recruiting as the
// one unlock, ordered, arrived, cancelled). Who may ask is the caller's
// business; the store checks that the state allows the move. eta is kept
// with ordered only.
func (s *Store) MoveOrder(ctx context.Context, roomID int64, to OrderState, eta *int64, by Mover) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		from := o.State
		allowed := (from == OrderRecruiting && (to == OrderLocked || to == OrderCancelled)) ||
			(from == OrderLocked && (to == OrderRecruiting || to == OrderOrdered || to == OrderCancelled)) ||
			(from == OrderOrdered && to == OrderArrived)
		if !allowed {
			return "", &TransitionError{From: from, To: to}
		}
		if to == OrderRecruiting && o.Unlocked {
			return "", ErrUnlockUsed
		}
		var notice string
		switch to {
		case OrderLocked:
			notice = noticeLocked
		case OrderRecruiting:
			notice = noticeUnlocked
			// A deadline that passed does not lock again; the organiser
			// locks by hand (or edits order_at, which re-arms it).
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET unlocked = 1,
				deadline_done = CASE WHEN order_at <= ? THEN 1 ELSE deadline_done END WHERE post_id = ?`,
				formatTime(s.now()), o.PostID); err != nil {
				return "", fmt.Errorf("unlock: %w", err)
			}
		case OrderOrdered:
			notice = noticeOrdered
			if eta != nil {
				notice += fmt.Sprintf(" 약 %d분 뒤 도착 예정이에요.", *eta)
				if _, err := tx.ExecContext(ctx, `UPDATE orders SET eta_minutes = ? WHERE post_id = ?`, *eta, o.PostID); err != nil {
					return "", fmt.Errorf("eta: %w", err)
				}
			}
		case OrderArrived:
			notice = noticeArrived + o.PickupSpot
		case OrderCancelled:
			notice = noticeCancelled
			if by == ByStaff {
				notice = noticeStaffCancelled
			}
		}
		if err := setOrderState(ctx, tx, o.PostID, to); err != nil {
			return "", err
		}
		if to == OrderArrived {
			o.State = to
			if settled, err := s.settleIfPaid(ctx, tx, o); err != nil || settled {
				return noticeArrivedSettled(notice, settled), err
			}
		}
		return notice, nil
	})
}

func noticeArrivedSettled(arrived string, settled bool) string {
	if settled {
		return arrived + " " + noticeSettled
	}
	return arrived
}

func setOrderState(ctx context.Context, tx *wtx, postID int64, to OrderState) error {
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET state = ? WHERE post_id = ?`, string(to), postID); err != nil {
		return fmt.Errorf("order state: %w", err)
	}
	return nil
}

// settleIfPaid settles an arrived order once every member other than the
// organiser whose to_pay is above 0 is confirmed.
func (s *Store) settleIfPaid(ctx context.Context, tx *wtx, o Order) (bool, error) {
	if o.State != OrderArrived {
		return false, nil
	}
	sp := o.Split()
	for i, m := range o.Members {
		if m.User.ID != o.Organiser.ID && sp.ToPay[i] > 0 && m.Paid != PaidConfirmed {
			return false, nil
		}
	}
	return true, setOrderState(ctx, tx, o.PostID, OrderSettled)
}

// SetPaymentInfo sets how the organiser wants to be paid.
func (s *Store) SetPaymentInfo(ctx context.Context, roomID int64, text string) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		if o.State == OrderSettled || o.State == OrderCancelled {
			return "", ErrOrderOver
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET payment_info = ? WHERE post_id = ?`, text, o.PostID); err != nil {
			return "", fmt.Errorf("payment info: %w", err)
		}
		return "", nil
	})
}

func payable(st OrderState) error {
	switch {
	case st.Holding():
		return nil
	case st == OrderRecruiting:
		return ErrOrderNotPayable
	default:
		return ErrOrderOver
	}
}

// MarkSent records that a member (not the organiser) sent their share. A
// confirmed mark stays confirmed.
func (s *Store) MarkSent(ctx context.Context, roomID, userID int64) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		m, ok := o.member(userID)
		if !ok {
			return "", ErrNotMember
		}
		if userID == o.Organiser.ID {
			return "", ErrOrganiserPays
		}
		if err := payable(o.State); err != nil {
			return "", err
		}
		if m.Paid != PaidNone {
			return "", nil
		}
		return "", upsertOrderMember(ctx, tx, o.PostID, userID, "paid", PaidSent)
	})
}

// ConfirmPaid records that the organiser received a member's share; an
// arrived order whose debts are all confirmed becomes settled in the same
// transaction. A target who is not a member is ErrNotMember, the organiser
// ErrOrganiserPays.
func (s *Store) ConfirmPaid(ctx context.Context, roomID, targetID int64) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		if _, ok := o.member(targetID); !ok {
			return "", ErrNotMember
		}
		if targetID == o.Organiser.ID {
			return "", ErrOrganiserPays
		}
		if err := payable(o.State); err != nil {
			return "", err
		}
		if err := upsertOrderMember(ctx, tx, o.PostID, targetID, "paid", PaidConfirmed); err != nil {
			return "", err
		}
		for i := range o.Members {
			if o.Members[i].User.ID == targetID {
				o.Members[i].Paid = PaidConfirmed
			}
		}
		if settled, err := s.settleIfPaid(ctx, tx, o); err != nil || !settled {
			return "", err
		}
		return noticeSettled, nil
	})
}

// NextDeadline is the earliest deadline still to apply; ok is false when
// there is none.
func (s *Store) NextDeadline(ctx context.Context) (at time.Time, ok bool, err error) {
	var v sql.NullString
	err = s.r.QueryRowContext(ctx, `SELECT MIN(order_at) FROM orders WHERE state = 'recruiting' AND deadline_done = 0`).Scan(&v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next deadline: %w", err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return parseTime(v.String), true, nil
}

// ApplyDeadlines applies every deadline that has come: each such recruiting
// order locks, or is cancelled when fewer than 2 members have items, each in
// its own transaction. It returns the changes that committed; on an error
// the changes before it are returned with it.
func (s *Store) ApplyDeadlines(ctx context.Context) ([]OrderChange, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.id FROM orders o JOIN chat_rooms r ON r.post_id = o.post_id
		WHERE o.state = 'recruiting' AND o.deadline_done = 0 AND o.order_at <= ? AND r.deleted_at IS NULL
		ORDER BY o.order_at`, formatTime(s.now()))
	if err != nil {
		return nil, fmt.Errorf("due deadlines: %w", err)
	}
	var rooms []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan deadline: %w", err)
		}
		rooms = append(rooms, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("due deadlines: %w", err)
	}
	// Orders of deleted rooms are over: mark them so they are not found again.
	if _, err := s.w.ExecContext(ctx, `UPDATE orders SET deadline_done = 1 WHERE deadline_done = 0 AND order_at <= ?
		AND post_id IN (SELECT post_id FROM chat_rooms WHERE deleted_at IS NOT NULL)`, formatTime(s.now())); err != nil {
		return nil, fmt.Errorf("deleted rooms' deadlines: %w", err)
	}
	var out []OrderChange
	for _, room := range rooms {
		ch, err := s.applyDeadline(ctx, room)
		if errors.Is(err, errNotDue) {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	return out, nil
}

var errNotDue = errors.New("store: deadline not due")

func (s *Store) applyDeadline(ctx context.Context, roomID int64) (OrderChange, error) {
	return s.orderStep(ctx, roomID, func(tx *wtx, o Order) (string, error) {
		// Checked again inside the transaction: an unlock, edit or manual
		// lock may have committed since the scan.
		var done bool
		if err := tx.QueryRowContext(ctx, `SELECT deadline_done FROM orders WHERE post_id = ?`, o.PostID).Scan(&done); err != nil {
			return "", fmt.Errorf("deadline check: %w", err)
		}
		if done || o.State != OrderRecruiting || o.OrderAt.After(s.now()) {
			return "", errNotDue
		}
		withItems := 0
		for _, m := range o.Members {
			if len(m.Items) > 0 {
				withItems++
			}
		}
		to, notice := OrderLocked, noticeDeadlineLocked
		if withItems < 2 {
			to, notice = OrderCancelled, noticeTooFew
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET state = ?, deadline_done = 1 WHERE post_id = ?`,
			string(to), o.PostID); err != nil {
			return "", fmt.Errorf("apply deadline: %w", err)
		}
		return notice, nil
	})
}

// orderLeaveCheck refuses to let a member leave (or be banned from) a room
// whose order holds its members, and otherwise drops their cart and marks.
// It runs inside the leave or ban transaction, before the membership goes.
func orderLeaveCheck(ctx context.Context, tx *wtx, room Room, userID int64) error {
	var state sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT o.state FROM orders o WHERE o.post_id = ?
		AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = ? AND m.user_id = ?)`, room.PostID, room.ID, userID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no order, or not a member
	}
	if err != nil {
		return fmt.Errorf("order leave check: %w", err)
	}
	if OrderState(state.String).Holding() {
		return ErrOrderHolding
	}
	for _, q := range []string{`DELETE FROM order_items WHERE post_id = ? AND user_id = ?`,
		`DELETE FROM order_members WHERE post_id = ? AND user_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, room.PostID, userID); err != nil {
			return fmt.Errorf("drop cart: %w", err)
		}
	}
	return nil
}

// orderJoinCheck refuses a join once the room's order stopped recruiting:
// ErrOrderNotJoinable past recruiting or the deadline, ErrCannotJoin when
// close_on_min closed it (the headcount-like rule).
func orderJoinCheck(ctx context.Context, tx *wtx, postID int64, now time.Time) error {
	var (
		state, at           string
		closeOnMin          bool
		minOrder, foodTotal int64
	)
	err := tx.QueryRowContext(ctx, `SELECT o.state, o.order_at, o.close_on_min, o.min_order,
		(SELECT COALESCE(SUM(i.price * i.qty), 0) FROM order_items i WHERE i.post_id = o.post_id)
		FROM orders o WHERE o.post_id = ?`, postID).Scan(&state, &at, &closeOnMin, &minOrder, &foodTotal)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("order join check: %w", err)
	}
	if OrderState(state) != OrderRecruiting || !parseTime(at).After(now) {
		return ErrOrderNotJoinable
	}
	if closeOnMin && foodTotal >= minOrder {
		return ErrCannotJoin
	}
	return nil
}

// cancelOrderOfDeletedRoom cancels the order of a room being deleted when it
// has not been placed yet (recruiting or locked), so that the post does not
// show an order that can no longer happen. A placed order keeps its state.
func cancelOrderOfDeletedRoom(ctx context.Context, tx *wtx, roomID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET state = 'cancelled', deadline_done = 1
		WHERE post_id = (SELECT post_id FROM chat_rooms WHERE id = ?) AND state IN ('recruiting', 'locked')`, roomID); err != nil {
		return fmt.Errorf("cancel order of deleted room: %w", err)
	}
	return nil
}
