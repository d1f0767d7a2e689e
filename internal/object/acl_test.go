package object

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

const (
	bucketOwner = "111122223333" // owns "bkt" (newService)
	writer      = "444455556666" // another account writing into it
)

var ctxb = context.Background()

func fmtGrants(gs []meta.Grant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Grantee+":"+g.Permission)
	}
	return out
}

// setOwnership puts bkt under an Object Ownership setting with no Public
// Access Block.
func setOwnership(t *testing.T, s *Service, ownership string) {
	t.Helper()
	if err := s.SetOwnershipControls(ctxb, "bkt", ownership); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPublicAccessBlock(ctxb, "bkt", nil); err != nil {
		t.Fatal(err)
	}
}

func putAs(t *testing.T, s *Service, key, who string, a ACL) error {
	t.Helper()
	_, err := s.Put(ctxb, PutInput{Bucket: "bkt", Key: key, Owner: who, Body: bytes.NewReader([]byte("x")), Size: 1, ACL: a})
	return err
}

func objectACL(t *testing.T, s *Service, key string) (string, []string) {
	t.Helper()
	ac, err := s.ObjectACL(ctxb, "bkt", key, "")
	if err != nil {
		t.Fatalf("ObjectACL %s: %v", key, err)
	}
	return ac.Owner, fmtGrants(ac.Grants)
}

func TestNewBucketDefaults(t *testing.T) {
	s := newService(t, nil)
	b, _ := s.Bucket(ctxb, "bkt")
	if got := ObjectOwnership(b); got != OwnershipBucketOwnerEnforced {
		t.Errorf("ownership %s", got)
	}
	if v, err := s.OwnershipControls(ctxb, "bkt"); err != nil || v != OwnershipBucketOwnerEnforced {
		t.Errorf("OwnershipControls = %q, %v", v, err)
	}
	if p, err := s.PublicAccessBlock(ctxb, "bkt"); err != nil || p != DefaultPublicAccessBlock {
		t.Errorf("PublicAccessBlock = %+v, %v", p, err)
	}
	// A bucket record without the setting (older ferry) is enforced too.
	if got := ObjectOwnership(&meta.Bucket{Owner: bucketOwner}); got != OwnershipBucketOwnerEnforced {
		t.Errorf("legacy bucket ownership %s", got)
	}
	if err := s.SetOwnershipControls(ctxb, "bkt", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OwnershipControls(ctxb, "bkt"); code(err) != "OwnershipControlsNotFoundError" {
		t.Errorf("after delete: %v", err)
	}
	if err := s.SetOwnershipControls(ctxb, "bkt", "Nobody"); code(err) != "MalformedXML" {
		t.Errorf("invalid setting: %v", err)
	}
}

func TestObjectOwnership(t *testing.T) {
	bofc := ACL{Canned: ACLBucketOwnerFullControl}
	cases := []struct {
		ownership, who string
		acl            ACL
		owner          string
		grants         []string
		err            string
	}{
		// Enforced: the bucket owner owns everything; only owner-only ACLs pass.
		{OwnershipBucketOwnerEnforced, writer, ACL{}, bucketOwner, nil, ""},
		{OwnershipBucketOwnerEnforced, writer, bofc, bucketOwner, nil, ""},
		{OwnershipBucketOwnerEnforced, writer, ACL{Canned: ACLPrivate}, bucketOwner, nil, ""},
		{OwnershipBucketOwnerEnforced, writer, ACL{Canned: ACLPublicRead}, "", nil, "AccessControlListNotSupported"},
		{OwnershipBucketOwnerEnforced, writer, ACL{Canned: ACLBucketOwnerRead}, "", nil, "AccessControlListNotSupported"},
		{OwnershipBucketOwnerEnforced, writer, ACL{HeaderGrants: true, Grants: []meta.Grant{{Type: GranteeCanonicalUser, Grantee: bucketOwner, Permission: PermFullControl}}}, "", nil, "AccessControlListNotSupported"},
		// Preferred: bucket-owner-full-control hands the object to the bucket owner.
		{OwnershipBucketOwnerPreferred, writer, bofc, bucketOwner, nil, ""},
		{OwnershipBucketOwnerPreferred, writer, ACL{}, writer, nil, ""},
		{OwnershipBucketOwnerPreferred, writer, ACL{Canned: ACLBucketOwnerRead}, writer, []string{bucketOwner + ":READ"}, ""},
		// ObjectWriter: the writer keeps it and the bucket owner gets the grant.
		{OwnershipObjectWriter, writer, bofc, writer, []string{bucketOwner + ":FULL_CONTROL"}, ""},
		{OwnershipObjectWriter, bucketOwner, bofc, bucketOwner, nil, ""},
		{OwnershipObjectWriter, writer, ACL{Canned: ACLPublicReadWrite}, writer, []string{GroupAllUsers + ":READ", GroupAllUsers + ":WRITE"}, ""},
		{OwnershipObjectWriter, writer, ACL{Canned: ACLAWSExecRead}, writer, nil, ""},
	}
	for i, c := range cases {
		s := newService(t, nil)
		setOwnership(t, s, c.ownership)
		err := putAs(t, s, "k", c.who, c.acl)
		if code(err) != c.err {
			t.Errorf("%d %s %+v: err %v, want %s", i, c.ownership, c.acl, err, c.err)
			continue
		}
		if err != nil {
			if _, _, gerr := get(t, s, GetInput{Key: "k"}); code(gerr) != "NoSuchKey" {
				t.Errorf("%d: a refused put stored the object (%v)", i, gerr)
			}
			continue
		}
		owner, grants := objectACL(t, s, "k")
		if owner != c.owner || !slices.Equal(grants, c.grants) {
			t.Errorf("%d %s %+v by %s: owner %s grants %v, want %s %v", i, c.ownership, c.acl, c.who, owner, grants, c.owner, c.grants)
		}
	}
}

func TestEnforcedHidesStoredACLs(t *testing.T) {
	s := newService(t, nil)
	setOwnership(t, s, OwnershipObjectWriter)
	if err := putAs(t, s, "k", writer, ACL{Canned: ACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	setOwnership(t, s, OwnershipBucketOwnerEnforced)
	if owner, grants := objectACL(t, s, "k"); owner != bucketOwner || grants != nil {
		t.Errorf("enforced: %s %v, want the bucket owner alone", owner, grants)
	}
	// Re-enabling ACLs restores them, as on AWS.
	setOwnership(t, s, OwnershipObjectWriter)
	if owner, grants := objectACL(t, s, "k"); owner != writer || !slices.Equal(grants, []string{GroupAllUsers + ":READ"}) {
		t.Errorf("re-enabled: %s %v", owner, grants)
	}
}

func TestBlockPublicAcls(t *testing.T) {
	s := newService(t, nil)
	setOwnership(t, s, OwnershipObjectWriter)
	if err := s.SetPublicAccessBlock(ctxb, "bkt", &PublicAccessBlock{BlockPublicAcls: true}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []ACL{{Canned: ACLPublicRead}, {Canned: ACLAuthenticatedRead},
		{HeaderGrants: true, Grants: []meta.Grant{{Type: GranteeGroup, Grantee: GroupAllUsers, Permission: PermReadACP}}}} {
		if err := putAs(t, s, "k", writer, a); code(err) != "AccessDenied" {
			t.Errorf("put %+v: %v, want AccessDenied", a, err)
		}
	}
	if err := putAs(t, s, "k", writer, ACL{Canned: ACLBucketOwnerRead}); err != nil {
		t.Errorf("non-public ACL: %v", err)
	}
	if err := s.SetObjectACL(ctxb, "bkt", "k", "", ACL{Canned: ACLPublicRead}, ""); code(err) != "AccessDenied" {
		t.Errorf("SetObjectACL public: %v", err)
	}
	if err := s.SetBucketACL(ctxb, "bkt", ACL{Canned: ACLPublicReadWrite}, ""); code(err) != "AccessDenied" {
		t.Errorf("SetBucketACL public: %v", err)
	}
}

func TestSetObjectACL(t *testing.T) {
	s := newService(t, nil)
	setOwnership(t, s, OwnershipBucketOwnerPreferred)
	if err := putAs(t, s, "k", writer, ACL{}); err != nil {
		t.Fatal(err)
	}
	// bucket-owner-full-control on an existing object grants, never transfers.
	if err := s.SetObjectACL(ctxb, "bkt", "k", "", ACL{Canned: ACLBucketOwnerFullControl}, ""); err != nil {
		t.Fatal(err)
	}
	if owner, grants := objectACL(t, s, "k"); owner != writer || !slices.Equal(grants, []string{bucketOwner + ":FULL_CONTROL"}) {
		t.Errorf("after bofc: %s %v", owner, grants)
	}
	body := ACL{Grants: []meta.Grant{{Type: GranteeGroup, Grantee: GroupLogDelivery, Permission: PermWrite},
		{Type: GranteeCanonicalUser, Grantee: writer, Permission: PermFullControl}}}
	if err := s.SetObjectACL(ctxb, "bkt", "k", "", body, bucketOwner); code(err) != "InvalidArgument" {
		t.Errorf("wrong Owner: %v", err)
	}
	if err := s.SetObjectACL(ctxb, "bkt", "k", "", body, writer); err != nil {
		t.Fatal(err)
	}
	if _, grants := objectACL(t, s, "k"); !slices.Equal(grants, []string{GroupLogDelivery + ":WRITE"}) {
		t.Errorf("body: %v (the owner's own grant is implied)", grants)
	}
	// Versions: a marker answers 405, as GET does.
	if err := s.SetVersioning(ctxb, "bkt", meta.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	del, err := s.Delete(ctxb, "bkt", "k", "", writer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ObjectACL(ctxb, "bkt", "k", del.VersionID); code(err) != "MethodNotAllowed" {
		t.Errorf("marker: %v", err)
	}
	if err := s.SetObjectACL(ctxb, "bkt", "k", del.VersionID, ACL{}, ""); code(err) != "MethodNotAllowed" {
		t.Errorf("set on marker: %v", err)
	}
	if ac, err := s.ObjectACL(ctxb, "bkt", "k", NullVersion); err != nil || len(ac.Grants) != 1 {
		t.Errorf("null version: %+v %v", ac, err)
	}
}

func TestMultipartACL(t *testing.T) {
	s := newService(t, nil)
	setOwnership(t, s, OwnershipBucketOwnerPreferred)
	id, err := s.CreateUpload(ctxb, CreateUploadInput{Bucket: "bkt", Key: "m", Owner: writer, ACL: ACL{Canned: ACLBucketOwnerFullControl}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.UploadPart(ctxb, PartInput{Bucket: "bkt", Key: "m", UploadID: id, Number: 1, Body: bytes.NewReader([]byte("abc")), Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Complete(ctxb, "bkt", "m", id, []CompletePart{{Number: 1, ETag: p.ETag}}, WriteConditions{}); err != nil {
		t.Fatal(err)
	}
	if owner, grants := objectACL(t, s, "m"); owner != bucketOwner || grants != nil {
		t.Errorf("completed: %s %v, want the bucket owner", owner, grants)
	}
	setOwnership(t, s, OwnershipBucketOwnerEnforced)
	if _, err := s.CreateUpload(ctxb, CreateUploadInput{Bucket: "bkt", Key: "m", Owner: writer, ACL: ACL{Canned: ACLPublicRead}}); code(err) != "AccessControlListNotSupported" {
		t.Errorf("enforced CreateUpload public-read: %v", err)
	}
}

func TestCreateBucketACL(t *testing.T) {
	s := newService(t, nil)
	in := CreateBucketInput{Owner: bucketOwner, Name: "bkt2", ACL: ACL{Canned: ACLPublicRead}}
	if err := s.CreateBucketWith(ctxb, in); code(err) != "InvalidBucketAclWithObjectOwnership" {
		t.Errorf("enforced + public-read: %v", err)
	}
	in.Ownership = OwnershipObjectWriter
	if err := s.CreateBucketWith(ctxb, in); code(err) != "AccessDenied" {
		t.Errorf("public ACL under the default Block Public Access: %v", err)
	}
	in.Ownership = "Everyone"
	if err := s.CreateBucketWith(ctxb, in); code(err) != "InvalidArgument" {
		t.Errorf("invalid ownership: %v", err)
	}
	if _, err := s.Bucket(ctxb, "bkt2"); code(err) != "NoSuchBucket" {
		t.Fatalf("refused creates made the bucket: %v", err)
	}
	in = CreateBucketInput{Owner: bucketOwner, Name: "bkt2", Ownership: OwnershipObjectWriter, ACL: ACL{Canned: ACLLogDeliveryWrite}}
	if err := s.CreateBucketWith(ctxb, in); err != nil {
		t.Fatal(err)
	}
	ac, err := s.BucketACL(ctxb, "bkt2")
	if err != nil || ac.Owner != bucketOwner || !slices.Equal(fmtGrants(ac.Grants), []string{GroupLogDelivery + ":WRITE", GroupLogDelivery + ":READ_ACP"}) {
		t.Errorf("BucketACL = %+v %v", ac, err)
	}
	if err := s.SetOwnershipControls(ctxb, "bkt2", OwnershipBucketOwnerEnforced); code(err) != "InvalidBucketAclWithObjectOwnership" {
		t.Errorf("enforce with a granting bucket ACL: %v", err)
	}
	if err := s.SetBucketACL(ctxb, "bkt2", ACL{Canned: ACLPrivate}, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOwnershipControls(ctxb, "bkt2", OwnershipBucketOwnerEnforced); err != nil {
		t.Errorf("enforce with a private bucket ACL: %v", err)
	}
}

func TestBucketPolicyStorage(t *testing.T) {
	s := newService(t, nil)
	if _, err := s.BucketPolicy(ctxb, "bkt"); code(err) != "NoSuchBucketPolicy" {
		t.Errorf("none: %v", err)
	}
	doc := []byte("{ \"Version\": \"2012-10-17\" }\n")
	if err := s.SetBucketPolicy(ctxb, "bkt", doc, true); code(err) != "AccessDenied" {
		t.Errorf("public policy under BlockPublicPolicy: %v", err)
	}
	if err := s.SetBucketPolicy(ctxb, "bkt", doc, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.BucketPolicy(ctxb, "bkt"); err != nil || !bytes.Equal(got, doc) {
		t.Errorf("BucketPolicy = %q %v", got, err)
	}
	if err := s.SetPublicAccessBlock(ctxb, "bkt", &PublicAccessBlock{BlockPublicAcls: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBucketPolicy(ctxb, "bkt", doc, true); err != nil {
		t.Errorf("public policy without BlockPublicPolicy: %v", err)
	}
	for range 2 {
		if err := s.DeleteBucketPolicy(ctxb, "bkt"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.BucketPolicy(ctxb, "bkt"); code(err) != "NoSuchBucketPolicy" {
		t.Errorf("deleted: %v", err)
	}
}
