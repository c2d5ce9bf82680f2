package app

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// addModerationFlags adds serve's sign-up and mail flags.
func addModerationFlags(f *pflag.FlagSet, cfg *Config) {
	f.StringVar(&cfg.Signup, "signup", signupOpen, "who may sign up: open, invite (needs a code from 'mealbuddy invite create'), approval (staff approve each account) or closed")
	f.StringVar(&cfg.SMTPURL, "smtp-url", "", "smtp://user:pass@host:587 (STARTTLS) or smtps://…:465 to mail reset links; prefer MEALBUDDY_SMTP_URL, flags show in the process list; needs --public-url and --smtp-from")
	f.StringVar(&cfg.SMTPFrom, "smtp-from", "", `sender of reset mails, e.g. "밀버디 <noreply@mealbuddy.example>"`)
}

func newInviteCommand(root *rootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invite",
		Short: "Create and list invite codes (for serve --signup invite)",
		Long: `Invite codes let people sign up while serve runs with --signup invite. The
register page takes the code from its link (/register?invite=CODE) or the
API from the "invite" field. Only a hash of each code is stored: a code is
shown once, when it is created.`,
	}
	cmd.AddCommand(newInviteCreateCommand(root), newInviteListCommand(root))
	return cmd
}

func newInviteCreateCommand(root *rootOptions) *cobra.Command {
	var (
		uses      int
		expires   string
		publicURL string
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an invite code and print it (and its link when the public URL is set)",
		Example: `  mealbuddy invite create
  mealbuddy invite create --uses 20 --expires 30d --public-url https://mealbuddy.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if uses < 1 {
				return errors.New("--uses must be at least 1")
			}
			ttl, err := parseExpiry(expires)
			if err != nil {
				return err
			}
			origin, err := Config{PublicURL: publicURL}.publicOrigin()
			if err != nil {
				return err
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			code := newInviteCode()
			var until time.Time
			if ttl > 0 {
				until = time.Now().UTC().Add(ttl)
			}
			if _, err := st.CreateInvite(cmd.Context(), hashSession(code), uses, until); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "invite code: %s\n", code)
			fmt.Fprintf(out, "uses: %d\n", uses)
			if until.IsZero() {
				fmt.Fprintln(out, "expires: never")
			} else {
				fmt.Fprintf(out, "expires: %s\n", until.Format(time.RFC3339))
			}
			if origin != nil {
				fmt.Fprintf(out, "link: %s/register?invite=%s\n", origin, url.QueryEscape(code))
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&uses, "uses", 1, "how many accounts may sign up with the code")
	cmd.Flags().StringVar(&expires, "expires", "7d", "how long the code works: 7d, 36h, 90m, or 0 for no expiry")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "origin users see, to print the register link (MEALBUDDY_PUBLIC_URL)")
	return cmd
}

func newInviteListCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List invite codes (uses and expiry; the codes themselves are not stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Invites(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "ID\tUSED\tEXPIRES\tCREATED")
			for _, in := range list {
				exp := "never"
				if !in.ExpiresAt.IsZero() {
					exp = in.ExpiresAt.Format(time.RFC3339)
				}
				fmt.Fprintf(out, "%d\t%d/%d\t%s\t%s\n", in.ID, in.Uses, in.MaxUses, exp, in.CreatedAt.Format(time.RFC3339))
			}
			return nil
		},
	}
}

// parseExpiry reads "7d", Go durations ("36h") and "0" (never).
func parseExpiry(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 3650 {
			return 0, fmt.Errorf("--expires %q: use e.g. 7d, 36h or 0", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: use e.g. 7d, 36h or 0", s)
	}
	return d, nil
}

// newInviteCode returns 12 random characters that are easy to read aloud.
func newInviteCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // 32 letters: no bias from the modulo
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
