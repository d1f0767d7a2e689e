// Package metatest is the conformance suite every meta.Store
// implementation must pass:
//
//	func TestConformance(t *testing.T) {
//		metatest.Run(t, func(t *testing.T, dir string) meta.Store {
//			s, err := bolt.Open(filepath.Join(dir, "meta.db"), bolt.Options{NoSync: true})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Times are compared as instants with microsecond-precision fixtures, and
// empty maps, slices and byte strings compare equal to nil, so an
// implementation is free in those representation details.
package metatest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// Opener opens the store kept under dir, a directory the suite creates per
// test (an implementation that is not file based may use it as a name).
// Opening the same dir again after Close must reopen the same data. The
// suite closes every store it opens.
type Opener func(t *testing.T, dir string) meta.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Accounts", testAccounts},
		{"AccessKeys", testAccessKeys},
		{"SessionKeys", testSessionKeys},
		{"IAMEntities", testIAMEntities},
		{"ManagedPolicies", testManagedPolicies},
		{"Buckets", testBuckets},
		{"BucketEmpty", testBucketEmpty},
		{"Inline", testInline},
		{"Settings", testSettings},
		{"VersionOrder", testVersionOrder},
		{"VersionReplace", testVersionReplace},
		{"VersionDelete", testVersionDelete},
		{"VersionRoundTrip", testVersionRoundTrip},
		{"GeneratedIDs", testGeneratedIDs},
		{"ListCurrent", testListCurrent},
		{"ListVersions", testListVersions},
		{"ListVersionsPaging", testListVersionsPaging},
		{"Uploads", testUploads},
		{"ListUploads", testListUploads},
		{"Parts", testParts},
		{"Tasks", testTasks},
		{"ClaimTasks", testClaimTasks},
		{"ClaimTasksKeyOrder", testClaimTasksKeyOrder},
		{"ReleaseLeases", testReleaseLeases},
		{"Jobs", testJobs},
		{"BlobRefs", testBlobRefs},
		{"Rollback", testRollback},
		{"ReadYourWrites", testReadYourWrites},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentFailure", testConcurrentFailure},
		{"Copies", testCopies},
		{"Context", testContext},
		{"Durability", testDurability},
		{"Closed", testClosed},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open)
		})
	}
}

var ctx = context.Background()

// base is the fixtures' reference time (microsecond precision).
var base = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

func at(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }

// newStore opens a store in a fresh directory and closes it at cleanup.
func newStore(t *testing.T, open Opener) meta.Store {
	t.Helper()
	s := open(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	return s
}

func update(t *testing.T, s meta.Store, fn func(meta.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s meta.Store, fn func(meta.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr checks errors.Is(err, want); want nil means success.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

// equal compares got and want after normalising times to UTC and empty
// maps and slices to nil.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := normalise(got), normalise(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, show(g), show(w))
	}
}

func show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		s := "["
		for i := 0; i < rv.Len(); i++ {
			s += fmt.Sprintf("\n   %s", show(rv.Index(i).Interface()))
		}
		return s + "]"
	}
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v)
}

var timeType = reflect.TypeOf(time.Time{})

func normalise(v any) any {
	if v == nil {
		return nil
	}
	return normValue(reflect.ValueOf(v)).Interface()
}

func normValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(normValue(v.Elem()))
		return p
	case reflect.Struct:
		if v.Type() == timeType {
			return reflect.ValueOf(v.Interface().(time.Time).UTC())
		}
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(normValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(normValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), normValue(it.Value()))
		}
		return out
	}
	return v
}

// Collectors for the List methods.

func listCurrent(t *testing.T, s meta.Store, bucket string, opt meta.ListOptions, limit int) []*meta.Version {
	t.Helper()
	var out []*meta.Version
	view(t, s, func(tx meta.Tx) error {
		return tx.ListCurrent(bucket, opt, func(v *meta.Version) bool {
			out = append(out, v)
			return limit <= 0 || len(out) < limit
		})
	})
	return out
}

func listVersions(t *testing.T, s meta.Store, bucket string, opt meta.ListOptions, limit int) []*meta.Version {
	t.Helper()
	var out []*meta.Version
	view(t, s, func(tx meta.Tx) error {
		return tx.ListVersions(bucket, opt, func(v *meta.Version) bool {
			out = append(out, v)
			return limit <= 0 || len(out) < limit
		})
	})
	return out
}

// keyVersions renders versions as "key@versionID" for compact comparison.
func keyVersions(vs []*meta.Version) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Key+"@"+v.VersionID)
	}
	return out
}

func keys(vs []*meta.Version) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Key)
	}
	return out
}

func mkBucket(t *testing.T, s meta.Store, names ...string) {
	t.Helper()
	update(t, s, func(tx meta.Tx) error {
		for _, n := range names {
			if err := tx.CreateBucket(&meta.Bucket{Name: n, Owner: "111111111111", Region: "us-east-1", Created: base}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ver is a small version fixture.
func ver(bucket, key, id string, ms int, seq uint64) *meta.Version {
	return &meta.Version{Bucket: bucket, Key: key, VersionID: id, ModTime: at(ms), Seq: seq,
		Size: int64(len(key)), ETag: "etag-" + id, Owner: "111111111111",
		Data: []meta.Segment{{BlobID: "blob-" + key + "-" + id, Size: int64(len(key))}}}
}

func putVersions(t *testing.T, s meta.Store, vs ...*meta.Version) {
	t.Helper()
	update(t, s, func(tx meta.Tx) error {
		for _, v := range vs {
			if err := tx.PutVersion(v); err != nil {
				return err
			}
		}
		return nil
	})
}
