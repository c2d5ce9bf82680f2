package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newRestoreCommand(root *rootOptions) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Check a backup archive and put it back into the data folder",
		Long: `Check a backup archive written by mealbuddy backup (or serve --backup-every)
and restore it into the data folder.

The checks: every file matches the manifest's checksum, the database passes
SQLite's integrity check, and its schema is not newer than this binary knows
(an older one is migrated when serve next starts). A damaged archive is
refused with the reason, and nothing in the data folder changes.

Restore refuses while a server uses the data folder. It knows because serve
holds an exclusive lock on <data>/mealbuddy.lock (flock on Linux and macOS,
LockFileEx on Windows) for as long as it runs; restore takes the same lock,
so serve cannot start during a restore either. Stop the server first
(systemctl stop mealbuddy), restore, start it again.

The current database is kept beside the restored one as
mealbuddy.db.before-restore-<date>, and each secret the archive replaces as
<name>.before-restore-<date>.

--dry-run only checks the archive and prints what it holds.`,
		Example: `  mealbuddy restore --data /var/lib/mealbuddy --dry-run mealbuddy-backup-20261128-030000.tar.gz
  mealbuddy restore --data /var/lib/mealbuddy mealbuddy-backup-20261128-030000.tar.gz`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			lock, err := lockDataDir(root.dataDir)
			if err != nil {
				return fmt.Errorf("restore refused: %w; stop the server first", err)
			}
			defer lock.Close()
			cb, err := unpackBackup(cmd.Context(), args[0], root.dataDir)
			if err != nil {
				return fmt.Errorf("restore refused, nothing was changed: %w", err)
			}
			defer cb.close()
			m := cb.manifest
			fmt.Fprintf(out, "archive ok: taken %s by mealbuddy %s, schema version %d (this binary: %d), files: %s\n",
				m.CreatedAt.Format(time.RFC3339), m.Version, cb.schema.Current, cb.schema.Latest, strings.Join(cb.files(), ", "))
			if dryRun {
				fmt.Fprintln(out, "dry run: nothing was changed")
				return nil
			}
			res, err := cb.install(cmd.Context(), root.dataDir, time.Now())
			for _, p := range res.Kept {
				fmt.Fprintf(out, "kept the previous file as %s\n", p)
			}
			if err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			fmt.Fprintf(out, "restored into %s\n", root.dataDir)
			if cb.schema.Pending() {
				fmt.Fprintln(out, "the next mealbuddy serve (or mealbuddy migrate up) applies the newer migrations")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only check the archive; change nothing")
	return cmd
}
