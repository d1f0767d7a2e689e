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
)

const (
	benchKey    = "AKIABENCH00000000001"
	benchSecret = "benchsecretbenchsecretbenchsecret001"
)

// populate writes n keys ("d%03d/obj-%07d") into bucket directly through the
// metadata store, in large transactions.
func populate(b *testing.B, dir, bucket, owner string, n int) {
	st, err := bolt.Open(filepath.Join(dir, "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	ctx := context.Background()
	err = st.Update(ctx, func(tx meta.Tx) error {
		return tx.CreateBucket(&meta.Bucket{Name: bucket, Owner: owner, Region: "us-east-1", Created: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 20000
	for start := 0; start < n; start += batch {
		err := st.Update(ctx, func(tx meta.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				v := &meta.Version{Bucket: bucket, Key: fmt.Sprintf("d%03d/obj-%07d", i%1000, i), VersionID: meta.NullVersion,
					ModTime: now, Size: 4096, ETag: "d41d8cd98f00b204e9800998ecf8427e", Owner: owner, StorageClass: "STANDARD",
					ContentType: "binary/octet-stream", Data: []meta.Segment{{BlobID: fmt.Sprintf("inl%07d", i), Size: 4096, Inline: true}}}
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
}

// BenchmarkListObjectsV2Page1M times one ListObjectsV2 page of 1,000 keys
// over HTTP (signed, parsed by the server, rendered as XML, read by the
// client) in a bucket of 1,000,000 keys, starting at random keys.
func BenchmarkListObjectsV2Page1M(b *testing.B) {
	dir := b.TempDir()
	cfg := &ServerConfig{DataDir: dir, Listen: "127.0.0.1:0", Region: "us-east-1", RootAccessKey: benchKey,
		RootSecretKey: benchSecret, InlineMax: 128 << 10, NoSync: true}
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	srv, err := StartServer(ctx, cfg, log) // bootstrap the account first
	if err != nil {
		b.Fatal(err)
	}
	owner := srv.Bootstrap.AccountID
	srv.Close(time.Second)
	populate(b, dir, "big", owner, 1_000_000)
	if srv, err = StartServer(ctx, cfg, log); err != nil {
		b.Fatal(err)
	}
	defer srv.Close(time.Second)
	creds := sigv4.Credentials{AccessKeyID: benchKey, SecretAccessKey: benchSecret}
	client := &http.Client{}
	list := func(startAfter string) int64 {
		u := srv.URL() + "/big?list-type=2&max-keys=1000&encoding-type=url&start-after=" + url.QueryEscape(startAfter)
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		sigv4.Sign(req, creds, "us-east-1", "s3", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", time.Now())
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return n
	}
	b.ResetTimer()
	var bytes int64
	for i := 0; b.Loop(); i++ {
		k := rand.IntN(1_000_000)
		bytes += list(fmt.Sprintf("d%03d/obj-%07d", k%1000, k))
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "B/page")
}
