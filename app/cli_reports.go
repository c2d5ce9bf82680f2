package app

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newReportsCommand(root *rootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reports",
		Short: "The moderation queue: list, show and resolve residents' reports",
		Long: `Residents report posts, chat messages and users (POST /api/reports/). Staff
work through the queue on the web app's 관리 page or here. Resolving closes
every open report on the same target with one action:

  hide          hide the post or message (kept in the database; a hidden
                message reads "운영 정책에 따라 가려진 메시지예요")
  disable-user  disable the post's writer, the message's author or the
                reported user (sessions and tokens stop at once)
  dismiss       close the report, change nothing

Every resolution goes into the audit log (mealbuddy audit) with the
operating-system user who ran the command. A message hidden here shows the
placeholder on the next history load; open chat windows learn it live only
when it is hidden on the 관리 page of the running server.`,
	}
	cmd.AddCommand(newReportsListCommand(root), newReportsShowCommand(root), newReportsResolveCommand(root))
	return cmd
}

func newReportsListCommand(root *rootOptions) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List open reports, oldest first (--all: every report, newest first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.ListReports(cmd.Context(), store.ReportFilter{All: all, Limit: 1000})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "ID\tSTATUS\tTARGET\tREASON\tREPORTER\tCREATED")
			for _, r := range list {
				status := r.Status
				if r.Action != "" {
					status += ":" + r.Action
				}
				fmt.Fprintf(out, "%d\t%s\t%s %d\t%s\t%s\t%s\n", r.ID, status, r.TargetType, r.TargetID, r.Reason,
					printable(r.Reporter.Username), r.CreatedAt.Format(time.RFC3339))
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "(no reports)")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "also list resolved reports")
	return cmd
}

func newReportsShowCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one report with what it points at",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := reportID(args[0])
			if err != nil {
				return err
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := st.ReportByID(cmd.Context(), id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no report %d", id)
			}
			if err != nil {
				return err
			}
			t, err := targetOf(cmd.Context(), st, r)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "report:   %d (%s)\n", r.ID, r.Status)
			fmt.Fprintf(out, "target:   %s %d\n", r.TargetType, r.TargetID)
			fmt.Fprintf(out, "content:  %s\n", printable(t.Summary))
			if t.Owner != 0 {
				fmt.Fprintf(out, "account:  %d (disable-user disables it)\n", t.Owner)
			}
			fmt.Fprintf(out, "reason:   %s\n", r.Reason)
			if r.Text != "" {
				fmt.Fprintf(out, "text:     %s\n", printable(r.Text))
			}
			fmt.Fprintf(out, "reporter: %s <%s>\n", printable(r.Reporter.Username), r.Reporter.Email)
			fmt.Fprintf(out, "created:  %s\n", r.CreatedAt.Format(time.RFC3339))
			if r.Status == "resolved" {
				by := "CLI"
				if r.ResolvedBy != nil {
					by = printable(r.ResolvedBy.Username)
				}
				fmt.Fprintf(out, "resolved: %s by %s at %s\n", r.Action, by, r.ResolvedAt.Format(time.RFC3339))
			}
			return nil
		},
	}
}

func newReportsResolveCommand(root *rootOptions) *cobra.Command {
	var action string
	cmd := &cobra.Command{
		Use:   "resolve ID --action hide|disable-user|dismiss",
		Short: "Resolve a report (and every open report on the same target)",
		Example: `  mealbuddy reports resolve 12 --action hide
  mealbuddy reports resolve 13 --action disable-user
  mealbuddy reports resolve 14 --action dismiss`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := reportID(args[0])
			if err != nil {
				return err
			}
			switch action {
			case store.ActionHide, store.ActionDisableUser, store.ActionDismiss:
			default:
				return fmt.Errorf("--action %q: use hide, disable-user or dismiss", action)
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			r, t, err := resolveReport(cmd.Context(), st, id, action, cliActor())
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no report %d", id)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report %d resolved: %s (%s %d)\n", r.ID, action, r.TargetType, r.TargetID)
			if action == store.ActionDisableUser {
				fmt.Fprintf(cmd.OutOrStdout(), "user %d disabled\n", t.Owner)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&action, "action", "", "hide, disable-user or dismiss (required)")
	cmd.MarkFlagRequired("action")
	return cmd
}

func reportID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("report id %q is not a number", arg)
	}
	return id, nil
}

// cliActor names the operator for the audit log: "cli:" and the
// operating-system user.
func cliActor() store.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return store.Actor{Name: "cli:" + name}
}

// printable makes residents' text safe for the operator's terminal: control
// characters (escape sequences could rewrite the screen) become U+FFFD, line
// breaks and tabs a space.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			return '\uFFFD' // also bidirectional overrides
		}
		return r
	}, s)
}
