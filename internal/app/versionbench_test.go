package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/meta/bolt"
	"github.com/ferrys3/ferry/internal/sigv4"
	"github.com/ferrys3/ferry/internal/versionid"
)

// versionedServer starts a server whose bucket "v" holds keys × versions
// versions (key names "k%06d"), written directly through the store.
func versionedServer(b *testing.B, keys, versions int) *Server {
	dir := b.TempDir()
	cfg := &ServerConfig{DataDir: dir, Listen: "127.0.0.1:0", Region: "us-east-1", RootAccessKey: benchKey,
		RootSecretKey: benchSecret, InlineMax: 128 << 10, NoSync: true}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	srv, err := StartServer(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	owner := srv.Bootstrap.AccountID
	srv.Close(time.Second)
	st, err := bolt.Open(filepath.Join(dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	gen := versionid.NewGenerator(nil)
	err = st.Update(ctx, func(tx meta.Tx) error {
		return tx.CreateBucket(&meta.Bucket{Name: "v", Owner: owner, Region: "us-east-1", Created: time.Now(), Versioning: meta.VersioningEnabled})
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 20000
	total := keys * versions
	for start := 0; start < total; start += batch {
		err := st.Update(ctx, func(tx meta.Tx) error {
			for i := start; i < min(start+batch, total); i++ {
				id, t := gen.New()
				v := &meta.Version{Bucket: "v", Key: fmt.Sprintf("k%06d", i/versions), VersionID: id, ModTime: t, Size: 4096,
					ETag: "d41d8cd98f00b204e9800998ecf8427e", Owner: owner, StorageClass: "STANDARD", ContentType: "binary/octet-stream",
					Data: []meta.Segment{{BlobID: fmt.Sprintf("inl%08d", i), Size: 4096, Inline: true}}}
				if err := tx.PutVersion(v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if srv, err = StartServer(ctx, cfg, log); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close(time.Second) })
	return srv
}

func signedGet(b *testing.B, u string) int64 { return signedDo(b, http.MethodGet, u) }

func signedDo(b *testing.B, method, u string) int64 {
	req, _ := http.NewRequest(method, u, nil)
	sigv4.Sign(req, sigv4.Credentials{AccessKeyID: benchKey, SecretAccessKey: benchSecret}, "us-east-1", "s3", sigv4.EmptySHA256, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s %s: status %d", method, u, resp.StatusCode)
	}
	return n
}

// BenchmarkListObjectVersionsPage times one ListObjectVersions page of
// 1,000 over HTTP: within one key of 100,000 versions, and in a bucket of
// 1,000,000 versions (1,000 keys × 1,000), from random key markers.
func BenchmarkListObjectVersionsPage(b *testing.B) {
	for _, c := range []struct {
		name           string
		keys, versions int
	}{{"OneKey100k", 1, 100_000}, {"Bucket1M", 1000, 1000}} {
		b.Run(c.name, func(b *testing.B) {
			srv := versionedServer(b, c.keys, c.versions)
			b.ResetTimer()
			for b.Loop() {
				u := srv.URL() + "/v?versions&max-keys=1000&encoding-type=url"
				if c.keys > 1 {
					u += "&key-marker=" + url.QueryEscape(fmt.Sprintf("k%06d", rand.IntN(c.keys)))
				}
				signedGet(b, u)
			}
		})
	}
}

// BenchmarkHeadCurrentVersion: HEAD of a key's current version with 1 and
// with 100,000 versions behind it.
func BenchmarkHeadCurrentVersion(b *testing.B) {
	for _, n := range []int{1, 100_000} {
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			srv := versionedServer(b, 1, n)
			b.ResetTimer()
			for b.Loop() {
				signedDo(b, http.MethodHead, srv.URL()+"/v/k000000")
			}
		})
	}
}
