package authz

import (
	"testing"

	"github.com/ferrys3/ferry/internal/policy"
)

// FuzzDecide feeds arbitrary bucket policies to Authorize for a few fixed
// callers: it must never panic, and a policy with no Allow statement can
// never let anonymous callers or services in.
func FuzzDecide(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"NotAction":"s3:Delete*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:ReplicateObject","NotResource":"arn:aws:s3:::b/private/*"}}`,
	} {
		f.Add([]byte(s), "s3:GetObject", "arn:aws:s3:::b/k")
	}
	allowAll, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.ForIdentityPolicy())
	callers := []*Identity{
		{Anonymous: true},
		{AccountID: "111111111111", Root: true, ARN: "arn:aws:iam::111111111111:root", UserID: "111111111111"},
		{AccountID: "222222222222", ARN: "arn:aws:iam::222222222222:user/bob", UserID: "AIDABOB", Policies: []NamedPolicy{{"all", allowAll}}},
		{Service: "s3.amazonaws.com"},
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource string) {
		p, err := policy.Parse(doc, policy.ForBucketPolicy())
		if err != nil {
			return
		}
		onlyDeny := true
		for _, st := range p.Statements {
			if st.Effect == policy.EffectAllow {
				onlyDeny = false
			}
		}
		for _, id := range callers {
			d := Authorize(&Request{Identity: id, Action: action, Resource: resource, ResourceAccount: "111111111111", ResourcePolicy: p,
				Keys: map[string][]string{"aws:SourceIp": {"10.0.0.1"}, "aws:SecureTransport": {"false"}}})
			if d.Reason == "" {
				t.Fatalf("decision without a reason: %+v", d)
			}
			if d.Allowed && d.Deny {
				t.Fatalf("allowed and denied: %+v", d)
			}
			if onlyDeny && d.Allowed && (id.Anonymous || id.Service != "") {
				t.Fatalf("deny-only policy let %+v in: %+v", id, d)
			}
		}
	})
}
