package app

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is everything serve needs; it is built once from flags and the
// environment and never changed afterwards.
type Config struct {
	Addr    string // listen address
	DataDir string // folder with the SQLite file and the generated secret
	// PublicURL is the origin users see, e.g. https://mealbuddy.example; ""
	// means http://<Addr>.
	PublicURL string
	// TrustedProxies are the networks whose X-Forwarded-For/-Proto we believe.
	TrustedProxies []*net.IPNet
	// Secret, when set, is the HS256 key as given (MEALBUDDY_SECRET).
	Secret string

	// AllowFreeAddress accepts addresses that resolve to no neighbourhood,
	// matched on the exact string as the original service did.
	AllowFreeAddress bool
	// Regions restricts sign-up to neighbourhoods under these prefixes.
	Regions []string

	Weather      string // "auto", "kma", "open-meteo" or "off"
	KMAKey       string
	KMAURL       string
	OpenMeteoURL string
	LLMURL       string
	LLMKey       string
	LLMModel     string
	// WeatherTimeout bounds one weather call; zero means 3s.
	WeatherTimeout time.Duration
	// LLMTimeout bounds one menu assistant call; zero means 20s.
	LLMTimeout time.Duration

	// PasswordCost tunes the password hash; zero means the production
	// default. Tests lower it.
	PasswordCost PasswordCost
	// PingInterval is the chat socket keepalive; zero means 20s.
	PingInterval time.Duration
}

// ParseProxies parses a comma-separated list of IPs or CIDRs.
func ParseProxies(list []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, item := range list {
		for _, s := range strings.Split(item, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !strings.Contains(s, "/") {
				ip := net.ParseIP(s)
				if ip == nil {
					return nil, fmt.Errorf("trusted proxy %q is not an IP or CIDR", s)
				}
				bits := 32
				if ip.To4() == nil {
					bits = 128
				}
				s = fmt.Sprintf("%s/%d", ip, bits)
			}
			_, n, err := net.ParseCIDR(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// publicOrigin returns scheme://host of the public URL, or "" if unset.
func (c Config) publicOrigin() (*url.URL, error) {
	if c.PublicURL == "" {
		return nil, nil
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--public-url %q must look like https://mealbuddy.example", c.PublicURL)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
