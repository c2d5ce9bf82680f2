package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockFileName is the file in the data folder that serve and restore hold
// an exclusive lock on (flock on Linux and macOS, LockFileEx on Windows)
// for as long as they run. The lock, not the file, is what counts: the
// operating system drops it when the process ends, also when it is killed,
// so a stale file never blocks anything.
const lockFileName = "mealbuddy.lock"

// errDataLocked means another process holds the data folder lock.
var errDataLocked = errors.New("data folder is locked")

// dataLock is a held data folder lock.
type dataLock struct{ f *os.File }

// lockDataDir takes the data folder lock without waiting. It fails with
// errDataLocked while a server (or a restore) uses the folder.
func lockDataDir(dataDir string) (*dataLock, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dataDir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errDataLocked) {
			return nil, fmt.Errorf("%w: another mealbuddy serve or restore is using %s (it holds a lock on %s)", errDataLocked, dataDir, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// Close releases the lock. The file stays: removing it could let two
// processes lock two different files of the same name.
func (l *dataLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlockFile(l.f)
	return errors.Join(err, l.f.Close())
}
