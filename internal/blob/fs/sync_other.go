//go:build !linux

package fs

import "os"

// fdatasync flushes f. (On darwin, os.File.Sync uses F_FULLFSYNC.)
func fdatasync(f *os.File) error { return f.Sync() }
