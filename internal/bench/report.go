package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Latency summarises the latencies of successful operations. Percentiles
// come from a log-bucket histogram and are accurate to within 1 %.
type Latency struct {
	Min  time.Duration `json:"min_ns"`
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
}

// OpResult is one row of the report: an operation type (put, get, list,
// part) or the total over the mix operations.
type OpResult struct {
	Op        string  `json:"op"`
	Count     int64   `json:"count"`  // successful operations
	Errors    int64   `json:"errors"` // failed operations (non-2xx, transport, short body)
	Bytes     int64   `json:"bytes"`  // payload bytes of successful ops (PUT/GET bodies, LIST responses)
	OpsPerSec float64 `json:"ops_per_sec"`
	MBPerSec  float64 `json:"mb_per_sec"` // decimal megabytes (1e6 bytes) per second
	Latency   Latency `json:"latency"`
}

// Phase describes an untimed phase (prefill or cleanup).
type Phase struct {
	Objects  int           `json:"objects"`            // objects uploaded / deleted
	Existing int           `json:"existing,omitempty"` // prefill: keys already present with the right size
	Errors   int           `json:"errors,omitempty"`
	Bytes    int64         `json:"bytes,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
	// Cleanup only: set when the run was interrupted and nothing was deleted.
	Skipped bool `json:"skipped,omitempty"`
}

// ReplicationResult describes, for a replication run, how the objects
// written to the source bucket became readable in the replica bucket.
type ReplicationResult struct {
	ReplicaEndpoint string        `json:"replica_endpoint"`
	ReplicaBucket   string        `json:"replica_bucket"`
	RunPrefix       string        `json:"run_prefix"` // every key of the run starts with it
	Backlog         bool          `json:"backlog"`    // backlog mode: counted by listing, no per-object lag
	ReplicaTimeout  time.Duration `json:"replica_timeout_ns"`

	Objects       int64 `json:"objects"`           // acknowledged PUTs: objects expected in the replica bucket
	Replicated    int64 `json:"replicated"`        // found readable in the replica bucket
	NotReplicated int64 `json:"not_replicated"`    // not readable within the replica timeout
	Pending       int64 `json:"pending,omitempty"` // still awaited when the run was interrupted
	// Requests counts replica HEADs (lag mode) or complete replica listings
	// (backlog mode); Errors those that failed with other than 404 or 403.
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`

	// Lag is, per object, the time from the PUT's response to the response
	// of the first replica HEAD answering 200 (zero in backlog mode).
	Lag Latency `json:"lag"`

	// Elapsed runs from the start of the first PUT to the last replica found
	// readable (backlog mode: to the end of the listing that found the final
	// count); ObjectsPerSec and MBPerSec are Replicated over Elapsed, the
	// end-to-end throughput.
	Elapsed       time.Duration `json:"elapsed_ns"`
	ObjectsPerSec float64       `json:"objects_per_sec"`
	MBPerSec      float64       `json:"mb_per_sec"`

	// Backlog mode: the write phase (all PUTs) and its rate.
	WriteElapsed       time.Duration `json:"write_elapsed_ns,omitempty"`
	WriteObjectsPerSec float64       `json:"write_objects_per_sec,omitempty"`
}

// Result is the outcome of Run.
type Result struct {
	Endpoint      string `json:"endpoint"`
	Bucket        string `json:"bucket"`
	BucketCreated bool   `json:"bucket_created"`
	Mix           string `json:"mix"` // normalised, e.g. "put=50,get=50"
	ObjectSize    int64  `json:"object_size"`
	Objects       int    `json:"objects"` // distinct keys (replication mode: PUTs issued, each to a new key)
	Concurrency   int    `json:"concurrency"`
	Multipart     bool   `json:"multipart"`
	PartSize      int64  `json:"part_size,omitempty"`
	KeyPrefix     string `json:"key_prefix"`
	Rate          int    `json:"rate,omitempty"` // PUTs per second cap

	Elapsed time.Duration `json:"elapsed_ns"` // timed phase, until the last op finished
	// Ops holds one row per mix operation in put, get, list order, followed
	// by a "part" row (individual UploadPart requests) when Multipart is set.
	Ops []OpResult `json:"ops"`
	// Total aggregates the mix operations (not the part row).
	Total OpResult `json:"total"`

	Prefill *Phase `json:"prefill,omitempty"`
	Cleanup *Phase `json:"cleanup,omitempty"`

	// Replication is set in replication mode (Config.ReplicaBucket).
	Replication *ReplicationResult `json:"replication,omitempty"`

	ErrorSamples []string `json:"error_samples,omitempty"` // first distinct error messages
	Interrupted  bool     `json:"interrupted,omitempty"`   // ctx was cancelled during the timed phase
}

// Op returns the row of the named operation, or nil.
func (r *Result) Op(name string) *OpResult {
	for i := range r.Ops {
		if r.Ops[i].Op == name {
			return &r.Ops[i]
		}
	}
	return nil
}

func (r *runner) newResult() *Result {
	parts := make([]string, len(r.mix))
	for i, e := range r.mix {
		parts[i] = fmt.Sprintf("%s=%d", e.op, e.weight)
	}
	res := &Result{
		Endpoint:    r.cfg.Endpoint,
		Bucket:      r.cfg.Bucket,
		Mix:         strings.Join(parts, ","),
		ObjectSize:  r.cfg.ObjectSize,
		Objects:     r.cfg.Objects,
		Concurrency: r.cfg.Concurrency,
		Multipart:   r.cfg.Multipart,
		KeyPrefix:   r.cfg.KeyPrefix,
		Rate:        r.cfg.Rate,
	}
	if r.cfg.Multipart {
		res.PartSize = r.cfg.PartSize
	}
	return res
}

func (r *runner) fillResult(res *Result, elapsed time.Duration) {
	res.Elapsed = elapsed
	total := &histSnapshot{}
	res.Total.Op = "total"
	for _, s := range r.order {
		snap := s.hist.snapshot()
		row := OpResult{Op: s.name, Count: s.count.Load(), Errors: s.errors.Load(), Bytes: s.bytes.Load()}
		row.Latency = snap.latency()
		rates(&row, elapsed)
		res.Ops = append(res.Ops, row)
		if s.name == OpPart {
			continue
		}
		total.merge(snap)
		res.Total.Count += row.Count
		res.Total.Errors += row.Errors
		res.Total.Bytes += row.Bytes
	}
	res.Total.Latency = total.latency()
	rates(&res.Total, elapsed)
	res.ErrorSamples = r.errorSamples()
}

func rates(row *OpResult, elapsed time.Duration) {
	if sec := elapsed.Seconds(); sec > 0 {
		row.OpsPerSec = float64(row.Count) / sec
		row.MBPerSec = float64(row.Bytes) / 1e6 / sec
	}
}

// WriteJSON writes the result as indented JSON (durations in nanoseconds).
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes a human-readable report: a header, one line per operation
// (ops, ops/s, MB/s, p50, p90, p99, max, errors) and the first error messages.
// A replication run adds a "replication" row (replicated objects, end-to-end
// objects/s and MB/s, lag percentiles, replica request errors) and a summary.
func (r *Result) WriteText(w io.Writer) {
	rep := r.Replication
	fmt.Fprintf(w, "endpoint %s  bucket %s  mix %s\n", r.Endpoint, r.Bucket, r.Mix)
	if rep != nil {
		mode := "per-object lag"
		if rep.Backlog {
			mode = "backlog"
		}
		fmt.Fprintf(w, "replica  %s  bucket %s  keys %s  (%s, timeout %s)\n",
			rep.ReplicaEndpoint, rep.ReplicaBucket, rep.RunPrefix, mode, FormatDuration(rep.ReplicaTimeout))
		fmt.Fprintf(w, "objects %s, a new key per PUT  concurrency %d", FormatBytes(r.ObjectSize), r.Concurrency)
	} else {
		fmt.Fprintf(w, "objects %d x %s  concurrency %d", r.Objects, FormatBytes(r.ObjectSize), r.Concurrency)
	}
	if r.Rate > 0 {
		fmt.Fprintf(w, "  rate %d/s", r.Rate)
	}
	if r.Multipart {
		fmt.Fprintf(w, "  multipart (%s parts)", FormatBytes(r.PartSize))
	}
	fmt.Fprintf(w, "  elapsed %s", FormatDuration(r.Elapsed))
	if r.Interrupted {
		fmt.Fprint(w, "  (interrupted)")
	}
	fmt.Fprintln(w)
	if p := r.Prefill; p != nil {
		fmt.Fprintf(w, "prefill  %d objects uploaded, %d already present, %s\n",
			p.Objects, p.Existing, FormatDuration(p.Elapsed))
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	nameW := 5 // op names are left-aligned in a column of this width
	if rep != nil {
		nameW = len("replication")
	}
	fmt.Fprintf(tw, "%-*s\tops\tops/s\tMB/s\tp50\tp90\tp99\tmax\terrors\t\n", nameW, "op")
	row := func(o OpResult) {
		fmt.Fprintf(tw, "%-*s\t%d\t%.1f\t%.2f\t%s\t%s\t%s\t%s\t%d\t\n", nameW, o.Op, o.Count, o.OpsPerSec, o.MBPerSec,
			FormatDuration(o.Latency.P50), FormatDuration(o.Latency.P90), FormatDuration(o.Latency.P99),
			FormatDuration(o.Latency.Max), o.Errors)
	}
	mixRows := 0
	for _, o := range r.Ops {
		row(o)
		if o.Op != OpPart {
			mixRows++
		}
	}
	if mixRows > 1 {
		row(r.Total)
	}
	if rep != nil {
		lat := func(d time.Duration) string {
			if rep.Backlog {
				return "-"
			}
			return FormatDuration(d)
		}
		fmt.Fprintf(tw, "%-*s\t%d\t%.1f\t%.2f\t%s\t%s\t%s\t%s\t%d\t\n", nameW, "replication", rep.Replicated,
			rep.ObjectsPerSec, rep.MBPerSec, lat(rep.Lag.P50), lat(rep.Lag.P90), lat(rep.Lag.P99), lat(rep.Lag.Max), rep.Errors)
	}
	tw.Flush()
	if rep != nil {
		rep.writeSummary(w)
	}

	if c := r.Cleanup; c != nil {
		if c.Skipped {
			fmt.Fprintln(w, "\ncleanup  skipped (interrupted)")
		} else {
			fmt.Fprintf(w, "\ncleanup  %d objects deleted, %d errors, %s\n", c.Objects-c.Errors, c.Errors, FormatDuration(c.Elapsed))
		}
	}
	if len(r.ErrorSamples) > 0 {
		fmt.Fprintln(w, "\nerrors (first distinct):")
		for _, e := range r.ErrorSamples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// writeSummary explains the replication row in a sentence or two.
func (rep *ReplicationResult) writeSummary(w io.Writer) {
	fmt.Fprintln(w)
	if rep.Backlog {
		fmt.Fprintf(w, "backlog  wrote %d objects in %s (%.1f objects/s); ", rep.Objects,
			FormatDuration(rep.WriteElapsed), rep.WriteObjectsPerSec)
		switch {
		case rep.Objects > 0 && rep.Replicated == rep.Objects:
			fmt.Fprintf(w, "drain: all %d readable in the replica bucket %s after the first PUT: %.1f objects/s end to end\n",
				rep.Replicated, FormatDuration(rep.Elapsed), rep.ObjectsPerSec)
		case rep.Pending > 0:
			fmt.Fprintf(w, "%d of %d readable in the replica bucket when interrupted\n", rep.Replicated, rep.Objects)
		default:
			fmt.Fprintf(w, "%d of %d readable in the replica bucket (%d not replicated: the count stopped growing for %s)",
				rep.Replicated, rep.Objects, rep.NotReplicated, FormatDuration(rep.ReplicaTimeout))
			if rep.Replicated > 0 {
				fmt.Fprintf(w, "; %s from the first PUT to the last increase: %.1f objects/s end to end",
					FormatDuration(rep.Elapsed), rep.ObjectsPerSec)
			}
			fmt.Fprintln(w)
		}
		return
	}
	fmt.Fprintf(w, "replication  %d of %d objects replicated, %d not replicated within %s", rep.Replicated, rep.Objects,
		rep.NotReplicated, FormatDuration(rep.ReplicaTimeout))
	if rep.Pending > 0 {
		fmt.Fprintf(w, ", %d still awaited when interrupted", rep.Pending)
	}
	fmt.Fprintf(w, "; lag min %s mean %s\n", FormatDuration(rep.Lag.Min), FormatDuration(rep.Lag.Mean))
	if rep.Replicated > 0 {
		fmt.Fprintf(w, "             first PUT to last replica readable %s: %.1f objects/s, %.2f MB/s end to end\n",
			FormatDuration(rep.Elapsed), rep.ObjectsPerSec, rep.MBPerSec)
	}
}

// FormatDuration prints d with three significant digits (e.g. 812µs, 12.3ms).
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", int64(d))
	case d < time.Millisecond:
		return sig3(float64(d)/1e3) + "µs"
	case d < time.Second:
		return sig3(float64(d)/1e6) + "ms"
	default:
		return sig3(d.Seconds()) + "s"
	}
}

func sig3(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

// FormatBytes prints n in binary units (KiB, MiB, GiB).
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return sig3(v) + " " + string("KMGTP"[i]) + "iB"
}
