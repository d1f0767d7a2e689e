package sdk

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferrys3/ferry/internal/sigv4"
)

// crc64NVME is the NVMe CRC-64 (reflected polynomial 0x9a6c9329ac4bc9b5,
// init and xor-out all ones, which hash/crc64 applies).
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksumOf computes a flexible checksum independently of the server.
func checksumOf(alg string, data []byte) string {
	var h hash.Hash
	switch alg {
	case "CRC32":
		h = crc32.NewIEEE()
	case "CRC32C":
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], crc64.Checksum(data, crc64NVME))
		return b64(b[:])
	case "SHA1":
		h = sha1.New()
	case "SHA256":
		h = sha256.New()
	default:
		panic(alg)
	}
	h.Write(data)
	return b64(h.Sum(nil))
}

func TestChecksumReference(t *testing.T) {
	// Check values: "123456789".
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], 0xae8b14860a799888)
	if got := checksumOf("CRC64NVME", []byte("123456789")); got != b64(b[:]) {
		t.Fatalf("CRC64NVME reference broken: %s", got)
	}
}

func checksumFields(alg string, crc32v, crc32c, crc64, sha1v, sha256v *string) string {
	switch alg {
	case "CRC32":
		return aws.ToString(crc32v)
	case "CRC32C":
		return aws.ToString(crc32c)
	case "CRC64NVME":
		return aws.ToString(crc64)
	case "SHA1":
		return aws.ToString(sha1v)
	case "SHA256":
		return aws.ToString(sha256v)
	}
	return ""
}

// getWithChecksum GETs key with ChecksumMode ENABLED and returns the body
// and the checksum value for alg (the SDK also validates it).
func getWithChecksum(t *testing.T, c *s3.Client, b, key, alg string) ([]byte, string, *s3.GetObjectOutput) {
	t.Helper()
	o, err := c.GetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	got, err := io.ReadAll(o.Body) // the SDK's validating reader fails here on a mismatch
	o.Body.Close()
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return got, checksumFields(alg, o.ChecksumCRC32, o.ChecksumCRC32C, o.ChecksumCRC64NVME, o.ChecksumSHA1, o.ChecksumSHA256), o
}

// TestTrailingChecksumsSDK makes the SDK send aws-chunked bodies with
// STREAMING-UNSIGNED-PAYLOAD-TRAILER. aws-sdk-go-v2 does so only over HTTPS
// (over plain HTTP it refuses unseekable bodies: "unseekable stream is not
// supported without TLS and trailing checksum"), hence the TLS client.
func TestTrailingChecksumsSDK(t *testing.T) {
	t.Parallel()
	c, rec := newTLSClient(t)
	b := newBucket(t, c)
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		for _, size := range []int{1, 1000, 200 << 10, 1<<20 + 17} { // inline and blob-backed, one and many chunks
			name := alg + "/" + strconv.Itoa(size)
			t.Run(name, func(t *testing.T) {
				data := randomBytes(size, uint64(size)+uint64(len(alg)))
				key := "trailer/" + name
				out, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key),
					Body:              struct{ io.Reader }{bytes.NewReader(data)}, // not seekable
					ContentLength:     aws.Int64(int64(size)),
					ChecksumAlgorithm: types.ChecksumAlgorithm(alg)})
				if err != nil {
					t.Fatal(err)
				}
				sent := rec.Last(http.MethodPut)
				if got := sent.Get("X-Amz-Content-Sha256"); got != sigv4.StreamingUnsignedPayloadTrailer {
					t.Fatalf("SDK sent x-amz-content-sha256 %q, want %s (test does not exercise trailers)", got, sigv4.StreamingUnsignedPayloadTrailer)
				}
				if got := strings.ToLower(sent.Get("X-Amz-Trailer")); got != "x-amz-checksum-"+strings.ToLower(alg) {
					t.Errorf("x-amz-trailer %q", got)
				}
				want := checksumOf(alg, data)
				if got := checksumFields(alg, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
					t.Errorf("PutObject %s = %q, want %q", alg, got, want)
				}
				if aws.ToString(out.ETag) != `"`+md5hex(data)+`"` {
					t.Errorf("ETag %s, want md5 of the decoded payload", aws.ToString(out.ETag))
				}
				got, sum, o := getWithChecksum(t, c, b, key, alg)
				if !bytes.Equal(got, data) {
					t.Errorf("GET returned %d bytes that differ from the %d uploaded", len(got), len(data))
				}
				if sum != want {
					t.Errorf("GET %s = %q, want %q", alg, sum, want)
				}
				if o.ChecksumType != types.ChecksumTypeFullObject {
					t.Errorf("ChecksumType %q, want FULL_OBJECT", o.ChecksumType)
				}
				if aws.ToString(o.ContentEncoding) != "" {
					t.Errorf("stored Content-Encoding %q: aws-chunked must not be kept", aws.ToString(o.ContentEncoding))
				}
				h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				if err != nil {
					t.Fatal(err)
				}
				if hs := checksumFields(alg, h.ChecksumCRC32, h.ChecksumCRC32C, h.ChecksumCRC64NVME, h.ChecksumSHA1, h.ChecksumSHA256); hs != want {
					t.Errorf("HEAD %s = %q, want %q", alg, hs, want)
				}
				if aws.ToInt64(h.ContentLength) != int64(size) {
					t.Errorf("HEAD Content-Length %d, want %d", aws.ToInt64(h.ContentLength), size)
				}
			})
		}
	}
	t.Run("UploadPart", func(t *testing.T) {
		key := "trailer/multipart"
		cr, err := c.CreateMultipartUpload(ctx(), &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatal(err)
		}
		p1, p2 := randomBytes(5*mib, 31), randomBytes(1234, 32)
		var parts []types.CompletedPart
		for i, p := range [][]byte{p1, p2} {
			out, err := c.UploadPart(ctx(), &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String(key), UploadId: cr.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: struct{ io.Reader }{bytes.NewReader(p)}, ContentLength: aws.Int64(int64(len(p))),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.Last(http.MethodPut).Get("X-Amz-Content-Sha256"); got != sigv4.StreamingUnsignedPayloadTrailer {
				t.Fatalf("UploadPart payload mode %q", got)
			}
			if aws.ToString(out.ChecksumCRC32C) != checksumOf("CRC32C", p) {
				t.Errorf("part %d CRC32C %q, want %q", i+1, aws.ToString(out.ChecksumCRC32C), checksumOf("CRC32C", p))
			}
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C})
		}
		done, err := c.CompleteMultipartUpload(ctx(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(key),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		if err != nil {
			t.Fatal(err)
		}
		// The default checksum type of a CRC32C upload is COMPOSITE: the
		// checksum of the parts' raw checksums, suffixed "-N".
		var raw []byte
		for _, p := range [][]byte{p1, p2} {
			sum, _ := base64.StdEncoding.DecodeString(checksumOf("CRC32C", p))
			raw = append(raw, sum...)
		}
		wantComposite := checksumOf("CRC32C", raw) + "-2"
		if got := aws.ToString(done.ChecksumCRC32C); got != wantComposite {
			t.Errorf("Complete ChecksumCRC32C %q, want %q", got, wantComposite)
		}
		if done.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("Complete ChecksumType %q, want COMPOSITE", done.ChecksumType)
		}
		h, err := c.HeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(h.ChecksumCRC32C) != wantComposite || h.ChecksumType != types.ChecksumTypeComposite {
			t.Errorf("HEAD checksum %q type %q, want %q COMPOSITE", aws.ToString(h.ChecksumCRC32C), h.ChecksumType, wantComposite)
		}
		got, _ := get(t, c, b, key)
		if !bytes.Equal(got, append(p1, p2...)) {
			t.Errorf("multipart object with trailing-checksum parts differs")
		}
	})
}

// signedChunkedPut PUTs payload as a signed aws-chunked body; trailers
// non-nil selects STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.
func signedChunkedPut(t *testing.T, bucket, key string, payload []byte, chunk int, trailers http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, env.endpoint+"/"+bucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	mode := sigv4.StreamingPayload
	if trailers != nil {
		mode = sigv4.StreamingPayloadTrailer
		var names []string
		for k := range trailers {
			names = append(names, strings.ToLower(k))
		}
		req.Header.Set("X-Amz-Trailer", strings.Join(names, ","))
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(payload)))
	req.Header.Set("Content-Type", "application/x-chunked")
	auth := sigv4.Sign(req, creds, region, "s3", mode, time.Now())
	body := sigv4.SignChunked(payload, chunk, auth, trailers)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSignedChunked(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	for _, tc := range []struct {
		name       string
		size, chnk int
		alg        string // "" for STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	}{
		{"OneChunk", 1000, 0, ""},
		{"ManyChunks", 300<<10 + 5, 64 << 10, ""},
		{"SmallChunks", 5000, 8 << 10, ""},
		{"TrailerCRC32", 200<<10 + 1, 64 << 10, "CRC32"},
		{"TrailerCRC32C", 777, 0, "CRC32C"},
		{"TrailerCRC64NVME", 1 << 20, 128 << 10, "CRC64NVME"},
		{"TrailerSHA256", 70 << 10, 64 << 10, "SHA256"},
		{"TrailerSHA1", 10, 0, "SHA1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.size, uint64(tc.size))
			var trailers http.Header
			if tc.alg != "" {
				trailers = http.Header{"x-amz-checksum-" + strings.ToLower(tc.alg): {checksumOf(tc.alg, data)}}
			}
			key := "signed/" + tc.name
			resp := signedChunkedPut(t, b, key, data, tc.chnk, trailers)
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("PUT: %s %s", resp.Status, msg)
			}
			if resp.Header.Get("ETag") != `"`+md5hex(data)+`"` {
				t.Errorf("ETag %s, want md5 of the decoded payload", resp.Header.Get("ETag"))
			}
			alg := tc.alg
			if alg == "" {
				alg = "CRC32"
			}
			got, sum, o := getWithChecksum(t, c, b, key, alg)
			if !bytes.Equal(got, data) {
				t.Errorf("GET returned %d bytes that differ from the %d uploaded", len(got), len(data))
			}
			if tc.alg != "" {
				if sum != checksumOf(tc.alg, data) {
					t.Errorf("stored %s %q, want %q", tc.alg, sum, checksumOf(tc.alg, data))
				}
				if h := resp.Header.Get("x-amz-checksum-" + strings.ToLower(tc.alg)); h != checksumOf(tc.alg, data) {
					t.Errorf("PUT response x-amz-checksum-%s = %q", strings.ToLower(tc.alg), h)
				}
			}
			if aws.ToString(o.ContentType) != "application/x-chunked" || aws.ToString(o.ContentEncoding) != "" {
				t.Errorf("Content-Type %q Content-Encoding %q", aws.ToString(o.ContentType), aws.ToString(o.ContentEncoding))
			}
		})
	}
}

func TestPresign(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	ps := s3.NewPresignClient(c)
	body := []byte("presigned content")

	t.Run("PUT", func(t *testing.T) {
		pr, err := ps.PresignPutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("pre signed/obj"),
			ContentType: aws.String("text/x-presigned")}, s3.WithPresignExpires(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if pr.Method != http.MethodPut || !strings.Contains(pr.URL, "X-Amz-Signature=") {
			t.Fatalf("presigned %s %s", pr.Method, pr.URL)
		}
		req, err := http.NewRequest(pr.Method, pr.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range pr.SignedHeader {
			if strings.EqualFold(k, "Host") {
				continue
			}
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %s %s", resp.Status, msg)
		}
		got, o := get(t, c, b, "pre signed/obj")
		if !bytes.Equal(got, body) || aws.ToString(o.ContentType) != "text/x-presigned" {
			t.Errorf("presigned PUT stored %q type %q", got, aws.ToString(o.ContentType))
		}
	})

	t.Run("GET", func(t *testing.T) {
		put(t, c, b, "pre-get", body)
		pr, err := ps.PresignGetObject(ctx(), &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("pre-get"),
			ResponseContentType: aws.String("application/x-from-query")}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(pr.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, body) {
			t.Fatalf("presigned GET: %s %q", resp.Status, got)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-from-query" {
			t.Errorf("Content-Type %q, want the response-content-type override", ct)
		}
		// The URL is bound to its method and key.
		req, _ := http.NewRequest(http.MethodDelete, pr.URL, nil)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("presigned GET URL used for DELETE: %s, want 403", resp.Status)
		}
		if got, _ := get(t, c, b, "pre-get"); !bytes.Equal(got, body) {
			t.Errorf("object changed")
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		put(t, c, b, "pre-head", body)
		pr, err := ps.PresignHeadObject(ctx(), &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("pre-head")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Head(pr.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
			t.Errorf("presigned HEAD: %s length %d", resp.Status, resp.ContentLength)
		}
	})
}

// TestHeaderChecksumsSDK: over plain HTTP with a seekable body the SDK
// sends the flexible checksum as an x-amz-checksum-* header.
func TestHeaderChecksumsSDK(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	b := newBucket(t, c)
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		t.Run(alg, func(t *testing.T) {
			data := randomBytes(150<<10, uint64(len(alg)))
			key := "header/" + alg
			out, err := c.PutObject(ctx(), &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(data),
				ChecksumAlgorithm: types.ChecksumAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			want := checksumOf(alg, data)
			if got := checksumFields(alg, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
				t.Errorf("PutObject %s = %q, want %q", alg, got, want)
			}
			got, sum, _ := getWithChecksum(t, c, b, key, alg)
			if !bytes.Equal(got, data) || sum != want {
				t.Errorf("GET: bytes equal %v, %s %q want %q", bytes.Equal(got, data), alg, sum, want)
			}
		})
	}
}
