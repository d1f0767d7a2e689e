package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func testConfig(endpoint string) Config {
	cfg := DefaultConfig()
	cfg.Endpoint = endpoint
	cfg.AccessKeyID = testAKID
	cfg.SecretAccessKey = testSecret
	cfg.Bucket = "bench-test"
	cfg.KeyPrefix = "dir with space/ü+&=/"
	cfg.Duration = 0
	cfg.Concurrency = 4
	return cfg
}

func TestRunPutGetList(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Mix = "put=30,get=60,list=10"
	cfg.ObjectSize = 10_000 // signed payload
	cfg.Objects = 20
	cfg.Ops = 300
	cfg.Cleanup = true
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	if !res.BucketCreated || res.Prefill == nil || res.Prefill.Objects != 20 || res.Prefill.Existing != 0 {
		t.Fatalf("bucket created %v, prefill %+v", res.BucketCreated, res.Prefill)
	}
	put, get, list := res.Op(OpPut), res.Op(OpGet), res.Op(OpList)
	if put == nil || get == nil || list == nil || res.Op(OpPart) != nil {
		t.Fatalf("rows: %+v", res.Ops)
	}
	if res.Total.Count != 300 || res.Total.Errors != 0 {
		t.Fatalf("total %+v, errors %v", res.Total, res.ErrorSamples)
	}
	if put.Count == 0 || get.Count == 0 || list.Count == 0 {
		t.Fatalf("mix not exercised: put %d get %d list %d", put.Count, get.Count, list.Count)
	}
	if put.Bytes != put.Count*cfg.ObjectSize || get.Bytes != get.Count*cfg.ObjectSize {
		t.Fatalf("bytes: put %d/%d get %d/%d", put.Bytes, put.Count, get.Bytes, get.Count)
	}
	if list.Bytes == 0 {
		t.Fatal("list bytes not counted")
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if want := int(put.Count) + res.Prefill.Objects; f.puts != want {
		t.Errorf("server saw %d PUTs, want %d", f.puts, want)
	}
	if f.putBytes != int64(f.puts)*cfg.ObjectSize {
		t.Errorf("server received %d PUT bytes for %d PUTs", f.putBytes, f.puts)
	}
	if int64(f.gets) != get.Count || f.getBytes != get.Bytes {
		t.Errorf("server GETs %d/%d bytes, client %d/%d", f.gets, f.getBytes, get.Count, get.Bytes)
	}
	if f.lists != int(list.Count)+1 { // +1: prefill listing
		t.Errorf("server LISTs %d, client %d", f.lists, list.Count)
	}
	if f.hashes["sha256"] == 0 || f.hashes["unsigned"] != 0 {
		t.Errorf("payload hashes: %v", f.hashes)
	}
	if res.Cleanup == nil || res.Cleanup.Objects != 20 || res.Cleanup.Errors != 0 || len(f.obj) != 0 {
		t.Errorf("cleanup %+v, %d objects left", res.Cleanup, len(f.obj))
	}
	for _, o := range res.Ops {
		l := o.Latency
		if l.Min <= 0 || l.P50 < l.Min || l.P90 < l.P50 || l.P99 < l.P90 || l.Max < l.P99 || l.Mean <= 0 {
			t.Errorf("%s latency not ordered: %+v", o.Op, l)
		}
	}
}

func TestRunLargeObjectsUnsignedAndPrefillReuse(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Mix = "get"
	cfg.ObjectSize = 3<<20 + 17 // > pattern size, odd length
	cfg.Objects = 3
	cfg.Duration = 300 * time.Millisecond
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	get := res.Op(OpGet)
	if get.Count == 0 || get.Errors != 0 || get.Bytes != get.Count*cfg.ObjectSize {
		t.Fatalf("get %+v errors %v", get, res.ErrorSamples)
	}
	if res.Elapsed < cfg.Duration {
		t.Errorf("elapsed %v < duration %v", res.Elapsed, cfg.Duration)
	}
	objs := f.objects(cfg.Bucket, cfg.KeyPrefix)
	if len(objs) != 3 {
		t.Fatalf("%d objects stored", len(objs))
	}
	for k, b := range objs {
		if int64(len(b)) != cfg.ObjectSize || !bytes.Equal(b[patternSize:2*patternSize], b[:patternSize]) {
			t.Fatalf("%s: bad content (len %d)", k, len(b))
		}
	}
	f.mu.Lock()
	unsigned, puts := f.hashes["unsigned"], f.puts
	f.mu.Unlock()
	if unsigned != 3 {
		t.Errorf("want 3 UNSIGNED-PAYLOAD PUTs, got %d", unsigned)
	}

	// A second run finds the objects and uploads nothing.
	cfg.Ops, cfg.Duration = 5, 0
	res, err = Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.BucketCreated || res.Prefill.Objects != 0 || res.Prefill.Existing != 3 || res.Op(OpGet).Count != 5 {
		t.Fatalf("second run: created %v prefill %+v get %+v", res.BucketCreated, res.Prefill, res.Op(OpGet))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.puts != puts {
		t.Errorf("second run uploaded %d objects", f.puts-puts)
	}
}

func TestRunMultipart(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Mix = "put"
	cfg.Multipart = true
	cfg.ObjectSize = 2*patternSize + 1000
	cfg.PartSize = 700_000 // 3 parts, last one short; not a divisor of the pattern
	cfg.Objects = 2
	cfg.Concurrency = 3
	cfg.Ops = 5
	cfg.UnsignedPayload = true
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	put, part := res.Op(OpPut), res.Op(OpPart)
	if put.Count != 5 || put.Errors != 0 || put.Bytes != 5*cfg.ObjectSize {
		t.Fatalf("put %+v errors %v", put, res.ErrorSamples)
	}
	if part == nil || part.Count != 15 || part.Bytes != put.Bytes || part.Errors != 0 {
		t.Fatalf("part row %+v", part)
	}
	if res.Total.Count != 5 || res.Total.Bytes != put.Bytes {
		t.Fatalf("total must exclude parts: %+v", res.Total)
	}
	f.mu.Lock()
	if f.completes != 5 || f.parts != 15 || f.partBytes != 5*cfg.ObjectSize || f.puts != 0 || len(f.up) != 0 {
		t.Errorf("server: completes %d parts %d bytes %d puts %d open %d", f.completes, f.parts, f.partBytes, f.puts, len(f.up))
	}
	if f.hashes["sha256"] != 5 { // only the CompleteMultipartUpload bodies are hashed
		t.Errorf("hashes %v", f.hashes)
	}
	f.mu.Unlock()
	objs := f.objects(cfg.Bucket, cfg.KeyPrefix)
	if len(objs) != 2 {
		t.Fatalf("%d objects", len(objs))
	}
	for k, b := range objs {
		// Parts continue the pattern, so the object is the pattern repeated.
		if int64(len(b)) != cfg.ObjectSize || !bytes.Equal(b[patternSize:2*patternSize], b[:patternSize]) ||
			!bytes.Equal(b[2*patternSize:], b[:1000]) {
			t.Fatalf("%s: bad content", k)
		}
	}
}

func TestRunMultipartFailureAborts(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Multipart = true
	cfg.ObjectSize, cfg.PartSize = 100_000, 30_000
	cfg.Ops = 2
	// Part 2 gets a wrong ETag, so completing reports InvalidPart (in a 200).
	f.badPartETag = 2
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	put := res.Op(OpPut)
	if put.Count != 0 || put.Errors != 2 || len(res.ErrorSamples) == 0 ||
		!strings.Contains(res.ErrorSamples[0], "InvalidPart") {
		t.Fatalf("put %+v samples %v", put, res.ErrorSamples)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.aborts != 2 || len(f.up) != 0 {
		t.Errorf("aborts %d, open uploads %d", f.aborts, len(f.up))
	}
}

func TestRunCountsErrors(t *testing.T) {
	f, srv := newFakeS3(t)
	f.failGet = func(key string) bool { return strings.HasSuffix(key, "1") }
	cfg := testConfig(srv.URL)
	cfg.Mix = "get"
	cfg.ObjectSize = 100
	cfg.Objects = 10
	cfg.Ops = 200
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	get := res.Op(OpGet)
	if get.Count+get.Errors != 200 || get.Errors == 0 || get.Count == 0 {
		t.Fatalf("get %+v", get)
	}
	if len(res.ErrorSamples) != 1 || !strings.Contains(res.ErrorSamples[0], "500 InternalError") {
		t.Fatalf("samples %q", res.ErrorSamples)
	}
	if get.Bytes != get.Count*100 {
		t.Fatalf("bytes %d for %d gets", get.Bytes, get.Count)
	}
}

func TestRunBadCredentials(t *testing.T) {
	_, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.SecretAccessKey = "wrong"
	_, err := Run(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "403 SignatureDoesNotMatch") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunInterruptAndProgress(t *testing.T) {
	_, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.ObjectSize = 1000
	cfg.Duration = time.Minute
	cfg.Cleanup = true
	ctx, cancel := context.WithTimeout(context.Background(), 1300*time.Millisecond)
	defer cancel()
	var out syncBuffer
	t0 := time.Now()
	res, err := Run(ctx, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Fatalf("run took %v after cancel", d)
	}
	if !res.Interrupted || res.Cleanup == nil || !res.Cleanup.Skipped || res.Op(OpPut).Count == 0 {
		t.Fatalf("interrupted %v cleanup %+v put %+v", res.Interrupted, res.Cleanup, res.Op(OpPut))
	}
	if res.Op(OpPut).Errors != 0 {
		t.Fatalf("cancellation counted as errors: %v", res.ErrorSamples)
	}
	if !strings.Contains(out.String(), "ops/s") {
		t.Fatalf("no progress line: %q", out.String())
	}
}

func TestReportOutput(t *testing.T) {
	_, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Mix = "put=1,get=1"
	cfg.ObjectSize = 2048
	cfg.Objects = 5
	cfg.Ops = 40
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	t.Logf("report:\n%s", text.String())
	for _, want := range []string{"ops/s", "MB/s", "p99", "put", "get", "total", "mix put=1,get=1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := res.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Total.Count != 40 || len(back.Ops) != 2 || back.Ops[0].Latency.P50 != res.Ops[0].Latency.P50 {
		t.Fatalf("json round trip: %+v", back)
	}
	if strings.Contains(js.String(), testSecret) {
		t.Fatal("secret in JSON")
	}
}

func TestParseMix(t *testing.T) {
	m, err := ParseMix(" PUT=20, get=70 ,list=10")
	if err != nil || m[OpPut] != 20 || m[OpGet] != 70 || m[OpList] != 10 {
		t.Fatalf("%v %v", m, err)
	}
	m, err = ParseMix("get")
	if err != nil || len(m) != 1 || m[OpGet] != 100 {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"delete", "put=x", "put=-1", "put=1,put=2", "put=0", "get=0,list=0"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Endpoint: "127.0.0.1:9000", AccessKeyID: "a"},
		{Endpoint: "http://h", AccessKeyID: ""},
		{Endpoint: "http://h", AccessKeyID: "a", ObjectSize: -1},
		{Endpoint: "http://h", AccessKeyID: "a", Multipart: true, ObjectSize: 1 << 40, PartSize: 1 << 20},
	} {
		if _, _, err := cfg.normalize(); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
	cfg, _, err := Config{Endpoint: "http://h", AccessKeyID: "a"}.normalize()
	if err != nil || cfg.Duration != DefaultDuration || cfg.Concurrency != DefaultConcurrency || cfg.Bucket != DefaultBucket {
		t.Fatalf("%+v %v", cfg, err)
	}
}

func TestHistogramAccuracy(t *testing.T) {
	var h histogram
	rng := rand.New(rand.NewPCG(1, 2))
	samples := make([]time.Duration, 200_000)
	for i := range samples {
		// log-normal around 2ms, spanning ns to seconds
		d := time.Duration(math.Exp(rng.NormFloat64()*2.5 + math.Log(2e6)))
		samples[i] = d
		h.record(d)
	}
	slices.Sort(samples)
	s := h.snapshot()
	for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999} {
		exact := samples[int(math.Ceil(q*float64(len(samples))))-1]
		got := s.quantile(q)
		if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.01 {
			t.Errorf("q%.3f: got %v exact %v (%.2f%%)", q, got, exact, rel*100)
		}
	}
	if s.minNs != int64(samples[0]) || s.maxNs != int64(samples[len(samples)-1]) || s.count != uint64(len(samples)) {
		t.Errorf("min/max/count %d %d %d", s.minNs, s.maxNs, s.count)
	}
	for v := uint64(0); v < 1<<20; v += 7 {
		lo, w := histBounds(histIndex(v))
		if v < lo || v >= lo+w {
			t.Fatalf("value %d outside bucket [%d,%d)", v, lo, lo+w)
		}
	}
	if idx := histIndex(math.MaxUint64); idx != histBuckets-1 {
		t.Fatalf("clamp index %d", idx)
	}
}

func TestPatternReader(t *testing.T) {
	pat := []byte("0123456789")
	for _, tc := range []struct{ start, n int64 }{{0, 25}, {7, 3}, {9, 11}, {3, 0}} {
		want := bytes.Repeat(pat, 10)[tc.start : tc.start+tc.n]
		r1 := &patternReader{pat: pat, pos: int(tc.start), remaining: tc.n}
		got1, _ := io.ReadAll(struct{ io.Reader }{r1}) // plain Read path
		r2 := &patternReader{pat: pat, pos: int(tc.start), remaining: tc.n}
		var got2 bytes.Buffer
		if _, err := io.Copy(&got2, r2); err != nil { // WriteTo path
			t.Fatal(err)
		}
		if !bytes.Equal(got1, want) || !bytes.Equal(got2.Bytes(), want) {
			t.Errorf("%+v: read %q writeTo %q want %q", tc, got1, got2.Bytes(), want)
		}
	}
	if got := s3Escape("a b/ü+~.-_"); got != "a%20b/%C3%BC%2B~.-_" {
		t.Errorf("s3Escape = %q", got)
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0", 999: "999ns", 1500: "1.50µs", 12_345_678: "12.3ms", 2500 * time.Millisecond: "2.50s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%d) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{100: "100 B", 1 << 20: "1.00 MiB", 1536: "1.50 KiB", 5 << 30: "5.00 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunRandomPuts: PUTs overwrite keys chosen at random among Objects,
// and cleanup removes whichever were written.
func TestRunRandomPuts(t *testing.T) {
	f, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.Mix = "put"
	cfg.ObjectSize = 100
	cfg.Objects = 1000
	cfg.Ops = 40
	cfg.RandomPuts = true
	keys := func() []string {
		f.mu.Lock()
		defer f.mu.Unlock()
		var out []string
		for k := range f.obj {
			out = append(out, k)
		}
		return out
	}
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	written := keys()
	beyond := 0
	for _, k := range written {
		var i int
		if _, err := fmt.Sscanf(k[strings.LastIndexByte(k, '/')+1:], "%d", &i); err == nil && i >= cfg.Ops {
			beyond++
		}
	}
	if len(written) == 0 || beyond == 0 {
		t.Fatalf("%d keys written, %d beyond the first %d: not random (%v)", len(written), beyond, cfg.Ops, written)
	}
	cfg.Ops, cfg.Cleanup = 1, true
	if _, err := Run(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	if left := keys(); len(left) != 0 {
		t.Fatalf("cleanup left %d keys: %v", len(left), left)
	}
	f.checkClean(t)
}
