package app

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newUserCommand(root *rootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage accounts (create, list, disable, enable, set-password, set-admin, approve, reset-link)",
		Long: `Manage accounts in the data folder's database. Safe to run while serve runs:
disabling an account or setting its password ends its sessions and tokens at
once, and its open chat sockets within one ping interval.

USER is an account's id, email or username.`,
	}
	cmd.AddCommand(
		newUserCreateCommand(root),
		newUserListCommand(root),
		newUserDisableCommand(root),
		newUserEnableCommand(root),
		newUserSetPasswordCommand(root),
		newUserSetAdminCommand(root),
		newUserApproveCommand(root), newUserResetLinkCommand(root),
	)
	return cmd
}

// withUser opens the data folder's database, finds the account a USER
// argument names (an id, an email or a username) and runs fn on it.
func (o *rootOptions) withUser(cmd *cobra.Command, ref string, fn func(*store.Store, store.User) error) error {
	st, err := o.openStore(cmd.Context())
	if err != nil {
		return err
	}
	defer st.Close()
	var u store.User
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		u, err = st.UserByID(cmd.Context(), id)
	}
	if u.ID == 0 {
		u, err = st.UserByLogin(cmd.Context(), ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user %q (give an id, email or username)", ref)
	}
	if err != nil {
		return err
	}
	return fn(st, u)
}

// readPassword takes the password from the first line of r. Its length is
// checked by the caller, with the rules of the matching API route.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("give the password on standard input (type it and press Enter, or pipe it in)")
	}
	return pw, nil
}

// generatePassword returns a random 16-character password (the seed command's demo
// password when none is given).
func generatePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
