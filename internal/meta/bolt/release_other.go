//go:build !linux

package bolt

// ReleaseMapped is a no-op where madvise is not used.
func (s *Store) ReleaseMapped() error { return nil }
