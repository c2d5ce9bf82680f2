package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// MaxEndpointLen bounds a subscription's endpoint URL (browsers' are
// around 200–500 bytes).
const MaxEndpointLen = 1024

// ErrForbiddenAddress: the endpoint is, or resolves to, an address the
// server never sends to (loopback, private, link-local …).
var ErrForbiddenAddress = errors.New("push: endpoint address not allowed")

// Guard decides which endpoints the server may send to. Without an allowed
// host an endpoint must be https and must not reach loopback, private,
// link-local, CGNAT, multicast or unspecified addresses; the check runs on
// the address actually dialled, so a name that resolves differently later
// (DNS rebinding) is caught too. Allowed hosts (--push-allow HOST:PORT: a
// self-hosted push service, tests' local fakes) skip both checks and may
// use http.
type Guard struct {
	allow map[string]bool // "host:port", host lower-cased
}

// NewGuard parses HOST:PORT entries (each may be a comma list).
func NewGuard(allow []string) (*Guard, error) {
	g := &Guard{allow: map[string]bool{}}
	for _, item := range allow {
		for _, hp := range strings.Split(item, ",") {
			hp = strings.TrimSpace(hp)
			if hp == "" {
				continue
			}
			host, port, err := net.SplitHostPort(hp)
			if err != nil || host == "" || port == "" {
				return nil, fmt.Errorf("--push-allow %q: want HOST:PORT", hp)
			}
			g.allow[net.JoinHostPort(strings.ToLower(host), port)] = true
		}
	}
	return g, nil
}

// allowed reports whether host:port was allowed by the operator.
func (g *Guard) allowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	return g.allow[net.JoinHostPort(strings.ToLower(host), port)]
}

// hostPort is u's host:port with the scheme's default port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// CheckEndpoint validates an endpoint at registration: an absolute https
// URL (http only for an allowed host) without credentials, at most
// MaxEndpointLen bytes, and not a literal forbidden address. Names are
// checked again when dialled.
func (g *Guard) CheckEndpoint(raw string) error {
	if len(raw) > MaxEndpointLen {
		return fmt.Errorf("push: endpoint longer than %d bytes", MaxEndpointLen)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return errors.New("push: endpoint is not an absolute URL")
	}
	allowed := g.allowed(hostPort(u))
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowed:
	default:
		return errors.New("push: endpoint must be https")
	}
	if allowed {
		return nil
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && Forbidden(ip) {
		return ErrForbiddenAddress
	}
	if h := strings.ToLower(u.Hostname()); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return ErrForbiddenAddress
	}
	return nil
}

// Ranges netip does not classify: RFC 6598 shared address space, and the
// IPv6 prefixes that carry an IPv4 address a gateway would forward to (NAT64
// well-known and local-use, 6to4), which could reach a private IPv4 host.
var (
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")
	translated = []netip.Prefix{
		netip.MustParsePrefix("64:ff9b::/96"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("2002::/16"),
	}
)

// Forbidden reports whether ip is an address the server never sends to.
func Forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() || cgnat.Contains(ip) || (ip.Is4() && ip.As4()[0] == 0) || // 0.0.0.0/8: "this network"
		isTranslated(ip)
}

func isTranslated(ip netip.Addr) bool {
	for _, p := range translated {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guardControl refuses a connection to a forbidden address; it runs after
// name resolution, on the address about to be dialled.
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if Forbidden(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// Client returns the HTTP client for push requests: the guard at dial
// time, no proxy from the environment (it would dial the proxy instead),
// no redirects, and timeout for the whole exchange.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	guarded := &net.Dialer{Timeout: timeout, Control: guardControl}
	plain := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if g.allowed(addr) {
				return plain.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a push service does not redirect
		},
	}
}
