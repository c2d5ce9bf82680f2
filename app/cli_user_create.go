package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newUserCreateCommand(root *rootOptions) *cobra.Command {
	var email, username, address string
	var admin bool
	var rules addressRules
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an account",
		Long: `Create an account. On a terminal the password is asked for twice without
echo; otherwise it is read from the first line of standard input (pipe it
in). It never shows in the process list and is never printed.

The account is checked exactly as the register route checks it: the email,
the username, the password (8 to 128 characters) and the address under the
same --region and --allow-free-address rules as serve (and their
MEALBUDDY_REGION and MEALBUDDY_ALLOW_FREE_ADDRESS twins).`,
		Example: `  mealbuddy user create --email admin@example.com --username 관리자 --address "서울특별시 종로구 사직동" --admin
  mealbuddy user create --email a@example.com --username a --address "제주특별자치도 제주시 용담이동" < password.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password, err := passwordInput(cmd)
			if err != nil {
				return err
			}
			if rules.dongs, err = root.neighborhoods(); err != nil {
				return err
			}
			errs := fieldErrors{}
			in, suggestions := validateSignup(fields{
				"email": email, "username": username, "password": password, "password2": password, "address": address,
			}, rules, errs)
			if len(errs) > 0 {
				return signupError(errs, suggestions)
			}
			st, err := root.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			hash, err := newHasher(PasswordCost{}).Hash(in.password)
			if err != nil {
				return err
			}
			n := in.newUser(hash)
			n.Staff = admin
			u, err := st.CreateUser(cmd.Context(), n)
			if err != nil {
				// A taken email or username: the register route's field error.
				if a, ok := answerFor(err); ok && a.field != "" {
					return signupError(fieldErrors{a.field: {a.msg}}, nil)
				}
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
	f.BoolVar(&rules.allowFree, "allow-free-address", false, "accept an address that matches no 행정동, as serve --allow-free-address does")
	f.BoolVar(&rules.allowFree, "free-address", false, "same as --allow-free-address")
	f.MarkDeprecated("free-address", "use --allow-free-address")
	f.StringSliceVar(&rules.regions, "region", nil, `accept only addresses under these 시도/시군구 prefixes, as serve --region does`)
	return cmd
}

// signupFlags names the flag (or input) behind each field of a sign-up.
var signupFlags = []struct{ field, flag string }{
	{"email", "--email"}, {"username", "--username"}, {"password", "password (standard input)"},
	{"password2", "password (standard input)"}, {"address", "--address"},
}

// signupError reports validateSignup's refusals, one line per field, in the
// order of the flags.
func signupError(errs fieldErrors, suggestions []string) error {
	var b strings.Builder
	for _, sf := range signupFlags {
		for _, msg := range errs[sf.field] {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s: %s", sf.flag, msg)
		}
	}
	if len(errs["address"]) > 0 && len(suggestions) > 0 {
		fmt.Fprintf(&b, "\n--address: did you mean %q?", strings.Join(suggestions, `", "`))
	}
	return errors.New(b.String())
}
