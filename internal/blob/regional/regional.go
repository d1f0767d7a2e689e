// Package regional is a blob.Store that routes each blob to the data root
// of its region: IDs of the form "<region>.<id>" naming one of its regions
// go to that region's store, all others to the default region's.
package regional

import (
	"context"
	"io"
	"strings"

	"github.com/ferrys3/ferry/internal/blob"
)

// Store routes blobs by the region prefix of their IDs.
type Store struct {
	def blob.Store
	by  map[string]blob.Store
}

// New returns a Store over the default region's store and the others'.
func New(def blob.Store, others map[string]blob.Store) *Store {
	return &Store{def: def, by: others}
}

func (s *Store) pick(id string) (blob.Store, error) {
	if r, _, ok := strings.Cut(id, "."); ok {
		if st, ok := s.by[r]; ok {
			return st, nil
		}
	}
	return s.def, nil
}

// Create starts writing a blob in its region's store.
func (s *Store) Create(ctx context.Context, id string) (blob.Writer, error) {
	st, err := s.pick(id)
	if err != nil {
		return nil, err
	}
	return st.Create(ctx, id)
}

// Open reads a blob from its region's store.
func (s *Store) Open(ctx context.Context, id string, offset, length int64) (io.ReadCloser, error) {
	st, err := s.pick(id)
	if err != nil {
		return nil, err
	}
	return st.Open(ctx, id, offset, length)
}

// Size returns a blob's size.
func (s *Store) Size(ctx context.Context, id string) (int64, error) {
	st, err := s.pick(id)
	if err != nil {
		return 0, err
	}
	return st.Size(ctx, id)
}

// Delete removes a blob.
func (s *Store) Delete(ctx context.Context, id string) error {
	st, err := s.pick(id)
	if err != nil {
		return err
	}
	return st.Delete(ctx, id)
}

// Walk visits the blobs of every region.
func (s *Store) Walk(ctx context.Context, fn func(id string) error) error {
	if err := s.def.Walk(ctx, fn); err != nil {
		return err
	}
	for _, st := range s.by {
		if err := st.Walk(ctx, fn); err != nil {
			return err
		}
	}
	return nil
}

// Link gives blob srcID a second ID dstID, possibly in another region's
// data root, without copying when the two roots share a file system.
func (s *Store) Link(ctx context.Context, srcID, dstID string) error {
	src, err := s.pick(srcID)
	if err != nil {
		return err
	}
	dst, err := s.pick(dstID)
	if err != nil {
		return err
	}
	if l, ok := dst.(interface {
		LinkFrom(ctx context.Context, from blob.Store, srcID, dstID string) error
	}); ok {
		return l.LinkFrom(ctx, src, srcID, dstID)
	}
	if l, ok := dst.(blob.Linker); ok && src == dst {
		return l.Link(ctx, srcID, dstID)
	}
	return blob.ErrNotLinkable
}
