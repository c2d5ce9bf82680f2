package app

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
	"github.com/mealbuddy/mealbuddy/ui"
)

func newServeCommand(root *rootOptions) *cobra.Command {
	cfg := Config{}
	var proxies, metricsAllow []string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web server (API, web app and chat)",
		Long: `Run the web server: the JSON API under /api/, the chat WebSocket under /ws/ and
the web app at /. On first start it creates the data folder, the SQLite file
and a random signing secret (mode 0600; set MEALBUDDY_SECRET to use your own).
SIGINT or SIGTERM shut it down gracefully.

Secrets are read from the environment only, never from flags:
  MEALBUDDY_SECRET    JWT signing key (default: generated into the data folder)
  MEALBUDDY_KMA_KEY   Korea Meteorological Administration service key
  MEALBUDDY_LLM_KEY   API key of the OpenAI-compatible menu assistant
  MEALBUDDY_METRICS_TOKEN
                      bearer token that turns on GET /metrics
  MEALBUDDY_SMTP_URL  smtp://user:pass@host:587 for reset mails (--smtp-url also works but
                      shows the password in the process list)

Only one serve runs per data folder: it holds an exclusive lock on
<data>/mealbuddy.lock, which is also how mealbuddy restore knows it runs.

HTTPS without a proxy: --tls-domain gets certificates from Let's Encrypt
(cached in <data>/certs) and answers the HTTP-01 challenge on --http-addr
(default :80), which redirects everything else to https; --addr then
defaults to :443. Or bring your own files with --tls-cert/--tls-key (read
again on SIGHUP; open chat sockets stay). With TLS on, the session cookie is
Secure and named __Host-mealbuddy_session, HSTS is sent, and --public-url
defaults to https://<first domain>. Binding :80/:443 as non-root needs
CAP_NET_BIND_SERVICE (see packaging/mealbuddy.service).

Health: GET /livez and GET /readyz (JSON details; 503 when not ready).
Metrics: GET /metrics (Prometheus text) is off unless MEALBUDDY_METRICS_TOKEN
or --metrics-allow is set; with both, a scrape needs both.`,
		Example: `  mealbuddy serve
  mealbuddy serve --addr 0.0.0.0:8080 --data /var/lib/mealbuddy
  mealbuddy serve --public-url https://mealbuddy.example --trusted-proxies 127.0.0.1
  mealbuddy serve --region "제주특별자치도 제주시"
  mealbuddy serve --tls-domain mealbuddy.example --tls-email ops@mealbuddy.example
  mealbuddy serve --addr :443 --tls-cert /etc/ssl/mealbuddy.pem --tls-key /etc/ssl/mealbuddy.key
  mealbuddy serve --backup-every 24h --backup-keep 7
  MEALBUDDY_METRICS_TOKEN=$(cat /etc/mealbuddy/metrics-token) mealbuddy serve --metrics-allow 10.0.0.0/8
  mealbuddy serve --signup approval
  MEALBUDDY_SMTP_URL=smtp://mealbuddy:secret@mail.example:587 mealbuddy serve \
    --public-url https://mealbuddy.example --smtp-from "밀버디 <noreply@mealbuddy.example>"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := root.logger(cmd)
			if err != nil {
				return err
			}
			applyMemoryLimit(cfg.Perf, cmd.Flags().Changed("memory-limit"), log)
			cfg.DataDir = root.dataDir
			cfg.Secret = os.Getenv("MEALBUDDY_SECRET")
			cfg.KMAKey = os.Getenv("MEALBUDDY_KMA_KEY")
			cfg.LLMKey = os.Getenv("MEALBUDDY_LLM_KEY")
			if cfg.TrustedProxies, err = ParseProxies(proxies); err != nil {
				return err
			}
			if _, err := checkWeatherMode(cfg); err != nil {
				return err
			}
			cfg.Ops.MetricsToken = os.Getenv("MEALBUDDY_METRICS_TOKEN")
			if cfg.Ops.MetricsAllow, err = ParseProxies(metricsAllow); err != nil {
				return fmt.Errorf("--metrics-allow: %w", err)
			}
			if len(cfg.Ops.TLSDomains) > 0 && !cmd.Flags().Changed("http-addr") {
				cfg.Ops.HTTPAddr = ":80"
			}
			if cfg.Ops.tlsOn() && !cmd.Flags().Changed("addr") {
				cfg.Addr = ":443"
			}
			if err := cfg.Ops.check(); err != nil {
				return err
			}
			// Before the database is opened: restore must not swap it
			// under a starting server.
			lock, err := lockDataDir(root.dataDir)
			if err != nil {
				return err
			}
			defer lock.Close()
			if err := checkSignupMode(cfg.Signup); err != nil {
				return err
			}
			if msg := dataDirExposure(root.dataDir); msg != "" {
				log.Warn(msg, "data", root.dataDir)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if _, err := startPprof(ctx, cfg.Perf.PprofAddr, log); err != nil {
				return err
			}
			st, err := root.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			dongs, err := root.neighborhoods()
			if err != nil {
				return err
			}
			srv, err := NewServer(cfg, st, dongs, ui.FS(), log)
			if err != nil {
				return err
			}
			if err := srv.Run(ctx, nil); err != nil {
				return err
			}
			log.Info("mealbuddy stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	f.StringVar(&cfg.PublicURL, "public-url", "", "origin users see, e.g. https://mealbuddy.example (WebSocket origin check, Secure cookies)")
	f.StringSliceVar(&proxies, "trusted-proxies", nil, "comma-separated IPs or CIDRs whose X-Forwarded-For/-Proto are believed")
	f.BoolVar(&cfg.AllowFreeAddress, "allow-free-address", false, "accept addresses that match no 행정동 (matched on the exact text, as the original did)")
	f.StringSliceVar(&cfg.Regions, "region", nil, `limit sign-up to these 시도/시군구 prefixes, e.g. "제주특별자치도 제주시"`)
	f.StringVar(&cfg.Weather, "weather", "auto", "weather provider: auto (KMA when MEALBUDDY_KMA_KEY is set, else Open-Meteo), kma (needs MEALBUDDY_KMA_KEY), open-meteo or off")
	f.StringVar(&cfg.KMAURL, "kma-url", "", "base URL of the KMA short-term forecast API (default: the public one)")
	f.StringVar(&cfg.OpenMeteoURL, "openmeteo-url", "", "base URL of the Open-Meteo API (default: the public one)")
	f.IntVar(&cfg.MaxOpenPosts, "max-open-posts", 10, "posts not yet complete one user may have written; beyond it a new post is 429 (0: no limit)")
	f.IntVar(&cfg.MaxOpenRooms, "max-open-rooms", 20, "rooms of others' posts not yet complete one user may belong to; beyond it a join is 429 (0: no limit)")
	f.IntVar(&cfg.ChatRate, "chat-rate", chatRatePerSec, "chat messages a second one user may send over all its sockets, burst twice that (read markers have as much again of their own); beyond it chat.error, a flood closes the socket with 1008 (0: no limit)")
	f.IntVar(&cfg.MaxSocketsPerUser, "max-sockets-per-user", 8, "open chat sockets one user may have; a new one beyond it is refused with 429 (0: no limit)")
	f.IntVar(&cfg.WeatherRate, "weather-rate", 30, "weather questions a user may ask a minute (0: no limit)")
	f.IntVar(&cfg.WeatherUpstreamPerMinute, "weather-upstream-per-minute", 60, "calls to the weather provider a minute, for everyone together; beyond it the last cached answer or 503 (0: no limit)")
	f.StringVar(&cfg.LLMURL, "llm-url", "", "base URL of an OpenAI-compatible server for menu chat (e.g. http://127.0.0.1:11434); empty uses the built-in recommender")
	f.StringVar(&cfg.LLMModel, "llm-model", "gpt-4o-mini", "model name sent to the LLM server")
	f.DurationVar(&cfg.Ops.BackupEvery, "backup-every", 0, "write a backup into <data>/backups at this interval, e.g. 24h (0: no scheduled backups)")
	f.IntVar(&cfg.Ops.BackupKeep, "backup-keep", defaultBackupKeep, "how many scheduled backups to keep in <data>/backups (older ones are deleted)")
	f.StringSliceVar(&cfg.Ops.TLSDomains, "tls-domain", nil, "serve HTTPS with Let's Encrypt certificates for these comma-separated domains (cached in <data>/certs)")
	f.StringVar(&cfg.Ops.TLSEmail, "tls-email", "", "contact e-mail for the Let's Encrypt account (expiry notices)")
	f.StringVar(&cfg.Ops.ACMEDirectory, "acme-directory", "", "ACME directory URL (default: Let's Encrypt production; staging: https://acme-staging-v02.api.letsencrypt.org/directory)")
	f.StringVar(&cfg.Ops.TLSCert, "tls-cert", "", "serve HTTPS with this certificate file (PEM, full chain); read again on SIGHUP")
	f.StringVar(&cfg.Ops.TLSKey, "tls-key", "", "private key file of --tls-cert (PEM); read again on SIGHUP")
	f.StringVar(&cfg.Ops.HTTPAddr, "http-addr", "", "plain HTTP listener beside HTTPS: ACME challenges and a redirect to https (default :80 with --tls-domain, none otherwise)")
	f.DurationVar(&cfg.Limits.BodyTimeout, "body-timeout", defaultBodyTimeout, "how long a request may take to send its body; slower is 408 (0: no deadline)")
	f.IntVar(&cfg.Limits.MaxConns, "max-conns", defaultMaxConns, "open connections in total, chat sockets included (0: no cap)")
	f.IntVar(&cfg.Limits.MaxConnsPerIP, "max-conns-per-ip", defaultMaxConnsPerIP, "open connections per client address; --trusted-proxies are exempt (0: no cap)")
	f.IntVar(&cfg.Accounts.RegisterRate, "register-rate", defaultRegisterRate, "sign-ups per client address per hour (0: no limit)")
	f.IntVar(&cfg.Accounts.RegisterRateGlobal, "register-rate-global", defaultRegisterRateGlobal, "sign-ups per hour from all addresses together (0: no limit)")
	f.IntVar(&cfg.Accounts.LoginRate, "login-rate", defaultLoginRate, "failed password attempts per account and client address per minute (0: no limit)")
	f.IntVar(&cfg.Accounts.LoginAccountRate, "login-account-rate", defaultLoginAccountRate, "failed password attempts per account per minute over all addresses; beyond it only addresses that have not failed may try (0: no limit)")
	f.IntVar(&cfg.Accounts.LoginIPRate, "login-ip-rate", defaultLoginIPRate, "login attempts per client address per minute, any account (0: no limit)")
	f.StringSliceVar(&metricsAllow, "metrics-allow", nil, "comma-separated IPs or CIDRs that may read GET /metrics (turns it on; see MEALBUDDY_METRICS_TOKEN)")
	f.StringSliceVar(&cfg.PushAllow, "push-allow", nil, "HOST:PORT of a push service that Web Push may reach although it is on a private or loopback address, over http too (repeatable or comma-separated)")
	addModerationFlags(f, &cfg) // --signup, --smtp-url, --smtp-from (cli_invite.go)
	addPerfFlags(f, &cfg)       // --memory-limit, --pprof-addr, hidden --no-board-cache (perf.go)
	// End-to-end tests let a deadline pass without waiting ten minutes.
	f.DurationVar(&cfg.OrderMinLead, "order-min-lead", 0, "shortest time from writing to an order's deadline (tests only; default 10m)")
	_ = f.MarkHidden("order-min-lead")
	return cmd
}

// dataDirExposure says what is wrong when the data folder, or the database
// in it, can be read by other users of the machine: it holds every
// account's email and password hash and the signing key. "" when private,
// and always on Windows, whose ACLs mode bits do not describe. We warn and
// go on rather than chmod: the operator may have a reason (a backup group).
func dataDirExposure(dir string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	for _, p := range []string{dir, filepath.Join(dir, store.FileName)} {
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return fmt.Sprintf("%s is readable by other users (mode %#o); run chmod 700 on the data folder and chmod 600 on the files in it", p, fi.Mode().Perm())
		}
	}
	return ""
}
