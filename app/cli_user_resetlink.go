package app

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newUserResetLinkCommand(root *rootOptions) *cobra.Command {
	var publicURL string
	cmd := &cobra.Command{
		Use:   "reset-link USER",
		Short: "Print a one-time password reset link (valid 1 hour) to send to the resident",
		Long: `Print a one-time link that lets the resident choose a new password, for
when they forgot theirs. Send it by any channel you trust (a message, in
person). The link works once, for one hour; using it ends every earlier
session, API token and reset link of the account. Only a hash of the token
is stored, so the link is shown this once.`,
		Example: `  mealbuddy user reset-link kim@example.com --public-url https://mealbuddy.example`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			origin, err := Config{PublicURL: publicURL}.publicOrigin()
			if err != nil {
				return err
			}
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if !u.Active {
					return fmt.Errorf("user %d <%s> is disabled; enable it first", u.ID, u.Email)
				}
				now := time.Now().UTC()
				link, err := createResetLink(cmd.Context(), st, u.ID, now)
				if err != nil {
					return err
				}
				out := cmd.OutOrStdout()
				if origin != nil {
					fmt.Fprintf(out, "%s%s\n", origin, link)
				} else {
					fmt.Fprintf(out, "%s\n(put the site's address in front, or pass --public-url)\n", link)
				}
				fmt.Fprintf(out, "valid until %s, once\n", now.Add(resetLifetime).Format(time.RFC3339))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&publicURL, "public-url", "", "origin users see, to print a full link (MEALBUDDY_PUBLIC_URL)")
	return cmd
}
