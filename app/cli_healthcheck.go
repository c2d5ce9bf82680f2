package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func newHealthcheckCommand() *cobra.Command {
	var (
		target  string
		addr    string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running server's /readyz; exit 0 when ready, 1 when not",
		Long: `Ask a running mealbuddy serve whether it is ready (GET /readyz: the database
answers, migrations are current, the last scheduled backup did not fail) and
exit 0 when it is, 1 when it is not or does not answer. For a container
HEALTHCHECK or a systemd ExecStartPost/watchdog script.

Without --url it asks <scheme>://<--addr>/readyz, where --addr has the same
environment twin as serve's (MEALBUDDY_ADDR), so a container that sets it
once needs no flag; an unspecified host (0.0.0.0, ::) becomes the loopback
address. The scheme is https when MEALBUDDY_TLS_DOMAIN or MEALBUDDY_TLS_CERT
is set. Over https to a loopback address the certificate is not verified
(it names the public domain, not 127.0.0.1); to any other host it is.`,
		Example: `  mealbuddy healthcheck
  mealbuddy healthcheck --url http://127.0.0.1:8080/readyz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := healthcheckURL(target, addr)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			status, body, err := probe(ctx, u)
			if err != nil {
				return fmt.Errorf("healthcheck %s: %w", u, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), body)
			if status != http.StatusOK {
				return fmt.Errorf("healthcheck %s: not ready (%d)", u, status)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "url", "", "URL to ask (default: <scheme>://<--addr>/readyz)")
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address serve listens on (MEALBUDDY_ADDR, as for serve)")
	f.DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	return cmd
}

// healthcheckURL is --url, or /readyz on --addr.
func healthcheckURL(target, addr string) (*url.URL, error) {
	if target == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("--addr %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		scheme := "http"
		if os.Getenv(envPrefix+"TLS_DOMAIN") != "" || os.Getenv(envPrefix+"TLS_CERT") != "" {
			scheme = "https"
		}
		target = scheme + "://" + net.JoinHostPort(host, port) + "/readyz"
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: give an http(s) URL", target)
	}
	return u, nil
}

// probe GETs u and returns the status and the body's compact JSON (or its
// first bytes).
func probe(ctx context.Context, u *url.URL) (int, string, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if ip := net.ParseIP(u.Hostname()); u.Scheme == "https" && (u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())) {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // loopback: the cert names the public domain
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, "", err
	}
	var v any
	if json.Unmarshal(raw, &v) == nil {
		if b, err := json.Marshal(v); err == nil {
			raw = b
		}
	}
	return resp.StatusCode, string(raw), nil
}
