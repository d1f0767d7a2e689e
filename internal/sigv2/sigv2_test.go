package sigv2

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestAWSDocumentedExample checks the query-string example from the S3
// SigV2 documentation (RESTAuthentication, the johnsmith "Query string request
// authentication").
func TestAWSDocumentedExample(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/johnsmith/photos/puppy.jpg", nil)
	got := Signature("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", StringToSign(r, 1175139620, "/johnsmith/photos/puppy.jpg"))
	if got != "NpgCjnDzrM+WFzoENXmpNDUsSn8=" {
		t.Fatalf("signature %s", got)
	}
}

func TestRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, target := range []string{"/b/k", "/b/sp%20ace%2Bplus", "/b/k?versionId=abc", "/b/k?response-content-type=text%2Fplain&x=1", "/b/k?uploads"} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		resource := r.URL.EscapedPath()
		u := Presign(r, "AKID", "secret", resource, now.Add(time.Minute))
		pu, _ := url.Parse(u)
		r2 := httptest.NewRequest(http.MethodGet, pu.RequestURI(), nil)
		p, err := Parse(r2.URL.Query())
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(r2, p, "secret", resource, now); err != nil {
			t.Errorf("%s: %v", target, err)
		}
		if err := Verify(r2, p, "secret", resource+"x", now); !errors.Is(err, ErrSignatureMismatch) {
			t.Errorf("%s: tampered resource accepted: %v", target, err)
		}
		if err := Verify(r2, p, "secret", resource, now.Add(2*time.Minute)); !errors.Is(err, ErrExpired) {
			t.Errorf("%s: expired accepted: %v", target, err)
		}
	}
}

func FuzzParseVerify(f *testing.F) {
	f.Add("/b/k", "AWSAccessKeyId=A&Expires=1&Signature=x")
	f.Add("/b/k", "AWSAccessKeyId=A&Expires=zz&Signature=x&versionId=%zz")
	f.Fuzz(func(t *testing.T, path, query string) {
		u := &url.URL{Path: "/", RawQuery: query}
		q, err := url.ParseQuery(query)
		if err != nil || !IsPresigned(q) {
			return
		}
		p, err := Parse(q)
		if err != nil {
			return
		}
		r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}
		_ = Verify(r, p, "secret", path, time.Unix(0, 0))
	})
}
