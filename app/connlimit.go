package app

import (
	"net"
	"sync"
)

// connLimitListener caps the connections a listener holds open: in total
// and per client address. A connection over a cap is closed right after
// Accept, before a byte of it is read, so idle or trickling clients cannot
// hold every file descriptor (together with the header timeout and the
// body deadline, which bound how long each one lasts). Chat sockets count
// too: a hijacked connection is released when the socket closes it.
type connLimitListener struct {
	net.Listener
	total, perIP int
	// exempt reports addresses that only count towards total: trusted
	// proxies, which carry many clients on one address.
	exempt func(ip string) bool
	// onRefuse is told of each refused connection (metrics, log).
	onRefuse func(ip string)

	mu     sync.Mutex
	open   int
	perKey map[string]int
}

// limitConns wraps ln; with both caps 0 it returns ln itself.
func limitConns(ln net.Listener, l Limits, exempt func(string) bool, onRefuse func(string)) net.Listener {
	if l.MaxConns <= 0 && l.MaxConnsPerIP <= 0 {
		return ln
	}
	return &connLimitListener{Listener: ln, total: l.MaxConns, perIP: l.MaxConnsPerIP,
		exempt: exempt, onRefuse: onRefuse, perKey: map[string]int{}}
}

// Accept returns the next connection within the caps, closing the ones
// over them.
func (l *connLimitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr())
		if key, ok := l.acquire(ip); ok {
			return &limitedConn{Conn: c, release: func() { l.release(key) }}, nil
		}
		c.Close()
		if l.onRefuse != nil {
			l.onRefuse(ip)
		}
	}
}

// acquire takes a slot for a connection from ip and returns the key it
// counts under: the address, or its /64 for IPv6 (one client holds a whole
// /64 and could otherwise open perIP connections from each address in it);
// "" when it counts only towards the total.
func (l *connLimitListener) acquire(ip string) (key string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total > 0 && l.open >= l.total {
		return "", false
	}
	if l.perIP > 0 && !(l.exempt != nil && l.exempt(ip)) {
		key = addressKey(ip)
		if l.perKey[key] >= l.perIP {
			return "", false
		}
		l.perKey[key]++
	}
	l.open++
	return key, true
}

func (l *connLimitListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if key == "" {
		return
	}
	if n := l.perKey[key]; n <= 1 {
		delete(l.perKey, key)
	} else {
		l.perKey[key] = n - 1
	}
}

// remoteIP is the host part of a connection's peer address.
func remoteIP(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// refusedConn counts a connection refused by --max-conns or
// --max-conns-per-ip. It is logged at debug only: a flood must not become
// a flood of log lines.
func (s *Server) refusedConn(ip string) {
	s.metrics.rateLimited("connections")
	s.log.Debug("connection refused: over the connection cap", "client", ip)
}
