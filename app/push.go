package app

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/mealbuddy/mealbuddy/internal/push"
	"github.com/mealbuddy/mealbuddy/store"
)

// Web Push (issue 13): residents who have no page open on a room hear of
// what happens in it through their browsers' push services. Room events
// (roomevents.go) are queued here and sent by a few workers, so a slow or
// failing push service never holds up chat; a full queue drops the event
// (counted and logged).

const (
	// pushQueueSize bounds the events and reminders waiting to be sent,
	// over all workers.
	pushQueueSize = 256
	// pushWorkers send in parallel, each for its share of the rooms; each
	// push waits at most pushTimeout.
	pushWorkers = 4
	pushTimeout = 10 * time.Second
	// pushKeepPerUser: a user's newest subscriptions (devices) kept.
	pushKeepPerUser = 10
	// pushMessageEvery: at most one message push per room and user in
	// this time; later messages within it are collapsed into none (the
	// Topic header also collapses one still waiting at the push service).
	pushMessageEvery = time.Minute
	// pushDeadlineLead: the deadline reminder goes out this long before.
	pushDeadlineLead = 10 * time.Minute
	// pushSettleAfter: the settlement reminder goes to members who have not
	// marked their payment this long after the food arrived.
	pushSettleAfter = 2 * time.Hour
	// pushScanEvery is how often the reminder scheduler looks.
	pushScanEvery = 30 * time.Second
	// pushBodyMax bounds the text of a notification, in characters.
	pushBodyMax  = 100
	pushTitleMax = 40
)

// pushState is the server's Web Push machinery.
type pushState struct {
	keys   push.Keys
	guard  *push.Guard
	sender *push.Sender
	jobs   []chan pushJob // one queue per worker; a room always uses the same
	stop   chan struct{}
	done   sync.WaitGroup
	ctx    context.Context // cancelled by close: sends in flight stop
	cancel context.CancelFunc
	once   sync.Once

	mu          sync.Mutex
	lastMessage map[[2]int64]time.Time     // (room, user) → last message push
	orderState  map[int64]store.OrderState // room → state last pushed
	// subscribed are the users who may have a subscription: loaded at
	// start, added to on every subscribe, never shrunk (a superset costs a
	// query, nothing more). While it is empty, chat events cost nothing.
	subscribed  map[int64]bool
	nSubscribed atomic.Int64

	// pending counts queued and running jobs (tests wait for 0).
	pending atomic.Int64
	// droppedLogged is when a drop was last logged (unix seconds): at most
	// one line a minute while a push service hangs.
	droppedLogged atomic.Int64

	sent, gone, failed, dropped *metrics.Counter
}

// pushJob is one queued piece of work: an event or a reminder.
type pushJob func(ctx context.Context)

// pushPayload is what the service worker receives (decrypted): never an
// email, a body of at most pushBodyMax characters.
type pushPayload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	Tag   string `json:"tag"`
}

// initPush loads (or generates) the VAPID keys, builds the guarded sender
// and registers the room event listener. startPush starts the goroutines.
func (s *Server) initPush() error {
	keys, err := push.LoadKeys(s.cfg.DataDir)
	if err != nil {
		return err
	}
	guard, err := push.NewGuard(s.cfg.PushAllow)
	if err != nil {
		return err
	}
	// VAPID "sub": how a push service reaches the operator. Our https
	// origin when there is one; the library makes anything else a mailto:.
	subject := "mealbuddy@localhost"
	if strings.HasPrefix(s.origin, "https://") {
		subject = s.origin
	}
	ctx, cancel := context.WithCancel(context.Background())
	set := s.metrics.set
	s.push = &pushState{
		keys:        keys,
		guard:       guard,
		sender:      push.NewSender(keys, subject, guard.Client(pushTimeout)),
		jobs:        make([]chan pushJob, pushWorkers),
		stop:        make(chan struct{}),
		ctx:         ctx,
		cancel:      cancel,
		lastMessage: map[[2]int64]time.Time{},
		orderState:  map[int64]store.OrderState{},
		subscribed:  map[int64]bool{},
		sent:        set.NewCounter(`mealbuddy_push_sent_total`),
		gone:        set.NewCounter(`mealbuddy_push_failures_total{reason="gone"}`),
		failed:      set.NewCounter(`mealbuddy_push_failures_total{reason="error"}`),
		dropped:     set.NewCounter(`mealbuddy_push_failures_total{reason="queue_full"}`),
	}
	for i := range s.push.jobs {
		s.push.jobs[i] = make(chan pushJob, pushQueueSize/pushWorkers)
	}
	ids, err := s.store.PushSubscriberIDs(ctx)
	if err != nil {
		cancel()
		return err
	}
	for _, id := range ids {
		s.push.noteSubscriber(id)
	}
	s.roomListeners = append(s.roomListeners, s.pushRoomEvent)
	return nil
}

// startPush starts the send workers and the reminder scheduler.
func (s *Server) startPush() {
	p := s.push
	for _, jobs := range p.jobs {
		p.done.Add(1)
		go func() {
			defer p.done.Done()
			for {
				select {
				case <-p.stop:
					return
				case job := <-jobs:
					job(p.ctx)
					p.pending.Add(-1)
				}
			}
		}()
	}
	every := s.cfg.PushScanEvery
	if every < 0 {
		return // tests call pushReminders themselves
	}
	if every == 0 {
		every = pushScanEvery
	}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			s.pushReminders(p.ctx)
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
}

// closePush stops the workers, cancelling sends in flight; queued pushes
// are dropped (they are notifications, not data).
func (s *Server) closePush(ctx context.Context) error {
	p := s.push
	p.once.Do(func() {
		close(p.stop)
		p.cancel()
	})
	done := make(chan struct{})
	go func() { p.done.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("push workers: %w", ctx.Err())
	}
}

// enqueue hands job to the worker of room without ever blocking the
// caller. One worker per room keeps a room's events in order, so the first
// message of a minute is the one pushed.
func (p *pushState) enqueue(s *Server, room int64, what string, job pushJob) {
	p.pending.Add(1)
	select {
	case p.jobs[uint64(room)%uint64(len(p.jobs))] <- job:
	default:
		p.pending.Add(-1)
		p.dropped.Inc()
		now := time.Now().Unix()
		if last := p.droppedLogged.Load(); now-last >= 60 && p.droppedLogged.CompareAndSwap(last, now) {
			s.log.Warn("push queue full; notifications dropped (see mealbuddy_push_failures_total)", "event", what)
		}
	}
}

// pushRoomEvent is the room event listener: it runs on the caller's
// goroutine (a handler, the chat socket) and only queues.
func (s *Server) pushRoomEvent(ev roomEvent) {
	switch ev.Kind {
	case roomDeleted:
		s.push.forget(ev.RoomID)
	case roomMessage, roomJoined, roomFull, roomOrder:
		if ev.Kind != roomOrder && s.push.nSubscribed.Load() == 0 {
			return // nobody to tell (an order step may still plan a reminder)
		}
		s.push.enqueue(s, ev.RoomID, string(ev.Kind), func(ctx context.Context) {
			if err := s.pushForEvent(ctx, ev); err != nil && ctx.Err() == nil {
				s.log.Warn("push for room event", "room", ev.RoomID, "event", string(ev.Kind), "err", err)
			}
		})
	}
}

// pushForEvent decides who hears of ev and what, and sends it. Members
// with a socket open on the room see it there and get no push; the one who
// did it gets none either.
func (s *Server) pushForEvent(ctx context.Context, ev roomEvent) error {
	room, err := s.store.RoomByID(ctx, ev.RoomID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	members, err := s.store.PushMembers(ctx, ev.RoomID)
	if err != nil {
		return err
	}
	present := s.hub.Present(ev.RoomID)
	away := func(id int64) bool { return id != ev.ActorID && !present[id] && s.push.isSubscriber(id) }
	msg := pushPayload{Title: clipRunes(room.Title, pushTitleMax)}
	var to []int64
	ttl := 24 * 3600
	switch ev.Kind {
	case roomMessage:
		if ev.Message == nil || ev.Message.User == nil {
			return nil // system notices come as their own events
		}
		author := ev.Message.User.ID
		now := s.now()
		for _, m := range members {
			if m.UserID == author || !away(m.UserID) || m.Muted {
				continue
			}
			// History hides a blocked author's messages; so does push.
			if blocked, err := s.store.IsBlocked(ctx, m.UserID, author); err != nil || blocked {
				continue
			}
			if s.push.firstInMinute(ev.RoomID, m.UserID, now) {
				to = append(to, m.UserID)
			}
		}
		msg.Body = ev.Message.User.Username + ": " + ev.Message.Body
		ttl = 3600
	case roomJoined:
		if away(room.Writer.ID) {
			to = []int64{room.Writer.ID}
		}
		name := "새 이웃"
		if u, err := s.store.UserByID(ctx, ev.ActorID); err == nil {
			name = u.Username
		}
		msg.Body = name + "님이 주문에 참여했어요."
	case roomFull:
		for _, m := range members {
			if away(m.UserID) {
				to = append(to, m.UserID)
			}
		}
		msg.Body = "인원이 다 모였어요. 모집이 마감됐어요."
	case roomOrder:
		o, err := s.store.OrderByRoom(ctx, ev.RoomID)
		if err != nil {
			return err
		}
		if o.State == store.OrderArrived {
			if err := s.store.ScheduleSettleReminder(ctx, ev.RoomID, s.now().Add(pushSettleAfter)); err != nil {
				return err
			}
		}
		if !s.push.stateChanged(ev.RoomID, o.State, ev.Message != nil) {
			return nil // a cart, ready or payment change: no step
		}
		for _, m := range members {
			if away(m.UserID) {
				to = append(to, m.UserID)
			}
		}
		msg.Body = orderStepText(o)
		if ev.Message != nil && ev.Message.User == nil && ev.Message.Body != "" {
			msg.Body = ev.Message.Body // the step's own notice says it best
		}
	default:
		return nil
	}
	return s.sendPush(ctx, ev.RoomID, to, msg, ttl)
}

// orderStepText says in a notification what an order step means.
func orderStepText(o store.Order) string {
	switch o.State {
	case store.OrderRecruiting:
		return "주문이 다시 모집 중이에요."
	case store.OrderLocked:
		return "주문이 마감됐어요. 장바구니를 확인해 주세요."
	case store.OrderOrdered:
		return "주문했어요. 곧 배달이 와요."
	case store.OrderArrived:
		return "음식이 도착했어요. 픽업하고 송금해 주세요."
	case store.OrderSettled:
		return "정산이 끝났어요."
	case store.OrderCancelled:
		return "주문이 취소됐어요."
	}
	return "주문 상태가 바뀌었어요."
}

// stateChanged reports whether an order event of room is a step (its
// state differs from the last one pushed) and records the state. The
// first event of a room in this process counts as a step when it wrote a
// notice: a restart forgets states, and a step always writes one.
func (p *pushState) stateChanged(room int64, state store.OrderState, notice bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last, known := p.orderState[room]
	p.orderState[room] = state
	if known {
		return last != state
	}
	return notice
}

// noteSubscriber adds id to the users who may have a subscription.
func (p *pushState) noteSubscriber(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.subscribed[id] {
		p.subscribed[id] = true
		p.nSubscribed.Add(1)
	}
}

func (p *pushState) isSubscriber(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.subscribed[id]
}

// forget drops what is remembered of a deleted room.
func (p *pushState) forget(room int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.orderState, room)
	for k := range p.lastMessage {
		if k[0] == room {
			delete(p.lastMessage, k)
		}
	}
}

// firstInMinute reports whether a message push to user about room may go
// now (none in the last pushMessageEvery), and records it if so.
func (p *pushState) firstInMinute(room, user int64, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := [2]int64{room, user}
	if last, ok := p.lastMessage[key]; ok && now.Sub(last) < pushMessageEvery {
		return false
	}
	if len(p.lastMessage) > 10000 {
		for k, t := range p.lastMessage {
			if now.Sub(t) >= pushMessageEvery {
				delete(p.lastMessage, k)
			}
		}
	}
	p.lastMessage[key] = now
	return true
}

// pushReminders sends the deadline and settlement reminders that are due.
// The store marks each one sent as it hands it out, so none goes twice,
// also across restarts.
func (s *Server) pushReminders(ctx context.Context) {
	deadlines, err := s.store.ClaimDeadlineReminders(ctx, pushDeadlineLead)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("push deadline reminders", "err", err)
	}
	settles, err := s.store.ClaimSettleReminders(ctx)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("push settlement reminders", "err", err)
	}
	for _, r := range append(deadlines, settles...) {
		s.push.enqueue(s, r.RoomID, r.Kind, func(ctx context.Context) {
			if err := s.pushReminder(ctx, r); err != nil && ctx.Err() == nil {
				s.log.Warn("push reminder", "room", r.RoomID, "kind", r.Kind, "err", err)
			}
		})
	}
}

func (s *Server) pushReminder(ctx context.Context, r store.Reminder) error {
	room, err := s.store.RoomByID(ctx, r.RoomID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	present := s.hub.Present(r.RoomID)
	msg := pushPayload{Title: clipRunes(room.Title, pushTitleMax)}
	var to []int64
	ttl := 600
	if r.Kind == store.ReminderDeadline {
		members, err := s.store.PushMembers(ctx, r.RoomID)
		if err != nil {
			return err
		}
		for _, m := range members {
			if !present[m.UserID] {
				to = append(to, m.UserID)
			}
		}
		msg.Body = "10분 뒤 주문이 마감돼요. 장바구니를 확인해 주세요."
	} else {
		unpaid, err := s.store.UnpaidMembers(ctx, r.RoomID)
		if err != nil {
			return err
		}
		for _, id := range unpaid {
			if !present[id] {
				to = append(to, id)
			}
		}
		msg.Body = "아직 송금 표시를 안 하셨어요. 정산을 마무리해 주세요."
		ttl = 6 * 3600
	}
	return s.sendPush(ctx, r.RoomID, to, msg, ttl)
}

// sendPush sends msg about room to every subscription of these users.
// A subscription the push service says is gone is deleted.
func (s *Server) sendPush(ctx context.Context, roomID int64, users []int64, msg pushPayload, ttl int) error {
	if len(users) == 0 {
		return nil
	}
	subs, err := s.store.PushSubscriptionsOf(ctx, users)
	if err != nil {
		return err
	}
	msg.Body = clipRunes(msg.Body, pushBodyMax)
	msg.URL = "/chat/" + strconv.FormatInt(roomID, 10) + "/"
	msg.Tag = "room-" + strconv.FormatInt(roomID, 10)
	payload, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		err := s.push.sender.Send(ctx, push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth},
			push.Message{Payload: payload, Topic: msg.Tag, TTL: ttl})
		switch {
		case err == nil:
			s.push.sent.Inc()
		case errors.Is(err, push.ErrGone):
			s.push.gone.Inc()
			if err := s.store.DeletePushEndpoint(ctx, sub.Endpoint); err != nil {
				return err
			}
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.push.failed.Inc()
			// The host only: the endpoint's path is a capability.
			s.log.Warn("push send failed", "user", sub.UserID, "host", endpointHost(sub.Endpoint), "err", err)
		}
	}
	return nil
}

// clipRunes cuts s to at most n characters, the last being "…" when cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func endpointHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}

// --- routes -----------------------------------------------------------------

type pushKeyJSON struct {
	PublicKey string `json:"public_key"`
}

// handlePushKey: GET /api/push/key/ — the VAPID public key a browser
// subscribes with (applicationServerKey). It is public by nature.
func (s *Server) handlePushKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, pushKeyJSON{PublicKey: s.push.keys.Public})
}

// Messages of the push routes.
const (
	msgPushEndpoint = "https 주소의 푸시 서비스만 쓸 수 있어요."
	msgPushKey      = "브라우저가 준 구독 키(base64url)가 올바르지 않아요."
	msgPushObject   = "keys는 p256dh와 auth를 담은 객체여야 해요."
)

// handlePushSubscribe: POST /api/push/subscriptions/ with a browser's
// PushSubscription JSON {"endpoint", "keys": {"p256dh", "auth"}} → 201.
// The same endpoint again moves it to the caller; a user keeps the
// pushKeepPerUser newest. It is tied to the web session that registered
// it, and goes when that session ends.
func (s *Server) handlePushSubscribe(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	endpoint := f.required("endpoint", errs)
	if endpoint != "" {
		if err := s.push.guard.CheckEndpoint(endpoint); err != nil {
			errs.add("endpoint", msgPushEndpoint)
		}
	}
	var p256dh, auth string
	keys, isObject := f["keys"].(map[string]any)
	switch {
	case f["keys"] == nil:
		errs.add("keys", msgRequired)
	case !isObject:
		errs.add("keys", msgPushObject)
	default:
		p256dh, _ = keys["p256dh"].(string)
		auth, _ = keys["auth"].(string)
		if !validP256dh(p256dh) || !validAuth(auth) {
			errs.add("keys", msgPushKey)
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	c := credentialFrom(r.Context())
	sub := store.PushSubscription{UserID: c.user.ID, Endpoint: endpoint, P256dh: trimPad(p256dh), Auth: trimPad(auth)}
	by := store.PushCredential{SessionHash: c.session, CredVersion: c.tokenVer}
	if err := s.store.SavePushSubscription(r.Context(), sub, by, pushKeepPerUser); err != nil {
		s.fail(w, r, err)
		return
	}
	s.push.noteSubscriber(c.user.ID)
	writeJSON(w, http.StatusCreated, map[string]string{"endpoint": endpoint})
}

// handlePushUnsubscribe: DELETE /api/push/subscriptions/ {"endpoint"} →
// 204; 404 when the caller has no subscription with that endpoint.
func (s *Server) handlePushUnsubscribe(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readFields(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	endpoint := f.required("endpoint", errs)
	if len(endpoint) > push.MaxEndpointLen {
		errs.add("endpoint", msgPushEndpoint)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	err := s.store.DeletePushSubscription(r.Context(), currentUser(r).ID, endpoint)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, msgNotFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// trimPad drops base64 padding: browsers send none, some libraries do.
func trimPad(s string) string { return strings.TrimRight(s, "=") }

// decodeKey decodes a base64url key, bounded before decoding.
func decodeKey(s string, max int) ([]byte, bool) {
	s = trimPad(s)
	if s == "" || len(s) > max {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil
}

// validP256dh: an uncompressed P-256 point on the curve.
func validP256dh(s string) bool {
	b, ok := decodeKey(s, 88)
	if !ok || len(b) != 65 {
		return false
	}
	_, err := ecdh.P256().NewPublicKey(b)
	return err == nil
}

// validAuth: the 16-byte auth secret.
func validAuth(s string) bool {
	b, ok := decodeKey(s, 24)
	return ok && len(b) == 16
}
