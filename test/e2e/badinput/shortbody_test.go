package badinput

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/sigv4"
)

// TestShortBody sends fewer bytes than Content-Length and closes the
// connection: nothing may be stored (no new object, no replaced object, no
// new or replaced part, no leftover blob file).
func TestShortBody(t *testing.T) {
	f := setup(t)
	small := bytes.Repeat([]byte("s"), 100)
	big := bytes.Repeat([]byte("B"), 300<<10) // above InlineMax: blob-backed
	for _, tc := range []struct {
		name, target string
		body         []byte
		sent         int    // bytes actually sent
		payload      string // "" for the body's SHA-256
	}{
		{"NewKeySigned", "/fixture/short-new", small, 50, ""},
		{"NewKeyUnsigned", "/fixture/short-new", small, 50, sigv4.UnsignedPayload},
		{"ExistingKey", "/fixture/victim", small, 99, sigv4.UnsignedPayload},
		{"NoBodyAtAll", "/fixture/victim", small, 0, sigv4.UnsignedPayload},
		{"BlobNewKey", "/fixture/short-big", big, 200 << 10, sigv4.UnsignedPayload},
		{"BlobExistingKey", "/fixture/big", big, len(big) - 1, ""},
		{"UploadPartNew", "/fixture/mpu?partNumber=3&uploadId=" + f.uploadID, big, 100 << 10, sigv4.UnsignedPayload},
		{"UploadPartReplace", "/fixture/mpu?partNumber=1&uploadId=" + f.uploadID, small, 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.s.snapshot(t)
			req := f.s.newRequest(t, http.MethodPut, tc.target, nil)
			ph := tc.payload
			if ph == "" {
				ph = sha256hex(tc.body)
			}
			sigv4.Sign(req, creds, region, "s3", ph, time.Now())
			r, ok := f.s.rawSend(t, rawHead(req, len(tc.body)), tc.body[:tc.sent])
			if ok {
				// If the server still answers, it is with IncompleteBody.
				r.method = http.MethodPut
				checkError(t, r, st(400), codes("IncompleteBody"))
			} else {
				t.Logf("server closed the connection without a response")
			}
			// The server may finish handling after the response; give it a moment.
			var after string
			for i := 0; i < 20; i++ {
				if after = f.s.snapshot(t); after == before {
					break
				}
				time.Sleep(25 * time.Millisecond)
			}
			if after != before {
				t.Errorf("state changed by a truncated upload:\nbefore:\n%s\nafter:\n%s", before, after)
				f = setup(t)
			}
		})
	}
}
