package policy

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

type evalCase struct {
	Name     string          `json:"name"`
	Identity bool            `json:"identity"`
	Policy   json.RawMessage `json:"policy"`
	Ctx      RequestContext  `json:"ctx"`
	Decision string          `json:"decision"`
	Sid      string          `json:"sid"`
}

type parseCase struct {
	Name  string `json:"name"`
	Mode  string `json:"mode"`
	Raw   string `json:"raw"`
	Big   bool   `json:"big"`
	Error string `json:"error"`
}

func loadCases(t testing.TB) ([]evalCase, []parseCase) {
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Eval  []evalCase  `json:"eval"`
		Parse []parseCase `json:"parse"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.Eval, d.Parse
}

func TestConformance(t *testing.T) {
	cases, _ := loadCases(t)
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			opt := ForBucketPolicy()
			if c.Identity {
				opt = ForIdentityPolicy()
			}
			p, err := Parse(c.Policy, opt)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			ctx := c.Ctx
			d, st := p.Evaluate(&ctx)
			if d.String() != c.Decision {
				t.Fatalf("decision = %v, want %s", d, c.Decision)
			}
			sid := ""
			if st != nil {
				sid = st.Sid
			}
			if sid != c.Sid {
				t.Fatalf("sid = %q, want %q", sid, c.Sid)
			}
			r := Evaluate([]*Policy{nil, p}, &ctx)
			if r.Decision != d || r.Statement != st {
				t.Fatalf("Evaluate([]) = %+v", r)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	_, cases := loadCases(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var opts []ParseOption
			switch c.Mode {
			case "bucket":
				opts = append(opts, ForBucketPolicy())
			case "identity":
				opts = append(opts, ForIdentityPolicy())
			}
			raw := []byte(c.Raw)
			if c.Big {
				raw = []byte(`{"Version":"2012-10-17","Statement":{"Sid":"` + strings.Repeat("x", BucketPolicyMaxSize) + `","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`)
			}
			_, err := Parse(raw, opts...)
			if c.Error == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *Error %q", err, c.Error)
			}
			if pe.Message != c.Error {
				t.Fatalf("message = %q, want %q", pe.Message, c.Error)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	ident := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"I","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	bucket := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"B","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}]}`)
	ctx := &RequestContext{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k", AccountID: "111122223333", PrincipalARN: "arn:aws:iam::111122223333:user/u"}
	r := Evaluate([]*Policy{ident, bucket}, ctx)
	if r.Decision != Deny || r.PolicyIndex != 1 || r.Statement.Sid != "B" {
		t.Fatalf("got %+v", r)
	}
	ctx.Action = "s3:GetObject"
	r = Evaluate([]*Policy{ident, bucket}, ctx)
	if r.Decision != Allow || r.PolicyIndex != 0 {
		t.Fatalf("got %+v", r)
	}
	if r := Evaluate(nil, ctx); r.Decision != NotApplicable || r.PolicyIndex != -1 {
		t.Fatalf("got %+v", r)
	}
}

func TestWildMatch(t *testing.T) {
	for _, c := range []struct {
		p, s      string
		fold, esc bool
		want      bool
	}{
		{"*", "", false, false, true},
		{"a*b*c", "aXbYc", false, false, true},
		{"a*b*c", "aXbY", false, false, false},
		{"a?c", "aéc", false, false, true},
		{`a\*`, "a*", false, true, true},
		{`a\*`, "ab", false, true, false},
		{`a\b`, `a\b`, false, false, true},
		{"S3:GET*", "s3:getobject", true, false, true},
		{"s3:get*", "S3:GetObject", false, false, false},
	} {
		if got := wildMatch(c.p, c.s, c.fold, c.esc); got != c.want {
			t.Errorf("wildMatch(%q,%q)=%v", c.p, c.s, got)
		}
	}
}

func mustParse(t testing.TB, s string) *Policy {
	t.Helper()
	p, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
