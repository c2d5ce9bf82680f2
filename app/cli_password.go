package app

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// passwordInput reads a new password for user create and set-password. On
// a terminal it asks twice without echo, so that neither the screen, the
// scrollback nor someone looking on sees it; otherwise (a pipe, a file) it
// reads the first line of standard input. It is never printed.
func passwordInput(cmd *cobra.Command) (string, error) {
	f, ok := cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return readPassword(cmd.InOrStdin())
	}
	prompt := cmd.ErrOrStderr()
	ask := func(label string) (string, error) {
		fmt.Fprint(prompt, label)
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt) // the Enter was not echoed either
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(pw), nil
	}
	pw, err := ask("New password: ")
	if err != nil {
		return "", err
	}
	again, err := ask("Repeat it: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	// From here on, as a piped password.
	return readPassword(strings.NewReader(pw + "\n"))
}
