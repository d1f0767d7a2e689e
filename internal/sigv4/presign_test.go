package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSessionToken(t *testing.T) {
	creds := testCreds
	creds.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN//+=="
	v := NewCredentialVerifier(func(id string) (Credentials, error) {
		if id != creds.AccessKeyID {
			return Credentials{}, ErrInvalidAccessKeyID
		}
		return creds, nil
	})
	r := newReq("GET", "/b/k", "")
	Sign(r, creds, "us-east-1", "s3", "", testNow)
	a, err := v.Verify(r, testNow)
	if err != nil || a.SessionToken != creds.SessionToken {
		t.Fatalf("token: %v %+v", err, a)
	}
	r = newReq("GET", "/b/k", "")
	Sign(r, testCreds, "us-east-1", "s3", "", testNow)
	if _, err := v.Verify(r, testNow); !errors.Is(err, ErrMissingSecurityToken) {
		t.Fatalf("missing token: %v", err)
	}
	other := creds
	other.SessionToken = "other"
	r = newReq("GET", "/b/k", "")
	Sign(r, other, "us-east-1", "s3", "", testNow)
	if _, err := v.Verify(r, testNow); !errors.Is(err, ErrInvalidSecurityToken) {
		t.Fatalf("wrong token: %v", err)
	}
	// Presigned with a token.
	u := Presign(newReq("GET", "/b/k", ""), creds, "us-east-1", "s3", testNow, time.Hour)
	if !strings.Contains(u, "X-Amz-Security-Token=") {
		t.Fatal(u)
	}
	if a, err := v.Verify(httptest.NewRequest("GET", u, nil), testNow); err != nil || a.SessionToken != creds.SessionToken {
		t.Fatalf("presigned token: %v", err)
	}
	// A lookup failure other than an unknown key passes through.
	boom := errors.New("backend down")
	v2 := NewVerifier(func(string) (string, error) { return "", boom })
	if _, err := v2.Verify(r, testNow); err != boom {
		t.Fatalf("lookup error: %v", err)
	}
}

func TestPresignRoundTrip(t *testing.T) {
	v := NewVerifier(testLookup)
	for _, target := range roundTripTargets {
		t.Run(target, func(t *testing.T) {
			src := newReq("GET", "http://127.0.0.1:8765"+target, "")
			u := Presign(src, testCreds, "us-east-1", "s3", testNow, time.Hour)
			r := httptest.NewRequest("GET", u, nil)
			a, err := v.Verify(r, testNow.Add(30*time.Minute))
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			if !a.Presigned || a.PayloadHash != UnsignedPayload || a.Expires != time.Hour {
				t.Errorf("auth %+v", a)
			}
		})
	}
}

func TestPresignRejections(t *testing.T) {
	v := NewVerifier(testLookup)
	base := func() string {
		r := newReq("PUT", "http://127.0.0.1:8765/bucket/key%20x?partNumber=3", "")
		r.Header.Set("X-Amz-Meta-Owner", "me")
		return Presign(r, testCreds, "us-east-1", "s3", testNow, time.Hour)
	}
	use := func(u string, hdr bool) *http.Request {
		r := httptest.NewRequest("PUT", u, strings.NewReader("data"))
		if hdr {
			r.Header.Set("X-Amz-Meta-Owner", "me")
		}
		return r
	}
	if _, err := v.Verify(use(base(), true), testNow); err != nil {
		t.Fatalf("valid: %v", err)
	}
	withExpires := func(e string) string {
		return strings.Replace(base(), "X-Amz-Expires=3600", "X-Amz-Expires="+e, 1)
	}
	tests := []struct {
		name string
		r    *http.Request
		now  time.Time
		want error
	}{
		{"expired", use(base(), true), testNow.Add(time.Hour + time.Second), ErrExpiredPresign},
		{"future", use(base(), true), testNow.Add(-16 * time.Minute), ErrRequestTimeTooSkewed},
		{"expires too long", use(withExpires("604801"), true), testNow, ErrMalformedPresign},
		{"expires zero", use(withExpires("0"), true), testNow, ErrMalformedPresign},
		{"expires negative", use(withExpires("-5"), true), testNow, ErrMalformedPresign},
		{"expires junk", use(withExpires("1h"), true), testNow, ErrMalformedPresign},
		{"expires changed", use(withExpires("7200"), true), testNow, ErrSignatureMismatch},
		{"signed header missing", use(base(), false), testNow, ErrSignatureMismatch},
		{"query tampered", use(strings.Replace(base(), "partNumber=3", "partNumber=4", 1), true), testNow, ErrSignatureMismatch},
		{"path tampered", use(strings.Replace(base(), "key%20x", "key%20y", 1), true), testNow, ErrSignatureMismatch},
		{"method", func() *http.Request { r := use(base(), true); r.Method = "GET"; return r }(), testNow, ErrSignatureMismatch},
		{"signature", use(base()[:len(base())-1]+"x", true), testNow, ErrMalformedPresign},
		{"signature twice", use(base()+"&X-Amz-Signature="+strings.Repeat("0", 64), true), testNow, ErrMalformedPresign},
		{"no date", use(strings.Replace(base(), "X-Amz-Date=", "X-Amz-Datex=", 1), true), testNow, ErrMalformedPresign},
		{"bad algorithm", use(strings.Replace(base(), "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", 1), true), testNow, ErrUnsupportedAlgorithm},
		{"bad credential", use(strings.Replace(base(), "%2Faws4_request", "%2Fx", 1), true), testNow, ErrMalformedPresign},
		{"unknown key", use(strings.Replace(base(), "AKIAEXAMPLEKEY000001", "AKIAOTHER", 1), true), testNow, ErrInvalidAccessKeyID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.Verify(tc.r, tc.now); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
