package authz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/policy"
)

// benchRequest is a cross-account GetObject by an IAM user with 10
// attached policies of 3 statements each, against a 20-statement bucket
// policy with conditions.
func benchRequest(b *testing.B) *Request {
	var st []string
	for i := 0; i < 19; i++ {
		st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:root"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bkt/prefix%d/*","Condition":{"StringLike":{"s3:prefix":["p%d/*"]},"IpAddress":{"aws:SourceIp":"10.%d.0.0/16"}}}`, i, 100000000000+i, i, i, i))
	}
	st[18] = `{"Sid":"Team","Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/shared/*"}`
	st = append(st, `{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	bp, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[`+strings.Join(st, ",")+`]}`), policy.ForBucketPolicy())
	if err != nil {
		b.Fatal(err)
	}
	id := &Identity{AccountID: "222222222222", ARN: "arn:aws:iam::222222222222:user/bob", UserID: "AIDABOB"}
	for i := 0; i < 10; i++ {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["s3:List*","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::team%d"},
{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::team%d/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"}}},
{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`, i, i, i)
		if i == 9 {
			doc = strings.Replace(doc, fmt.Sprintf("arn:aws:s3:::team%d/*", i), "arn:aws:s3:::bkt/shared/*", 1)
			doc = strings.Replace(doc, `,"Condition":{"StringEquals":{"aws:PrincipalTag/team":"t9"}}`, "", 1)
		}
		p, err := policy.Parse([]byte(doc), policy.ForIdentityPolicy())
		if err != nil {
			b.Fatal(err)
		}
		id.Policies = append(id.Policies, NamedPolicy{Name: fmt.Sprintf("p%d", i), Policy: p})
	}
	return &Request{Identity: id, Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/shared/report.csv", ResourceAccount: "111111111111",
		ResourcePolicy: bp, Keys: map[string][]string{"aws:SourceIp": {"10.1.2.3"}, "aws:SecureTransport": {"true"}, "aws:CurrentTime": {"2026-11-22T10:00:00Z"}}}
}

func BenchmarkAuthorizeCrossAccount(b *testing.B) {
	r := benchRequest(b)
	if d := Authorize(r); !d.Allowed {
		b.Fatalf("benchmark request denied: %s", d.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		Authorize(r)
	}
}

func BenchmarkAuthorizeOwnerRoot(b *testing.B) {
	r := benchRequest(b)
	r.Identity = &Identity{AccountID: "111111111111", Root: true, ARN: "arn:aws:iam::111111111111:root", UserID: "111111111111"}
	b.ReportAllocs()
	for b.Loop() {
		Authorize(r)
	}
}
