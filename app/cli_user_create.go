package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newUserCreateCommand(root *rootOptions) *cobra.Command {
	var email, username, address string
	var admin, freeAddress bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an account",
		Long: `Create an account. The password is read from the first line of standard
input (type it and press Enter, or pipe it in), so that it never shows in
the process list; it is never printed.`,
		Example: `  mealbuddy user create --email admin@example.com --username 관리자 --address "서울특별시 종로구 사직동" --admin
  mealbuddy user create --email a@example.com --username a --address "제주특별자치도 제주시 용담이동" < password.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			errs := fieldErrors{}
			email = strings.TrimSpace(email)
			if email == "" || !strings.Contains(email, "@") {
				return errors.New("--email is required and must be an email address")
			}
			if validUsername(username, errs); len(errs) > 0 {
				return fmt.Errorf("--username: %s", errs["username"][0])
			}
			dongs, err := root.neighborhoods()
			if err != nil {
				return err
			}
			code := ""
			if d, ok := dongs.Resolve(address); ok {
				address, code = d.Name, d.Code
			} else if !freeAddress {
				return fmt.Errorf("--address %q matches no 행정동; try e.g. \"서울특별시 종로구 사직동\" or pass --free-address", address)
			}
			password, err := readPassword(cmd.InOrStdin())
			if err != nil {
				return err
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			hash, err := newHasher(PasswordCost{}).Hash(password)
			if err != nil {
				return err
			}
			u, err := st.CreateUser(cmd.Context(), store.NewUser{
				Email: email, Username: strings.TrimSpace(username), PasswordHash: hash,
				Address: address, DongCode: code, Staff: admin,
			})
			switch {
			case errors.Is(err, store.ErrEmailTaken):
				return fmt.Errorf("email %s is already registered", email)
			case errors.Is(err, store.ErrUsernameTaken):
				return fmt.Errorf("username %s is already taken", username)
			case err != nil:
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created user %d <%s> %s (%s)\n", u.ID, u.Email, u.Username, u.Address)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "email address (login name)")
	f.StringVar(&username, "username", "", "display name, unique")
	f.StringVar(&address, "address", "", "neighbourhood (행정동), e.g. \"서울특별시 종로구 사직동\"")
	f.BoolVar(&admin, "admin", false, "make the account staff (may delete any post or room)")
	f.BoolVar(&freeAddress, "free-address", false, "accept an address that matches no 행정동")
	return cmd
}
