package app

import (
	"context"
	"path/filepath"
	"sync"
	"time"
)

// backupsFolder is where scheduled backups go, inside the data folder.
const backupsFolder = "backups"

// defaultBackupKeep is --backup-keep's default.
const defaultBackupKeep = 7

// backupStatus is the outcome of the scheduled backups so far, for /readyz
// and the metrics.
type backupStatus struct {
	mu          sync.Mutex
	lastSuccess time.Time
	lastPath    string
	lastSize    int64
	lastFailure time.Time
	lastErr     error // of the newest attempt; nil once one succeeds again
	failures    uint64
}

type backupSnapshot struct {
	Scheduled   bool
	LastSuccess time.Time
	LastSize    int64
	LastFailure time.Time
	Failing     bool
	Failures    uint64
}

func (b *backupStatus) snapshot(scheduled bool) backupSnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	return backupSnapshot{Scheduled: scheduled, LastSuccess: b.lastSuccess, LastSize: b.lastSize,
		LastFailure: b.lastFailure, Failing: b.lastErr != nil, Failures: b.failures}
}

func (b *backupStatus) record(res backupResult, err error, at time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastErr = err
	if err != nil {
		b.lastFailure = at
		b.failures++
		return
	}
	b.lastSuccess, b.lastPath, b.lastSize = at, res.Path, res.Size
}

// runBackups writes a backup into <data>/backups every BackupEvery until
// ctx ends, pruning all but the newest BackupKeep. A failure is logged as
// an error and shown by /readyz; serving goes on either way.
func (s *Server) runBackups(ctx context.Context) {
	every := s.cfg.Ops.BackupEvery
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.scheduledBackup(ctx)
		}
	}
}

// scheduledBackup takes one scheduled backup and prunes old ones.
func (s *Server) scheduledBackup(ctx context.Context) {
	now := s.now()
	dir := filepath.Join(s.cfg.DataDir, backupsFolder)
	res, err := writeBackup(ctx, s.store, s.cfg.DataDir, filepath.Join(dir, defaultBackupName(now)), now)
	if ctx.Err() != nil {
		return // shutting down: not a failure
	}
	s.backups.record(res, err, now)
	if err != nil {
		s.log.Error("scheduled backup failed", "err", err)
		return
	}
	s.log.Info("scheduled backup written", "path", res.Path, "bytes", res.Size)
	keep := s.cfg.Ops.BackupKeep
	if keep <= 0 {
		keep = defaultBackupKeep
	}
	removed, err := pruneBackups(dir, keep)
	for _, p := range removed {
		s.log.Info("old backup removed", "path", p)
	}
	if err != nil {
		s.log.Error("pruning old backups failed", "err", err)
	}
}
