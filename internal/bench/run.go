package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const maxErrorSamples = 10

// opStats accumulates one operation type; all fields are updated atomically
// by the workers.
type opStats struct {
	name   string
	count  atomic.Int64 // successful operations
	errors atomic.Int64
	bytes  atomic.Int64
	hist   histogram
}

func (s *opStats) done(n int64, d time.Duration) {
	s.count.Add(1)
	s.bytes.Add(n)
	s.hist.record(d)
}

type runner struct {
	cfg      Config
	mix      []mixEntry
	c        *client
	sem      chan struct{} // run-wide limit on in-flight UploadPart requests
	keyWidth int
	listQ    string

	stats map[string]*opStats // fixed before workers start
	order []*opStats          // report order: mix ops, then part

	putSeq    atomic.Int64 // PUTs issued in the timed phase
	prefilled bool
	pacer     *pacer // nil unless Rate is set

	// Replication mode (nil/"" otherwise).
	rc        *client      // reads the replica bucket
	runPrefix string       // KeyPrefix + run id + "/": every key of this run
	watch     *replWatcher // per-object lag mode
	epoch     time.Time    // reference for the atomic timestamps below
	firstPut  atomic.Int64 // ns since epoch when the first timed PUT started (0: none yet)

	errMu      sync.Mutex
	errSamples []string
}

// Run executes the benchmark described by cfg: it ensures the bucket exists,
// uploads the key set if the mix reads it (untimed), runs the timed phase and
// optionally deletes the objects. A progress line is written to progress
// (if non-nil) every second.
//
// In replication mode (cfg.ReplicaBucket set) both buckets must already
// exist; every PUT writes a new key under a per-run prefix, and Run waits
// after the timed phase until the objects are readable in the replica bucket
// (or time out), see Config.ReplicaBucket and Config.ReplicaBacklog.
//
// If ctx is cancelled during the timed phase, Run returns the partial result
// with Interrupted set and a nil error (cleanup is then skipped). Errors before
// the timed phase (bad config, bucket creation, a failed prefill upload) are
// returned as errors. Failed operations in the timed phase are counted in the
// result, not returned.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Result, error) {
	cfg, mix, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	defer c.close()

	var rc *client
	created := false
	if cfg.Replication() {
		if rc, err = newClient(cfg.replicaClientConfig()); err != nil {
			return nil, err
		}
		defer rc.close()
		if err := checkBucket(ctx, c, "source"); err != nil {
			return nil, err
		}
		if err := checkBucket(ctx, rc, "replica"); err != nil {
			return nil, err
		}
	} else if created, err = c.ensureBucket(ctx); err != nil {
		return nil, err
	}
	r := newRunner(cfg, mix, c)
	res := r.newResult()
	res.BucketCreated = created
	if rc != nil {
		r.rc = rc
		r.runPrefix = cfg.KeyPrefix + newRunID() + "/"
		if !cfg.ReplicaBacklog {
			r.watch = newReplWatcher(r, rc)
			r.watch.start(ctx, cfg.Concurrency)
			defer r.watch.stop()
		}
	}

	if r.needsPrefill() {
		ph, err := r.prefill(ctx, progress)
		if err != nil {
			return nil, err
		}
		res.Prefill = ph
		r.prefilled = true
	}

	elapsed, interrupted := r.measure(ctx, progress)
	r.fillResult(res, elapsed)
	if rc != nil {
		res.Objects = int(r.putSeq.Load()) // one new key per PUT
		res.Replication = r.awaitReplicas(ctx, progress, res)
		interrupted = interrupted || ctx.Err() != nil
	}
	res.Interrupted = interrupted

	if cfg.Cleanup {
		switch {
		case interrupted:
			res.Cleanup = &Phase{Skipped: true}
		case rc != nil:
			res.Cleanup = r.cleanupVersions(ctx, progress)
		default:
			res.Cleanup = r.cleanup(ctx, progress)
		}
	}
	res.ErrorSamples = r.errorSamples() // again: replica polls and cleanup add samples
	return res, nil
}

func newRunner(cfg Config, mix []mixEntry, c *client) *runner {
	r := &runner{
		cfg:      cfg,
		mix:      mix,
		c:        c,
		sem:      make(chan struct{}, cfg.Concurrency),
		keyWidth: max(8, len(strconv.Itoa(cfg.Objects-1))),
		listQ:    listQuery(cfg.KeyPrefix, ""),
		stats:    map[string]*opStats{},
		epoch:    time.Now(),
	}
	if cfg.Rate > 0 {
		r.pacer = newPacer(cfg.Rate)
	}
	for _, e := range mix {
		r.addStats(e.op)
	}
	if cfg.Multipart && r.stats[OpPut] != nil {
		r.addStats(OpPart)
	}
	return r
}

func (r *runner) addStats(op string) {
	s := &opStats{name: op}
	r.stats[op] = s
	r.order = append(r.order, s)
}

func (r *runner) needsPrefill() bool {
	return r.stats[OpGet] != nil || r.stats[OpList] != nil
}

// key returns the name of object i.
func (r *runner) key(i int) string {
	s := strconv.Itoa(i)
	if pad := r.keyWidth - len(s); pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	return r.cfg.KeyPrefix + s
}

// runKey returns the key of the n-th PUT of a replication run; keys are never
// reused, so a replica from an earlier run or PUT cannot answer for this one.
func (r *runner) runKey(n int64) string {
	s := strconv.FormatInt(n, 10)
	if pad := 8 - len(s); pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	return r.runPrefix + s
}

// newRunID names a replication run: UTC start time and a random suffix.
func newRunID() string {
	return fmt.Sprintf("%s-%04x", time.Now().UTC().Format("20060102T150405"), rand.Uint32()&0xffff)
}

// sinceEpoch returns t as nanoseconds since r.epoch (at least 1, so 0 can
// mean "unset").
func (r *runner) sinceEpoch(t time.Time) int64 { return max(1, int64(t.Sub(r.epoch))) }

func (r *runner) markFirstPut(t time.Time) {
	if r.firstPut.Load() == 0 {
		r.firstPut.CompareAndSwap(0, r.sinceEpoch(t))
	}
}

func (r *runner) errorSamples() []string {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return append([]string(nil), r.errSamples...)
}

func (r *runner) noteError(err error) {
	msg := err.Error()
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if len(r.errSamples) >= maxErrorSamples {
		return
	}
	for _, s := range r.errSamples {
		if s == msg {
			return
		}
	}
	r.errSamples = append(r.errSamples, msg)
}

// put uploads key with the configured method and returns its version id;
// onPart may be nil.
func (r *runner) put(ctx context.Context, key string, onPart partFunc) (string, error) {
	if r.cfg.Multipart {
		return r.c.putMultipart(ctx, key, r.cfg.ObjectSize, r.cfg.PartSize, r.cfg.Concurrency, r.sem, onPart)
	}
	return r.c.putObject(ctx, key, r.cfg.ObjectSize)
}

// prefill uploads the keys that do not already exist with the right size.
func (r *runner) prefill(ctx context.Context, progress io.Writer) (*Phase, error) {
	start := time.Now()
	have, err := r.c.existingSizes(ctx, r.cfg.KeyPrefix)
	if err != nil {
		return nil, fmt.Errorf("bench: prefill: %w", err)
	}
	var missing []int
	for i := range r.cfg.Objects {
		if size, ok := have[r.key(i)]; !ok || size != r.cfg.ObjectSize {
			missing = append(missing, i)
		}
	}
	ph := &Phase{Objects: len(missing), Existing: r.cfg.Objects - len(missing)}
	if len(missing) == 0 {
		ph.Elapsed = time.Since(start)
		return ph, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, done atomic.Int64
	stopProgress := startProgress(progress, func(el, _ time.Duration) string {
		return fmt.Sprintf("prefill %5.0fs  %d/%d objects", el.Seconds(), done.Load(), len(missing))
	})
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(missing)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				j := int(next.Add(1) - 1)
				if j >= len(missing) {
					return
				}
				if _, err := r.put(ctx, r.key(missing[j]), nil); err != nil {
					cancel(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	stopProgress()
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("bench: prefill: %w", err)
	}
	ph.Bytes = int64(len(missing)) * r.cfg.ObjectSize
	ph.Elapsed = time.Since(start)
	return ph, nil
}

// measure runs the timed phase and returns its length and whether ctx was
// cancelled.
func (r *runner) measure(ctx context.Context, progress io.Writer) (time.Duration, bool) {
	var (
		stop   atomic.Bool
		stopCh = make(chan struct{}) // closed with stop; wakes paced workers
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	cum := make([]int, len(r.mix))
	total := 0
	for i, e := range r.mix {
		total += e.weight
		cum[i] = total
	}
	pick := func(rng *rand.Rand) string {
		if len(r.mix) == 1 {
			return r.mix[0].op
		}
		x := rng.IntN(total)
		for i, c := range cum {
			if x < c {
				return r.mix[i].op
			}
		}
		return r.mix[len(r.mix)-1].op
	}
	var onPart partFunc
	if ps := r.stats[OpPart]; ps != nil {
		onPart = func(n int64, d time.Duration, err error) {
			switch {
			case err == nil:
				ps.done(n, d)
			case ctx.Err() == nil:
				ps.errors.Add(1)
			}
		}
	}

	start := time.Now()
	if r.cfg.Duration > 0 {
		t := time.AfterFunc(r.cfg.Duration, func() {
			stop.Store(true)
			close(stopCh)
		})
		defer t.Stop()
	}
	var lastOps, lastBytes int64
	stopProgress := startProgress(progress, func(el, since time.Duration) string {
		var ops, errs, moved int64
		for _, st := range r.order {
			// With multipart, bytes are counted as parts complete.
			if !(st.name == OpPart || st.name == OpPut && r.stats[OpPart] != nil) {
				moved += st.bytes.Load()
			}
			if st.name != OpPart {
				ops += st.count.Load()
				errs += st.errors.Load()
			}
		}
		if ps := r.stats[OpPart]; ps != nil {
			moved += ps.bytes.Load()
		}
		sec := since.Seconds()
		rate, mbps := float64(ops+errs-lastOps)/sec, float64(moved-lastBytes)/1e6/sec
		lastOps, lastBytes = ops+errs, moved
		line := fmt.Sprintf("bench %5.0fs  ops=%d  %.0f ops/s  %.1f MB/s  errors=%d", el.Seconds(), ops, rate, mbps, errs)
		if w := r.watch; w != nil {
			line += fmt.Sprintf("  replicated=%d  lag p50=%s", w.replicated.Load(), w.recentP50())
		}
		return line
	})
	seed := rand.Uint64()
	for w := range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			var buf []byte
			if r.needsPrefill() { // GET/LIST bodies are read into buf
				size := readBufSize
				if r.cfg.Concurrency > 64 {
					size = 64 << 10 // bound memory at high concurrency
				}
				buf = make([]byte, size)
			}
			for !stop.Load() && ctx.Err() == nil {
				if r.cfg.Ops > 0 && issued.Add(1) > int64(r.cfg.Ops) {
					return
				}
				op := pick(rng)
				if op == OpPut && r.pacer != nil && !r.pacer.wait(ctx, stopCh) {
					return // stopped or interrupted while waiting for a slot
				}
				t0 := time.Now()
				n, err := r.doOp(ctx, op, rng, buf, onPart)
				d := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					return // interrupted: neither a success nor a server error
				}
				if err != nil {
					r.stats[op].errors.Add(1)
					r.noteError(err)
					continue
				}
				r.stats[op].done(n, d)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	return elapsed, ctx.Err() != nil
}

// doOp performs one timed operation and returns the payload bytes moved.
func (r *runner) doOp(ctx context.Context, op string, rng *rand.Rand, buf []byte, onPart partFunc) (int64, error) {
	switch op {
	case OpPut:
		n := r.putSeq.Add(1) - 1
		var key string
		switch {
		case r.runPrefix != "":
			key = r.runKey(n)
		case r.cfg.RandomPuts:
			key = r.key(rng.IntN(r.cfg.Objects))
		default:
			key = r.key(int(n % int64(r.cfg.Objects)))
		}
		r.markFirstPut(time.Now())
		version, err := r.put(ctx, key, onPart)
		if err != nil {
			return 0, err
		}
		if r.watch != nil {
			if version == "" {
				return 0, fmt.Errorf("PUT /%s/%s...: no x-amz-version-id in the response (is versioning enabled on the source bucket?)",
					r.cfg.Bucket, r.runPrefix)
			}
			r.watch.add(key, version)
		}
		return r.cfg.ObjectSize, nil
	case OpGet:
		key := r.key(rng.IntN(r.cfg.Objects))
		n, err := r.c.getObject(ctx, key, buf)
		if err == nil && n != r.cfg.ObjectSize {
			err = fmt.Errorf("GET /%s/%s: got %d bytes, want %d", r.cfg.Bucket, key, n, r.cfg.ObjectSize)
		}
		return n, err
	case OpList:
		return r.c.listObjects(ctx, r.listQ, buf)
	}
	return 0, fmt.Errorf("bench: unknown op %q", op)
}

// cleanup deletes every key the run may have written.
func (r *runner) cleanup(ctx context.Context, progress io.Writer) *Phase {
	n := r.cfg.Objects
	if !r.prefilled && !r.cfg.RandomPuts { // in turn: only the first putSeq keys
		n = int(min(r.putSeq.Load(), int64(r.cfg.Objects)))
	}
	return r.deleteAll(ctx, progress, time.Now(), n, func(ctx context.Context, i int) error {
		return r.c.deleteObject(ctx, r.key(i))
	})
}

// deleteAll calls del for 0..n-1 with Concurrency workers; 404s count as
// deleted. start is when the cleanup phase began.
func (r *runner) deleteAll(ctx context.Context, progress io.Writer, start time.Time, n int,
	del func(context.Context, int) error) *Phase {
	ph := &Phase{Objects: n}
	var next, done, errs atomic.Int64
	stopProgress := startProgress(progress, func(el, _ time.Duration) string {
		return fmt.Sprintf("cleanup %5.0fs  %d/%d objects", el.Seconds(), done.Load(), n)
	})
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := del(ctx, i); err != nil {
					if st, _ := statusOf(err); st != 404 {
						errs.Add(1)
						r.noteError(err)
						continue
					}
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	stopProgress()
	ph.Errors = int(errs.Load())
	ph.Elapsed = time.Since(start)
	return ph
}

// startProgress calls line every second and writes its result to w, until
// the returned stop function is called. line gets the time since start and
// since the previous line. It is a no-op if w is nil.
func startProgress(w io.Writer, line func(elapsed, since time.Duration) string) (stop func()) {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		last := start
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				fmt.Fprintln(w, line(now.Sub(start), now.Sub(last)))
				last = now
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
