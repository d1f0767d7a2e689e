package sigv4

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestProbe(t *testing.T) {
	_ = v4.NewSigner()
	_ = s3.New(s3.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
}
