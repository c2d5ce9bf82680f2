package app

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mealbuddy/mealbuddy/internal/push"
	"github.com/mealbuddy/mealbuddy/internal/token"
	"github.com/mealbuddy/mealbuddy/store"
)

// secretFiles are the files of the data folder that a backup carries beside
// the database: without them a restored server could not verify the tokens
// it issued. A feature that stores a new secret in the data folder (the
// Web Push VAPID keys, for one) adds its file name here, and backup and
// restore pick it up.
var secretFiles = []string{token.SecretFile, push.KeyFile}

// Names inside a backup archive.
const (
	manifestName = "backup.json"
	// backupFormat is the archive layout version; restore refuses newer ones.
	backupFormat = 1
	// backupPrefix and backupSuffix frame the default archive name; pruning
	// of scheduled backups only ever touches names of this shape.
	backupPrefix     = "mealbuddy-backup-"
	backupSuffix     = ".tar.gz"
	backupTimeLayout = "20060102-150405"
	// maxSecretSize bounds a secret or manifest entry read from an archive.
	maxSecretSize = 64 << 10
)

// backupManifest is backup.json, the last entry of an archive.
type backupManifest struct {
	Format        int           `json:"format"`
	CreatedAt     time.Time     `json:"created_at"`
	Version       string        `json:"mealbuddy_version"`
	SchemaVersion int64         `json:"schema_version"`
	Files         []backupEntry `json:"files"`
}

type backupEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// backupResult describes a written archive.
type backupResult struct {
	Path  string
	Size  int64
	Files []string // names inside, database first
}

// defaultBackupName is the archive name for a backup taken at t.
func defaultBackupName(t time.Time) string {
	return backupPrefix + t.UTC().Format(backupTimeLayout) + backupSuffix
}

// writeBackup writes a tar.gz archive at dest with a consistent copy of the
// database (taken while others keep writing), the secret files the data
// folder holds and a manifest with their checksums. The archive appears
// under its name only once complete.
func writeBackup(ctx context.Context, st *store.Store, dataDir, dest string, now time.Time) (backupResult, error) {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return backupResult{}, err
	}
	if _, err := os.Lstat(dest); err == nil {
		return backupResult{}, fmt.Errorf("%s already exists", dest)
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return backupResult{}, fmt.Errorf("create backup folder: %w", err)
	}
	// Work next to the destination so the final rename stays on one file
	// system; the leading dot keeps it out of pruning.
	tmp, err := os.MkdirTemp(dir, ".mealbuddy-backup-")
	if err != nil {
		return backupResult{}, fmt.Errorf("backup work folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	dbCopy := filepath.Join(tmp, store.FileName)
	if err := st.BackupTo(ctx, dbCopy); err != nil {
		return backupResult{}, err
	}
	version, err := store.CheckFile(ctx, dbCopy)
	if err != nil {
		return backupResult{}, fmt.Errorf("check the copy: %w", err)
	}
	m := backupManifest{Format: backupFormat, CreatedAt: now.UTC(), Version: Version, SchemaVersion: version.Current}

	partial := filepath.Join(tmp, "archive.partial")
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return backupResult{}, fmt.Errorf("create archive: %w", err)
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	add := func(name, path string) error {
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		fi, err := src.Stat()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: now.UTC(), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), src)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, backupEntry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	if err := add(store.FileName, dbCopy); err != nil {
		return backupResult{}, fmt.Errorf("archive the database: %w", err)
	}
	for _, name := range secretFiles {
		err := add(name, filepath.Join(dataDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // e.g. the key comes from MEALBUDDY_SECRET
		}
		if err != nil {
			return backupResult{}, fmt.Errorf("archive %s: %w", name, err)
		}
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return backupResult{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(manifest)), ModTime: now.UTC(), Typeflag: tar.TypeReg}); err != nil {
		return backupResult{}, fmt.Errorf("write archive: %w", err)
	}
	if _, err := tw.Write(manifest); err != nil {
		return backupResult{}, fmt.Errorf("write archive: %w", err)
	}
	if err := errors.Join(tw.Close(), gz.Close(), f.Sync(), f.Close()); err != nil {
		return backupResult{}, fmt.Errorf("write archive: %w", err)
	}
	if err := os.Rename(partial, dest); err != nil {
		return backupResult{}, fmt.Errorf("write archive: %w", err)
	}
	fi, err := os.Stat(dest)
	if err != nil {
		return backupResult{}, err
	}
	res := backupResult{Path: dest, Size: fi.Size()}
	for _, e := range m.Files {
		res.Files = append(res.Files, e.Name)
	}
	return res, nil
}

// pruneBackups deletes the oldest scheduled archives in dir beyond keep.
// Only names of the default shape are considered, so an operator's own
// files in the folder are never touched.
func pruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	sort.Strings(names) // the timestamp in the name sorts oldest first
	var removed []string
	var errs []error
	for len(names) > max(keep, 1) {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
		} else {
			removed = append(removed, p)
		}
		names = names[1:]
	}
	return removed, errors.Join(errs...)
}

// errDamagedArchive wraps every reason an archive cannot be read.
var errDamagedArchive = errors.New("the archive is damaged or is not a MealBuddy backup")

// checkedBackup is an archive unpacked into a work folder and verified.
type checkedBackup struct {
	dir      string // work folder holding the unpacked files
	manifest backupManifest
	schema   store.SchemaVersion
}

// unpackBackup extracts the archive into a new work folder inside dataDir
// (so that restoring is a rename on one file system) and checks it: only
// known names, checksums and sizes as the manifest says, the database's
// integrity check, and a schema this binary knows. On error nothing is
// left behind.
func unpackBackup(ctx context.Context, archive, dataDir string) (*checkedBackup, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	dir, err := os.MkdirTemp(dataDir, ".restore-")
	if err != nil {
		return nil, fmt.Errorf("restore work folder: %w", err)
	}
	cb := &checkedBackup{dir: dir}
	if err := cb.unpack(ctx, f); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return cb, nil
}

func (cb *checkedBackup) unpack(ctx context.Context, r io.Reader) error {
	damaged := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", errDamagedArchive, fmt.Sprintf(format, args...))
	}
	allowed := append([]string{store.FileName, manifestName}, secretFiles...)
	gz, err := gzip.NewReader(r)
	if err != nil {
		return damaged("%v", err)
	}
	tr := tar.NewReader(gz)
	sums := map[string]backupEntry{}
	var manifest []byte
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return damaged("%v", err)
		}
		name := hdr.Name
		if hdr.Typeflag != tar.TypeReg || !slices.Contains(allowed, name) {
			return damaged("unexpected entry %q", name)
		}
		if _, dup := sums[name]; dup {
			return damaged("entry %q appears twice", name)
		}
		if name != store.FileName && hdr.Size > maxSecretSize {
			return damaged("entry %q is too large", name)
		}
		h := sha256.New()
		if name == manifestName {
			manifest, err = io.ReadAll(io.TeeReader(io.LimitReader(tr, maxSecretSize), h))
		} else {
			err = writeFileFrom(filepath.Join(cb.dir, name), io.TeeReader(tr, h))
		}
		if err != nil {
			return damaged("%s: %v", name, err)
		}
		sums[name] = backupEntry{Name: name, Size: hdr.Size, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	// The gzip trailer's checksum is only verified once the stream is read
	// to its end.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return damaged("%v", err)
	}
	if manifest == nil {
		return damaged("no %s", manifestName)
	}
	if err := json.Unmarshal(manifest, &cb.manifest); err != nil {
		return damaged("%s: %v", manifestName, err)
	}
	if cb.manifest.Format < 1 || cb.manifest.Format > backupFormat {
		return fmt.Errorf("the archive has format %d; this mealbuddy reads format %d: use a newer mealbuddy", cb.manifest.Format, backupFormat)
	}
	delete(sums, manifestName)
	listed := map[string]bool{}
	for _, e := range cb.manifest.Files {
		got, ok := sums[e.Name]
		if !ok {
			return damaged("%s is missing", e.Name)
		}
		if got.Size != e.Size || got.SHA256 != e.SHA256 {
			return damaged("%s does not match its checksum", e.Name)
		}
		listed[e.Name] = true
	}
	for name := range sums {
		if !listed[name] {
			return damaged("%s is not in the manifest", name)
		}
	}
	if !listed[store.FileName] {
		return damaged("no database in the archive")
	}
	schema, err := store.CheckFile(ctx, filepath.Join(cb.dir, store.FileName))
	if err != nil {
		return damaged("database: %v", err)
	}
	if schema.Current > schema.Latest {
		return fmt.Errorf("the backup's database has schema version %d, newer than this mealbuddy knows (%d): restore it with the mealbuddy version that wrote it (%s) or newer",
			schema.Current, schema.Latest, cb.manifest.Version)
	}
	cb.schema = schema
	return nil
}

// writeFileFrom writes r to a new file (mode 0600) and syncs it.
func writeFileFrom(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// files lists the names the archive holds, database first.
func (cb *checkedBackup) files() []string {
	var out []string
	for _, e := range cb.manifest.Files {
		out = append(out, e.Name)
	}
	return out
}

// close removes the work folder.
func (cb *checkedBackup) close() error { return os.RemoveAll(cb.dir) }

// restoreResult says what restore moved aside.
type restoreResult struct {
	Kept []string // previous files, renamed with the .before-restore-<date> suffix
}

// install replaces the data folder's database and secrets with the
// unpacked ones. The caller holds the data folder lock. The current
// database is checkpointed (so the file alone is complete) and renamed to
// mealbuddy.db.before-restore-<date>; each secret the archive carries
// replaces the current one the same way.
func (cb *checkedBackup) install(ctx context.Context, dataDir string, now time.Time) (restoreResult, error) {
	var res restoreResult
	suffix := ".before-restore-" + now.UTC().Format(backupTimeLayout)
	dbPath := filepath.Join(dataDir, store.FileName)
	if _, err := os.Stat(dbPath); err == nil {
		st, err := store.Open(dbPath)
		if err != nil {
			return res, err
		}
		err = st.Checkpoint(ctx)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return res, fmt.Errorf("current database: %w", err)
		}
		// Closing the last connection removes the WAL; one that is left
		// with content belongs to another process.
		if fi, err := os.Stat(dbPath + "-wal"); err == nil && fi.Size() > 0 {
			return res, errors.New("the current database is still open in another mealbuddy process; stop it first")
		}
		if err := os.Rename(dbPath, dbPath+suffix); err != nil {
			return res, fmt.Errorf("keep the current database: %w", err)
		}
		res.Kept = append(res.Kept, dbPath+suffix)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, err
		}
	}
	for _, name := range cb.files() {
		target := filepath.Join(dataDir, name)
		if name != store.FileName {
			if _, err := os.Stat(target); err == nil {
				if err := os.Rename(target, target+suffix); err != nil {
					return res, fmt.Errorf("keep the current %s: %w", name, err)
				}
				res.Kept = append(res.Kept, target+suffix)
			}
		}
		if err := os.Rename(filepath.Join(cb.dir, name), target); err != nil {
			return res, fmt.Errorf("restore %s: %w", name, err)
		}
	}
	if d, err := os.Open(dataDir); err == nil {
		d.Sync() // make the renames durable where the platform can
		d.Close()
	}
	return res, nil
}

// formatBytes prints a size for people: 1.5 MiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
