package weather

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable now func.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingProvider answers with a report whose TemperatureC is the call number.
type countingProvider struct {
	calls   atomic.Int32
	release chan struct{} // when set, each call waits for it
	err     error
}

func (p *countingProvider) Current(ctx context.Context, lat, lon float64) (Report, error) {
	n := p.calls.Add(1)
	if p.release != nil {
		<-p.release
	}
	if p.err != nil {
		return Report{}, p.err
	}
	return Report{Provider: "fake", TemperatureC: float64(n)}, nil
}

func TestCached(t *testing.T) {
	ctx := context.Background()

	t.Run("HitsUpstreamOncePerCellWithinTTL", func(t *testing.T) {
		// A real upstream this time: the KMA fake server.
		f := newFake(t, 200, "application/json", readTestdata(t, "kma_ok.json"))
		clk := &clock{t: time.Date(2024, 6, 1, 15, 20, 0, 0, kst)}
		p := Cached(NewKMA(f.URL, testKey, f.Client(), clk.now), 15*time.Minute, clk.now)

		if _, err := p.Current(ctx, 37.5760, 126.9690); err != nil {
			t.Fatal(err)
		}
		clk.advance(5 * time.Minute)
		// Same 5 km cell, slightly different point.
		if _, err := p.Current(ctx, 37.5665, 126.9780); err != nil {
			t.Fatal(err)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("upstream hits = %d after two calls in one cell within TTL, want 1", n)
		}
		if _, err := p.Current(ctx, 35.1798, 129.0750); err != nil { // Busan
			t.Fatal(err)
		}
		if n := f.count(); n != 2 {
			t.Fatalf("upstream hits = %d after a call in another cell, want 2", n)
		}
		clk.advance(11 * time.Minute) // 16 minutes after the first call
		if _, err := p.Current(ctx, 37.5760, 126.9690); err != nil {
			t.Fatal(err)
		}
		if n := f.count(); n != 3 {
			t.Fatalf("upstream hits = %d after the TTL passed, want 3", n)
		}
	})

	t.Run("TTLAtLeastMinTTL", func(t *testing.T) {
		up := &countingProvider{}
		clk := &clock{t: time.Unix(0, 0)}
		p := Cached(up, time.Second, clk.now)
		p.Current(ctx, 37.5, 127)
		clk.advance(MinTTL - time.Second)
		p.Current(ctx, 37.5, 127)
		if n := up.calls.Load(); n != 1 {
			t.Fatalf("calls = %d, want 1 (TTL raised to MinTTL)", n)
		}
		clk.advance(2 * time.Second)
		p.Current(ctx, 37.5, 127)
		if n := up.calls.Load(); n != 2 {
			t.Fatalf("calls = %d, want 2", n)
		}
	})

	t.Run("OneUpstreamCallPerCellAtATime", func(t *testing.T) {
		up := &countingProvider{release: make(chan struct{})}
		p := Cached(up, MinTTL, nil)
		const callers = 50
		var wg sync.WaitGroup
		results := make([]Report, callers)
		for i := range callers {
			wg.Go(func() {
				r, err := p.Current(ctx, 37.5760, 126.9690)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			})
		}
		// Let the callers pile up behind the first call, then release it.
		for up.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		close(up.release)
		wg.Wait()
		if n := up.calls.Load(); n != 1 {
			t.Fatalf("upstream calls = %d for %d concurrent callers, want 1", n, callers)
		}
		for i, r := range results {
			if r.TemperatureC != 1 {
				t.Fatalf("caller %d got %+v", i, r)
			}
		}
	})

	t.Run("CallerCancelDoesNotFailOthers", func(t *testing.T) {
		up := &countingProvider{release: make(chan struct{})}
		p := Cached(up, MinTTL, nil)
		cctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { _, err := p.Current(cctx, 37.5, 127); errc <- err }()
		for up.calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
			t.Fatalf("cancelled caller err = %v", err)
		}
		close(up.release)
		r, err := p.Current(ctx, 37.5, 127)
		if err != nil || r.TemperatureC != 1 || up.calls.Load() != 1 {
			t.Fatalf("got %+v, %v after %d calls; want the shared call's result", r, err, up.calls.Load())
		}
	})

	t.Run("FailuresRememberedBriefly", func(t *testing.T) {
		f := newFake(t, 200, "text/xml", readTestdata(t, "kma_error.xml"))
		clk := &clock{t: time.Date(2024, 6, 1, 15, 20, 0, 0, kst)}
		p := Cached(NewKMA(f.URL, testKey, &http.Client{Timeout: time.Second}, clk.now), MinTTL, clk.now)
		for range 3 {
			_, err := p.Current(ctx, 37.5760, 126.9690)
			assertUnavailable(t, err)
		}
		if n := f.count(); n != 1 {
			t.Fatalf("upstream hits = %d, want 1", n)
		}
		clk.advance(failureTTL + time.Second)
		_, err := p.Current(ctx, 37.5760, 126.9690)
		assertUnavailable(t, err)
		if n := f.count(); n != 2 {
			t.Fatalf("upstream hits = %d after failureTTL, want 2", n)
		}
	})

	t.Run("Bounded", func(t *testing.T) {
		up := &countingProvider{}
		clk := &clock{t: time.Unix(0, 0)}
		c := Cached(up, MinTTL, clk.now).(*cached)
		// Step more than 5 km so points land in distinct cells.
		for i := range maxCells + 100 {
			lat := 33.0 + float64(i%100)*0.06
			lon := 124.0 + float64(i/100)*0.07
			clk.advance(time.Millisecond)
			c.Current(ctx, lat, lon)
		}
		c.mu.Lock()
		n := len(c.entries)
		c.mu.Unlock()
		if up.calls.Load() <= maxCells {
			t.Fatalf("only %d distinct cells; the test must overflow the bound", up.calls.Load())
		}
		if n > maxCells {
			t.Fatalf("cache holds %d cells, bound is %d", n, maxCells)
		}
	})
}
