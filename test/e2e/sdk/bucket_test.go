package sdk

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func TestBuckets(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)

	t.Run("HeadBucket", func(t *testing.T) {
		out, err := c.HeadBucket(ctx(), &s3.HeadBucketInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.BucketRegion) != region {
			t.Errorf("BucketRegion = %q, want %q", aws.ToString(out.BucketRegion), region)
		}
		_, err = c.HeadBucket(ctx(), &s3.HeadBucketInput{Bucket: aws.String(b + "-missing")})
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			t.Errorf("HeadBucket(missing) = %v, want types.NotFound", err)
		}
		wantAPIError(t, err, 404, "NotFound")
	})

	t.Run("ListBuckets", func(t *testing.T) {
		out, err := c.ListBuckets(ctx(), &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, x := range out.Buckets {
			names = append(names, aws.ToString(x.Name))
			if x.CreationDate == nil || x.CreationDate.IsZero() {
				t.Errorf("bucket %s has no CreationDate", aws.ToString(x.Name))
			}
		}
		if !slices.Contains(names, b) {
			t.Errorf("ListBuckets %v lacks %s", names, b)
		}
		if !slices.IsSorted(names) {
			t.Errorf("ListBuckets not sorted: %v", names)
		}
		if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
			t.Errorf("ListBuckets Owner = %+v, want an ID", out.Owner)
		}
	})

	t.Run("GetBucketLocation", func(t *testing.T) {
		out, err := c.GetBucketLocation(ctx(), &s3.GetBucketLocationInput{Bucket: aws.String(b)})
		if err != nil {
			t.Fatal(err)
		}
		// us-east-1 buckets report an empty LocationConstraint.
		if out.LocationConstraint != "" {
			t.Errorf("LocationConstraint = %q, want empty for us-east-1", out.LocationConstraint)
		}
	})

	t.Run("CreateAgainUsEast1", func(t *testing.T) {
		// In us-east-1 a repeated CreateBucket by the owner succeeds (legacy
		// behaviour); BucketAlreadyOwnedByYou is for every other region.
		if _, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Errorf("repeated CreateBucket in us-east-1: %v, want success", err)
		}
	})

	t.Run("NoSuchBucket", func(t *testing.T) {
		_, err := c.ListObjectsV2(ctx(), &s3.ListObjectsV2Input{Bucket: aws.String(b + "-missing")})
		var nsb *types.NoSuchBucket
		if !errors.As(err, &nsb) {
			t.Errorf("ListObjectsV2(missing) = %v, want NoSuchBucket", err)
		}
	})

	t.Run("InvalidBucketName", func(t *testing.T) {
		_, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: aws.String("ab")})
		wantAPIError(t, err, 400, "InvalidBucketName")
	})

	t.Run("DeleteBucket", func(t *testing.T) {
		d := newBucket(t, c)
		put(t, c, d, "k", []byte("x"))
		_, err := c.DeleteBucket(ctx(), &s3.DeleteBucketInput{Bucket: aws.String(d)})
		wantAPIError(t, err, 409, "BucketNotEmpty")
		if _, err := c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: aws.String(d), Key: aws.String("k")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucket(ctx(), &s3.DeleteBucketInput{Bucket: aws.String(d)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.HeadBucket(ctx(), &s3.HeadBucketInput{Bucket: aws.String(d)})
		wantAPIError(t, err, 404, "NotFound")
	})
}

// TestBucketAlreadyOwnedByYou runs against a second server in eu-west-1:
// outside us-east-1 a repeated CreateBucket by the owner is a 409.
func TestBucketAlreadyOwnedByYou(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t.TempDir(), "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(10e9)
	c := clientOptions(srv.URL(), nil, func(o *s3.Options) { o.Region = "eu-west-1" })
	in := &s3.CreateBucketInput{Bucket: aws.String("owned-twice"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	if _, err := c.CreateBucket(ctx(), in); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateBucket(ctx(), in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "BucketAlreadyOwnedByYou" {
		t.Fatalf("second CreateBucket = %v, want BucketAlreadyOwnedByYou", err)
	}
	var owned *types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("error %T is not *types.BucketAlreadyOwnedByYou", err)
	}
	wantAPIError(t, err, 409, "BucketAlreadyOwnedByYou")
	loc, err := c.GetBucketLocation(ctx(), &s3.GetBucketLocationInput{Bucket: aws.String("owned-twice")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("LocationConstraint = %q, want eu-west-1", loc.LocationConstraint)
	}
}
