package hub

// Present returns the users with a socket subscribed to room (a page open
// on it): Web Push leaves them out. Sockets already asked to close are not
// counted.
func (h *Hub) Present(room int64) map[int64]bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make(map[int64]bool, len(h.rooms[room]))
	for s := range h.rooms[room] {
		if !s.closing() {
			out[s.m.User] = true
		}
	}
	return out
}

// Watched reports whether any socket is subscribed to room: a change that
// only its sockets would hear about need not be prepared otherwise.
func (h *Hub) Watched(room int64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms[room]) > 0
}
