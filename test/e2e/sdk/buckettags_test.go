package sdk

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketTagging(t *testing.T) {
	c := newClient(t)
	bucket := newBucket(t, c)
	_, err := c.GetBucketTagging(ctx(), &s3.GetBucketTaggingInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchTagSet")
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("storage")}, {Key: aws.String("env"), Value: aws.String("dev")}}
	if _, err := c.PutBucketTagging(ctx(), &s3.PutBucketTaggingInput{Bucket: &bucket, Tagging: &types.Tagging{TagSet: tags}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketTagging(ctx(), &s3.GetBucketTaggingInput{Bucket: &bucket})
	if err != nil || len(out.TagSet) != 2 || aws.ToString(out.TagSet[0].Key) != "env" || aws.ToString(out.TagSet[1].Value) != "storage" {
		t.Fatalf("tags: %+v %v", out, err)
	}
	dup := []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("a"), Value: aws.String("2")}}
	_, err = c.PutBucketTagging(ctx(), &s3.PutBucketTaggingInput{Bucket: &bucket, Tagging: &types.Tagging{TagSet: dup}})
	wantAPIError(t, err, 400, "InvalidTag")
	if _, err := c.DeleteBucketTagging(ctx(), &s3.DeleteBucketTaggingInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(ctx(), &s3.GetBucketTaggingInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchTagSet")
}
