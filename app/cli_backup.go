package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mealbuddy/mealbuddy/store"
)

func newBackupCommand(root *rootOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "backup [FILE]",
		Short: "Write the database and the secrets into one archive, also while serve runs",
		Long: `Write a consistent copy of the database, taken with SQLite's VACUUM INTO while
serve keeps running (chat messages keep flowing), together with the secret
files of the data folder (jwt-secret, and vapid-key for Web Push) into one tar.gz
archive with a manifest of checksums. The copy passes SQLite's integrity
check before the archive is written. It prints where it wrote and the size.

FILE defaults to mealbuddy-backup-<UTC date and time>.tar.gz in the current
folder. The archive holds the signing secret: keep it as private as the
data folder (it is written with mode 0600).

serve --backup-every takes the same backups on a schedule; mealbuddy restore
puts one back.`,
		Example: `  mealbuddy backup --data /var/lib/mealbuddy
  mealbuddy backup --data /var/lib/mealbuddy /srv/backups/mealbuddy.tar.gz`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			dest := defaultBackupName(now)
			if len(args) == 1 {
				dest = args[0]
			}
			if _, err := os.Stat(root.dbPath()); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("no database at %s: check --data", root.dbPath())
			}
			return root.withUnmigratedStore(func(st *store.Store) error {
				res, err := writeBackup(cmd.Context(), st, root.dataDir, dest, now)
				if err != nil {
					return fmt.Errorf("backup: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s, %d bytes): %v\n", res.Path, formatBytes(res.Size), res.Size, res.Files)
				return nil
			})
		},
	}
}
