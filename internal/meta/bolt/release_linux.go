package bolt

import (
	"unsafe"

	"go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// ReleaseMapped drops the database file's pages from this process's
// resident set (madvise MADV_DONTNEED on the read-only shared mapping).
// The pages stay in the kernel's page cache; the next read maps them back.
// bbolt never writes through the mapping, and a read transaction holds the
// mapping in place, so this is safe while the store is in use.
func (s *Store) ReleaseMapped() error {
	return s.db.View(func(tx *bbolt.Tx) error {
		info := s.db.Info()
		n := int(tx.Size())
		if info.Data == 0 || n <= 0 {
			return nil
		}
		base := *(*unsafe.Pointer)(unsafe.Pointer(&info.Data))
		return unix.Madvise(unsafe.Slice((*byte)(base), n), unix.MADV_DONTNEED)
	})
}
