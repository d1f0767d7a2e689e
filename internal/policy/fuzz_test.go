package policy

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	evals, parses := loadCases(f)
	for _, c := range evals {
		f.Add([]byte(c.Policy))
	}
	for _, c := range parses {
		f.Add([]byte(c.Raw))
	}
	ctxs := []*RequestContext{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Anonymous: true},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/home/u/x", AccountID: "111122223333",
			PrincipalARN: "arn:aws:sts::111122223333:assumed-role/r/s", RoleARN: "arn:aws:iam::111122223333:role/r",
			Keys: map[string][]string{"aws:SourceIp": {"192.0.2.1"}, "s3:prefix": {"a"}, "aws:CurrentTime": {"2026-01-01T00:00:00Z"}}},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Service: "s3.amazonaws.com"},
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		for _, c := range ctxs {
			d, st := p.Evaluate(c)
			if (d == NotApplicable) != (st == nil) {
				t.Fatalf("decision %v with statement %v", d, st)
			}
		}
	})
}

// fuzzPolicies is a fixed corpus whose conditions contain unparsable values;
// none of them may ever Allow.
var fuzzPolicies = []string{
	`{"Version":"2012-10-17","Statement":{"Sid":"N","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":"x"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Sid":"D","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"DateNotEquals":{"aws:CurrentTime":"yesterday"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Sid":"B","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":["maybe"]}}}}`,
	`{"Version":"2012-10-17","Statement":{"Sid":"Bin","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ForAllValues:BinaryEquals":{"s3:blob":"!!"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Sid":"Nl","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Null":{"s3:prefix":"perhaps"}}}}`,
	`{"Version":"2012-10-17","Statement":{"Sid":"NR","Effect":"Allow","Principal":"*","Action":"*","NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"NumericLessThanIfExists":{"s3:max-keys":"ten"}}}}`,
}

func FuzzEvaluate(f *testing.F) {
	f.Add("s3:GetObject", "arn:aws:s3:::b/k", "111122223333", "arn:aws:iam::111122223333:user/u", "s3:max-keys", "10", false)
	f.Add("s3:ListBucket", "arn:aws:s3:::b", "", "", "aws:CurrentTime", "2026-01-01", true)
	f.Add("*", "*", "x", "arn:aws:sts::111122223333:assumed-role/r/s", "aws:SecureTransport", "true", false)
	var pols []*Policy
	for _, s := range fuzzPolicies {
		pols = append(pols, mustParse(f, s))
	}
	good := mustParse(f, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::${aws:PrincipalAccount}/*","Condition":{"StringLikeIfExists":{"s3:prefix":"${aws:username}/*"}}},{"Sid":"D","Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:Delete*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	f.Fuzz(func(t *testing.T, action, resource, acct, arn, key, val string, anon bool) {
		ctx := &RequestContext{Action: action, Resource: resource, AccountID: acct, PrincipalARN: arn, Anonymous: anon,
			Keys: map[string][]string{key: {val}, strings.ToUpper(key): {val, val + "x"}}}
		if strings.Contains(arn, ":role/") {
			ctx.RoleARN = arn
		}
		for _, p := range pols {
			if d, st := p.Evaluate(ctx); d == Allow {
				t.Fatalf("unparsable condition value allowed: %s", st.Sid)
			}
		}
		r := Evaluate(append([]*Policy{good}, pols...), ctx)
		if r.Decision == Allow && r.PolicyIndex != 0 {
			t.Fatalf("allow from doubtful policy %d", r.PolicyIndex)
		}
	})
}
