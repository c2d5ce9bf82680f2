package app

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

// newUserDisableCommand builds "user disable".
func newUserDisableCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "disable USER",
		Short: "Disable an account: its sessions and tokens stop working at once",
		Long: `Disable an account: its sessions and tokens stop working at once, its open
chat sockets within a ping interval. The action goes into the audit log
(mealbuddy audit) as cli:<operating-system user>.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetActiveBy(cmd.Context(), u.ID, false, cliActor()); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> disabled\n", u.ID, u.Email)
				return nil
			})
		},
	}
}

// newUserEnableCommand builds "user enable".
func newUserEnableCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "enable USER",
		Short: "Enable a disabled account",
		Long: `Enable a disabled account. The action goes into the audit log (mealbuddy
audit) as cli:<operating-system user>.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetActiveBy(cmd.Context(), u.ID, true, cliActor()); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> enabled\n", u.ID, u.Email)
				return nil
			})
		},
	}
}
