//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package app

import "os"

// On the remaining platforms (none of the release targets) the lock is not
// taken: restore cannot tell whether a server runs, and says so in --help.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
