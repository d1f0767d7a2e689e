package sdk

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferrys3/ferry/internal/app"
)

// TestVirtualHostedStyle: with --domain, bucket.domain hosts address the
// bucket; the SDK signs the Host with the bucket label.
func TestVirtualHostedStyle(t *testing.T) {
	cfg := &app.ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: region, RootAccessKey: accessKey,
		RootSecretKey: secretKey, InlineMax: 128 << 10, NoSync: true, Domains: []string{"s3.ferry.test"}}
	srv, err := app.StartServer(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(time.Second)
	addr := strings.TrimPrefix(srv.URL(), "http://")
	_, port, _ := net.SplitHostPort(addr)
	var hosts []string
	dial := &net.Dialer{}
	hc := &http.Client{Transport: &hostRecorder{hosts: &hosts, rt: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial.DialContext(ctx, network, addr)
		},
	}}}
	c := clientOptions("http://s3.ferry.test:"+port, hc, func(o *s3.Options) { o.UsePathStyle = false })
	if _, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: aws.String("vhost-bucket")}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "vhost-bucket", "dir/a b+c.txt", []byte("virtual"))
	if b, _ := get(t, c, "vhost-bucket", "dir/a b+c.txt"); string(b) != "virtual" {
		t.Fatalf("got %q", b)
	}
	out, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String("vhost-bucket")})
	if err != nil || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "dir/a b+c.txt" {
		t.Fatalf("list: %+v %v", out, err)
	}
	want := "vhost-bucket.s3.ferry.test:" + port
	found := false
	for _, h := range hosts {
		found = found || h == want
	}
	if !found {
		t.Fatalf("no request went to %s: %v", want, hosts)
	}
	// The same bucket stays reachable path-style on the same endpoint.
	ps := clientOptions(srv.URL(), awshttp.NewBuildableClient())
	if b, _ := get(t, ps, "vhost-bucket", "dir/a b+c.txt"); string(b) != "virtual" {
		t.Fatalf("path-style got %q", b)
	}
}

type hostRecorder struct {
	hosts *[]string
	rt    http.RoundTripper
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	*h.hosts = append(*h.hosts, r.Host)
	if r.Host == "" {
		*h.hosts = append(*h.hosts, r.URL.Host)
	}
	return h.rt.RoundTrip(r)
}
