package app

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newUserSetPasswordCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "set-password USER",
		Short: "Set an account's password; its other sessions and tokens stop working",
		Long: `Set an account's password: asked for twice without echo on a terminal,
otherwise read from the first line of standard input (pipe it in); it is
never printed. Every earlier token and session of the account stops working.`,
		Example: `  mealbuddy user set-password kim@example.com < new-password.txt`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := passwordInput(cmd)
			if err != nil {
				return err
			}
			// The rule of the change-password route.
			errs := fieldErrors{}
			if validPassword("password", password, errs); len(errs) > 0 {
				return fmt.Errorf("password (standard input): %s", errs["password"][0])
			}
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				hash, err := newHasher(PasswordCost{}).Hash(password)
				if err != nil {
					return err
				}
				if _, err := st.SetPassword(cmd.Context(), u.ID, hash, nil); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "password of user %d <%s> changed\n", u.ID, u.Email)
				return nil
			})
		},
	}
}

func newUserSetAdminCommand(root *rootOptions) *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "set-admin USER",
		Short: "Make an account staff (may delete any post or room); --revoke takes it back",
		Long: `Make an account staff (it may delete any post or room and sees the 관리
page), or take that back with --revoke. Either goes into the audit log
(mealbuddy audit) as cli:<operating-system user>.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return root.withUser(cmd, args[0], func(st *store.Store, u store.User) error {
				if err := st.SetStaffBy(cmd.Context(), u.ID, !revoke, cliActor()); err != nil {
					return err
				}
				state := "is now staff"
				if revoke {
					state = "is no longer staff"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> %s\n", u.ID, u.Email, state)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke", false, "take staff rights away instead")
	return cmd
}
