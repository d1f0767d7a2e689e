package bench

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// maxCatchUp bounds how far the pacer lets PUTs burst after a stall.
const maxCatchUp = time.Second

// pacer hands out PUT start times at a steady rate shared by all workers.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time // start time of the next slot; zero before the first
}

func newPacer(rate int) *pacer {
	return &pacer{interval: max(1, time.Second/time.Duration(rate))}
}

// reserve takes the next slot, given the current time, and returns its
// start. When the workers fell behind (slots in the past), at most
// maxCatchUp worth of slots is handed out at once.
func (p *pacer) reserve(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if floor := now.Add(-maxCatchUp); p.next.IsZero() {
		p.next = now
	} else if p.next.Before(floor) {
		p.next = floor
	}
	t := p.next
	p.next = p.next.Add(p.interval)
	return t
}

// wait blocks until the caller's slot starts; false means ctx was cancelled
// or stop closed first.
func (p *pacer) wait(ctx context.Context, stop <-chan struct{}) bool {
	d := time.Until(p.reserve(time.Now()))
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}

// checkBucket fails clearly if a replication bucket is missing: replication
// mode never creates buckets.
func checkBucket(ctx context.Context, c *client, role string) error {
	err := c.headBucket(ctx)
	if err == nil {
		return nil
	}
	if st, _ := statusOf(err); st == 404 {
		return fmt.Errorf("bench: %s bucket %q does not exist at %s; replication mode does not create buckets "+
			"(create both buckets with versioning and a replication rule first)", role, c.bucket, c.endpoint)
	}
	return fmt.Errorf("bench: %s bucket %q at %s: %w", role, c.bucket, c.endpoint, err)
}

// replItem is one acknowledged PUT whose replica is awaited.
type replItem struct {
	key, version string
	put          time.Time // the PUT's response arrived
	due          time.Time // next HEAD
	deadline     time.Time // not replicated after this
	interval     time.Duration
}

// replQueue is a min-heap of items by due time.
type replQueue []*replItem

func (q replQueue) Len() int           { return len(q) }
func (q replQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q replQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *replQueue) Push(x any)        { *q = append(*q, x.(*replItem)) }
func (q *replQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return it
}

// replWatcher measures per-object replication lag: every acknowledged PUT is
// queued by its next poll time; one dispatcher hands due items to a fixed
// set of pollers, so at most that many HEADs are in flight whatever the
// backlog, and each object is polled first at once, then at intervals
// growing from PollInterval by half up to 50ms.
type replWatcher struct {
	r           *runner
	c           *client
	timeout     time.Duration
	firstPoll   time.Duration
	maxInterval time.Duration

	lag           histogram
	replicated    atomic.Int64
	notReplicated atomic.Int64
	pollErrors    atomic.Int64 // HEADs failing with other than 404/403
	polls         atomic.Int64
	lastReadable  atomic.Int64 // ns since r.epoch of the latest replica HEAD 200

	mu      sync.Mutex
	queue   replQueue
	pending int64 // added and not yet resolved
	closed  bool  // no more adds
	idle    chan struct{}
	wake    chan struct{} // cap 1: the queue changed
	due     chan *replItem

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	progSnap *histSnapshot // lag histogram at the previous progress line
}

func newReplWatcher(r *runner, rc *client) *replWatcher {
	return &replWatcher{
		r:           r,
		c:           rc,
		timeout:     r.cfg.ReplicaTimeout,
		firstPoll:   r.cfg.PollInterval,
		maxInterval: max(maxPollInterval, r.cfg.PollInterval),
		idle:        make(chan struct{}),
		wake:        make(chan struct{}, 1),
		due:         make(chan *replItem),
	}
}

func (w *replWatcher) start(ctx context.Context, pollers int) {
	w.ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(1 + pollers)
	go w.dispatch()
	for range pollers {
		go w.poll()
	}
}

// stop ends the dispatcher and pollers; pending items are abandoned.
func (w *replWatcher) stop() {
	w.cancel()
	w.wg.Wait()
}

// add queues the replica of a PUT that has just returned.
func (w *replWatcher) add(key, version string) {
	now := time.Now()
	it := &replItem{key: key, version: version, put: now, due: now, deadline: now.Add(w.timeout), interval: w.firstPoll}
	w.mu.Lock()
	w.pending++
	heap.Push(&w.queue, it)
	w.mu.Unlock()
	w.signal()
}

func (w *replWatcher) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// resolve marks one item replicated or given up.
func (w *replWatcher) resolve() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending--
	if w.closed && w.pending == 0 {
		close(w.idle)
	}
}

// close announces that no more items will be added.
func (w *replWatcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.pending == 0 {
		close(w.idle)
	}
}

func (w *replWatcher) pendingCount() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pending
}

func (w *replWatcher) dispatch() {
	defer w.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var it *replItem
		wait := time.Duration(-1)
		w.mu.Lock()
		if len(w.queue) > 0 {
			if d := time.Until(w.queue[0].due); d <= 0 {
				it = heap.Pop(&w.queue).(*replItem)
			} else {
				wait = d
			}
		}
		w.mu.Unlock()
		if it != nil {
			select {
			case w.due <- it: // blocks while every poller is busy
				continue
			case <-w.ctx.Done():
				return
			}
		}
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-w.wake:
		case <-timer.C:
		case <-w.ctx.Done():
			return
		}
		timer.Stop()
	}
}

func (w *replWatcher) poll() {
	defer w.wg.Done()
	for {
		var it *replItem
		select {
		case it = <-w.due:
		case <-w.ctx.Done():
			return
		}
		err := w.c.headVersion(w.ctx, it.key, it.version)
		now := time.Now()
		if err == nil {
			w.polls.Add(1)
			w.lag.record(now.Sub(it.put))
			w.replicated.Add(1)
			storeMax(&w.lastReadable, w.r.sinceEpoch(now))
			w.resolve()
			continue
		}
		if w.ctx.Err() != nil {
			return // interrupted: not a poll of the replica
		}
		w.polls.Add(1)
		if st, _ := statusOf(err); st != 404 && st != 403 { // 404/403: not there yet
			w.pollErrors.Add(1)
			w.r.noteError(replicaError("HEAD", err))
		}
		if !now.Before(it.deadline) {
			w.notReplicated.Add(1)
			w.resolve()
			continue
		}
		it.due = now.Add(it.interval)
		if it.due.After(it.deadline) {
			it.due = it.deadline
		}
		it.interval = min(it.interval*3/2, w.maxInterval)
		w.mu.Lock()
		heap.Push(&w.queue, it)
		w.mu.Unlock()
		w.signal()
	}
}

// recentP50 is the median lag of the replicas found since the previous
// call ("-" if none); used by the progress lines.
func (w *replWatcher) recentP50() string {
	cur := w.lag.snapshot()
	d := cur.since(w.progSnap)
	w.progSnap = cur
	if d.count == 0 {
		return "-"
	}
	return FormatDuration(d.quantile(0.5))
}

// replicaError shortens an error of a replica request: keys and version ids
// differ on every request, so only the bucket, status and code are kept.
func replicaError(method string, err error) error {
	var se *s3Error
	if errors.As(err, &se) {
		code := se.Code
		if code == "" {
			code = http.StatusText(se.Status)
		}
		return fmt.Errorf("replica %s: %d %s", method, se.Status, code)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("replica %s: %w", method, err)
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// awaitReplicas runs after the timed phase of a replication run: it waits
// for the outstanding replicas (lag mode) or drains the backlog, and
// summarises the replication.
func (r *runner) awaitReplicas(ctx context.Context, progress io.Writer, res *Result) *ReplicationResult {
	rep := &ReplicationResult{
		ReplicaEndpoint: r.cfg.ReplicaEndpoint,
		ReplicaBucket:   r.cfg.ReplicaBucket,
		RunPrefix:       r.runPrefix,
		Backlog:         r.cfg.ReplicaBacklog,
		ReplicaTimeout:  r.cfg.ReplicaTimeout,
	}
	if put := res.Op(OpPut); put != nil {
		rep.Objects = put.Count
	}
	var last int64 // ns since epoch when the last counted replica was found
	if r.cfg.ReplicaBacklog {
		rep.WriteElapsed = res.Elapsed
		if sec := res.Elapsed.Seconds(); sec > 0 {
			rep.WriteObjectsPerSec = float64(rep.Objects) / sec
		}
		last = r.drainBacklog(ctx, progress, rep)
	} else {
		w := r.watch
		w.close()
		stopProgress := startProgress(progress, func(el, _ time.Duration) string {
			return fmt.Sprintf("replicas %5.0fs  replicated=%d  not replicated=%d  waiting=%d  lag p50=%s",
				el.Seconds(), w.replicated.Load(), w.notReplicated.Load(), w.pendingCount(), w.recentP50())
		})
		select {
		case <-w.idle:
		case <-ctx.Done():
		}
		stopProgress()
		w.stop()
		rep.Replicated = w.replicated.Load()
		rep.NotReplicated = w.notReplicated.Load()
		rep.Pending = w.pendingCount()
		rep.Errors = w.pollErrors.Load()
		rep.Requests = w.polls.Load()
		rep.Lag = w.lag.snapshot().latency()
		last = w.lastReadable.Load()
	}
	if first := r.firstPut.Load(); first > 0 && last > first {
		rep.Elapsed = time.Duration(last - first)
		sec := rep.Elapsed.Seconds()
		rep.ObjectsPerSec = float64(rep.Replicated) / sec
		rep.MBPerSec = float64(rep.Replicated) * float64(r.cfg.ObjectSize) / 1e6 / sec
	}
	return rep
}

// drainBacklog lists the run's prefix in the replica bucket every
// backlogListInterval until every acknowledged PUT is there, the count has
// not grown for ReplicaTimeout, or ctx ends. It fills the counts of rep and
// returns when (ns since epoch) the final count was first seen.
func (r *runner) drainBacklog(ctx context.Context, progress io.Writer, rep *ReplicationResult) int64 {
	target := rep.Objects
	var count, listings, errs atomic.Int64
	var last int64
	var lastCount int64
	stopProgress := startProgress(progress, func(el, since time.Duration) string {
		n := count.Load()
		rate := float64(n-lastCount) / since.Seconds()
		lastCount = n
		return fmt.Sprintf("backlog %5.0fs  replicated=%d/%d  %.0f objects/s  list errors=%d",
			el.Seconds(), n, target, rate, errs.Load())
	})
	grew := time.Now() // the write phase just ended
	for ctx.Err() == nil && count.Load() < target {
		t0 := time.Now()
		n, err := r.rc.countReplicas(ctx, r.runPrefix)
		now := time.Now()
		switch {
		case err != nil && ctx.Err() != nil:
		case err != nil:
			listings.Add(1)
			errs.Add(1)
			r.noteError(replicaError("ListObjectVersions", err))
		default:
			listings.Add(1)
			if n > count.Load() {
				count.Store(n)
				grew, last = now, r.sinceEpoch(now)
			}
		}
		if count.Load() >= target || now.Sub(grew) >= r.cfg.ReplicaTimeout {
			break
		}
		select {
		case <-time.After(time.Until(t0.Add(backlogListInterval))):
		case <-ctx.Done():
		}
	}
	stopProgress()
	rep.Replicated = min(count.Load(), target)
	if ctx.Err() != nil {
		rep.Pending = target - rep.Replicated
	} else {
		rep.NotReplicated = target - rep.Replicated
	}
	rep.Errors = errs.Load()
	rep.Requests = listings.Load()
	return last
}

// cleanupVersions permanently deletes every version and delete marker under
// the run's prefix in the source and the replica bucket (deleting by version
// id is not replicated).
func (r *runner) cleanupVersions(ctx context.Context, progress io.Writer) *Phase {
	start := time.Now()
	type victim struct {
		c *client
		v objectVersion
	}
	var all []victim
	listErrs := 0
	for _, c := range []*client{r.c, r.rc} {
		err := c.listVersions(ctx, r.runPrefix, func(v objectVersion, _ bool) { all = append(all, victim{c, v}) })
		if err != nil {
			listErrs++
			r.noteError(fmt.Errorf("cleanup: %w", err))
		}
	}
	ph := r.deleteAll(ctx, progress, start, len(all), func(ctx context.Context, i int) error {
		return all[i].c.deleteVersion(ctx, all[i].v.Key, all[i].v.VersionID)
	})
	// A failed listing counts as one object that could not be deleted.
	ph.Objects += listErrs
	ph.Errors += listErrs
	return ph
}
