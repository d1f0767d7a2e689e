package policy

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkEvaluate(b *testing.B) {
	var stmts []string
	for i := 0; i < 20; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/r%d","444455556666"]},"Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b/p%d/*","arn:aws:s3:::b"],"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`, i, i, i))
	}
	stmts[19] = `{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`
	pols := []*Policy{mustParse(b, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)}
	for i := 0; i < 10; i++ {
		pols = append(pols, mustParse(b, fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
{"Sid":"A%d","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::other%d/*"},
{"Sid":"B%d","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/home/${aws:username}/*"},
{"Sid":"C%d","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"StringNotLike":{"s3:prefix":"tmp/*"}}}]}`, i, i, i, i)))
	}
	ctx := &RequestContext{
		Action: "s3:GetObject", Resource: "arn:aws:s3:::b/home/alice/f.txt",
		AccountID: "111122223333", PrincipalARN: "arn:aws:iam::111122223333:user/alice",
		Keys: map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceIp": {"10.1.2.3"}},
	}
	if r := Evaluate(pols, ctx); r.Decision != Allow {
		b.Fatalf("got %+v", r)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(pols, ctx)
	}
}
