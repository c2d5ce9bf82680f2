package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestCheckpointer: the writer checkpoints only as a backstop (a commit
// that did would hold every write behind it), and the checkpointer copies
// the log into the file shortly after commits, so that the log starts over
// instead of growing: 2,000 commits of 4 KiB rows would leave a log of
// 16 MB or more without it.
func TestCheckpointer(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	var auto int
	if err := st.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != writerCheckpointPages {
		t.Fatalf("the writer's wal_autocheckpoint = %d, %v; want %d", auto, err, writerCheckpointPages)
	}
	if _, err := st.w.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	row := bytes.Repeat([]byte{'x'}, 4096)
	for round := range 20 {
		for range 100 {
			if _, err := st.w.ExecContext(ctx, `INSERT INTO filler (b) VALUES (?)`, row); err != nil {
				t.Fatal(err)
			}
		}
		// Wait for a checkpoint begun after the round's last commit: one
		// that ran during the round leaves that commit's frames, and the
		// log restarts from its beginning only once every frame is copied.
		// Not a timing assertion: the deadline only ends a test whose
		// checkpointer never runs.
		commits := st.ckpt.commits.Load()
		for deadline := time.Now().Add(10 * time.Second); st.ckpt.covered.Load() < commits; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no checkpoint after 100 commits", round)
			}
		}
	}
	if log, copied := st.ckpt.logFrames.Load(), st.ckpt.copiedFrames.Load(); log == 0 || copied != log {
		t.Errorf("last checkpoint copied %d of %d frames", copied, log)
	}
	fi, err := os.Stat(st.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 4<<20 {
		t.Errorf("the log is %d bytes after 2,000 commits of 4 KiB", fi.Size())
	}
}

// TestWriteTurnCancel: a transaction waiting for its turn at the writer
// gives up when its request does, and the writer goes on serving the
// others.
func TestWriteTurnCancel(t *testing.T) {
	st := openTest(t)
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.tx(ctx, func(*wtx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	waiting, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.tx(waiting, func(*wtx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait for the writer: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := st.tx(ctx, func(*wtx) error { return nil }); err != nil {
		t.Errorf("the writer after a cancelled wait: %v", err)
	}
}
