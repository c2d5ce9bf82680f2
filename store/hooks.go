package store

import (
	"context"
	"fmt"
	"time"
)

// timedCommit is commit reporting to MessageWriterConfig.OnCommit.
func (w *MessageWriter) timedCommit(batch []*pendingMessage) {
	if w.cfg.OnCommit == nil {
		w.commit(batch)
		return
	}
	start := time.Now()
	w.commit(batch)
	w.cfg.OnCommit(len(batch), time.Since(start))
}

// LastMessageID is the highest chat message id: the number of messages
// ever stored, those of deleted rooms included. It reads one index entry.
func (s *Store) LastMessageID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM messages`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last message id: %w", err)
	}
	return id, nil
}
