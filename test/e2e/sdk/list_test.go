package sdk

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// putKeys stores the keys (body = key) with some concurrency.
func putKeys(t *testing.T, c *s3.Client, b string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	errs := make(chan error, len(keys))
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(k), Body: bytesReader([]byte(k))})
			if err != nil {
				errs <- fmt.Errorf("put %q: %w", k, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func keysOf(objs []types.Object) []string {
	var ks []string
	for _, o := range objs {
		ks = append(ks, aws.ToString(o.Key))
	}
	return ks
}

func prefixesOf(ps []types.CommonPrefix) []string {
	var out []string
	for _, p := range ps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

func TestListPaginate2500(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	var keys []string
	for i := range 2500 {
		keys = append(keys, fmt.Sprintf("p%d/obj-%d", i%7, i)) // byte order differs from numeric order
	}
	putKeys(t, c, b, keys)
	want := slices.Clone(keys)
	slices.Sort(want)

	t.Run("V2Paginator", func(t *testing.T) {
		for _, pageSize := range []int32{0, 1000, 333} {
			in := &s3.ListObjectsV2Input{Bucket: aws.String(b)}
			if pageSize > 0 {
				in.MaxKeys = aws.Int32(pageSize)
			}
			p := s3.NewListObjectsV2Paginator(c, in)
			var got []string
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if int(aws.ToInt32(out.KeyCount)) != len(out.Contents) {
					t.Errorf("KeyCount %d, Contents %d", aws.ToInt32(out.KeyCount), len(out.Contents))
				}
				for _, o := range out.Contents {
					if aws.ToInt64(o.Size) != int64(len(aws.ToString(o.Key))) {
						t.Errorf("%s: Size %d", aws.ToString(o.Key), aws.ToInt64(o.Size))
					}
					if o.Owner != nil {
						t.Errorf("%s: Owner returned without FetchOwner", aws.ToString(o.Key))
					}
				}
				got = append(got, keysOf(out.Contents)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("page size %d: paginated listing has %d keys (want %d) or is out of order", pageSize, len(got), len(want))
			}
			size := int(pageSize)
			if size == 0 {
				size = 1000
			}
			if wantPages := (2500 + size - 1) / size; pages != wantPages {
				t.Errorf("page size %d: %d pages, want %d", pageSize, pages, wantPages)
			}
		}
	})

	t.Run("V1Marker", func(t *testing.T) {
		var got []string
		marker := ""
		for range 10 {
			out, err := c.ListObjects(ctx(), &s3.ListObjectsInput{Bucket: aws.String(b), Marker: aws.String(marker), MaxKeys: aws.Int32(900)})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, keysOf(out.Contents)...)
			for _, o := range out.Contents {
				if o.Owner == nil || aws.ToString(o.Owner.ID) == "" {
					t.Fatalf("V1 listing without Owner for %s", aws.ToString(o.Key))
				}
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = got[len(got)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("V1 marker listing has %d keys or is out of order", len(got))
		}
	})

	t.Run("DelimiterPaginated", func(t *testing.T) {
		var got []string
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(b), Delimiter: aws.String("/"), MaxKeys: aws.Int32(3)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx())
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Contents) != 0 {
				t.Errorf("unexpected Contents with delimiter: %v", keysOf(out.Contents))
			}
			got = append(got, prefixesOf(out.CommonPrefixes)...)
		}
		if w := []string{"p0/", "p1/", "p2/", "p3/", "p4/", "p5/", "p6/"}; !slices.Equal(got, w) {
			t.Errorf("CommonPrefixes = %v, want %v", got, w)
		}
	})
}

func TestListFeatures(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	keys := []string{"a", "a/b", "a/b/c", "a/c", "a/d/e", "b/x", "b/y", "c", "d/e/f"}
	putKeys(t, c, b, keys)

	t.Run("PrefixDelimiter", func(t *testing.T) {
		for _, tc := range []struct {
			prefix, delim string
			keys, cps     []string
		}{
			{"", "/", []string{"a", "c"}, []string{"a/", "b/", "d/"}},
			{"a/", "/", []string{"a/b", "a/c"}, []string{"a/b/", "a/d/"}},
			{"a", "", []string{"a", "a/b", "a/b/c", "a/c", "a/d/e"}, nil},
			{"b/", "", []string{"b/x", "b/y"}, nil},
			{"zz", "/", nil, nil},
			{"", "b", []string{"a", "a/c", "a/d/e", "c", "d/e/f"}, []string{"a/b", "b"}},
		} {
			v2, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(tc.prefix), Delimiter: aws.String(tc.delim)})
			if err != nil {
				t.Fatal(err)
			}
			v1, err := c.ListObjects(ctx(), &s3.ListObjectsInput{Bucket: aws.String(b), Prefix: aws.String(tc.prefix), Delimiter: aws.String(tc.delim)})
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string][2][]string{
				"V2": {keysOf(v2.Contents), prefixesOf(v2.CommonPrefixes)},
				"V1": {keysOf(v1.Contents), prefixesOf(v1.CommonPrefixes)},
			} {
				if !slices.Equal(got[0], tc.keys) || !slices.Equal(got[1], tc.cps) {
					t.Errorf("%s prefix %q delimiter %q: keys %v prefixes %v, want %v %v", name, tc.prefix, tc.delim, got[0], got[1], tc.keys, tc.cps)
				}
			}
			if aws.ToString(v2.Prefix) != tc.prefix || aws.ToString(v2.Delimiter) != tc.delim {
				t.Errorf("echoed Prefix %q Delimiter %q", aws.ToString(v2.Prefix), aws.ToString(v2.Delimiter))
			}
		}
	})

	t.Run("MaxKeys", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keysOf(out.Contents), []string{"a", "a/b"}) || !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			t.Errorf("max-keys 2: %v truncated %v token %v", keysOf(out.Contents), aws.ToBool(out.IsTruncated), out.NextContinuationToken)
		}
		if aws.ToInt32(out.MaxKeys) != 2 {
			t.Errorf("MaxKeys echoed %d", aws.ToInt32(out.MaxKeys))
		}
		next, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(2), ContinuationToken: out.NextContinuationToken})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keysOf(next.Contents), []string{"a/b/c", "a/c"}) || aws.ToString(next.ContinuationToken) != aws.ToString(out.NextContinuationToken) {
			t.Errorf("second page %v, ContinuationToken %q", keysOf(next.Contents), aws.ToString(next.ContinuationToken))
		}
		zero, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), MaxKeys: aws.Int32(0)})
		if err != nil {
			t.Fatal(err)
		}
		if len(zero.Contents) != 0 || aws.ToInt32(zero.KeyCount) != 0 {
			t.Errorf("max-keys 0 returned %v", keysOf(zero.Contents))
		}
		// V1 with a delimiter reports NextMarker when truncated.
		v1, err := c.ListObjects(ctx(), &s3.ListObjectsInput{Bucket: aws.String(b), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(v1.IsTruncated) || aws.ToString(v1.NextMarker) != "a/" {
			t.Errorf("V1 delimiter max-keys 2: truncated %v NextMarker %q (keys %v prefixes %v)", aws.ToBool(v1.IsTruncated),
				aws.ToString(v1.NextMarker), keysOf(v1.Contents), prefixesOf(v1.CommonPrefixes))
		}
	})

	t.Run("StartAfter", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), StartAfter: aws.String("a/c")})
		if err != nil {
			t.Fatal(err)
		}
		if w := []string{"a/d/e", "b/x", "b/y", "c", "d/e/f"}; !slices.Equal(keysOf(out.Contents), w) {
			t.Errorf("StartAfter a/c: %v, want %v", keysOf(out.Contents), w)
		}
		if aws.ToString(out.StartAfter) != "a/c" {
			t.Errorf("StartAfter echoed %q", aws.ToString(out.StartAfter))
		}
		out, err = c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), StartAfter: aws.String("a/bz")})
		if err != nil {
			t.Fatal(err)
		}
		if w := []string{"a/c", "a/d/e", "b/x", "b/y", "c", "d/e/f"}; !slices.Equal(keysOf(out.Contents), w) {
			t.Errorf("StartAfter a/bz (not a key): %v, want %v", keysOf(out.Contents), w)
		}
	})

	t.Run("FetchOwner", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), FetchOwner: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		lb, err := c.ListBuckets(ctx(), &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if o.Owner == nil || aws.ToString(o.Owner.ID) != aws.ToString(lb.Owner.ID) {
				t.Errorf("%s: Owner %+v, want ID %s", aws.ToString(o.Key), o.Owner, aws.ToString(lb.Owner.ID))
			}
		}
		out, err = c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if o.Owner != nil {
				t.Errorf("%s: Owner without FetchOwner", aws.ToString(o.Key))
			}
		}
	})

	t.Run("Metadata", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String("c")})
		if err != nil || len(out.Contents) != 1 {
			t.Fatalf("list: %v %d", err, len(out.Contents))
		}
		o := out.Contents[0]
		if aws.ToString(o.ETag) != `"`+md5hex([]byte("c"))+`"` || aws.ToInt64(o.Size) != 1 || o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil {
			t.Errorf("entry: ETag %s Size %d StorageClass %s LastModified %v", aws.ToString(o.ETag), aws.ToInt64(o.Size), o.StorageClass, o.LastModified)
		}
		if aws.ToString(out.Name) != b {
			t.Errorf("Name = %q", aws.ToString(out.Name))
		}
	})
}

func TestListEncodingTypeURL(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	keys := []string{"dir one/a b.txt", "dir one/plus+sign", "dir one/100%", "dir one/ünïcödé/日本語", "dir one/tilde~_-.", "dir one/amp&eq=?#",
		"dir one/line\u2028sep"}
	putKeys(t, c, b, keys)
	want := slices.Clone(keys)
	slices.Sort(want)

	decode := func(t *testing.T, s string) string {
		t.Helper()
		d, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("QueryUnescape(%q): %v", s, err)
		}
		return d
	}
	t.Run("V2", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl,
			Prefix: aws.String("dir one/")})
		if err != nil {
			t.Fatal(err)
		}
		if out.EncodingType != types.EncodingTypeUrl {
			t.Errorf("EncodingType echoed %q", out.EncodingType)
		}
		if p := aws.ToString(out.Prefix); decode(t, p) != "dir one/" {
			t.Errorf("Prefix %q does not decode to the request prefix", p)
		}
		var got []string
		for _, k := range keysOf(out.Contents) {
			if strings.ContainsAny(k, " +") || !strings.Contains(k, "%20") {
				t.Errorf("key %q is not URL-encoded", k)
			}
			got = append(got, decode(t, k))
		}
		if !slices.Equal(got, want) {
			t.Errorf("decoded keys %q, want %q", got, want)
		}
		// Encoded delimiter results round-trip too.
		out, err = c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl,
			Delimiter: aws.String("/"), Prefix: aws.String("dir one/")})
		if err != nil {
			t.Fatal(err)
		}
		var cps []string
		for _, p := range prefixesOf(out.CommonPrefixes) {
			cps = append(cps, decode(t, p))
		}
		if !slices.Equal(cps, []string{"dir one/ünïcödé/"}) {
			t.Errorf("decoded CommonPrefixes %q", cps)
		}
		if d := aws.ToString(out.Delimiter); decode(t, d) != "/" {
			t.Errorf("Delimiter %q", d)
		}
	})
	t.Run("V1", func(t *testing.T) {
		out, err := c.ListObjects(ctx(), &s3.ListObjectsInput{Bucket: aws.String(b), EncodingType: types.EncodingTypeUrl})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range keysOf(out.Contents) {
			got = append(got, decode(t, k))
		}
		if !slices.Equal(got, want) {
			t.Errorf("V1 decoded keys %q, want %q", got, want)
		}
	})
	t.Run("Unencoded", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		if got := keysOf(out.Contents); !slices.Equal(got, want) {
			t.Errorf("raw keys %q, want %q", got, want)
		}
	})
}
