package regional

import (
	"context"
	"errors"
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

// Link gives a blob a second ID in another region's root without copying;
// the two names are independent afterwards.
func TestLink(t *testing.T) {
	ctx := context.Background()
	s, def, eu := open(t, t.TempDir())
	put(t, s, "src", "payload")
	if err := s.Link(ctx, "src", "eu-west-1.replica"); err != nil {
		t.Fatal(err)
	}
	if n, err := eu.Size(ctx, "eu-west-1.replica"); err != nil || n != 7 {
		t.Fatalf("linked blob in eu-west-1: %d %v", n, err)
	}
	if err := s.Link(ctx, "src", "same-root"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"eu-west-1.replica", "same-root"} {
		rc, err := s.Open(ctx, id, 0, -1)
		if err != nil {
			t.Fatalf("%s after the source was deleted: %v", id, err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "payload" {
			t.Errorf("%s = %q", id, b)
		}
	}
	if _, err := def.Size(ctx, "src"); err == nil {
		t.Error("deleted source still present")
	}
	if err := s.Link(ctx, "missing", "eu-west-1.x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("linking a missing blob: %v", err)
	}
}
