package app

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newMigrateCommand(root *rootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply, roll back or list the database migrations",
		Long: `Manage the schema of the SQLite file in the data folder. serve applies pending
migrations by itself; these commands are for upgrades and inspection, and are
safe to run while serve runs.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return root.withUnmigratedStore(func(st *store.Store) error {
				if err := st.Migrate(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "migrations applied")
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "down",
		Short: "Roll back the newest applied migration (this drops its data)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return root.withUnmigratedStore(func(st *store.Store) error {
				v, err := st.MigrateDown(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "rolled back migration %d\n", v)
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return root.withUnmigratedStore(func(st *store.Store) error {
				list, err := st.MigrationStatuses(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT")
				for _, m := range list {
					state, at := "pending", ""
					if m.Applied {
						state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
				}
				return tw.Flush()
			})
		},
	})
	return cmd
}

// withUnmigratedStore opens the data folder's database as it is, without
// applying migrations, for the migrate commands.
func (o *rootOptions) withUnmigratedStore(fn func(*store.Store) error) error {
	st, err := store.Open(o.dbPath())
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}
