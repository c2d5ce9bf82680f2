package hub

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkPublish measures the in-process fan-out: rooms × 5 subscribers,
// each drained by its own goroutine (standing in for the writer), frames
// published round-robin over the rooms. The publisher stays within the
// subscribers' buffers so that no subscriber is dropped as slow.
func BenchmarkPublish(b *testing.B) {
	const perRoom = 5
	frame := []byte(`{"type":"chat.message","message":{"id":9,"message":"치킨 반반 어때요?","created_at":"2026-11-26T01:34:49Z","chatroom":3,"user":{"id":2,"username":"민수","email":"m@example.com"}}}`)
	for _, rooms := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			const buffer = 1024
			h := New(Config{SendBuffer: buffer})
			var delivered atomic.Int64
			var wg sync.WaitGroup
			var subs []*Subscriber
			for r := range rooms {
				for u := range perRoom {
					s := h.Subscribe(Member{Room: int64(r), User: int64(u)})
					subs = append(subs, s)
					wg.Go(func() {
						for range s.msgs {
							delivered.Add(1)
						}
					})
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				// Total outstanding ≤ buffer bounds every subscriber's backlog.
				for int64(i)*perRoom-delivered.Load() >= buffer-perRoom {
					runtime.Gosched()
				}
				h.Publish(int64(i%rooms), frame)
			}
			for delivered.Load() < int64(b.N)*perRoom {
				runtime.Gosched()
			}
			elapsed := time.Since(start)
			b.StopTimer()
			for _, s := range subs {
				if s.closing() {
					b.Fatal("a subscriber was dropped as slow")
				}
			}
			for _, s := range subs {
				close(s.msgs)
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "frames/s")
			b.ReportMetric(float64(b.N*perRoom)/elapsed.Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkPublishWebSocket measures the same end to end over real loopback
// sockets: one room, 5 clients, each reading every frame.
func BenchmarkPublishWebSocket(b *testing.B) {
	const clients, buffer = 5, 256
	hs := &harness{h: New(Config{SendBuffer: buffer}), served: make(chan error, clients)}
	hs.srv = httptest.NewServer(acceptor(hs.h, hs.served, harnessOpts{}))
	defer hs.srv.Close()
	defer hs.h.Close(context.Background())

	var received atomic.Int64
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, clients)
	u := "ws" + strings.TrimPrefix(hs.srv.URL, "http") + "/?room=1&user="
	for i := range conns {
		c, _, err := websocket.Dial(context.Background(), fmt.Sprint(u, i), nil)
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
		wg.Go(func() {
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					return
				}
				received.Add(1)
			}
		})
	}
	frame := []byte(`{"type":"chat.message","message":{"id":9,"message":"치킨 반반 어때요?","chatroom":1}}`)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for int64(i)*clients-received.Load() >= buffer-clients {
			runtime.Gosched()
		}
		hs.h.Publish(1, frame)
	}
	for received.Load() < int64(b.N)*clients {
		runtime.Gosched()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "frames/s")
	b.ReportMetric(float64(b.N*clients)/elapsed.Seconds(), "deliveries/s")
	for _, c := range conns {
		c.Close(websocket.StatusNormalClosure, "")
	}
	wg.Wait()
}
