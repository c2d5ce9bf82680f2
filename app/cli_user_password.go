package app

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newUserSetPasswordCommand(root *rootOptions) *cobra.Command {
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set an account's password; its other sessions and tokens stop working",
		Long: `Set an account's password. The password is read from stdin with
--password-stdin; otherwise a random one is generated and printed once.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, generated := generatePassword(), true
			if passwordStdin {
				var err error
				if password, err = readPassword(cmd.InOrStdin()); err != nil {
					return err
				}
				generated = false
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(cmd, st, args[0])
			if err != nil {
				return err
			}
			hash, err := newHasher(PasswordCost{}).Hash(password)
			if err != nil {
				return err
			}
			if _, err := st.SetPassword(cmd.Context(), u.ID, hash, ""); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "password of user %d <%s> changed\n", u.ID, u.Email)
			if generated {
				fmt.Fprintf(out, "password: %s\n", password)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	return cmd
}

func newUserSetAdminCommand(root *rootOptions) *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "set-admin USER",
		Short: "Make an account staff (may delete any post or room); --revoke takes it back",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			u, err := findUser(cmd, st, args[0])
			if err != nil {
				return err
			}
			if err := st.SetStaff(cmd.Context(), u.ID, !revoke); err != nil {
				return err
			}
			state := "is now staff"
			if revoke {
				state = "is no longer staff"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %d <%s> %s\n", u.ID, u.Email, state)
			return nil
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke", false, "take staff rights away instead")
	return cmd
}
