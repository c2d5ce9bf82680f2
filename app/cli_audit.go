package app

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newAuditCommand(root *rootOptions) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "List staff actions (report resolutions, approvals, user disable/enable/set-admin, staff post deletions), newest first",
		Long: `List the audit log: every staff action with who took it and when. Actions on
the 관리 page name the staff account; actions from the CLI name the
operating-system user as cli:<name>.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.AuditLog(cmd.Context(), limit)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "ID\tWHEN\tWHO\tACTION\tTARGET\tDETAIL")
			for _, e := range list {
				who := printable(e.Actor)
				if e.ActorID != 0 {
					who = fmt.Sprintf("%s (user %d)", who, e.ActorID)
				}
				fmt.Fprintf(out, "%d\t%s\t%s\t%s\t%s %d\t%s\n", e.ID, e.CreatedAt.Format(time.RFC3339), who, e.Action,
					e.TargetType, e.TargetID, printable(e.Detail))
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "(no staff actions yet)")
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 100, "how many entries to show")
	return cmd
}
