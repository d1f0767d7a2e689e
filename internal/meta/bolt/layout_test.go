package bolt

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/versionid"
	"go.etcd.io/bbolt"
)

// TestLayout1 opens a file in layout 1, where every version has an i
// entry, and finds, lists, rewrites and deletes its versions.
func TestLayout1(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTest(t, dir)
	base := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	var vs []*meta.Version
	for i := range 5 {
		id, at := versionid.NewGenerator(clock.Fixed{T: base.Add(time.Duration(i) * time.Second)}).New()
		vs = append(vs, &meta.Version{Bucket: "b", Key: "k", VersionID: id, ModTime: at, Size: int64(i), ETag: "e"})
	}
	err := s.Update(ctx, func(tx meta.Tx) error {
		if err := tx.CreateBucket(&meta.Bucket{Name: "b", Owner: "111111111111", Region: "us-east-1", Created: base}); err != nil {
			return err
		}
		for _, v := range vs {
			if err := tx.PutVersion(v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the file as layout 1 would have left it.
	err = s.db.Update(func(btx *bbolt.Tx) error {
		ob := btx.Bucket(bObjects).Bucket([]byte("b"))
		for _, v := range vs {
			if err := ob.Bucket(subVersionID).Put(idxKey(v.Key, v.VersionID), versionSuffix(v.ModTime, 0)); err != nil {
				return err
			}
		}
		return btx.Bucket(bMeta).Put([]byte("schema"), []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, dir)
	defer s.Close()
	if err := s.db.View(func(btx *bbolt.Tx) error {
		if got := string(btx.Bucket(bMeta).Get([]byte("schema"))); got != schemaVersion {
			t.Errorf("schema %q after open, want %q", got, schemaVersion)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx meta.Tx) error {
		for _, v := range vs {
			got, err := tx.GetVersion("b", "k", v.VersionID)
			if err != nil || got.Size != v.Size {
				t.Errorf("GetVersion %s: %+v, %v", v.VersionID, got, err)
			}
		}
		var listed []string
		if err := tx.ListVersions("b", meta.ListOptions{KeyMarker: "k", VersionIDMarker: vs[3].VersionID}, func(v *meta.Version) bool {
			listed = append(listed, v.VersionID)
			return true
		}); err != nil {
			return err
		}
		if want := []string{vs[2].VersionID, vs[1].VersionID, vs[0].VersionID}; strings.Join(listed, ",") != strings.Join(want, ",") {
			t.Errorf("listed after marker %v, want %v", listed, want)
		}
		vs[4].Size = 40
		if err := tx.PutVersion(vs[4]); err != nil {
			return err
		}
		return tx.DeleteVersion("b", "k", vs[0].VersionID)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx meta.Tx) error {
		cur, err := tx.GetCurrent("b", "k")
		if err != nil || cur.VersionID != vs[4].VersionID || cur.Size != 40 {
			t.Errorf("current %+v, %v", cur, err)
		}
		n := 0
		if err := tx.ListVersions("b", meta.ListOptions{}, func(*meta.Version) bool { n++; return true }); err != nil {
			return err
		}
		if n != 4 {
			t.Errorf("%d versions listed, want 4", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The rewritten and the deleted version left no i entry behind.
	if err := s.db.View(func(btx *bbolt.Tx) error {
		i := btx.Bucket(bObjects).Bucket([]byte("b")).Bucket(subVersionID)
		for _, v := range []*meta.Version{vs[0], vs[4]} {
			if i.Get(idxKey("k", v.VersionID)) != nil {
				t.Errorf("i entry of %s left behind", v.VersionID)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestNewerLayoutRefused: a file from a newer layout is not opened.
func TestNewerLayoutRefused(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.db.Update(func(btx *bbolt.Tx) error {
		return btx.Bucket(bMeta).Put([]byte("schema"), []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(filepath.Join(dir, "meta.db"), Options{NoSync: true}); err == nil {
		s.Close()
		t.Fatal("opened a layout 99 file")
	} else if !strings.Contains(err.Error(), "layout version") {
		t.Errorf("error %v", err)
	}
}
