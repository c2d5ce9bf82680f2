package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/mealbuddy/mealbuddy/app/menu"
	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/app/weather"
	"github.com/mealbuddy/mealbuddy/hub"
	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

// Server is the HTTP surface: routes, auth and the wiring of store, hub and
// the outside services.
type Server struct {
	cfg           Config
	log           *slog.Logger
	store         *store.Store
	dongs         *neighborhood.Index
	secret        []byte
	tokens        *token.Verifier // secret's verifier, remembering good tokens
	hasher        *hasher
	origin        string // public origin, "" when not configured
	csp           string // Content-Security-Policy of every answer
	httpsOrigin   bool   // --public-url is https: HSTS on every answer
	secureCookies bool
	accounts      *accountGuard
	boards        *boardCache // nil: Config.NoBoardCache
	users         *userCache  // the credential check's user rows (usercache.go)
	ui            fs.FS
	preloads      []routePreload
	gzipped       sync.Map // asset name → its gzipped bytes
	handler       http.Handler
	now           func() time.Time
	hub           *hub.Hub             // live chat sockets
	msgs          *store.MessageWriter // group commit of chat messages
	deadlines     *deadlineScheduler   // order deadlines (orders.go)
	roomListeners []roomListener       // /ws/me/ and Web Push (roomevents.go)
	me            *meFeed              // /ws/me/ (mesocket.go)
	push          *pushState           // Web Push (push.go)

	// Weather and menu suggestions (openapi.go).
	weatherProvider weather.Provider // nil when --weather off
	llm             menu.LLM         // nil: the built-in recommender answers
	recommender     *menu.Recommender
	menuAsking      sync.Map // user id → a question being answered (menu.go)
	weatherByUser   *limiter // nil: Config.WeatherRate off
	chatByUser      *limiter // nil: Config.ChatRate off (chatsocket.go)
	readsByUser     *limiter // read frames, a budget of their own; nil with chatByUser
	chatSockets     socketCount
	previews        *limiter // public post previews per client (share.go)

	// Operations: scheduled backups, metrics and TLS (backup_schedule.go,
	// metrics.go, tls.go).
	backups        backupStatus
	metrics        *serverMetrics
	certs          *certReloader // nil unless --tls-cert
	cookieName     string        // __Host- prefixed when cookies are Secure
	acmeHTTPClient *http.Client  // nil: the default; tests trust a local ACME server
	resets         resetState    // password reset by e-mail (reset.go)
}

// NewServer wires a server around an open, migrated store and the
// neighbourhood index that resolves addresses.
func NewServer(cfg Config, st *store.Store, dongs *neighborhood.Index, uiFS fs.FS, log *slog.Logger) (*Server, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	if err := cfg.Ops.check(); err != nil {
		return nil, err
	}
	if err := cfg.Limits.check(); err != nil {
		return nil, err
	}
	if err := cfg.Accounts.check(); err != nil {
		return nil, err
	}
	if cfg.PublicURL == "" && len(cfg.Ops.TLSDomains) > 0 {
		cfg.PublicURL = "https://" + cfg.Ops.TLSDomains[0]
	}
	origin, err := cfg.publicOrigin()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		log:    log,
		store:  st,
		dongs:  dongs,
		secret: secret,
		hasher: newHasher(cfg.PasswordCost),
		ui:     uiFS,
		now:    func() time.Time { return time.Now().UTC() },
	}
	s.preloads = loadPreloads(uiFS, log)
	if origin != nil {
		s.origin = origin.String()
		s.secureCookies = origin.Scheme == "https"
		s.httpsOrigin = origin.Scheme == "https"
	}
	s.csp = contentSecurityPolicy(s.origin)
	s.secureCookies = s.secureCookies || cfg.Ops.tlsOn()
	s.cookieName = sessionCookieName(s.secureCookies)
	if cfg.Ops.TLSCert != "" {
		s.certs = &certReloader{certFile: cfg.Ops.TLSCert, keyFile: cfg.Ops.TLSKey}
	}
	s.metrics = newServerMetrics(s)
	if !cfg.NoBoardCache {
		s.boards = newBoardCache(st.Commits(), log)
	}
	s.accounts = newAccountGuard(cfg.Accounts, s.now)
	s.users = newUserCache(st, log)
	s.tokens = token.NewVerifier(secret, func() time.Time { return s.now() })
	if cfg.ChatRate > 0 {
		s.chatByUser = newLimiter(60*cfg.ChatRate, 2*cfg.ChatRate, func() time.Time { return s.now() })
		s.readsByUser = newLimiter(60*cfg.ChatRate, 2*cfg.ChatRate, func() time.Time { return s.now() })
	}
	if cfg.WeatherRate > 0 {
		s.weatherByUser = newLimiter(cfg.WeatherRate, cfg.WeatherRate, func() time.Time { return s.now() })
	}
	s.previews = newPreviewLimiter(func() time.Time { return s.now() })
	s.hub = newChatHub(cfg.PingInterval, log)
	if err := s.initOpenAPI(); err != nil {
		return nil, err
	}
	if err := s.initResets(); err != nil {
		return nil, err
	}
	if err := s.initPush(); err != nil {
		return nil, err
	}
	// Last: these start the goroutines that Close stops.
	s.startDeadlines()
	s.me = newMeFeed(s, meWindow)
	s.roomListeners = append(s.roomListeners, s.me.listen)
	s.startPush()
	s.msgs = st.NewMessageWriter(store.MessageWriterConfig{OnCommit: s.metrics.observeCommit})
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close releases what the server holds beside the store: it closes every
// chat socket with 1001 and waits for them (bounded by ctx), then stores
// the messages still pending. It may be called more than once.
func (s *Server) Close(ctx context.Context) error {
	return errors.Join(s.closeDeadlines(ctx), s.hub.Close(ctx), s.msgs.Close(ctx), s.me.close(ctx), s.closePush(ctx))
}

// loadSecret returns MEALBUDDY_SECRET as given, or the key in the data
// folder, generating it (mode 0600) on first start. It is never printed.
func loadSecret(cfg Config) ([]byte, error) { return token.LoadSecret(cfg.Secret, cfg.DataDir) }

// Run listens on cfg.Addr (with TLS when configured, and a plain HTTP
// listener on Ops.HTTPAddr for ACME challenges and redirects) and serves
// until ctx is cancelled, then shuts down gracefully. It runs the scheduled
// backups and reloads --tls-cert/--tls-key on SIGHUP. ready, if not nil,
// receives the bound address of the main listener.
func (s *Server) Run(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	tlsSet, err := s.newTLS(ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	// Under TLS: a refused connection costs no handshake.
	ln = limitConns(ln, s.cfg.Limits, s.trusted, s.refusedConn)
	scheme := "http"
	if tlsSet != nil {
		ln = tls.NewListener(ln, tlsSet.config)
		scheme = "https"
	}
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		}
	}
	srv := newServer(s)
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	if tlsSet != nil && s.cfg.Ops.HTTPAddr != "" {
		hln, err := net.Listen("tcp", s.cfg.Ops.HTTPAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", s.cfg.Ops.HTTPAddr, err)
		}
		hsrv := newServer(tlsSet.httpHandler)
		servers = append(servers, hsrv)
		s.log.Info("mealbuddy answering ACME challenges and redirecting to https", "addr", hln.Addr().String())
		go func() { errc <- hsrv.Serve(hln) }()
	}
	s.log.Info("mealbuddy listening", "url", scheme+"://"+ln.Addr().String(), "data", s.cfg.DataDir)
	if ready != nil {
		ready(ln.Addr())
	}
	go func() { errc <- srv.Serve(ln) }()
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	go s.runBackups(runCtx)
	go s.purgeSessions(runCtx, sessionPurgeEvery)
	hup := make(chan os.Signal, 1)
	if s.certs != nil {
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	for done := false; !done; {
		select {
		case err := <-errc:
			for _, o := range servers {
				o.Close()
			}
			return fmt.Errorf("serve: %w", err)
		case <-hup:
			if err := s.ReloadCertificates(); err != nil {
				s.log.Error("TLS certificate reload failed; keeping the previous one", "err", err)
			}
		case <-ctx.Done():
			done = true
		}
	}
	// A fresh context: the one we got is already cancelled.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The hub first: Shutdown does not track hijacked (WebSocket)
	// connections and would return with chat sockets still open.
	closeErr := s.Close(shutdownCtx)
	var errs []error
	for _, o := range servers {
		if err := o.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	return errors.Join(append(errs, closeErr)...)
}

// sessionPurgeEvery is how often expired web sessions are deleted.
const sessionPurgeEvery = 24 * time.Hour

// purgeSessions deletes expired web sessions now and then every interval
// until ctx ends: an expired session is refused anyway, but its row (the
// hash of a cookie and who it belonged to) has no reason to stay.
func (s *Server) purgeSessions(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := s.store.DeleteExpiredSessions(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("purging expired sessions failed", "err", err)
		case n > 0:
			s.log.Info("purged expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
