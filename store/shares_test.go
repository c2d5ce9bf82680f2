package store

import (
	"context"
	"testing"
)

// TestSharesStopAtClose: Close cancels a refresh of the shares in flight
// and waits for it, and no refresh starts after Close (a board read racing
// the shutdown).
func TestSharesStopAtClose(t *testing.T) {
	st := newTestStore(t)
	k := st.shares
	running := make(chan struct{})
	k.refreshing.Store(true) // as shareOf does before start
	k.start(func(ctx context.Context) error {
		close(running)
		<-ctx.Done() // a refresh that only Close ends: the test hangs if Close does not cancel it
		return ctx.Err()
	})
	<-running
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if k.refreshing.Load() {
		t.Error("the refresh in flight had not ended when Close returned")
	}

	started := false
	k.refreshing.Store(true)
	k.start(func(context.Context) error { started = true; return nil })
	k.wg.Wait()
	if started || k.refreshing.Load() {
		t.Errorf("after Close a refresh started (%v) or stays marked running (%v)", started, k.refreshing.Load())
	}
}
