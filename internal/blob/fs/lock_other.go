//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package fs

import "os"

// lockDir does not lock on this platform; it only creates path.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
}

func unlockDir(f *os.File) error { return f.Close() }
