//go:build unix

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mealbuddy/mealbuddy/store"
)

// TestDataDirExposure: serve warns when the data folder or the database is
// readable by other users, and is quiet when both are private.
func TestDataDirExposure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, store.FileName)
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg := dataDirExposure(dir); msg != "" {
		t.Errorf("private folder: %q", msg)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := dataDirExposure(dir); !strings.Contains(msg, store.FileName) || !strings.Contains(msg, "readable by other users") {
		t.Errorf("0644 database: %q", msg)
	}
	if err := os.Chmod(db, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if msg := dataDirExposure(dir); !strings.Contains(msg, "0755") {
		t.Errorf("0755 folder: %q", msg)
	}
}
