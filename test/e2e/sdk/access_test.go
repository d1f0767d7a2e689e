package sdk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// accountID is the caller's account (ferry's canonical user ID).
func accountID(t *testing.T, c *s3.Client) string {
	t.Helper()
	out, err := c.ListBuckets(ctx(), &s3.ListBucketsInput{})
	if err != nil || out.Owner == nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	return aws.ToString(out.Owner.ID)
}

func privatePolicy(bucket, account string) string {
	// Odd spacing and a trailing newline: GetBucketPolicy must return the
	// document byte for byte.
	return fmt.Sprintf(`{ "Version": "2012-10-17",
  "Statement": [ {"Sid":"owner", "Effect":"Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"},
    "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::%s/*" } ] }
`, account, bucket)
}

func publicPolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
}

func TestBucketPolicy(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	bucket := newBucket(t, c)
	acct := accountID(t, c)

	_, err := c.GetBucketPolicy(ctx(), &s3.GetBucketPolicyInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchBucketPolicy")
	_, err = c.GetBucketPolicyStatus(ctx(), &s3.GetBucketPolicyStatusInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchBucketPolicy")

	doc := privatePolicy(bucket, acct)
	if _, err := c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &doc,
		ConfirmRemoveSelfBucketAccess: aws.Bool(true)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	got, err := c.GetBucketPolicy(ctx(), &s3.GetBucketPolicyInput{Bucket: &bucket})
	if err != nil || aws.ToString(got.Policy) != doc {
		t.Fatalf("GetBucketPolicy = %q, %v; want the document as sent %q", aws.ToString(got.Policy), err, doc)
	}
	st, err := c.GetBucketPolicyStatus(ctx(), &s3.GetBucketPolicyStatusInput{Bucket: &bucket})
	if err != nil || st.PolicyStatus == nil || aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("GetBucketPolicyStatus = %+v, %v; want IsPublic false", st, err)
	}

	// New buckets block public policies (AWS default since April 2023).
	pub := publicPolicy(bucket)
	_, err = c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &pub})
	wantAPIError(t, err, 403, "AccessDenied")
	if got, _ := c.GetBucketPolicy(ctx(), &s3.GetBucketPolicyInput{Bucket: &bucket}); aws.ToString(got.Policy) != doc {
		t.Fatalf("a refused policy replaced the stored one: %q", aws.ToString(got.Policy))
	}
	if _, err := c.DeletePublicAccessBlock(ctx(), &s3.DeletePublicAccessBlockInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &pub}); err != nil {
		t.Fatalf("public PutBucketPolicy without a Public Access Block: %v", err)
	}
	st, err = c.GetBucketPolicyStatus(ctx(), &s3.GetBucketPolicyStatusInput{Bucket: &bucket})
	if err != nil || st.PolicyStatus == nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
		t.Fatalf("GetBucketPolicyStatus = %+v, %v; want IsPublic true", st, err)
	}

	// A resource outside the bucket is refused.
	other := strings.ReplaceAll(doc, "arn:aws:s3:::"+bucket+"/*", "arn:aws:s3:::some-other-bucket/*")
	_, err = c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &other})
	wantAPIError(t, err, 400, "MalformedPolicy")

	for range 2 { // deleting is idempotent
		if _, err := c.DeleteBucketPolicy(ctx(), &s3.DeleteBucketPolicyInput{Bucket: &bucket}); err != nil {
			t.Fatalf("DeleteBucketPolicy: %v", err)
		}
	}
	_, err = c.GetBucketPolicy(ctx(), &s3.GetBucketPolicyInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchBucketPolicy")
}

func TestPublicAccessBlock(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	bucket := newBucket(t, c)
	get := func() *types.PublicAccessBlockConfiguration {
		t.Helper()
		out, err := c.GetPublicAccessBlock(ctx(), &s3.GetPublicAccessBlockInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("GetPublicAccessBlock: %v", err)
		}
		return out.PublicAccessBlockConfiguration
	}
	if p := get(); !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("new bucket: %+v, want every setting on", p)
	}
	if _, err := c.PutPublicAccessBlock(ctx(), &s3.PutPublicAccessBlockInput{Bucket: &bucket,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}}); err != nil {
		t.Fatalf("PutPublicAccessBlock: %v", err)
	}
	if p := get(); !aws.ToBool(p.BlockPublicAcls) || aws.ToBool(p.IgnorePublicAcls) || aws.ToBool(p.BlockPublicPolicy) || aws.ToBool(p.RestrictPublicBuckets) {
		t.Errorf("after put: %+v, want only BlockPublicAcls", p)
	}
	pub := publicPolicy(bucket)
	if _, err := c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &pub}); err != nil {
		t.Fatalf("public policy with BlockPublicPolicy off: %v", err)
	}
	if _, err := c.PutPublicAccessBlock(ctx(), &s3.PutPublicAccessBlockInput{Bucket: &bucket,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketPolicy(ctx(), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &pub})
	wantAPIError(t, err, 403, "AccessDenied")
	if _, err := c.DeletePublicAccessBlock(ctx(), &s3.DeletePublicAccessBlockInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPublicAccessBlock(ctx(), &s3.GetPublicAccessBlockInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "NoSuchPublicAccessBlockConfiguration")
}

func TestOwnershipControls(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	bucket := newBucket(t, c)
	ownership := func(b string) string {
		t.Helper()
		out, err := c.GetBucketOwnershipControls(ctx(), &s3.GetBucketOwnershipControlsInput{Bucket: &b})
		if err != nil || out.OwnershipControls == nil || len(out.OwnershipControls.Rules) != 1 {
			t.Fatalf("GetBucketOwnershipControls: %+v %v", out, err)
		}
		return string(out.OwnershipControls.Rules[0].ObjectOwnership)
	}
	if got := ownership(bucket); got != "BucketOwnerEnforced" {
		t.Errorf("new bucket: %s, want BucketOwnerEnforced", got)
	}
	if _, err := c.PutBucketOwnershipControls(ctx(), &s3.PutBucketOwnershipControlsInput{Bucket: &bucket,
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}}); err != nil {
		t.Fatalf("PutBucketOwnershipControls: %v", err)
	}
	if got := ownership(bucket); got != "ObjectWriter" {
		t.Errorf("after put: %s, want ObjectWriter", got)
	}
	_, err := c.PutBucketOwnershipControls(ctx(), &s3.PutBucketOwnershipControlsInput{Bucket: &bucket,
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: "Nobody"}}}})
	wantAPIError(t, err, 400, "MalformedXML")
	if _, err := c.DeleteBucketOwnershipControls(ctx(), &s3.DeleteBucketOwnershipControlsInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketOwnershipControls(ctx(), &s3.GetBucketOwnershipControlsInput{Bucket: &bucket})
	wantAPIError(t, err, 404, "OwnershipControlsNotFoundError")

	preferred := bucket + "-p"
	if _, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: &preferred, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
		t.Fatal(err)
	}
	if got := ownership(preferred); got != "BucketOwnerPreferred" {
		t.Errorf("created with x-amz-object-ownership: %s", got)
	}
	bad := bucket + "-x"
	_, err = c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: &bad, ObjectOwnership: "Everyone"})
	wantAPIError(t, err, 400, "InvalidArgument")
	_, err = c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: &bad, ACL: types.BucketCannedACLPublicRead})
	wantAPIError(t, err, 400, "InvalidBucketAclWithObjectOwnership")
	if _, err := c.HeadBucket(ctx(), &s3.HeadBucketInput{Bucket: &bad}); err == nil {
		t.Errorf("a refused CreateBucket created %s", bad)
	}
}

// grantsOf renders grants as "type:grantee:permission" in order.
func grantsOf(gs []types.Grant) []string {
	var out []string
	for _, g := range gs {
		who := aws.ToString(g.Grantee.ID)
		if g.Grantee.Type == types.TypeGroup {
			who = aws.ToString(g.Grantee.URI)
		}
		out = append(out, string(g.Grantee.Type)+":"+who+":"+string(g.Permission))
	}
	return out
}

const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers"

func TestACLs(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	acct := accountID(t, c)
	ownerFC := "CanonicalUser:" + acct + ":FULL_CONTROL"
	objectACL := func(bucket, key, version string) []string {
		t.Helper()
		in := &s3.GetObjectAclInput{Bucket: &bucket, Key: &key}
		if version != "" {
			in.VersionId = &version
		}
		out, err := c.GetObjectAcl(ctx(), in)
		if err != nil {
			t.Fatalf("GetObjectAcl %s/%s: %v", bucket, key, err)
		}
		if aws.ToString(out.Owner.ID) != acct {
			t.Errorf("GetObjectAcl %s: Owner %q, want %q", key, aws.ToString(out.Owner.ID), acct)
		}
		return grantsOf(out.Grants)
	}
	want := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: grants %v, want %v", what, got, want)
		}
	}

	t.Run("BucketOwnerEnforced", func(t *testing.T) {
		bucket := newBucket(t, c)
		put(t, c, bucket, "k", []byte("x"))
		if _, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("bofc"), Body: bytesReader(nil),
			ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
			t.Fatalf("bucket-owner-full-control: %v", err)
		}
		_, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("pub"), Body: bytesReader(nil),
			ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, 400, "AccessControlListNotSupported")
		_, err = c.PutObjectAcl(ctx(), &s3.PutObjectAclInput{Bucket: &bucket, Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, 400, "AccessControlListNotSupported")
		_, err = c.PutBucketAcl(ctx(), &s3.PutBucketAclInput{Bucket: &bucket, ACL: types.BucketCannedACLPublicRead})
		wantAPIError(t, err, 400, "AccessControlListNotSupported")
		if _, err := c.PutObjectAcl(ctx(), &s3.PutObjectAclInput{Bucket: &bucket, Key: aws.String("k"), ACL: types.ObjectCannedACLPrivate}); err != nil {
			t.Errorf("PutObjectAcl private: %v", err)
		}
		want("object", objectACL(bucket, "k", ""), ownerFC)
		out, err := c.GetBucketAcl(ctx(), &s3.GetBucketAclInput{Bucket: &bucket})
		if err != nil || aws.ToString(out.Owner.ID) != acct {
			t.Fatalf("GetBucketAcl: %+v %v", out, err)
		}
		want("bucket", grantsOf(out.Grants), ownerFC)
	})

	t.Run("ObjectWriter", func(t *testing.T) {
		bucket := newBucket(t, c) + "-w"
		if _, err := c.CreateBucket(ctx(), &s3.CreateBucketInput{Bucket: &bucket, ObjectOwnership: types.ObjectOwnershipObjectWriter}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("bofc"), Body: bytesReader([]byte("x")),
			ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
			t.Fatal(err)
		}
		want("bucket-owner-full-control by the bucket owner", objectACL(bucket, "bofc", ""), ownerFC)
		// Block Public Access is on for new buckets.
		_, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("pub"), Body: bytesReader(nil),
			ACL: types.ObjectCannedACLPublicRead})
		wantAPIError(t, err, 403, "AccessDenied")
		if _, err := c.DeletePublicAccessBlock(ctx(), &s3.DeletePublicAccessBlockInput{Bucket: &bucket}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("pub"), Body: bytesReader(nil),
			ACL: types.ObjectCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		want("public-read", objectACL(bucket, "pub", ""), ownerFC, "Group:"+allUsers+":READ")
		if _, err := c.PutObjectAcl(ctx(), &s3.PutObjectAclInput{Bucket: &bucket, Key: aws.String("pub"),
			ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
			t.Fatal(err)
		}
		want("PutObjectAcl authenticated-read", objectACL(bucket, "pub", ""), ownerFC,
			"Group:http://acs.amazonaws.com/groups/global/AuthenticatedUsers:READ")
		// The AccessControlPolicy form.
		if _, err := c.PutObjectAcl(ctx(), &s3.PutObjectAclInput{Bucket: &bucket, Key: aws.String("pub"),
			AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: &acct}, Grants: []types.Grant{
				{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(allUsers)}, Permission: types.PermissionReadAcp}}}}); err != nil {
			t.Fatal(err)
		}
		want("PutObjectAcl body", objectACL(bucket, "pub", ""), ownerFC, "Group:"+allUsers+":READ_ACP")
		_, err = c.PutObjectAcl(ctx(), &s3.PutObjectAclInput{Bucket: &bucket, Key: aws.String("pub"),
			AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String("999999999999")}}})
		wantAPIError(t, err, 400, "InvalidArgument")
		_, err = c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("g"), Body: bytesReader(nil),
			GrantRead: aws.String(`id="000000000000"`)})
		wantAPIError(t, err, 400, "InvalidArgument")
		if _, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("g"), Body: bytesReader(nil),
			GrantRead: aws.String(`uri="` + allUsers + `"`), GrantFullControl: aws.String(`id="` + acct + `"`)}); err != nil {
			t.Fatal(err)
		}
		want("x-amz-grant-*", objectACL(bucket, "g", ""), ownerFC, "Group:"+allUsers+":READ")

		// Copies and multipart uploads take the ACL of their request.
		if _, err := c.CopyObject(ctx(), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy"),
			CopySource: aws.String(bucket + "/pub"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		want("CopyObject public-read", objectACL(bucket, "copy", ""), ownerFC, "Group:"+allUsers+":READ")
		mpu, err := c.CreateMultipartUpload(ctx(), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("mpu"),
			ACL: types.ObjectCannedACLPublicReadWrite})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("mpu"), UploadId: mpu.UploadId,
			PartNumber: aws.Int32(1), Body: bytesReader([]byte("part"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteMultipartUpload(ctx(), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("mpu"),
			UploadId: mpu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
			t.Fatal(err)
		}
		want("multipart public-read-write", objectACL(bucket, "mpu", ""), ownerFC, "Group:"+allUsers+":READ", "Group:"+allUsers+":WRITE")

		// Bucket ACLs.
		if _, err := c.PutBucketAcl(ctx(), &s3.PutBucketAclInput{Bucket: &bucket, ACL: types.BucketCannedACLPublicRead}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetBucketAcl(ctx(), &s3.GetBucketAclInput{Bucket: &bucket})
		if err != nil {
			t.Fatal(err)
		}
		want("bucket public-read", grantsOf(out.Grants), ownerFC, "Group:"+allUsers+":READ")
		// Switching to BucketOwnerEnforced needs an owner-only bucket ACL.
		_, err = c.PutBucketOwnershipControls(ctx(), &s3.PutBucketOwnershipControlsInput{Bucket: &bucket,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
		wantAPIError(t, err, 400, "InvalidBucketAclWithObjectOwnership")

		// Delete markers answer like GET.
		if _, err := c.PutBucketVersioning(ctx(), &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		del, err := c.DeleteObject(ctx(), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("pub")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.GetObjectAcl(ctx(), &s3.GetObjectAclInput{Bucket: &bucket, Key: aws.String("pub"), VersionId: del.VersionId})
		wantAPIError(t, err, 405, "MethodNotAllowed")
		_, err = c.GetObjectAcl(ctx(), &s3.GetObjectAclInput{Bucket: &bucket, Key: aws.String("pub")})
		wantAPIError(t, err, 404, "NoSuchKey")
		want("null version", objectACL(bucket, "pub", "null"), ownerFC, "Group:"+allUsers+":READ_ACP")
	})
}
