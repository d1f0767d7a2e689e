package metatest

// Multipart uploads, parts and blob references.

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

func upload(bucket, key, id string, ms int) *meta.Upload {
	return &meta.Upload{Bucket: bucket, Key: key, UploadID: id, Initiated: at(ms), Owner: "111111111111"}
}

func part(uploadID string, n int) *meta.Part {
	return &meta.Part{UploadID: uploadID, Number: n, Size: int64(n) << 20, ETag: fmt.Sprintf("etag-%s-%d", uploadID, n),
		ModTime: at(n), Data: meta.Segment{BlobID: fmt.Sprintf("pblob-%s-%d", uploadID, n), Size: int64(n) << 20}}
}

func put(t *testing.T, s meta.Store, items ...any) {
	t.Helper()
	update(t, s, func(tx meta.Tx) error {
		for _, it := range items {
			var err error
			switch x := it.(type) {
			case *meta.Upload:
				err = tx.PutUpload(x)
			case *meta.Part:
				err = tx.PutPart(x)
			case *meta.Version:
				err = tx.PutVersion(x)
			default:
				panic(fmt.Sprintf("put %T", it))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func listParts(t *testing.T, s meta.Store, uploadID string, after, limit int) []int {
	t.Helper()
	nums := []int{}
	view(t, s, func(tx meta.Tx) error {
		return tx.ListParts(uploadID, after, func(p *meta.Part) bool {
			nums = append(nums, p.Number)
			return limit <= 0 || len(nums) < limit
		})
	})
	return nums
}

func testUploads(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b", "b2")
	full := upload("b", "dir/obj", "up1", 0)
	full.StorageClass, full.ContentType = "GLACIER", "application/json"
	full.Headers = map[string]string{"Content-Language": "en"}
	full.Metadata = map[string]string{"a": "1"}
	full.Tags = map[string]string{"t": "v"}
	full.ChecksumAlgorithm, full.ChecksumType = "CRC32C", "COMPOSITE"
	full.ACL = []meta.Grant{{Type: "Group", Grantee: "http://acs.amazonaws.com/groups/global/AllUsers", Permission: "READ"}}
	other := upload("b", "dir/obj", "up2", 5)
	put(t, s, full, other, upload("b2", "dir/obj", "up3", 0),
		part("up1", 2), part("up1", 1), part("up2", 1), part("up3", 1))
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetUpload("b", "dir/obj", "up1")
		wantErr(t, "GetUpload", err, nil)
		equal(t, "GetUpload", got, full)
		for _, c := range []struct{ b, k, id string }{{"b", "dir/obj", "nope"}, {"b", "other", "up1"}, {"b2", "dir/obj", "up1"}, {"nob", "dir/obj", "up1"}} {
			_, err = tx.GetUpload(c.b, c.k, c.id)
			wantErr(t, fmt.Sprintf("GetUpload(%q,%q,%q)", c.b, c.k, c.id), err, meta.ErrNotFound)
		}
		return nil
	})
	// Replace, moving Initiated: no stale entry is left in the listing.
	moved := upload("b", "dir/obj", "up1", 10)
	put(t, s, moved)
	equal(t, "uploads after replace", listUploads(t, s, "b", meta.ListOptions{}, 0), []string{"dir/obj/up2", "dir/obj/up1"})

	// DeleteUpload removes the upload and its parts only.
	update(t, s, func(tx meta.Tx) error { return tx.DeleteUpload("b", "dir/obj", "up1") })
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetUpload("b", "dir/obj", "up1")
		wantErr(t, "GetUpload deleted", err, meta.ErrNotFound)
		_, err = tx.GetPart("up1", 1)
		wantErr(t, "GetPart of deleted upload", err, meta.ErrNotFound)
		return nil
	})
	equal(t, "parts of deleted upload", listParts(t, s, "up1", 0, 0), []int{})
	equal(t, "parts of other upload", listParts(t, s, "up2", 0, 0), []int{1})
	equal(t, "uploads after delete", listUploads(t, s, "b", meta.ListOptions{}, 0), []string{"dir/obj/up2"})
	for _, c := range []struct{ b, k, id string }{{"b", "dir/obj", "up1"}, {"b", "dir/obj", "up3"}, {"nob", "dir/obj", "up2"}} {
		err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteUpload(c.b, c.k, c.id) })
		wantErr(t, fmt.Sprintf("DeleteUpload(%q,%q,%q)", c.b, c.k, c.id), err, meta.ErrNotFound)
	}
}

func listUploads(t *testing.T, s meta.Store, bucket string, opt meta.ListOptions, limit int) []string {
	t.Helper()
	out := []string{}
	view(t, s, func(tx meta.Tx) error {
		return tx.ListUploads(bucket, opt, func(u *meta.Upload) bool {
			if u.Bucket != bucket {
				t.Errorf("ListUploads(%q) gave an upload of bucket %q", bucket, u.Bucket)
			}
			out = append(out, u.Key+"/"+u.UploadID)
			return limit <= 0 || len(out) < limit
		})
	})
	return out
}

func testListUploads(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b", "other")
	// Order is (key, initiated, uploadID); inserted out of order.
	put(t, s,
		upload("b", "b", "u9", 1), upload("b", "a/b", "u1", 1), upload("b", "a", "z", 3),
		upload("b", "a", "y", 2), upload("b", "a", "x", 2), upload("b", "a0", "u2", 0),
		upload("b", "a b", "u3", 0), upload("other", "a", "o", 0))
	all := []string{"a/x", "a/y", "a/z", "a b/u3", "a/b/u1", "a0/u2", "b/u9"}
	for _, c := range []struct {
		name  string
		opt   meta.ListOptions
		limit int
		want  []string
	}{
		{"all", meta.ListOptions{}, 0, all},
		{"prefix", meta.ListOptions{Prefix: "a/"}, 0, []string{"a/b/u1"}},
		{"start", meta.ListOptions{Start: "a0"}, 0, []string{"a0/u2", "b/u9"}},
		{"key marker skips key", meta.ListOptions{KeyMarker: "a"}, 0, all[3:]},
		{"upload marker", meta.ListOptions{KeyMarker: "a", UploadIDMarker: "x"}, 0, all[1:]},
		{"upload marker last of key", meta.ListOptions{KeyMarker: "a", UploadIDMarker: "z"}, 0, all[3:]},
		{"markers with prefix", meta.ListOptions{Prefix: "a", KeyMarker: "a", UploadIDMarker: "y"}, 0, all[2:6]},
		{"stop", meta.ListOptions{}, 2, all[:2]},
	} {
		t.Run(c.name, func(t *testing.T) {
			equal(t, "ListUploads", listUploads(t, s, "b", c.opt, c.limit), c.want)
		})
	}
	equal(t, "ListUploads missing bucket", listUploads(t, s, "nobucket", meta.ListOptions{}, 0), []string{})
}

func testParts(t *testing.T, open Opener) {
	s := newStore(t, open)
	// Upload IDs that prefix each other must not mix.
	var ps []any
	for _, n := range []int{10000, 3, 1, 2, 10, 100} {
		ps = append(ps, part("u1", n))
	}
	ps = append(ps, part("u10", 1), part("u", 5))
	put(t, s, ps...)
	for _, c := range []struct {
		upload       string
		after, limit int
		want         []int
	}{
		{"u1", 0, 0, []int{1, 2, 3, 10, 100, 10000}},
		{"u1", 2, 0, []int{3, 10, 100, 10000}},
		{"u1", 9, 2, []int{10, 100}},
		{"u1", -5, 1, []int{1}},
		{"u1", 10000, 0, []int{}},
		{"u10", 0, 0, []int{1}},
		{"u", 0, 0, []int{5}},
		{"none", 0, 0, []int{}},
	} {
		equal(t, fmt.Sprintf("ListParts(%q, %d)", c.upload, c.after), listParts(t, s, c.upload, c.after, c.limit), c.want)
	}
	// Replace by (UploadID, Number).
	repl := part("u1", 3)
	repl.ETag, repl.Size = "new", 1
	repl.Checksums = map[string]string{"CRC32": "AAAAAA=="}
	put(t, s, repl)
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetPart("u1", 3)
		wantErr(t, "GetPart", err, nil)
		equal(t, "GetPart replaced", got, repl)
		got, err = tx.GetPart("u10", 1)
		wantErr(t, "GetPart", err, nil)
		equal(t, "GetPart", got, part("u10", 1))
		_, err = tx.GetPart("u1", 4)
		wantErr(t, "GetPart missing", err, meta.ErrNotFound)
		_, err = tx.GetPart("nope", 1)
		wantErr(t, "GetPart missing upload", err, meta.ErrNotFound)
		return nil
	})
	equal(t, "ListParts after replace", listParts(t, s, "u1", 0, 0), []int{1, 2, 3, 10, 100, 10000})
}

func testBlobRefs(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b", "c")
	multi := ver("b", "multi", "v1", 0, 0)
	multi.Data = []meta.Segment{{BlobID: "m1", Size: 5, Part: 1}, {BlobID: "m2", Size: 5, Part: 2}}
	inline := ver("b", "small", "v1", 0, 0)
	inline.Data = []meta.Segment{{BlobID: "inline-1", Size: 3, Inline: true}}
	dm := &meta.Version{Bucket: "b", Key: "gone", VersionID: "dm", ModTime: base, DeleteMarker: true}
	inlinePart := part("up", 2)
	inlinePart.Data = meta.Segment{BlobID: "inline-part", Size: 1, Inline: true}
	put(t, s, multi, inline, dm, ver("b", "plain", "v1", 0, 0), ver("b", "plain", "v0", -1, 0),
		ver("c", "plain", "v1", 0, 0), part("up", 1), inlinePart)
	var got []string
	view(t, s, func(tx meta.Tx) error {
		return tx.ForEachBlobRef(func(id string) bool { got = append(got, id); return true })
	})
	slices.Sort(got)
	got = slices.Compact(got)
	want := []string{"blob-plain-v0", "blob-plain-v1", "m1", "m2", "pblob-up-1"}
	equal(t, "ForEachBlobRef", got, want)
	n := 0
	view(t, s, func(tx meta.Tx) error {
		return tx.ForEachBlobRef(func(string) bool { n++; return false })
	})
	equal(t, "ForEachBlobRef stops", n, 1)
}
