package s3api

import (
	"testing"

	"github.com/ferrys3/ferry/internal/policy"
	"github.com/ferrys3/ferry/internal/s3err"
)

func TestParseBucketPolicy(t *testing.T) {
	stmt := func(extra string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` + extra + `}]}`
	}
	cases := []struct {
		doc    string
		msg    string // "" = valid
		public bool
	}{
		{stmt(`"Resource":"arn:aws:s3:::bkt/*"`), "", true},
		{stmt(`"Resource":["arn:aws:s3:::bkt","arn:aws:s3:::bkt/a/${aws:username}"]`), "", true},
		{stmt(`"Resource":"arn:aws:s3:::bkt/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`), "", false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}`, "", false},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bkt"}}`, "", false},
		{stmt(`"Resource":"arn:aws:s3:::other/*"`), policy.MsgInvalidResource, false},
		{stmt(`"Resource":"arn:aws:s3:::bkt2/*"`), policy.MsgInvalidResource, false},
		{stmt(`"Resource":"arn:aws:s3:::bk*"`), policy.MsgInvalidResource, false},
		{stmt(`"Resource":"*"`), policy.MsgInvalidResource, false},
		{stmt(`"NotResource":"arn:aws:s3:::other"`), policy.MsgInvalidResource, false},
		{`not json`, policy.MsgNotJSONObject, false},
		{`{"Version":"2012-10-17"}`, policy.MsgMissingStatement, false},
	}
	for _, c := range cases {
		p, err := parseBucketPolicy([]byte(c.doc), "bkt")
		if c.msg != "" {
			if e := s3err.As(err); err == nil || e.Code != "MalformedPolicy" || e.Message != c.msg {
				t.Errorf("%s: %v, want MalformedPolicy %q", c.doc, err, c.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.doc, err)
			continue
		}
		if got := publicPolicy(p); got != c.public {
			t.Errorf("%s: public %v, want %v", c.doc, got, c.public)
		}
	}
}
