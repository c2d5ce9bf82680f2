package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mealbuddy/mealbuddy/app/neighborhood"
	"github.com/mealbuddy/mealbuddy/store"
)

// Version and Commit are set at build time with -ldflags -X.
var (
	Version = "dev"
	Commit  = ""
)

// envPrefix: every flag has an environment twin, --addr is MEALBUDDY_ADDR.
const envPrefix = "MEALBUDDY_"

// rootOptions are the flags every command shares, and what the commands
// build once from them.
type rootOptions struct {
	dataDir  string
	logLevel string

	dongs *neighborhood.Index // built on first use by neighborhoods
}

// neighborhoods returns the 행정동 index, loading the embedded dataset once
// per command run; the commands hand it to what needs it.
func (o *rootOptions) neighborhoods() (*neighborhood.Index, error) {
	if o.dongs == nil {
		ix, err := neighborhood.Load()
		if err != nil {
			return nil, fmt.Errorf("load the neighbourhood dataset: %w", err)
		}
		o.dongs = ix
	}
	return o.dongs, nil
}

// NewRootCommand builds the mealbuddy command tree.
func NewRootCommand() *cobra.Command {
	opts := &rootOptions{}
	root := &cobra.Command{
		Use:   "mealbuddy",
		Short: "MealBuddy (밀버디): neighbourhood group ordering in one binary",
		Long: `MealBuddy (밀버디) lets residents of one neighbourhood (행정동) combine a food-delivery
order, split the delivery fee and reach the minimum order together.

One binary serves the API, the web app and the real-time chat, and keeps
everything in one SQLite file inside the data folder.

Every flag can also be set in the environment: --addr is MEALBUDDY_ADDR,
--trusted-proxies is MEALBUDDY_TRUSTED_PROXIES, and so on. A flag given on
the command line wins over its environment twin.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags())
		},
	}
	root.PersistentFlags().StringVar(&opts.dataDir, "data", "./mealbuddy-data", "folder that holds the SQLite file and the generated secret")
	root.PersistentFlags().StringVar(&opts.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	root.AddCommand(
		newServeCommand(opts),
		newMigrateCommand(opts),
		newUserCommand(opts),
		newSeedCommand(opts),
		newBackupCommand(opts),
		newRestoreCommand(opts),
		newHealthcheckCommand(),
		newReportsCommand(opts), newInviteCommand(opts), newAuditCommand(opts),
		newVersionCommand(),
	)
	return root
}

// bindEnv fills every flag not given on the command line from its
// MEALBUDDY_ environment twin.
func bindEnv(flags *pflag.FlagSet) error {
	var errs []error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if err := flags.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	})
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func (o *rootOptions) logger(cmd *cobra.Command) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.logLevel)
	}
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})), nil
}

// dbPath is the SQLite file inside the data folder.
func (o *rootOptions) dbPath() string { return filepath.Join(o.dataDir, store.FileName) }

// openStore opens the data folder's database and applies pending migrations.
func (o *rootOptions) openStore(ctx context.Context) (*store.Store, error) {
	st, err := store.Open(o.dbPath())
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "mealbuddy %s (commit %s)\n", Version, commit())
			return nil
		},
	}
}

// commit is the -X value, else the VCS revision Go stamped into the binary.
func commit() string {
	if Commit != "" {
		return Commit
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
