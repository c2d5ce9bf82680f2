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
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetActive(cmd.Context(), u.ID, false); err != nil {
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
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetActive(cmd.Context(), u.ID, true); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> enabled\n", u.ID, u.Email)
				return nil
			})
		},
	}
}
