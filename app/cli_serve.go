package app

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/ui"
)

func newServeCommand(root *rootOptions) *cobra.Command {
	cfg := Config{}
	var proxies []string
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
  MEALBUDDY_LLM_KEY   API key of the OpenAI-compatible menu assistant`,
		Example: `  mealbuddy serve
  mealbuddy serve --addr 0.0.0.0:8080 --data /var/lib/mealbuddy
  mealbuddy serve --public-url https://mealbuddy.example --trusted-proxies 127.0.0.1
  mealbuddy serve --region "제주특별자치도 제주시"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := root.logger(cmd)
			if err != nil {
				return err
			}
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
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
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
	f.StringVar(&cfg.LLMURL, "llm-url", "", "base URL of an OpenAI-compatible server for menu chat (e.g. http://127.0.0.1:11434); empty uses the built-in recommender")
	f.StringVar(&cfg.LLMModel, "llm-model", "gpt-4o-mini", "model name sent to the LLM server")
	return cmd
}
