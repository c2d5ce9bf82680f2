package app

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

// newUserActiveCommand builds "user disable" and "user enable".
func newUserActiveCommand(root *rootOptions, name string, active bool) *cobra.Command {
	short := "Disable an account: its sessions and tokens stop working at once"
	if active {
		short = "Enable a disabled account"
	}
	return &cobra.Command{
		Use:   name + " USER",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetActive(cmd.Context(), u.ID, active); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> %sd\n", u.ID, u.Email, name)
				return nil
			})
		},
	}
}
