package hub

// Stats returns the number of rooms with subscribers and of subscribed
// sockets, for metrics.
func (h *Hub) Stats() (rooms, subscribers int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, subs := range h.rooms {
		subscribers += len(subs)
	}
	return len(h.rooms), subscribers
}
