package metatest

// Object versions.

import (
	"fmt"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// testVersionOrder: versions of a key are ordered by (ModTime, Seq)
// whatever the insertion order and the version IDs.
func testVersionOrder(t *testing.T, open Opener) {
	// Listed newest first; IDs deliberately not in time order.
	newestFirst := []*meta.Version{
		ver("b", "k", "a", 20, 0),
		ver("b", "k", "z", 10, 7),
		ver("b", "k", "m", 10, 3),
		{Bucket: "b", Key: "k", VersionID: "dm", ModTime: at(5), DeleteMarker: true},
	}
	for _, perm := range permutations(len(newestFirst)) {
		t.Run(fmt.Sprint(perm), func(t *testing.T) {
			s := newStore(t, open)
			mkBucket(t, s, "b")
			for _, i := range perm { // one transaction each
				putVersions(t, s, newestFirst[i])
			}
			view(t, s, func(tx meta.Tx) error {
				cur, err := tx.GetCurrent("b", "k")
				wantErr(t, "GetCurrent", err, nil)
				equal(t, "GetCurrent", cur, newestFirst[0])
				for _, v := range newestFirst {
					got, err := tx.GetVersion("b", "k", v.VersionID)
					wantErr(t, "GetVersion", err, nil)
					equal(t, "GetVersion", got, v)
				}
				return nil
			})
			equal(t, "ListVersions", listVersions(t, s, "b", meta.ListOptions{}, 0), newestFirst)
			equal(t, "ListCurrent", listCurrent(t, s, "b", meta.ListOptions{}, 0), newestFirst[:1])
		})
	}
	// An older version inserted later is not current; a delete marker that
	// is newest is.
	s := newStore(t, open)
	mkBucket(t, s, "b")
	putVersions(t, s, ver("b", "k", "new", 100, 0))
	putVersions(t, s, ver("b", "k", "old", 50, 0))
	view(t, s, func(tx meta.Tx) error {
		cur, _ := tx.GetCurrent("b", "k")
		equal(t, "current after older insert", cur.VersionID, "new")
		return nil
	})
	dm := &meta.Version{Bucket: "b", Key: "k", VersionID: "dm", ModTime: at(100), Seq: 1, DeleteMarker: true}
	putVersions(t, s, dm)
	view(t, s, func(tx meta.Tx) error {
		cur, _ := tx.GetCurrent("b", "k")
		equal(t, "delete marker current", cur, dm)
		_, err := tx.GetCurrent("b", "other")
		wantErr(t, "GetCurrent missing key", err, meta.ErrNotFound)
		_, err = tx.GetCurrent("nobucket", "k")
		wantErr(t, "GetCurrent missing bucket", err, meta.ErrNotFound)
		_, err = tx.GetVersion("b", "k", "nope")
		wantErr(t, "GetVersion missing", err, meta.ErrNotFound)
		return nil
	})
	equal(t, "ListCurrent with delete marker", listCurrent(t, s, "b", meta.ListOptions{}, 0), []*meta.Version{dm})
}

// testVersionReplace: PutVersion with an existing VersionID replaces it,
// also when its ModTime moves; the old entry must not linger.
func testVersionReplace(t *testing.T, open Opener) {
	for _, c := range []struct {
		name      string
		others    []*meta.Version
		replaceMs int
		wantList  []string // ListVersions, newest first
	}{
		{"alone newer", nil, 500, []string{"k@null"}},
		{"alone older", nil, 1, []string{"k@null"}},
		{"becomes newest", []*meta.Version{ver("b", "k", "v1", 150, 0)}, 500, []string{"k@null", "k@v1"}},
		{"becomes oldest", []*meta.Version{ver("b", "k", "v1", 150, 0)}, 1, []string{"k@v1", "k@null"}},
		{"stays newest", []*meta.Version{ver("b", "k", "v1", 50, 0)}, 200, []string{"k@null", "k@v1"}},
		{"same time", []*meta.Version{ver("b", "k", "v1", 50, 0)}, 100, []string{"k@null", "k@v1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, open)
			mkBucket(t, s, "b")
			putVersions(t, s, append([]*meta.Version{ver("b", "k", meta.NullVersion, 100, 0)}, c.others...)...)
			repl := ver("b", "k", meta.NullVersion, c.replaceMs, 0)
			repl.ETag, repl.Size = "replaced", 99
			putVersions(t, s, repl)
			all := listVersions(t, s, "b", meta.ListOptions{}, 0)
			equal(t, "ListVersions", keyVersions(all), c.wantList)
			view(t, s, func(tx meta.Tx) error {
				got, err := tx.GetVersion("b", "k", meta.NullVersion)
				wantErr(t, "GetVersion", err, nil)
				equal(t, "GetVersion", got, repl)
				cur, _ := tx.GetCurrent("b", "k")
				equal(t, "GetCurrent", cur, all[0])
				return nil
			})
			equal(t, "ListCurrent", listCurrent(t, s, "b", meta.ListOptions{}, 0), all[:1])
		})
	}
	// Replace inside the same transaction as the insert.
	s := newStore(t, open)
	mkBucket(t, s, "b")
	putVersions(t, s, ver("b", "k", meta.NullVersion, 100, 0), ver("b", "k", meta.NullVersion, 300, 0))
	equal(t, "same-tx replace", keyVersions(listVersions(t, s, "b", meta.ListOptions{}, 0)), []string{"k@null"})
}

func testVersionDelete(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	putVersions(t, s, ver("b", "k", "v1", 10, 0), ver("b", "k", "v2", 20, 0), ver("b", "k", "v3", 30, 0),
		ver("b", "other", "o1", 5, 0))
	steps := []struct {
		del     string
		current string // "" when the key has no version left
	}{
		{"v2", "v3"}, // non-current: current unchanged
		{"v3", "v1"}, // current: the next newest takes over
		{"v1", ""},
	}
	for _, st := range steps {
		update(t, s, func(tx meta.Tx) error { return tx.DeleteVersion("b", "k", st.del) })
		view(t, s, func(tx meta.Tx) error {
			_, err := tx.GetVersion("b", "k", st.del)
			wantErr(t, "GetVersion deleted "+st.del, err, meta.ErrNotFound)
			cur, err := tx.GetCurrent("b", "k")
			if st.current == "" {
				wantErr(t, "GetCurrent after last delete", err, meta.ErrNotFound)
			} else {
				wantErr(t, "GetCurrent", err, nil)
				if cur != nil {
					equal(t, "current after deleting "+st.del, cur.VersionID, st.current)
				}
			}
			return nil
		})
	}
	equal(t, "ListCurrent after deleting all", keys(listCurrent(t, s, "b", meta.ListOptions{}, 0)), []string{"other"})
	equal(t, "ListVersions after deleting all", keyVersions(listVersions(t, s, "b", meta.ListOptions{}, 0)), []string{"other@o1"})
	for _, c := range []struct{ bucket, key, id string }{
		{"b", "k", "v1"}, {"b", "nokey", "v1"}, {"b", "other", "nope"}, {"nobucket", "k", "v1"},
	} {
		err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteVersion(c.bucket, c.key, c.id) })
		wantErr(t, fmt.Sprintf("DeleteVersion(%q,%q,%q)", c.bucket, c.key, c.id), err, meta.ErrNotFound)
	}
	// Versions are per bucket.
	mkBucket(t, s, "b2")
	putVersions(t, s, ver("b2", "other", "o1", 5, 0))
	update(t, s, func(tx meta.Tx) error { return tx.DeleteVersion("b2", "other", "o1") })
	equal(t, "other bucket untouched", keys(listCurrent(t, s, "b", meta.ListOptions{}, 0)), []string{"other"})
}

func testVersionRoundTrip(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	full := &meta.Version{
		Bucket: "b", Key: "dir/日本語 file\x01.txt", VersionID: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", ModTime: base, Seq: 42,
		Size: 1 << 40, ETag: "d41d8cd98f00b204e9800998ecf8427e-3", Owner: "111111111111", StorageClass: "STANDARD_IA",
		ContentType:  "text/plain; charset=utf-8",
		Headers:      map[string]string{"Cache-Control": "no-cache", "Content-Encoding": "gzip"},
		Metadata:     map[string]string{"color": "blue", "empty": ""},
		Tags:         map[string]string{"env": "prod"},
		Checksums:    map[string]string{"CRC32": "AAAAAA==", "SHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		ChecksumType: "COMPOSITE", PartsCount: 3,
		Data: []meta.Segment{{BlobID: "b1", Size: 5 << 20, Part: 1}, {BlobID: "b2", Size: 5 << 20, Part: 2},
			{BlobID: "inl", Size: 7, Inline: true, Part: 3}},
		ReplicationStatus: "PENDING",
	}
	minimal := &meta.Version{Bucket: "b", Key: "m", VersionID: meta.NullVersion, ModTime: base}
	putVersions(t, s, full, minimal)
	view(t, s, func(tx meta.Tx) error {
		for _, v := range []*meta.Version{full, minimal} {
			got, err := tx.GetVersion("b", v.Key, v.VersionID)
			wantErr(t, "GetVersion", err, nil)
			equal(t, "GetVersion", got, v)
			got, err = tx.GetCurrent("b", v.Key)
			wantErr(t, "GetCurrent", err, nil)
			equal(t, "GetCurrent", got, v)
		}
		return nil
	})
	equal(t, "ListVersions", listVersions(t, s, "b", meta.ListOptions{}, 0), []*meta.Version{full, minimal})
	equal(t, "ListCurrent", listCurrent(t, s, "b", meta.ListOptions{}, 0), []*meta.Version{full, minimal})
}

// sortedKeys are in byte order: "a" < "a b" < "a/b" < "a0" < "ab" must
// hold for whole keys, however the implementation separates key and version.
var sortedKeys = []string{"\x01", "a", "a\x01", "a b", "a/b", "a/b/c", "a0", "ab", "b", "b/", "b/c", "z~", "é", "日本"}

func testListCurrent(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b", "other")
	var vs []*meta.Version
	for i := len(sortedKeys) - 1; i >= 0; i-- { // insert in reverse
		vs = append(vs, ver("b", sortedKeys[i], "v1", i, 0), ver("b", sortedKeys[i], "v0", i-100, 0))
	}
	vs = append(vs, ver("other", "a", "v1", 0, 0))
	putVersions(t, s, vs...)
	for _, c := range []struct {
		name  string
		opt   meta.ListOptions
		limit int
		want  []string
	}{
		{"all", meta.ListOptions{}, 0, sortedKeys},
		{"prefix a", meta.ListOptions{Prefix: "a"}, 0, []string{"a", "a\x01", "a b", "a/b", "a/b/c", "a0", "ab"}},
		{"prefix a/", meta.ListOptions{Prefix: "a/"}, 0, []string{"a/b", "a/b/c"}},
		{"prefix none", meta.ListOptions{Prefix: "c"}, 0, []string{}},
		{"prefix unicode", meta.ListOptions{Prefix: "日"}, 0, []string{"日本"}},
		{"start inclusive", meta.ListOptions{Start: "a0"}, 0, []string{"a0", "ab", "b", "b/", "b/c", "z~", "é", "日本"}},
		{"start absent", meta.ListOptions{Start: "a1"}, 3, []string{"ab", "b", "b/"}},
		{"marker exclusive", meta.ListOptions{KeyMarker: "a"}, 3, []string{"a\x01", "a b", "a/b"}},
		{"marker overrides start", meta.ListOptions{KeyMarker: "a/b", Start: "b"}, 2, []string{"a/b/c", "a0"}},
		{"marker with prefix", meta.ListOptions{Prefix: "a/", KeyMarker: "a/b"}, 0, []string{"a/b/c"}},
		{"marker before prefix", meta.ListOptions{Prefix: "b", KeyMarker: "a"}, 0, []string{"b", "b/", "b/c"}},
		{"marker after prefix", meta.ListOptions{Prefix: "a", KeyMarker: "b"}, 0, []string{}},
		{"start before prefix", meta.ListOptions{Prefix: "b", Start: "a"}, 0, []string{"b", "b/", "b/c"}},
		{"marker last", meta.ListOptions{KeyMarker: "日本"}, 0, []string{}},
		{"stop", meta.ListOptions{}, 1, []string{"\x01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := listCurrent(t, s, "b", c.opt, c.limit)
			equal(t, "keys", keys(got), c.want)
			for _, v := range got {
				if v.VersionID != "v1" || v.Bucket != "b" {
					t.Errorf("ListCurrent gave %s@%s in %q, want the v1 version in b", v.Key, v.VersionID, v.Bucket)
				}
			}
		})
	}
	// Paging with the last key as marker visits every key once.
	var paged []string
	opt := meta.ListOptions{}
	for {
		page := keys(listCurrent(t, s, "b", opt, 3))
		if len(page) == 0 || len(paged) > 10*len(sortedKeys) {
			break
		}
		paged = append(paged, page...)
		opt.KeyMarker = page[len(page)-1]
	}
	equal(t, "paged ListCurrent", paged, sortedKeys)
	equal(t, "ListCurrent missing bucket", listCurrent(t, s, "nobucket", meta.ListOptions{}, 0), []*meta.Version(nil))
}

func testListVersions(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	var vs []*meta.Version
	var all []string
	for i, k := range sortedKeys {
		// Three versions per key, inserted oldest first with IDs out of order.
		vs = append(vs, ver("b", k, "x", i*10, 0), ver("b", k, "c", i*10+1, 0), ver("b", k, "m", i*10+2, 0))
		all = append(all, k+"@m", k+"@c", k+"@x")
	}
	putVersions(t, s, vs...)
	from := func(s string) []string {
		for i, x := range all {
			if x == s {
				return all[i:]
			}
		}
		panic(s)
	}
	for _, c := range []struct {
		name  string
		opt   meta.ListOptions
		limit int
		want  []string
	}{
		{"all", meta.ListOptions{}, 0, all},
		{"prefix", meta.ListOptions{Prefix: "a/"}, 0, []string{"a/b@m", "a/b@c", "a/b@x", "a/b/c@m", "a/b/c@c", "a/b/c@x"}},
		{"start", meta.ListOptions{Start: "z~"}, 0, from("z~@m")},
		{"key marker skips the key", meta.ListOptions{KeyMarker: "a"}, 2, []string{"a\x01@m", "a\x01@c"}},
		{"key marker absent", meta.ListOptions{KeyMarker: "a1"}, 1, []string{"ab@m"}},
		{"version marker newest", meta.ListOptions{KeyMarker: "a b", VersionIDMarker: "m"}, 3, []string{"a b@c", "a b@x", "a/b@m"}},
		{"version marker middle", meta.ListOptions{KeyMarker: "a b", VersionIDMarker: "c"}, 2, []string{"a b@x", "a/b@m"}},
		{"version marker oldest", meta.ListOptions{KeyMarker: "a b", VersionIDMarker: "x"}, 1, []string{"a/b@m"}},
		{"markers with prefix", meta.ListOptions{Prefix: "b", KeyMarker: "b/", VersionIDMarker: "c"}, 0,
			[]string{"b/@x", "b/c@m", "b/c@c", "b/c@x"}},
		{"markers before prefix", meta.ListOptions{Prefix: "b/", KeyMarker: "a", VersionIDMarker: "c"}, 0,
			[]string{"b/@m", "b/@c", "b/@x", "b/c@m", "b/c@c", "b/c@x"}},
		{"unicode marker", meta.ListOptions{KeyMarker: "é", VersionIDMarker: "m"}, 0, from("é@c")},
		{"stop", meta.ListOptions{}, 1, all[:1]},
	} {
		t.Run(c.name, func(t *testing.T) {
			equal(t, "ListVersions", keyVersions(listVersions(t, s, "b", c.opt, c.limit)), c.want)
		})
	}
}

// testListVersionsPaging pages through with (KeyMarker, VersionIDMarker)
// taken from the last entry, as ListObjectVersions does.
func testListVersionsPaging(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	var vs []*meta.Version
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("k%02d", i%7)
		vs = append(vs, ver("b", k, fmt.Sprintf("v%02d", i), i/3, uint64(i%3)))
	}
	vs = append(vs, &meta.Version{Bucket: "b", Key: "k03", VersionID: meta.NullVersion, ModTime: at(100), DeleteMarker: true})
	putVersions(t, s, vs...)
	want := keyVersions(listVersions(t, s, "b", meta.ListOptions{}, 0))
	if len(want) != len(vs) {
		t.Fatalf("ListVersions gave %d versions, want %d", len(want), len(vs))
	}
	for _, size := range []int{1, 2, 3, 5} {
		var got []string
		opt := meta.ListOptions{}
		for {
			page := listVersions(t, s, "b", opt, size)
			if len(page) == 0 || len(got) > 10*len(want) {
				break
			}
			got = append(got, keyVersions(page)...)
			last := page[len(page)-1]
			opt.KeyMarker, opt.VersionIDMarker = last.Key, last.VersionID
		}
		equal(t, fmt.Sprintf("paged by %d", size), got, want)
	}
}
