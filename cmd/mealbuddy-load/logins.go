package main

// The login burst: n users with a real password (argon2id with the
// server's parameters, hashed once here and shared: the server computes
// every check in full whatever the salt), logged in through the API by 16
// clients at once, while the server's resident memory is sampled every
// 100 ms until --after past the burst.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

const loadPassword = "load-password-1234!"

// serverHash is an argon2id hash with the server's default cost (OWASP's
// minimum: 19 MiB, 2 passes, 1 lane).
func serverHash(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	const mem, t = 19 * 1024, 2
	key := argon2.IDKey([]byte(password), salt, t, mem, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s", argon2.Version, mem, t, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// rssSample is one VmRSS reading.
type rssSample struct {
	at  time.Duration // since the burst began
	kib int64
}

func loginsMode(ctx context.Context, o options, l *loadDB) error {
	if o.pid == 0 {
		return errors.New("--mode logins needs --pid of the server")
	}
	a, err := centerArea()
	if err != nil {
		return err
	}
	us, err := l.createUsers(ctx, "login-", o.logins, a.center, serverHash(loadPassword))
	if err != nil {
		return err
	}
	idle, err := vmRSS(o.pid)
	if err != nil {
		return err
	}
	t := newTarget("mealbuddy", o.url, o.clients)
	var (
		samples []rssSample
		mu      sync.Mutex
		stop    = make(chan struct{})
		sampler sync.WaitGroup
	)
	start := time.Now()
	sampler.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, err := vmRSS(o.pid); err == nil {
				mu.Lock()
				samples = append(samples, rssSample{at: time.Since(start), kib: kib})
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	var (
		next     atomic.Int64
		ok, fail atomic.Int64
		wg       sync.WaitGroup
	)
	for range o.clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(us) {
					return
				}
				body, _ := json.Marshal(map[string]string{"email": us[i].email, "password": loadPassword})
				status, _, _, err := t.do(ctx, "", httpReq{method: http.MethodPost, uri: "/api/user/login/", body: body})
				if err == nil && status == http.StatusOK {
					ok.Add(1)
				} else {
					fail.Add(1)
				}
			}
		})
	}
	wg.Wait()
	burst := time.Since(start)
	time.Sleep(o.after)
	close(stop)
	sampler.Wait()
	var peak, end, at30 int64
	for _, s := range samples {
		peak = max(peak, s.kib)
		if s.at <= burst {
			end = s.kib
		}
		if s.at <= burst+o.after {
			at30 = s.kib
		}
	}
	fmt.Printf("logins %d at %d clients: %d ok, %d failed, in %s (%.1f logins/s)\n",
		o.logins, o.clients, ok.Load(), fail.Load(), burst.Round(time.Millisecond), float64(o.logins)/burst.Seconds())
	fmt.Printf("\n| RSS (MB) | before | peak | end of burst | %s after |\n|---|---|---|---|---|\n", o.after)
	fmt.Printf("| logins %d × %d clients | %.1f | %.1f | %.1f | %.1f |\n", o.logins, o.clients, mb(idle), mb(peak), mb(end), mb(at30))
	return nil
}

func mb(kib int64) float64 { return float64(kib) / 1024 }
