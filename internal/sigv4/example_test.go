package sigv4_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/sigv4"
)

// A server verifies a request, then reads the decoded, checked payload.
func Example() {
	creds := sigv4.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"}
	v := sigv4.NewVerifier(func(id string) (string, error) {
		if id != creds.AccessKeyID {
			return "", sigv4.ErrInvalidAccessKeyID
		}
		return creds.SecretAccessKey, nil
	})
	now := time.Date(2026, 11, 22, 3, 19, 8, 0, time.UTC)

	// What an SDK sends over https with a flexible checksum.
	r := httptest.NewRequest("PUT", "/bucket/hello.txt", nil)
	r.Header.Set("X-Amz-Decoded-Content-Length", "11")
	r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	sigv4.Sign(r, creds, "us-east-1", "s3", sigv4.StreamingUnsignedPayloadTrailer, now)
	r.Body = io.NopCloser(strings.NewReader("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"))

	auth, err := v.Verify(r, now)
	if errors.Is(err, sigv4.ErrMissingAuth) {
		fmt.Println("anonymous")
		return
	} else if err != nil {
		fmt.Println("denied:", err)
		return
	}
	body, err := auth.Body(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := io.ReadAll(body) // store only if err == nil
	fmt.Printf("%s %q %v %s\n", auth.AccessKeyID, data, err, body.Trailers().Get("x-amz-checksum-crc32"))
	// Output: AKIAEXAMPLE "hello world" <nil> DUoRhQ==
}

// A client presigns a GET for an hour.
func ExamplePresign() {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:8765/bucket/a%20b.txt", nil)
	u := sigv4.Presign(r, sigv4.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"},
		"us-east-1", "s3", time.Date(2026, 11, 22, 3, 19, 8, 0, time.UTC), time.Hour)
	fmt.Println(u[:strings.Index(u, "&X-Amz-Signature=")])
	// Output: http://127.0.0.1:8765/bucket/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T031908Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host
}
