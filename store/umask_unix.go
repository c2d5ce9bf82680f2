//go:build unix

package store

import "syscall"

// withPrivateFiles runs open with the process umask at 077, so that the
// files SQLite creates meanwhile (the database, -wal and -shm; SQLite's own
// default is 0644) are readable by their owner only. The umask is process
// wide: files other goroutines create during the call are private too,
// which errs on the safe side.
func withPrivateFiles(open func() error) error {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	return open()
}
