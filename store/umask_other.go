//go:build !unix

package store

// withPrivateFiles runs open. Windows has no umask: the data folder's ACL,
// inherited by the files in it, decides who may read them.
func withPrivateFiles(open func() error) error { return open() }
