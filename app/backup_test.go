package app

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/push"
	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

// ackedMessage is a chat message its sender saw come back with its id.
type ackedMessage struct {
	id   int64
	body string
}

// TestBackupUnderChatLoad takes a backup while real WebSocket clients keep
// sending: the archive's database passes the integrity check and holds every
// message acknowledged before the backup started, and chat goes on after it.
func TestBackupUnderChatLoad(t *testing.T) {
	e := newChatEnv(t)
	writer := e.register("writer", addrSajik)
	_, room := e.writePost(writer, "백업 중에도", 10)
	users := []testUser{writer}
	for i := range 5 {
		u := e.register(fmt.Sprintf("m%d", i), addrSajik)
		e.joinAPI(room, u, 200)
		users = append(users, u)
	}
	var (
		mu      sync.Mutex
		acked   []ackedMessage
		stop    atomic.Bool
		wg      sync.WaitGroup
		ackedAt = make(chan struct{}, 1024)
	)
	for i, u := range users {
		c := e.mustDial(room, u)
		wg.Go(func() {
			defer c.close()
			for j := 0; !stop.Load(); j++ {
				body := fmt.Sprintf("u%d-%d", i, j)
				c.send(body)
				for {
					ev := c.next()
					if ev.Type == "chat.error" { // over the socket's rate limit: send it again
						time.Sleep(200 * time.Millisecond)
						c.send(body)
						continue
					}
					if ev.Type == "chat.message" && ev.Message.Message == body {
						mu.Lock()
						acked = append(acked, ackedMessage{ev.Message.ID, body})
						mu.Unlock()
						select {
						case ackedAt <- struct{}{}:
						default:
						}
						break
					}
				}
			}
		})
	}
	waitAcks := func(n int) {
		t.Helper()
		deadline := time.After(wait)
		for range n {
			select {
			case <-ackedAt:
			case <-deadline:
				t.Fatalf("chat stopped: fewer than %d messages acknowledged", n)
			}
		}
	}
	waitAcks(40)

	mu.Lock()
	before := append([]ackedMessage(nil), acked...)
	mu.Unlock()
	dest := filepath.Join(t.TempDir(), "load.tar.gz")
	res, err := writeBackup(context.Background(), e.store, e.dir, dest, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	waitAcks(20) // messages keep flowing after the backup too
	stop.Store(true)
	wg.Wait()
	t.Logf("%d messages acknowledged before the backup, %d while it ran; archive %d bytes", len(before), during, res.Size)

	cb, err := unpackBackup(context.Background(), dest, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cb.close()
	db := openReadOnly(t, filepath.Join(cb.dir, store.FileName))
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	for _, m := range before {
		var body string
		if err := db.QueryRow(`SELECT body FROM messages WHERE id = ?`, m.id).Scan(&body); err != nil || body != m.body {
			t.Fatalf("message %d (%q) acknowledged before the backup is missing: %q %v", m.id, m.body, body, err)
		}
	}
	if got := strings.Join(res.Files, ","); got != store.FileName+","+token.SecretFile+","+push.KeyFile {
		t.Errorf("archive holds %s", got)
	}
}

func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func countUsers(t *testing.T, path string) int {
	t.Helper()
	var n int
	if err := openReadOnly(t, path).QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func writeSecret(t *testing.T, dir, key string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, token.SecretFile), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRestoreRoundTrip: backup, change things, restore with the CLI;
// the database and the secrets (signing key, VAPID key) come back, the
// previous ones are kept.
func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, testPassword+"\n", "user", "create", "--email", "a@example.com", "--username", "alice", "--address", addrSajik)
	oldKey := strings.Repeat("a", 64)
	writeSecret(t, dir, oldKey)
	oldVAPID, err := push.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	out := mustCLI(t, dir, "", "backup", archive)
	if !strings.Contains(out, archive) || !strings.Contains(out, "bytes") {
		t.Fatalf("backup output: %s", out)
	}
	if fi, err := os.Stat(archive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v %v", fi, err)
	}

	// Afterwards: a second user and a new secret.
	mustCLI(t, dir, testPassword+"\n", "user", "create", "--email", "b@example.com", "--username", "bob", "--address", addrSajik)
	newKey := strings.Repeat("b", 64)
	writeSecret(t, dir, newKey)
	os.Remove(filepath.Join(dir, push.KeyFile))
	newVAPID, err := push.LoadKeys(dir)
	if err != nil || newVAPID == oldVAPID {
		t.Fatalf("new VAPID key: %v", err)
	}
	db := filepath.Join(dir, store.FileName)

	out = mustCLI(t, dir, "", "restore", "--dry-run", archive)
	if !strings.Contains(out, "archive ok") || !strings.Contains(out, "nothing was changed") {
		t.Fatalf("dry run output: %s", out)
	}
	if n := countUsers(t, db); n != 2 {
		t.Fatalf("dry run changed the database: %d users", n)
	}

	out = mustCLI(t, dir, "", "restore", archive)
	if !strings.Contains(out, "restored into") {
		t.Fatalf("restore output: %s", out)
	}
	if n := countUsers(t, db); n != 1 {
		t.Fatalf("restored database has %d users, want 1", n)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, token.SecretFile)); strings.TrimSpace(string(b)) != oldKey {
		t.Fatalf("secret not restored: %q", b)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, store.FileName+".before-restore-*"))
	if len(kept) != 1 || countUsers(t, kept[0]) != 2 {
		t.Fatalf("previous database not kept: %v", kept)
	}
	keptKey, _ := filepath.Glob(filepath.Join(dir, token.SecretFile+".before-restore-*"))
	if len(keptKey) != 1 {
		t.Fatalf("previous secret not kept: %v", keptKey)
	}
	if b, _ := os.ReadFile(keptKey[0]); strings.TrimSpace(string(b)) != newKey {
		t.Fatalf("kept secret: %q", b)
	}
	if got, err := push.LoadKeys(dir); err != nil || got != oldVAPID {
		t.Fatalf("VAPID key not restored: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, push.KeyFile)); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("restored VAPID key: %v %v", fi, err)
	}
	keptVAPID, _ := filepath.Glob(filepath.Join(dir, push.KeyFile+".before-restore-*"))
	if len(keptVAPID) != 1 {
		t.Fatalf("previous VAPID key not kept: %v", keptVAPID)
	}
	if b, _ := os.ReadFile(keptVAPID[0]); strings.TrimSpace(string(b)) != newVAPID.Private {
		t.Fatalf("kept VAPID key is not the one replaced")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".restore-*")); len(left) != 0 {
		t.Errorf("work folders left: %v", left)
	}
	// The restored folder serves: the CLI reads it and the account logs in.
	if out := mustCLI(t, dir, "", "user", "list"); !strings.Contains(out, "alice") || strings.Contains(out, "bob") {
		t.Errorf("user list after restore: %s", out)
	}
}

// TestRestoreRefusedWhileServing: serve holds the data folder lock, restore
// says so and changes nothing; once serve stops, restore works.
func TestRestoreRefusedWhileServing(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, testPassword+"\n", "user", "create", "--email", "a@example.com", "--username", "alice", "--address", addrSajik)
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	mustCLI(t, dir, "", "backup", archive)

	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	cmd := NewRootCommand()
	cmd.SetOut(out)
	cmd.SetErr(out)
	cmd.SetArgs([]string{"--data", dir, "serve", "--addr", "127.0.0.1:0", "--weather", "off"})
	served := make(chan error, 1)
	go func() { served <- cmd.ExecuteContext(ctx) }()
	deadline := time.Now().Add(wait)
	for !strings.Contains(out.String(), "mealbuddy listening") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	db := filepath.Join(dir, store.FileName)
	sum := fileSum(t, db)
	msg, err := runCLI(t, dir, "", "restore", archive)
	if err == nil || !strings.Contains(err.Error(), "another mealbuddy serve or restore is using") || !strings.Contains(err.Error(), lockFileName) {
		t.Fatalf("restore while serving: %v\n%s", err, msg)
	}
	if fileSum(t, db) != sum {
		t.Error("refused restore changed the database")
	}
	if kept, _ := filepath.Glob(db + ".before-restore-*"); len(kept) != 0 {
		t.Errorf("refused restore kept files: %v", kept)
	}
	// A second serve on the same folder is refused the same way.
	if _, err := runCLI(t, dir, "", "serve", "--addr", "127.0.0.1:0", "--weather", "off"); err == nil || !errors.Is(err, errDataLocked) {
		t.Errorf("second serve: %v", err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	mustCLI(t, dir, "", "restore", archive)
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRestoreRefusesDamagedArchives: each damaged archive is refused with a
// clear message and leaves the data folder exactly as it was.
func TestRestoreRefusesDamagedArchives(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, testPassword+"\n", "user", "create", "--email", "a@example.com", "--username", "alice", "--address", addrSajik)
	writeSecret(t, dir, strings.Repeat("c", 64))
	good := filepath.Join(t.TempDir(), "good.tar.gz")
	mustCLI(t, dir, "", "backup", good)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	entries := readArchive(t, raw)

	// An archive whose database is newer than this binary knows.
	newer := func() []byte {
		src := t.TempDir()
		path := filepath.Join(src, store.FileName)
		if err := os.WriteFile(path, entries[store.FileName], 0o600); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		st := openTestStore(t, src)
		out := filepath.Join(t.TempDir(), "newer.tar.gz")
		if _, err := writeBackup(context.Background(), st, src, out, time.Now()); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	garbageDB := bytes.Repeat([]byte("not a database "), 400)
	cases := []struct {
		name, want string
		archive    []byte
	}{
		{"Truncated", "damaged", raw[:len(raw)/2]},
		{"FlippedByte", "damaged", flip(raw, len(raw)/3)},
		{"NotGzip", "damaged", []byte("hello")},
		{"Empty", "damaged", nil},
		{"PathTraversal", `unexpected entry "../evil"`, makeArchive(t, map[string][]byte{"../evil": []byte("x")}, nil)},
		{"NoManifest", "no backup.json", makeArchive(t, map[string][]byte{store.FileName: entries[store.FileName]}, []string{store.FileName})},
		{"ChecksumMismatch", "does not match its checksum", makeArchive(t, map[string][]byte{
			store.FileName: entries[store.FileName], manifestName: entries[manifestName], token.SecretFile: []byte("tampered"),
		}, []string{store.FileName, token.SecretFile, manifestName})},
		{"NotADatabase", "not a MealBuddy database", archiveWithManifest(t, map[string][]byte{store.FileName: garbageDB})},
		{"NewerSchema", "newer than this mealbuddy knows", newer()},
	}
	db := filepath.Join(dir, store.FileName)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, keySum := fileSum(t, db), fileSum(t, filepath.Join(dir, token.SecretFile))
			path := filepath.Join(t.TempDir(), "bad.tar.gz")
			if err := os.WriteFile(path, tc.archive, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"restore", "--dry-run", path}, {"restore", path}} {
				out, err := runCLI(t, dir, "", args...)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing was changed") {
					t.Fatalf("%v: %v (want %q)\n%s", args, err, tc.want, out)
				}
			}
			if fileSum(t, db) != sum || fileSum(t, filepath.Join(dir, token.SecretFile)) != keySum {
				t.Error("the data folder changed")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*before-restore*")); len(left) != 0 {
				t.Errorf("kept files: %v", left)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".restore-*")); len(left) != 0 {
				t.Errorf("work folders left: %v", left)
			}
		})
	}
}

func flip(b []byte, at int) []byte {
	out := append([]byte(nil), b...)
	out[at] ^= 0xff
	return out
}

// readArchive returns the entries of a tar.gz archive.
func readArchive(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[hdr.Name] = b
	}
}

// makeArchive writes entries (in order, else sorted by map order) as tar.gz.
func makeArchive(t *testing.T, entries map[string][]byte, order []string) []byte {
	t.Helper()
	if order == nil {
		for name := range entries {
			order = append(order, name)
		}
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range order {
		b := entries[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// archiveWithManifest adds a correct manifest for entries.
func archiveWithManifest(t *testing.T, entries map[string][]byte) []byte {
	t.Helper()
	m := backupManifest{Format: backupFormat, CreatedAt: time.Now().UTC(), Version: "test"}
	var order []string
	for name, b := range entries {
		sum := sha256.Sum256(b)
		m.Files = append(m.Files, backupEntry{Name: name, Size: int64(len(b)), SHA256: fmt.Sprintf("%x", sum)})
		order = append(order, name)
	}
	raw := fmt.Appendf(nil, `{"format":%d,"created_at":"%s","mealbuddy_version":"test","files":[`, m.Format, m.CreatedAt.Format(time.RFC3339))
	for i, f := range m.Files {
		if i > 0 {
			raw = append(raw, ',')
		}
		raw = fmt.Appendf(raw, `{"name":%q,"size":%d,"sha256":%q}`, f.Name, f.Size, f.SHA256)
	}
	raw = append(raw, "]}"...)
	all := map[string][]byte{manifestName: raw}
	for k, v := range entries {
		all[k] = v
	}
	return makeArchive(t, all, append(order, manifestName))
}

// TestScheduledBackups: the scheduler writes into <data>/backups and keeps
// the newest --backup-keep; a failure shows in /readyz (503) while the
// server keeps serving, and the next success clears it.
func TestScheduledBackups(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Ops.BackupKeep = 2 })
	e.register("alice", addrSajik)
	clock := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	e.srv.now = func() time.Time { return clock }
	for range 3 {
		e.srv.scheduledBackup(context.Background())
		clock = clock.Add(24 * time.Hour)
	}
	dir := filepath.Join(e.dir, backupsFolder)
	names, _ := filepath.Glob(filepath.Join(dir, backupPrefix+"*"))
	want := []string{filepath.Join(dir, "mealbuddy-backup-20261129-030000.tar.gz"), filepath.Join(dir, "mealbuddy-backup-20261130-030000.tar.gz")}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("backups folder holds %v, want %v", names, want)
	}
	// An operator's own file there is never pruned.
	own := filepath.Join(dir, "keep-me.tar.gz")
	os.WriteFile(own, []byte("x"), 0o600)

	// Make the next backup fail: its target name is taken by a folder.
	e.srv.cfg.Ops.BackupEvery = 24 * time.Hour
	os.Mkdir(filepath.Join(dir, defaultBackupName(clock)), 0o700)
	e.srv.scheduledBackup(context.Background())
	r := e.do(req{method: "GET", path: "/readyz"})
	checks := r.json(t)["checks"].(map[string]any)
	if r.status != 503 || checks["backup"].(map[string]any)["status"] != "fail" || checks["database"].(map[string]any)["status"] != "ok" {
		t.Fatalf("readyz after a failed backup: %d %s", r.status, r.raw)
	}
	if strings.Contains(string(r.raw), e.dir) {
		t.Errorf("readyz names a path: %s", r.raw)
	}
	if r := e.do(req{method: "GET", path: "/livez"}); r.status != 200 {
		t.Fatalf("livez: %d", r.status)
	}
	e.register("bob", addrSajik) // still serving

	clock = clock.Add(time.Hour)
	e.srv.scheduledBackup(context.Background())
	if r := e.do(req{method: "GET", path: "/readyz"}); r.status != 200 {
		t.Fatalf("readyz after the next backup: %d %s", r.status, r.raw)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("pruning removed the operator's file: %v", err)
	}
}

// TestBackupScheduleRuns: runBackups writes on its ticker until stopped.
func TestBackupScheduleRuns(t *testing.T) {
	e := newTestEnv(t)
	e.srv.cfg.Ops.BackupEvery = 20 * time.Millisecond // below the flag's minimum: tests only
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.srv.runBackups(ctx); close(done) }()
	deadline := time.Now().Add(wait)
	for {
		names, _ := filepath.Glob(filepath.Join(e.dir, backupsFolder, backupPrefix+"*"))
		if len(names) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no scheduled backup was written")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
