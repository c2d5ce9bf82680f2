package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// ErrGone: the push service says the subscription no longer exists (404 or
// 410); the caller deletes it.
var ErrGone = errors.New("push: subscription gone")

// Subscription is what a browser's PushSubscription carries.
type Subscription struct {
	Endpoint string
	P256dh   string // base64url, the browser's P-256 public key
	Auth     string // base64url, the 16-byte auth secret
}

// Message is one notification.
type Message struct {
	Payload []byte // the plaintext JSON the service worker reads
	Topic   string // collapses pending pushes with the same topic (RFC 8030 §5.4); ≤ 32 base64url chars
	TTL     int    // seconds the push service may keep it
}

// Sender signs, encrypts and posts notifications.
type Sender struct {
	keys    Keys
	subject string
	client  *http.Client
}

// NewSender sends with keys through client (from Guard.Client). subject is
// the VAPID "sub": an https URL or a mailto: address where the push
// service can reach the operator.
func NewSender(keys Keys, subject string, client *http.Client) *Sender {
	return &Sender{keys: keys, subject: subject, client: client}
}

// maxAnswer bounds how much of a push service's answer is read.
const maxAnswer = 4 << 10

// Send delivers m to sub. It returns ErrGone for 404/410 and an error for
// any other answer than 2xx.
func (s *Sender) Send(ctx context.Context, sub Subscription, m Message) error {
	resp, err := webpush.SendNotificationWithContext(ctx, m.Payload, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth},
	}, &webpush.Options{
		HTTPClient:      s.client,
		Subscriber:      s.subject,
		Topic:           m.Topic,
		TTL:             m.TTL,
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  s.keys.Public,
		VAPIDPrivateKey: s.keys.Private,
	})
	if err != nil {
		// Not the *url.Error itself: it quotes the endpoint, which is a
		// per-browser capability URL and stays out of logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("push: send: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return ErrGone
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("push: service answered %d", resp.StatusCode)
	}
	return nil
}
