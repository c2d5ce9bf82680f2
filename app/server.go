package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
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
	hasher        *hasher
	origin        string // public origin, "" when not configured
	secureCookies bool
	loginByIP     *limiter
	loginByUser   *limiter
	boards        boardCache
	noBoardCache  bool // benchmarks measure the uncached path with it
	ui            fs.FS
	gzipped       sync.Map // asset name → its gzipped bytes
	handler       http.Handler
	now           func() time.Time
	hub           *hub.Hub             // live chat sockets
	msgs          *store.MessageWriter // group commit of chat messages

	// Weather and menu suggestions (openapi.go).
	weatherProvider weather.Provider // nil when --weather off
	llm             menu.LLM         // nil: the built-in recommender answers
	recommender     *menu.Recommender
}

// NewServer wires a server around an open, migrated store and the
// neighbourhood index that resolves addresses.
func NewServer(cfg Config, st *store.Store, dongs *neighborhood.Index, uiFS fs.FS, log *slog.Logger) (*Server, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
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
	if origin != nil {
		s.origin = origin.String()
		s.secureCookies = origin.Scheme == "https"
	}
	s.loginByIP = newLimiter(20, 10, s.now)
	s.loginByUser = newLimiter(6, 5, s.now)
	s.hub = newChatHub(cfg.PingInterval, log)
	if err := s.initOpenAPI(); err != nil {
		return nil, err
	}
	// Last: it starts the writer goroutine that Close stops.
	s.msgs = st.NewMessageWriter(store.MessageWriterConfig{})
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close releases what the server holds beside the store: it closes every
// chat socket with 1001 and waits for them (bounded by ctx), then stores
// the messages still pending. It may be called more than once.
func (s *Server) Close(ctx context.Context) error {
	return errors.Join(s.hub.Close(ctx), s.msgs.Close(ctx))
}

// loadSecret returns MEALBUDDY_SECRET as given, or the key in the data
// folder, generating it (mode 0600) on first start. It is never printed.
func loadSecret(cfg Config) ([]byte, error) { return token.LoadSecret(cfg.Secret, cfg.DataDir) }

// Run listens on cfg.Addr and serves until ctx is cancelled, then shuts down
// gracefully. ready, if not nil, receives the bound address.
func (s *Server) Run(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("mealbuddy listening", "url", "http://"+ln.Addr().String(), "data", s.cfg.DataDir)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// A fresh context: the one we got is already cancelled.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The hub first: Shutdown does not track hijacked (WebSocket)
	// connections and would return with chat sockets still open.
	closeErr := s.Close(shutdownCtx)
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return closeErr
}
