package regional

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/blob"
	"github.com/ferrys3/ferry/internal/blob/blobtest"
	blobfs "github.com/ferrys3/ferry/internal/blob/fs"
)

func open(t *testing.T, dir string) (*Store, *blobfs.Store, *blobfs.Store) {
	t.Helper()
	def, err := blobfs.Open(filepath.Join(dir, "default"), blobfs.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	eu, err := blobfs.Open(filepath.Join(dir, "eu"), blobfs.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { def.Close(); eu.Close() })
	return New(def, map[string]blob.Store{"eu-west-1": eu}), def, eu
}

// The router passes the blob conformance suite (IDs without a region go to
// the default store).
func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T, dir string) blob.Store {
		s, _, _ := open(t, dir)
		return s
	})
}

func put(t *testing.T, s blob.Store, id, data string) {
	t.Helper()
	w, err := s.Create(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// A region-prefixed blob lives in that region's data root only, and Walk
// sees every region's blobs.
func TestRouting(t *testing.T) {
	ctx := context.Background()
	s, def, eu := open(t, t.TempDir())
	put(t, s, "plain", "a")
	put(t, s, "eu-west-1.x", "bb")
	if _, err := def.Size(ctx, "eu-west-1.x"); err == nil {
		t.Error("regional blob found in the default store")
	}
	if n, err := eu.Size(ctx, "eu-west-1.x"); err != nil || n != 2 {
		t.Errorf("regional blob in its region: %d %v", n, err)
	}
	if n, err := s.Size(ctx, "eu-west-1.x"); err != nil || n != 2 {
		t.Errorf("Size through the router: %d %v", n, err)
	}
	put(t, s, "ap-south-1.y", "c") // not a region of this store: default root
	if n, err := def.Size(ctx, "ap-south-1.y"); err != nil || n != 1 {
		t.Errorf("unknown region prefix in the default store: %d %v", n, err)
	}
	var ids []string
	if err := s.Walk(ctx, func(id string) error { ids = append(ids, id); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"ap-south-1.y", "eu-west-1.x", "plain"}) {
		t.Errorf("Walk = %v", ids)
	}
	if err := s.Delete(ctx, "eu-west-1.x"); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.Size(ctx, "eu-west-1.x"); err == nil {
		t.Error("deleted regional blob still there")
	}
}
