package sdk

import (
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestAnyRegionInScope: a client configured for another region signs with
// that region in its credential scope; ferry accepts it, so users need not
// match AWS_DEFAULT_REGION to the endpoint.
func TestAnyRegionInScope(t *testing.T) {
	c := newClient(t)
	bucket := newBucket(t, c)
	other := clientOptions(env.endpoint, awshttp.NewBuildableClient(), func(o *s3.Options) { o.Region = "ap-southeast-2" })
	put(t, other, bucket, "k", []byte("hi"))
	if b, _ := get(t, other, bucket, "k"); string(b) != "hi" {
		t.Fatalf("got %q", b)
	}
}
