package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mealbuddy/mealbuddy/store"
)

// runCLI runs the command tree with args against a data folder.
func runCLI(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := NewRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(append([]string{"--data", dir}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func mustCLI(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	out, err := runCLI(t, dir, stdin, args...)
	if err != nil {
		t.Fatalf("mealbuddy %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func openTestStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestCLIUserCommands(t *testing.T) {
	dir := t.TempDir()
	out := mustCLI(t, dir, "admin-password\n", "user", "create", "--email", "Admin@Example.com", "--username", "관리자",
		"--address", "제주특별자치도 제주시 용담이동", "--admin")
	if strings.Contains(out, "admin-password") {
		t.Errorf("the password was printed: %q", out)
	}
	if _, err := runCLI(t, dir, "", "user", "create", "--email", "nopw@example.com", "--username", "nopw", "--address", addrSajik); err == nil {
		t.Error("create without a password on stdin succeeded")
	}
	if _, err := runCLI(t, dir, "short\n", "user", "create", "--email", "short@example.com", "--username", "short", "--address", addrSajik); err == nil {
		t.Error("create with a 5-character password succeeded")
	}
	mustCLI(t, dir, "first-password\n", "user", "create", "--email", "kim@example.com", "--username", "kim",
		"--address", "서울특별시 종로구 사직동")
	if _, err := runCLI(t, dir, "some-password\n", "user", "create", "--email", "kim@EXAMPLE.com", "--username", "kim2", "--address", addrSajik); err == nil {
		t.Error("duplicate email accepted")
	}
	if _, err := runCLI(t, dir, "some-password\n", "user", "create", "--email", "x@example.com", "--username", "x", "--address", "어딘가"); err == nil {
		t.Error("unknown address accepted without --free-address")
	}

	list := mustCLI(t, dir, "", "user", "list")
	for _, want := range []string{"admin@example.com", "kim@example.com", "제주특별자치도 제주시 용담2동"} {
		if !strings.Contains(strings.ToLower(list), strings.ToLower(want)) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}

	st := openTestStore(t, dir)
	ctx := context.Background()
	admin, err := st.UserByEmail(ctx, "admin@example.com")
	if err != nil || !admin.Staff {
		t.Fatalf("admin: %+v %v", admin, err)
	}
	kim, _ := st.UserByEmail(ctx, "kim@example.com")

	mustCLI(t, dir, "", "user", "disable", "kim")
	if u, _ := st.UserByID(ctx, kim.ID); u.Active || u.CredVersion == kim.CredVersion {
		t.Errorf("disable: active=%v version %d→%d", u.Active, kim.CredVersion, u.CredVersion)
	}
	mustCLI(t, dir, "", "user", "enable", "kim@example.com")
	if u, _ := st.UserByID(ctx, kim.ID); !u.Active {
		t.Error("enable did not enable")
	}
	before, _ := st.UserByID(ctx, kim.ID)
	mustCLI(t, dir, "second-password\n", "user", "set-password", "kim")
	after, _ := st.UserByID(ctx, kim.ID)
	if after.PasswordHash == before.PasswordHash || after.CredVersion != before.CredVersion+1 {
		t.Error("set-password did not change the hash and bump the version")
	}
	if !newHasher(PasswordCost{}).Check(after.PasswordHash, "second-password") {
		t.Error("the new password does not check")
	}
	mustCLI(t, dir, "", "user", "set-admin", "kim")
	if u, _ := st.UserByID(ctx, kim.ID); !u.Staff {
		t.Error("set-admin")
	}
	mustCLI(t, dir, "", "user", "set-admin", "kim", "--revoke")
	if u, _ := st.UserByID(ctx, kim.ID); u.Staff {
		t.Error("set-admin --revoke")
	}
	if _, err := runCLI(t, dir, "", "user", "disable", "nobody"); err == nil {
		t.Error("disable of an unknown user succeeded")
	}
}

func TestCLISeed(t *testing.T) {
	dir := t.TempDir()
	if _, err := runCLI(t, dir, "", "seed", "--password", "demo-password"); err == nil || !strings.Contains(err.Error(), "MEALBUDDY_SEED_PASSWORD") {
		t.Errorf("seed --password: %v, want a refusal naming MEALBUDDY_SEED_PASSWORD", err)
	}
	t.Setenv("MEALBUDDY_SEED_PASSWORD", "demo-password")
	out := mustCLI(t, dir, "", "seed", "--seed", "7", "--posts", "40")
	if !strings.Contains(out, "demo login: demo@mealbuddy.test / demo-password") {
		t.Errorf("seed output %q", out)
	}
	if _, err := runCLI(t, dir, "", "seed"); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("seeding a database with users: %v, want a refusal naming --force", err)
	}
	st := openTestStore(t, dir)
	ctx := context.Background()
	demo, err := st.UserByEmail(ctx, "demo@mealbuddy.test")
	if err != nil || demo.DongCode == "" {
		t.Fatalf("demo user %+v %v", demo, err)
	}
	categories := map[string]bool{}
	users, _ := st.ListUsers(ctx)
	for _, u := range users {
		posts, err := st.ListPosts(ctx, store.PostFilter{Areas: []string{u.Area()}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			categories[p.Category] = true
		}
	}
	if len(categories) != 14 {
		t.Errorf("posts cover %d categories, want all 14", len(categories))
	}

	// The same seed gives the same data.
	titles := func(dir string) string {
		st := openTestStore(t, dir)
		u, _ := st.UserByEmail(ctx, "demo@mealbuddy.test")
		posts, _ := st.ListPosts(ctx, store.PostFilter{Areas: []string{u.Area()}, Limit: 100})
		var b strings.Builder
		for _, p := range posts {
			b.WriteString(p.Title + "|" + p.Category + "|" + p.Writer.Username + "\n")
		}
		return b.String()
	}
	other := t.TempDir()
	t.Setenv("MEALBUDDY_SEED_PASSWORD", "")
	out = mustCLI(t, other, "stdin-password\n", "seed", "--seed", "7", "--password-stdin", "--posts", "40")
	if !strings.Contains(out, "demo login: demo@mealbuddy.test / stdin-password") {
		t.Errorf("seed --password-stdin output %q", out)
	}
	if a, b := titles(dir), titles(other); a != b || a == "" {
		t.Errorf("same seed, different data:\n%s\n---\n%s", a, b)
	}
}

func TestCLIMigrateAndVersion(t *testing.T) {
	dir := t.TempDir()
	status := mustCLI(t, dir, "", "migrate", "status")
	if !strings.Contains(status, "pending") {
		t.Errorf("fresh status %q", status)
	}
	mustCLI(t, dir, "", "migrate", "up")
	if s := mustCLI(t, dir, "", "migrate", "status"); strings.Contains(s, "pending") {
		t.Errorf("after up: %q", s)
	}
	if out := mustCLI(t, dir, "", "version"); !strings.HasPrefix(out, "mealbuddy ") || !strings.Contains(out, "commit") {
		t.Errorf("version %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err != nil {
		t.Error(err)
	}
}

func TestCLIEnvTwins(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MEALBUDDY_LOG_LEVEL", "loud")
	if err := serveMustFail(t, dir, "--addr", "127.0.0.1:0"); !strings.Contains(err.Error(), "log-level") {
		t.Errorf("MEALBUDDY_LOG_LEVEL=loud: %v, want a log-level error", err)
	}
}

// TestCLIHelp walks the command tree and checks that each command's help
// shows our own text: its description and every one of its flags with its
// usage line, and the subcommands it offers. Cobra's own "Usage:" lines are
// not enough: they appear for any command.
func TestCLIHelp(t *testing.T) {
	var walk func(path []string, c *cobra.Command)
	walk = func(path []string, c *cobra.Command) {
		t.Run(strings.Join(append([]string{"mealbuddy"}, path...), "_"), func(t *testing.T) {
			out := mustCLI(t, t.TempDir(), "", append(append([]string{}, path...), "--help")...)
			text := c.Long
			if text == "" {
				text = c.Short
			}
			if text == "" || !strings.Contains(out, text) {
				t.Errorf("help lacks the command's description %q:\n%s", text, out)
			}
			c.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if f.Hidden || f.Name == "help" {
					return
				}
				if !strings.Contains(out, "--"+f.Name) || !strings.Contains(out, f.Usage) {
					t.Errorf("help lacks --%s (%q):\n%s", f.Name, f.Usage, out)
				}
			})
			for _, sub := range c.Commands() {
				if sub.IsAvailableCommand() && !strings.Contains(out, sub.Name()+" ") {
					t.Errorf("help does not offer %q:\n%s", sub.Name(), out)
				}
			}
		})
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				walk(append(append([]string{}, path...), sub.Name()), sub)
			}
		}
	}
	walk(nil, NewRootCommand())

	// What an operator must learn from the help, spelled out.
	for args, wants := range map[string][]string{
		"--help":       {"MEALBUDDY_ADDR", "serve", "migrate", "user", "seed", "version", "--data", "--log-level"},
		"serve --help": {"MEALBUDDY_SECRET", "MEALBUDDY_KMA_KEY", "MEALBUDDY_LLM_KEY", "never from flags", "--public-url", "--trusted-proxies"},
	} {
		out := mustCLI(t, t.TempDir(), "", strings.Fields(args)...)
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("mealbuddy %s lacks %q:\n%s", args, want, out)
			}
		}
	}
}

// lineWatcher is an io.Writer that is safe for concurrent use and closes
// seen once the output contains want.
type lineWatcher struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		select {
		case <-w.seen:
		default:
			close(w.seen)
		}
	}
	return n, err
}

func (w *lineWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// serveMustFail runs `mealbuddy serve args…`, which the test expects to be
// refused, and returns its error. Should serve start listening instead, it
// is stopped at once and the test fails; it never hangs waiting for a
// server that will not return.
func serveMustFail(t *testing.T, dir string, args ...string) error {
	t.Helper()
	out := &lineWatcher{want: "mealbuddy listening", seen: make(chan struct{})}
	cmd := NewRootCommand()
	cmd.SetOut(out)
	cmd.SetErr(out)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetArgs(append([]string{"--data", dir, "serve"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("mealbuddy serve %s succeeded, want an error:\n%s", strings.Join(args, " "), out)
		}
		return err
	case <-out.seen:
		cancel()
		<-done
		t.Fatalf("mealbuddy serve %s started, want an error:\n%s", strings.Join(args, " "), out)
		return nil
	}
}
