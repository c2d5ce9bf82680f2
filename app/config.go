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
	// MaxOpenPosts is how many posts that are not complete one user may
	// have written (--max-open-posts); MaxOpenRooms how many rooms of
	// others' posts that are not complete one may belong to
	// (--max-open-rooms). Beyond them a write or join is 429; zero is off.
	MaxOpenPosts int
	MaxOpenRooms int

	// ChatRate is how many chat messages a second one user may send over
	// all of its sockets, with a burst of twice that (--chat-rate); read
	// frames have a budget of the same size of their own;
	// MaxSocketsPerUser caps one user's open chat sockets
	// (--max-sockets-per-user; beyond it a new socket is refused with 429).
	// Zero turns either off.
	ChatRate          int
	MaxSocketsPerUser int

	// WeatherRate is how many weather questions a user may ask a minute
	// (--weather-rate); WeatherUpstreamPerMinute bounds the calls to the
	// weather provider a minute, for everyone together
	// (--weather-upstream-per-minute). Zero turns either off.
	WeatherRate              int
	WeatherUpstreamPerMinute int
	// WeatherTimeout bounds one weather call; zero means 3s.
	WeatherTimeout time.Duration
	// LLMTimeout bounds one menu assistant call; zero means 20s.
	LLMTimeout time.Duration

	// PasswordCost tunes the password hash; zero means the production
	// default. Tests lower it.
	PasswordCost PasswordCost
	// Accounts bounds sign-ups and sign-in attempts (AccountLimits).
	Accounts AccountLimits
	// PingInterval is the chat socket keepalive; zero means 20s.
	PingInterval time.Duration
	// NoBoardCache renders every board view from the database instead of
	// keeping rendered pages until the next change (measurements compare
	// the two).
	NoBoardCache bool
	// OrderMinLead is how far ahead an order's deadline must be; zero means
	// 10 minutes. Only tests shorten it (the hidden --order-min-lead).
	OrderMinLead time.Duration

	// PushAllow are HOST:PORT entries (--push-allow) that Web Push may
	// send to although the guard would refuse them (a self-hosted push
	// service, tests' local fakes); http is allowed for them too.
	PushAllow []string
	// PushScanEvery is how often due push reminders are looked for; zero
	// means 30s, negative never (tests call the scan themselves).
	PushScanEvery time.Duration

	// Ops holds backups, TLS and metrics (ops.go).
	Ops OpsConfig
	// Signup, SMTPURL and SMTPFrom: see signup.go and reset.go.
	Signup   string // "open" (also ""), "invite", "approval" or "closed"
	SMTPURL  string // smtp[s]://user:pass@host:port; a secret, never logged
	SMTPFrom string

	// Limits are the operator's bounds on requests and connections.
	Limits Limits
	// Perf: the memory limit and the profiler (perf.go).
	Perf PerfConfig
}

// Limits bound what one request, one client address and the whole server
// may hold. Each is a serve flag with its MEALBUDDY_ twin and a row in the
// README's Limits table; the flags carry the defaults, and 0 turns a limit
// off (load tests and closed communities need that), so a zero Config (the
// tests') has none.
type Limits struct {
	// BodyTimeout (--body-timeout) is how long a request may take to send
	// its body once the headers are in; a slower one gets 408 and the
	// connection is closed.
	BodyTimeout time.Duration
	// MaxConns (--max-conns) caps open connections in total, chat sockets
	// included; MaxConnsPerIP (--max-conns-per-ip) caps them per client
	// address. Connections from --trusted-proxies count only towards
	// MaxConns: behind a proxy every client shares its address.
	MaxConns      int
	MaxConnsPerIP int
}

// Defaults of the Limits flags: sized for a Raspberry Pi serving one
// neighbourhood (a resident has a few tabs, each with one chat socket).
const (
	defaultBodyTimeout   = 30 * time.Second
	defaultMaxConns      = 1024
	defaultMaxConnsPerIP = 64
)

// check rejects negative limits.
func (l Limits) check() error {
	if l.BodyTimeout < 0 {
		return fmt.Errorf("--body-timeout %s: use a positive duration, or 0 for none", l.BodyTimeout)
	}
	if l.MaxConns < 0 || l.MaxConnsPerIP < 0 {
		return fmt.Errorf("--max-conns and --max-conns-per-ip: use a positive number, or 0 for no cap")
	}
	return nil
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

// OpsConfig is what an operator runs the server with beside the app itself:
// scheduled backups, HTTPS and metrics.
type OpsConfig struct {
	// BackupEvery, when positive, writes a backup into <data>/backups at
	// this interval; BackupKeep is how many scheduled ones are kept.
	BackupEvery time.Duration
	BackupKeep  int

	// TLSDomains turns on Let's Encrypt (autocert) for these names;
	// certificates are cached in <data>/certs.
	TLSDomains    []string
	TLSEmail      string
	ACMEDirectory string // "" is Let's Encrypt's production directory
	// TLSCert and TLSKey are certificate files the operator brings; they
	// are read again on SIGHUP.
	TLSCert string
	TLSKey  string
	// HTTPAddr is the plain HTTP listener beside HTTPS: ACME HTTP-01
	// challenges and a redirect for everything else. "" means none.
	HTTPAddr string

	// MetricsToken (MEALBUDDY_METRICS_TOKEN) is the bearer token /metrics
	// asks for; MetricsAllow the client networks it answers. With neither,
	// /metrics is off (404).
	MetricsToken string
	MetricsAllow []*net.IPNet
}

// tlsOn tells whether serve terminates TLS itself.
func (c OpsConfig) tlsOn() bool { return len(c.TLSDomains) > 0 || c.TLSCert != "" }

// metricsOn tells whether /metrics answers.
func (c OpsConfig) metricsOn() bool { return c.MetricsToken != "" || len(c.MetricsAllow) > 0 }

// check rejects combinations that cannot work.
func (c OpsConfig) check() error {
	if len(c.TLSDomains) > 0 && (c.TLSCert != "" || c.TLSKey != "") {
		return fmt.Errorf("use either --tls-domain (Let's Encrypt) or --tls-cert/--tls-key, not both")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.TLSEmail != "" && len(c.TLSDomains) == 0 {
		return fmt.Errorf("--tls-email needs --tls-domain")
	}
	if c.ACMEDirectory != "" && len(c.TLSDomains) == 0 {
		return fmt.Errorf("--acme-directory needs --tls-domain")
	}
	for _, d := range c.TLSDomains {
		if d == "" || strings.ContainsAny(d, "/: ") {
			return fmt.Errorf("--tls-domain %q: give host names only, e.g. mealbuddy.example", d)
		}
	}
	if c.BackupEvery < 0 || (c.BackupEvery > 0 && c.BackupEvery < time.Minute) {
		return fmt.Errorf("--backup-every %s: use at least 1m (or 0 for none)", c.BackupEvery)
	}
	if c.BackupKeep < 0 {
		return fmt.Errorf("--backup-keep %d: keep at least 1", c.BackupKeep)
	}
	return nil
}

// AccountLimits bound sign-ups and password attempts. Each is a serve flag
// with its MEALBUDDY_ twin (the flags carry the defaults); 0 turns a limit
// off, so a zero Config (the tests') has none.
type AccountLimits struct {
	// RegisterRate (--register-rate) is sign-ups per client address per
	// hour; RegisterRateGlobal (--register-rate-global) sign-ups per hour
	// from everyone together. Each sign-up costs an argon2 hash.
	RegisterRate       int
	RegisterRateGlobal int
	// LoginRate (--login-rate) is failed password attempts per account and
	// client address per minute (login, password change, account
	// deletion); LoginAccountRate (--login-account-rate) the ceiling per
	// account over all addresses. Beyond the ceiling only an address that
	// has not failed on the account in the window may still try, so a
	// resident signing in from home is not locked out by others' failures.
	LoginRate        int
	LoginAccountRate int
	// LoginIPRate (--login-ip-rate) is login attempts per client address per
	// minute, whatever the account.
	LoginIPRate int
}

// Defaults of the AccountLimits flags.
const (
	defaultRegisterRate       = 10
	defaultRegisterRateGlobal = 200
	defaultLoginRate          = 5
	defaultLoginAccountRate   = 50
	defaultLoginIPRate        = 10
)

// check rejects negative limits.
func (a AccountLimits) check() error {
	for name, v := range map[string]int{
		"--register-rate": a.RegisterRate, "--register-rate-global": a.RegisterRateGlobal,
		"--login-rate": a.LoginRate, "--login-account-rate": a.LoginAccountRate, "--login-ip-rate": a.LoginIPRate,
	} {
		if v < 0 {
			return fmt.Errorf("%s %d: use a positive number, or 0 for no limit", name, v)
		}
	}
	return nil
}
