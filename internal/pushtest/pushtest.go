// Package pushtest is a fake Web Push service for tests: it hands out
// subscriptions whose private keys it keeps, decrypts what arrives
// (RFC 8291 aes128gcm, written here independently of the sender's library),
// checks the VAPID Authorization header (RFC 8292) and records every push.
// It can answer a chosen status (410 for a gone subscription) or stall.
//
// Routes of Service.ServeHTTP:
//
//	POST /push/<name>  a push for subscription <name>: 201, or as set
//	POST /subscription a fresh subscription {"endpoint","keys":{"p256dh","auth"}}
//	GET  /received     the pushes so far: [{"name","payload","topic","urgency","ttl"}]
//
// go run ./internal/pushtest/cmd/fakepush --addr 127.0.0.1:0 serves it.
package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Subscriber is one fake browser: its ECDH key and auth secret.
type Subscriber struct {
	Name     string
	Endpoint string
	key      *ecdh.PrivateKey
	auth     []byte
}

// P256dh is the subscriber's public key, base64url as a browser gives it.
func (s *Subscriber) P256dh() string {
	return base64.RawURLEncoding.EncodeToString(s.key.PublicKey().Bytes())
}

// Auth is the subscriber's auth secret, base64url.
func (s *Subscriber) Auth() string { return base64.RawURLEncoding.EncodeToString(s.auth) }

// JSON is the subscription as PushSubscription.toJSON() gives it.
func (s *Subscriber) JSON() map[string]any {
	return map[string]any{"endpoint": s.Endpoint, "keys": map[string]string{"p256dh": s.P256dh(), "auth": s.Auth()}}
}

// Push is one push that arrived and decrypted.
type Push struct {
	Name     string          `json:"name"`
	Endpoint string          `json:"endpoint"`
	Payload  json.RawMessage `json:"payload"`
	Topic    string          `json:"topic,omitempty"`
	Urgency  string          `json:"urgency,omitempty"`
	TTL      string          `json:"ttl"`
	Header   http.Header     `json:"-"`
}

// Service is the fake push service. Its zero value is not usable: call New.
type Service struct {
	mu       sync.Mutex
	subs     map[string]*Subscriber
	received []Push
	failures []string // pushes refused as malformed, with why
	status   map[string]int
	stall    chan struct{} // non-nil: pushes wait until it is closed
	stalled  int
	notify   chan struct{}
	next     int
}

// New returns an empty service.
func New() *Service {
	return &Service{subs: map[string]*Subscriber{}, status: map[string]int{}, notify: make(chan struct{}, 1)}
}

// Subscribe creates a subscription under base (the service's URL, e.g. an
// httptest.Server's URL).
func (s *Service) Subscribe(base string) (*Subscriber, error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	name := "s" + strconv.Itoa(s.next)
	sub := &Subscriber{Name: name, Endpoint: strings.TrimRight(base, "/") + "/push/" + name, key: key, auth: auth}
	s.subs[name] = sub
	return sub, nil
}

// SetStatus makes pushes to name answer code (0: back to 201).
func (s *Service) SetStatus(name string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[name] = code
}

// Stall makes every push wait, unanswered, until the returned func is
// called (or the sender gives up).
func (s *Service) Stall() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.stall = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.stall == ch {
				s.stall = nil
			}
			s.mu.Unlock()
			close(ch)
		})
	}
}

// Stalled is how many pushes have arrived while stalled.
func (s *Service) Stalled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalled
}

// Received returns the pushes recorded so far.
func (s *Service) Received() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.received...)
}

// Failures returns why pushes were refused as malformed.
func (s *Service) Failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.failures...)
}

// Arrived is signalled (without blocking) whenever a push is handled.
func (s *Service) Arrived() <-chan struct{} { return s.notify }

func (s *Service) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// ServeHTTP serves the routes in the package comment.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/push/"):
		s.handlePush(w, r, strings.TrimPrefix(r.URL.Path, "/push/"))
	case r.Method == http.MethodPost && r.URL.Path == "/subscription":
		sub, err := s.Subscribe("http://" + r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(sub.JSON())
	case r.Method == http.MethodGet && r.URL.Path == "/received":
		w.Header().Set("Content-Type", "application/json")
		got := s.Received()
		if got == nil {
			got = []Push{}
		}
		json.NewEncoder(w).Encode(got)
	default:
		http.NotFound(w, r)
	}
}

func (s *Service) handlePush(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	sub := s.subs[name]
	code := s.status[name]
	stall := s.stall
	if stall != nil {
		s.stalled++
	}
	s.mu.Unlock()
	defer s.signal()
	if stall != nil {
		select {
		case <-stall:
		case <-r.Context().Done():
			return
		}
	}
	if sub == nil {
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	}
	if code != 0 {
		w.WriteHeader(code)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err == nil {
		err = checkHeaders(r.Header, sub.Endpoint)
	}
	var payload []byte
	if err == nil {
		payload, err = sub.Decrypt(body)
	}
	if err == nil && !json.Valid(payload) {
		err = errors.New("payload is not JSON")
	}
	if err != nil {
		s.mu.Lock()
		s.failures = append(s.failures, err.Error())
		s.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.received = append(s.received, Push{Name: name, Endpoint: sub.Endpoint, Payload: payload,
		Topic: r.Header.Get("Topic"), Urgency: r.Header.Get("Urgency"), TTL: r.Header.Get("TTL"), Header: r.Header.Clone()})
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// checkHeaders checks what RFC 8030/8291/8292 ask of a push request:
// aes128gcm, a TTL, and a VAPID Authorization whose ES256 JWT is signed by
// the key it names, for this push service's origin, not expired.
func checkHeaders(h http.Header, endpoint string) error {
	if h.Get("Content-Encoding") != "aes128gcm" {
		return fmt.Errorf("Content-Encoding %q, want aes128gcm", h.Get("Content-Encoding"))
	}
	if _, err := strconv.Atoi(h.Get("TTL")); err != nil {
		return errors.New("no TTL header")
	}
	auth, ok := strings.CutPrefix(h.Get("Authorization"), "vapid ")
	if !ok {
		return errors.New("Authorization is not vapid")
	}
	var t, k string
	for _, part := range strings.Split(auth, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			t = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	keyBytes, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return errors.New("vapid k is not base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return fmt.Errorf("vapid k: %w", err)
	}
	parts := strings.Split(t, ".")
	if len(parts) != 3 {
		return errors.New("vapid t is not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("vapid JWT signature is not ES256")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], bigInt(sig[:32]), bigInt(sig[32:])) {
		return errors.New("vapid JWT signature does not verify")
	}
	var head struct{ Alg, Typ string }
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodePart(parts[0], &head); err != nil || head.Alg != "ES256" {
		return errors.New("vapid JWT header is not ES256")
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return errors.New("vapid JWT claims unreadable")
	}
	u, _ := url.Parse(endpoint)
	if claims.Aud != u.Scheme+"://"+u.Host {
		return fmt.Errorf("vapid aud %q, want %q", claims.Aud, u.Scheme+"://"+u.Host)
	}
	exp := time.Unix(claims.Exp, 0)
	if time.Now().After(exp) || exp.After(time.Now().Add(24*time.Hour)) {
		return errors.New("vapid exp not within 24 hours")
	}
	if !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:") {
		return fmt.Errorf("vapid sub %q is neither mailto: nor https:", claims.Sub)
	}
	return nil
}

func decodePart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Decrypt opens an aes128gcm body (RFC 8188) sent to this subscriber with
// the keys of RFC 8291: one record, padding delimited by 0x02.
func (s *Subscriber) Decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("aes128gcm: body too short")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLen || idLen != 65 {
		return nil, errors.New("aes128gcm: key id is not a P-256 point")
	}
	senderPub, ciphertext := body[21:21+idLen], body[21+idLen:]
	if rs < 18 || len(ciphertext) > int(rs) {
		return nil, fmt.Errorf("aes128gcm: %d bytes of ciphertext for record size %d: more than one record", len(ciphertext), rs)
	}
	asPub, err := ecdh.P256().NewPublicKey(senderPub)
	if err != nil {
		return nil, fmt.Errorf("aes128gcm: sender key: %w", err)
	}
	shared, err := s.key.ECDH(asPub)
	if err != nil {
		return nil, err
	}
	info := append(append([]byte("WebPush: info\x00"), s.key.PublicKey().Bytes()...), senderPub...)
	ikm, err := hkdf.Key(sha256.New, shared, s.auth, string(info), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("aes128gcm: %w", err)
	}
	end := bytes.LastIndexFunc(plain, func(r rune) bool { return r != 0 })
	if end < 0 || plain[end] != 0x02 {
		return nil, errors.New("aes128gcm: no last-record delimiter")
	}
	return plain[:end], nil
}
