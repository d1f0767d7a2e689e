package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/ferrys3/ferry/internal/replication"
)

const replicationUsage = `Usage:
  ferry replication status BUCKET [--json]   pending / completed / failed counts, bytes pending,
                                             oldest pending age, failures grouped by reason
  ferry replication retry BUCKET             queue the bucket's FAILED replications again
  ferry replication backfill BUCKET          replicate the objects that existed before the rule
                                             (a Batch Replication job) and follow it
  ferry doctor replication BUCKET [--json]   check everything replication of BUCKET needs and
                                             name what is missing; exit status 1 when it cannot work

Flags: --endpoint URL (default http://127.0.0.1:9000, env FERRY_ENDPOINT).
The operator keys come from FERRY_ROOT_ACCESS_KEY_ID and FERRY_ROOT_SECRET_ACCESS_KEY.
`

// runReplication is `ferry replication …`.
func runReplication(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, replicationUsage)
		return 2
	}
	verb := args[0]
	c, pos, asJSON, code := adminCommand("ferry replication "+verb, args[1:], stderr)
	if c == nil {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, replicationUsage)
		return 2
	}
	var err error
	switch verb {
	case "backfill":
		return backfill(ctx, c, pos[0], stdout, stderr)
	case "status":
		var r *replication.Report
		if r, err = c.ReplicationStatus(ctx, pos[0]); err == nil {
			if *asJSON {
				err = json.NewEncoder(stdout).Encode(r)
			} else {
				err = printStatus(stdout, r)
			}
		}
	case "retry":
		var n int
		if n, err = c.RetryReplication(ctx, pos[0]); err == nil {
			fmt.Fprintf(stdout, "queued %d failed replication(s) of %s again\n", n, pos[0])
		}
	default:
		fmt.Fprint(stderr, replicationUsage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "ferry replication "+verb+":", err)
		return 1
	}
	return 0
}

func printStatus(w io.Writer, r *replication.Report) error {
	fmt.Fprintf(w, "Bucket %s\n", r.Bucket)
	fmt.Fprintf(w, "  pending %d, completed %d, failed %d, replicas %d\n", r.Pending, r.Completed, r.Failed, r.Replicas)
	if r.Pending > 0 || r.BytesPending > 0 {
		fmt.Fprintf(w, "  %d bytes pending, oldest pending %s ago\n", r.BytesPending,
			time.Duration(r.OldestPendingSeconds*float64(time.Second)).Round(time.Millisecond))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  DESTINATION\tPENDING\tCOMPLETED\tFAILED")
	for _, d := range r.Destinations {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", d.Bucket, d.Pending, d.Completed, d.Failed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range r.Destinations {
		if d.Waiting != "" {
			fmt.Fprintf(w, "  %s: waiting: %s\n", d.Bucket, d.Waiting)
		}
		for _, f := range d.Failures {
			fmt.Fprintf(w, "  %s: %d FAILED with %s (e.g. %s)\n", d.Bucket, f.Count, f.Reason, f.Example)
			if f.Explanation != "" {
				fmt.Fprintf(w, "      %s\n", f.Explanation)
			}
		}
	}
	return nil
}

// runDoctor is `ferry doctor replication BUCKET`.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "replication" {
		fmt.Fprint(stderr, replicationUsage)
		return 2
	}
	c, pos, asJSON, code := adminCommand("ferry doctor replication", args[1:], stderr)
	if c == nil {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, replicationUsage)
		return 2
	}
	d, err := c.DiagnoseReplication(ctx, pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "ferry doctor replication:", err)
		return 1
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(d); err != nil {
			return 1
		}
	} else {
		fmt.Fprintf(stdout, "Replication of %s (role %s)\n", d.Bucket, d.Role)
		marks := map[string]string{replication.CheckOK: "ok  ", replication.CheckWarn: "WARN", replication.CheckError: "FAIL"}
		for _, ch := range d.Checks {
			line := fmt.Sprintf("  %s  %s", marks[ch.Severity], ch.Check)
			if ch.Detail != "" {
				line += ": " + ch.Detail
			}
			fmt.Fprintln(stdout, line)
			if ch.Fix != "" {
				fmt.Fprintf(stdout, "        fix: %s\n", ch.Fix)
			}
		}
		if d.Healthy {
			fmt.Fprintln(stdout, "Replication can work.")
		} else {
			fmt.Fprintln(stdout, "Replication cannot work until the failures above are fixed.")
		}
	}
	if !d.Healthy {
		return 1
	}
	return 0
}
