package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const replDelay = 20 * time.Millisecond

// replConfig is a replication run from bucket src to dst on endpoint.
func replConfig(endpoint string) Config {
	cfg := testConfig(endpoint)
	cfg.Bucket = "src"
	cfg.ReplicaBucket = "dst"
	cfg.Mix = "put"
	cfg.ObjectSize = 1000
	cfg.ReplicaTimeout = 5 * time.Second
	return cfg
}

func lastDigitOdd(key string) bool { return (key[len(key)-1]-'0')%2 == 1 }

func TestReplicationLag(t *testing.T) {
	f, srv := newFakeS3(t)
	srv2 := httptest.NewServer(f) // the replica endpoint: same fake, other address
	t.Cleanup(srv2.Close)
	f.replicateTo("src", "dst", replDelay, nil)
	cfg := replConfig(srv.URL)
	cfg.ReplicaEndpoint = srv2.URL
	cfg.Ops = 100
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	put, rep := res.Op(OpPut), res.Replication
	if put.Count != 100 || put.Errors != 0 || rep == nil {
		t.Fatalf("put %+v replication %+v errors %v", put, rep, res.ErrorSamples)
	}
	if rep.Objects != 100 || rep.Replicated != 100 || rep.NotReplicated != 0 || rep.Pending != 0 || rep.Errors != 0 {
		t.Fatalf("replication %+v", rep)
	}
	// The replica appears replDelay after the PUT was handled, so no lag is
	// much shorter (the PUT response itself takes some of it); polling every
	// 2..50ms finds it soon after. Loose bounds: the machine may be busy.
	l := rep.Lag
	if l.Min < replDelay/2 || l.P50 < replDelay/2 || l.P50 > 10*replDelay ||
		l.P90 < l.P50 || l.P99 < l.P90 || l.Max < l.P99 || l.Max > 2*time.Second {
		t.Errorf("lag %+v, want near %v", l, replDelay)
	}
	if rep.Elapsed < replDelay || rep.ObjectsPerSec <= 0 || rep.MBPerSec <= 0 ||
		rep.ObjectsPerSec != float64(rep.Replicated)/rep.Elapsed.Seconds() {
		t.Errorf("end to end: %v, %.1f objects/s, %.3f MB/s", rep.Elapsed, rep.ObjectsPerSec, rep.MBPerSec)
	}
	if rep.ReplicaEndpoint != srv2.URL || !strings.HasPrefix(rep.RunPrefix, cfg.KeyPrefix) || !strings.HasSuffix(rep.RunPrefix, "/") {
		t.Errorf("endpoint %q prefix %q", rep.ReplicaEndpoint, rep.RunPrefix)
	}
	f.mu.Lock()
	heads := f.heads
	f.mu.Unlock()
	// About 6 HEADs per object for a 20ms lag; never a busy loop.
	if heads < 100 || heads > 100*15 || int64(heads) != rep.Requests {
		t.Errorf("%d replica HEADs for 100 objects (reported %d)", heads, rep.Requests)
	}
	src, dst := f.objects("src", rep.RunPrefix), f.objects("dst", rep.RunPrefix)
	if len(src) != 100 || len(dst) != 100 {
		t.Fatalf("%d source and %d replica objects under %q", len(src), len(dst), rep.RunPrefix)
	}

	var text bytes.Buffer
	res.WriteText(&text)
	t.Logf("report:\n%s", text.String())
	for _, want := range []string{"replication", "100 of 100 objects replicated, 0 not replicated", "end to end", "dst", rep.RunPrefix} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
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
	if back.Replication == nil || back.Replication.Replicated != 100 || back.Replication.Lag.P50 != l.P50 ||
		!strings.Contains(js.String(), `"not_replicated": 0`) {
		t.Fatalf("json: %s", js.String())
	}

	// A second run uses new keys: the first run's replicas cannot answer.
	res2, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p2 := res2.Replication.RunPrefix; p2 == rep.RunPrefix || res2.Replication.Replicated != 100 {
		t.Fatalf("second run: prefix %q (first %q), %+v", p2, rep.RunPrefix, res2.Replication)
	}
	if n := len(f.objects("src", cfg.KeyPrefix)); n != 200 {
		t.Fatalf("%d distinct source keys after two runs, want 200", n)
	}
}

func TestReplicationNotReplicatedAndErrors(t *testing.T) {
	f, srv := newFakeS3(t)
	f.replicateTo("src", "dst", replDelay, lastDigitOdd)
	failed := map[string]bool{}
	f.failHead = func(key string) bool { // the first HEAD of keys ending in 2 fails
		if strings.HasSuffix(key, "2") && !failed[key] {
			failed[key] = true
			return true
		}
		return false
	}
	cfg := replConfig(srv.URL)
	cfg.Ops = 20
	cfg.ReplicaTimeout = 200 * time.Millisecond
	t0 := time.Now()
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < cfg.ReplicaTimeout {
		t.Errorf("run took %v, less than the replica timeout", d)
	}
	rep := res.Replication
	if res.Op(OpPut).Count != 20 || rep.Replicated != 10 || rep.NotReplicated != 10 || rep.Pending != 0 {
		t.Fatalf("put %+v replication %+v", res.Op(OpPut), rep)
	}
	if rep.Errors != 2 || len(res.ErrorSamples) != 1 || res.ErrorSamples[0] != "replica HEAD: 500 Internal Server Error" {
		t.Fatalf("errors %d samples %q", rep.Errors, res.ErrorSamples)
	}
	// Polling backs off: about a dozen HEADs per missing object in 200ms.
	f.mu.Lock()
	heads := f.heads
	f.mu.Unlock()
	if heads > 20*20 {
		t.Errorf("%d HEADs for 20 objects in %v", heads, cfg.ReplicaTimeout)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	t.Logf("report:\n%s", text.String())
	if !strings.Contains(text.String(), "10 of 20 objects replicated, 10 not replicated within 200ms") {
		t.Errorf("report:\n%s", text.String())
	}
}

func TestReplicationBacklog(t *testing.T) {
	f, srv := newFakeS3(t)
	f.replicateTo("src", "dst", replDelay, nil)
	f.listPage = 7 // paginate the replica listing
	cfg := replConfig(srv.URL)
	cfg.ReplicaBacklog = true
	cfg.Ops = 50
	cfg.Duration = 50 * time.Millisecond // ignored: all Ops objects are written
	cfg.Cleanup = true
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	put, rep := res.Op(OpPut), res.Replication
	if put.Count != 50 || put.Errors != 0 || rep == nil || !rep.Backlog {
		t.Fatalf("put %+v replication %+v errors %v", put, rep, res.ErrorSamples)
	}
	if rep.Objects != 50 || rep.Replicated != 50 || rep.NotReplicated != 0 || rep.Requests < 1 || rep.Errors != 0 {
		t.Fatalf("replication %+v", rep)
	}
	if rep.WriteElapsed != res.Elapsed || rep.WriteObjectsPerSec <= 0 || rep.Elapsed < replDelay ||
		rep.ObjectsPerSec <= 0 || rep.Lag != (Latency{}) {
		t.Fatalf("backlog timing %+v", rep)
	}
	f.mu.Lock()
	heads, pages := f.heads, f.versionPages
	f.mu.Unlock()
	if heads != 0 {
		t.Errorf("backlog mode sent %d HEADs", heads)
	}
	// Each complete replica listing is 8 pages (50 keys, 7 per page); the
	// cleanup lists both buckets once more.
	if pages < 8*int(rep.Requests) {
		t.Errorf("%d ListObjectVersions pages for %d listings", pages, rep.Requests)
	}
	if res.Cleanup == nil || res.Cleanup.Objects != 100 || res.Cleanup.Errors != 0 ||
		len(f.objects("src", cfg.KeyPrefix)) != 0 || len(f.objects("dst", cfg.KeyPrefix)) != 0 {
		t.Fatalf("cleanup %+v", res.Cleanup)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	t.Logf("report:\n%s", text.String())
	if !strings.Contains(text.String(), "backlog  wrote 50 objects") || !strings.Contains(text.String(), "drain: all 50 readable") {
		t.Errorf("report:\n%s", text.String())
	}
}

func TestReplicationBacklogTimeout(t *testing.T) {
	f, srv := newFakeS3(t)
	f.replicateTo("src", "dst", replDelay, lastDigitOdd)
	cfg := replConfig(srv.URL)
	cfg.ReplicaBacklog = true
	cfg.Ops = 10
	cfg.ReplicaTimeout = 300 * time.Millisecond
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Replication
	if rep.Objects != 10 || rep.Replicated != 5 || rep.NotReplicated != 5 || rep.Elapsed <= 0 {
		t.Fatalf("replication %+v", rep)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	t.Logf("report:\n%s", text.String())
	if !strings.Contains(text.String(), "5 of 10 readable") || !strings.Contains(text.String(), "5 not replicated") {
		t.Errorf("report:\n%s", text.String())
	}
}

func TestReplicationMultipartCleanupAndProgress(t *testing.T) {
	f, srv := newFakeS3(t)
	f.replicateTo("src", "dst", replDelay, nil)
	cfg := replConfig(srv.URL)
	cfg.Multipart = true
	cfg.ObjectSize, cfg.PartSize = 100_000, 30_000
	cfg.Rate = 20
	cfg.Ops = 25 // >= 1.2s at 20/s: at least one progress line
	cfg.Cleanup = true
	var out syncBuffer
	res, err := Run(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	f.checkClean(t)
	rep := res.Replication
	if res.Op(OpPut).Count != 25 || rep.Replicated != 25 || res.Op(OpPart).Count != 100 {
		t.Fatalf("put %+v part %+v replication %+v %v", res.Op(OpPut), res.Op(OpPart), rep, res.ErrorSamples)
	}
	if res.Elapsed < 1100*time.Millisecond { // 25 slots 50ms apart
		t.Errorf("rate 20/s: 25 PUTs in %v", res.Elapsed)
	}
	if !strings.Contains(out.String(), "replicated=") || !strings.Contains(out.String(), "lag p50=") {
		t.Errorf("progress: %q", out.String())
	}
	t.Logf("progress:\n%s", out.String())
	if res.Cleanup.Objects != 50 || res.Cleanup.Errors != 0 || len(f.objects("src", "")) != 0 || len(f.objects("dst", "")) != 0 {
		t.Fatalf("cleanup %+v", res.Cleanup)
	}
}

func TestReplicationSetupErrors(t *testing.T) {
	f, srv := newFakeS3(t)
	ctx := context.Background()

	// Neither bucket is created by the bench.
	cfg := replConfig(srv.URL)
	cfg.Ops = 1
	_, err := Run(ctx, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `source bucket "src" does not exist`) {
		t.Fatalf("missing source: %v", err)
	}
	f.mu.Lock()
	f.bucket["src"] = true
	f.mu.Unlock()
	_, err = Run(ctx, cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `replica bucket "dst" does not exist`) {
		t.Fatalf("missing replica: %v", err)
	}
	f.mu.Lock()
	if f.bucket["dst"] || f.puts != 0 {
		t.Errorf("bench created the replica bucket or wrote objects")
	}
	f.bucket["dst"] = true
	f.mu.Unlock()

	// Wrong replica credentials fail before any PUT.
	bad := cfg
	bad.ReplicaAccessKeyID, bad.ReplicaSecretAccessKey = "OTHER", "x"
	if _, err := Run(ctx, bad, nil); err == nil || !strings.Contains(err.Error(), `replica bucket "dst"`) ||
		!strings.Contains(err.Error(), "403") {
		t.Fatalf("bad replica credentials: %v", err)
	}

	// An unversioned source bucket returns no version id: every PUT fails.
	cfg.Ops = 3
	res, err := Run(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if put := res.Op(OpPut); put.Errors != 3 || len(res.ErrorSamples) != 1 ||
		!strings.Contains(res.ErrorSamples[0], "no x-amz-version-id") || res.Replication.Objects != 0 {
		t.Fatalf("unversioned: put %+v samples %q", put, res.ErrorSamples)
	}

	for name, c := range map[string]Config{
		"mix":             func() Config { c := replConfig(srv.URL); c.Mix = "put,get"; return c }(),
		"same bucket":     func() Config { c := replConfig(srv.URL); c.ReplicaBucket = c.Bucket; return c }(),
		"backlog no ops":  func() Config { c := replConfig(srv.URL); c.ReplicaBacklog = true; return c }(),
		"backlog no repl": func() Config { c := testConfig(srv.URL); c.ReplicaBacklog = true; c.Ops = 5; return c }(),
		"bad endpoint":    func() Config { c := replConfig(srv.URL); c.ReplicaEndpoint = "dst:9000"; return c }(),
		"negative rate":   func() Config { c := testConfig(srv.URL); c.Rate = -1; return c }(),
	} {
		if _, err := Run(ctx, c, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestReplicationDefaults(t *testing.T) {
	cfg, _, err := Config{Endpoint: "http://h", AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t",
		Region: "eu-west-1", ReplicaBucket: "dst"}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReplicaEndpoint != "http://h" || cfg.ReplicaRegion != "eu-west-1" || cfg.ReplicaAccessKeyID != "a" ||
		cfg.ReplicaSecretAccessKey != "s" || cfg.ReplicaSessionToken != "t" ||
		cfg.ReplicaTimeout != DefaultReplicaTimeout || cfg.PollInterval != DefaultPollInterval {
		t.Fatalf("%+v", cfg)
	}
	cfg, _, err = Config{Endpoint: "http://h", AccessKeyID: "a", ReplicaBucket: "dst", ReplicaBacklog: true,
		Ops: 10, Duration: time.Second}.normalize()
	if err != nil || cfg.Duration != 0 || cfg.Ops != 10 {
		t.Fatalf("backlog: %+v %v", cfg, err)
	}
}

func TestPacer(t *testing.T) {
	p := newPacer(100) // 10ms slots
	t0 := time.Unix(1000, 0)
	for i := range 5 {
		if got := p.reserve(t0); got != t0.Add(time.Duration(i)*10*time.Millisecond) {
			t.Fatalf("slot %d at %v", i, got.Sub(t0))
		}
	}
	// After a 10s stall only about one second of slots is already due.
	now := t0.Add(10 * time.Second)
	due := 0
	for p.reserve(now).Compare(now) <= 0 {
		due++
	}
	if due < 100 || due > 102 {
		t.Errorf("%d slots due after a stall, want ~100", due)
	}
}

func TestRunRate(t *testing.T) {
	_, srv := newFakeS3(t)
	cfg := testConfig(srv.URL)
	cfg.ObjectSize = 100
	cfg.Rate = 100
	cfg.Duration = time.Second
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Slots are 10ms apart from the start: at most 101 in one second. The
	// lower bound only guards against a pacer that blocks.
	if n := res.Op(OpPut).Count; n > 105 || n < 30 {
		t.Fatalf("%d PUTs in %v at 100/s", n, res.Elapsed)
	}
	if res.Rate != 100 {
		t.Fatalf("rate %d", res.Rate)
	}
}

func TestReplicationInterrupted(t *testing.T) {
	f, srv := newFakeS3(t)
	f.replicateTo("src", "dst", replDelay, func(string) bool { return true }) // never replicates
	cfg := replConfig(srv.URL)
	cfg.Ops = 5
	cfg.ReplicaTimeout = time.Minute
	cfg.Cleanup = true
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	res, err := Run(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Fatalf("run took %v after cancel", d)
	}
	rep := res.Replication
	if !res.Interrupted || rep.Pending != 5 || rep.NotReplicated != 0 || rep.Replicated != 0 || rep.Errors != 0 ||
		res.Cleanup == nil || !res.Cleanup.Skipped || res.Objects != 5 {
		t.Fatalf("interrupted %v objects %d replication %+v cleanup %+v samples %v",
			res.Interrupted, res.Objects, rep, res.Cleanup, res.ErrorSamples)
	}
	var text bytes.Buffer
	res.WriteText(&text)
	if !strings.Contains(text.String(), "5 still awaited when interrupted") {
		t.Errorf("report:\n%s", text.String())
	}
}
