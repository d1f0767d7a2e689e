package s3api

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzContinuationToken: any token either decodes or is InvalidArgument,
// and every key round-trips through encode/decode.
func FuzzContinuationToken(f *testing.F) {
	for _, s := range []string{"", "a", "dir/", "日本/x", "a\xffb", encodeToken("k")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if after, err := decodeToken(s); err == nil && encodeToken(after) != s {
			t.Fatalf("token %q decodes to %q which encodes differently", s, after)
		}
		got, err := decodeToken(encodeToken(s))
		if err != nil || got != s {
			t.Fatalf("round trip of %q: %q %v", s, got, err)
		}
	})
}

// FuzzCopySource: parsing never panics, and an accepted source names a
// non-empty bucket and key.
func FuzzCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k?versionId=v", "b/sp%20ace%2B", "b", "/", "b/k?versionId=", "%zz/k", "b/k?x=%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, k, _, err := copySource(s)
		if err == nil && (b == "" || k == "") {
			t.Fatalf("%q accepted with bucket %q key %q", s, b, k)
		}
	})
}

// FuzzTagQuery: x-amz-tagging parsing never panics and never returns
// duplicate keys.
func FuzzTagQuery(f *testing.F) {
	for _, s := range []string{"a=b&c=d", "a=b&a=c", "=", "%zz", "k=v%20w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := parseTagQuery(s)
		if err != nil {
			return
		}
		vals, _ := url.ParseQuery(s)
		for k := range tags {
			if len(vals[k]) != 1 {
				t.Fatalf("duplicate key %q accepted", k)
			}
		}
	})
}

// FuzzURLEncodeKey: the listing encoding is reversible by what botocore
// applies (unquote_plus) and by url.QueryUnescape.
func FuzzURLEncodeKey(f *testing.F) {
	for _, s := range []string{"a b+c%d", "日本/ファイル", "x~y_z.-/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		enc := urlEncodeKey(s)
		if strings.ContainsAny(enc, " +") {
			t.Fatalf("%q encodes to %q with a raw space or plus", s, enc)
		}
		if dec, err := url.QueryUnescape(enc); err != nil || dec != s {
			t.Fatalf("%q -> %q -> %q %v", s, enc, dec, err)
		}
	})
}
