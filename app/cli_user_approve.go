package app

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newUserApproveCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "approve USER",
		Short: "Approve an account that waits for approval (serve --signup approval)",
		Long: `Approve an account created while serve ran with --signup approval. Until
then its login answers 403 with the reason. The approval goes into the audit
log. The 관리 page of the web app does the same.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				err := st.Approve(cmd.Context(), u.ID, cliActor())
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("user %d <%s> is not waiting for approval", u.ID, u.Email)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> approved\n", u.ID, u.Email)
				return nil
			})
		},
	}
}
