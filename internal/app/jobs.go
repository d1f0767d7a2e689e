package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ferrys3/ferry/internal/adminapi"
)

const jobUsage = `Usage:
  ferry job list [--account ID] [--json]      Batch Operations jobs of every account (or one)
  ferry job describe ACCOUNT JOB_ID [--json]  one job: status, progress, failure reasons
  ferry job watch ACCOUNT JOB_ID              follow a job with a progress bar (rate, ETA) until it ends
  ferry inventory run BUCKET CONFIG_ID        write an inventory report now
  ferry replication backfill BUCKET           replicate a bucket's existing objects (a Batch
                                              Replication job with a generated manifest), and watch it

Flags: --endpoint URL (default http://127.0.0.1:9000, env FERRY_ENDPOINT).
The operator keys come from FERRY_ROOT_ACCESS_KEY_ID and FERRY_ROOT_SECRET_ACCESS_KEY.
`

// runJob is `ferry job …`.
func runJob(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, jobUsage)
		return 2
	}
	verb := args[0]
	rest := args[1:]
	account := ""
	for i := 0; i < len(rest); i++ {
		if a, ok := strings.CutPrefix(rest[i], "--account="); ok {
			account = a
			rest = append(rest[:i:i], rest[i+1:]...)
			i--
		} else if rest[i] == "--account" && i+1 < len(rest) {
			account = rest[i+1]
			rest = append(rest[:i:i], rest[i+2:]...)
			i--
		}
	}
	c, pos, asJSON, code := adminCommand("ferry job "+verb, rest, stderr)
	if c == nil {
		return code
	}
	var err error
	switch {
	case verb == "list" && len(pos) == 0:
		var js []adminapi.JobView
		if js, err = c.Jobs(ctx, account); err == nil {
			if *asJSON {
				err = json.NewEncoder(stdout).Encode(map[string]any{"Jobs": js})
			} else {
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ACCOUNT\tJOB ID\tOPERATION\tSTATUS\tSUCCEEDED\tFAILED\tTOTAL\tCREATED")
				for _, j := range js {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", j.AccountID, j.JobID, j.Operation, j.Status, j.Succeeded,
						j.Failed, j.Total, j.Created.Format(time.RFC3339))
				}
				err = tw.Flush()
			}
		}
	case verb == "describe" && len(pos) == 2:
		var j *adminapi.JobView
		if j, err = c.Job(ctx, pos[0], pos[1]); err == nil {
			if *asJSON {
				err = json.NewEncoder(stdout).Encode(j)
			} else {
				printJob(stdout, j)
			}
		}
	case verb == "watch" && len(pos) == 2:
		return watchJob(ctx, c, pos[0], pos[1], stdout, stderr)
	default:
		fmt.Fprint(stderr, jobUsage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "ferry job "+verb+":", err)
		return 1
	}
	return 0
}

func printJob(w io.Writer, j *adminapi.JobView) {
	fmt.Fprintf(w, "Job %s (account %s)\n  operation %s, status %s, priority %d\n", j.JobID, j.AccountID, j.Operation, j.Status, j.Priority)
	fmt.Fprintf(w, "  tasks: %d total, %d succeeded, %d failed; active %s\n", j.Total, j.Succeeded, j.Failed,
		time.Duration(j.ElapsedSeconds*float64(time.Second)).Round(time.Second))
	for _, f := range j.FailureReasons {
		fmt.Fprintf(w, "  failure: %s: %s\n", f.Code, f.Reason)
	}
}

// watchJob follows a job until it ends, drawing a progress bar (on a
// terminal: one line redrawn; otherwise a line every few seconds). Exit
// status 1 when the job did not complete or any task failed.
func watchJob(ctx context.Context, c *adminapi.Client, account, id string, stdout, stderr io.Writer) int {
	tty := isTerminal(stdout)
	var last time.Time
	var lastDone int64
	start := time.Now()
	for {
		j, err := c.Job(ctx, account, id)
		if err != nil {
			fmt.Fprintln(stderr, "ferry job watch:", err)
			return 1
		}
		done := j.Succeeded + j.Failed
		ended := j.Status == "Complete" || j.Status == "Failed" || j.Status == "Cancelled"
		if tty || ended || time.Since(last) >= 5*time.Second {
			line := progressLine(j, done, time.Since(start), done-lastDone)
			if tty {
				fmt.Fprintf(stdout, "\r\033[K%s", line)
			} else {
				fmt.Fprintln(stdout, line)
			}
			last, lastDone = time.Now(), done
		}
		if ended {
			if tty {
				fmt.Fprintln(stdout)
			}
			printJob(stdout, j)
			if j.Status != "Complete" || j.Failed > 0 {
				return 1
			}
			return 0
		}
		select {
		case <-ctx.Done():
			return 1
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// progressLine is "[#####-----]  50%  5,000/10,000  2,300/s  ETA 2s  Active".
func progressLine(j *adminapi.JobView, done int64, elapsed time.Duration, _ int64) string {
	const width = 30
	frac := 0.0
	if j.Total > 0 {
		frac = float64(done) / float64(j.Total)
	}
	filled := int(frac * width)
	bar := strings.Repeat("#", filled) + strings.Repeat("-", width-filled)
	rate := 0.0
	if s := j.ElapsedSeconds; s > 0 {
		rate = float64(done) / s
	} else if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	eta := "-"
	if rate > 0 && j.Total > done {
		eta = (time.Duration(float64(j.Total-done) / rate * float64(time.Second))).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s] %3.0f%%  %d/%d  %d failed  %.0f/s  ETA %s  %s", bar, frac*100, done, j.Total, j.Failed, rate, eta, j.Status)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// runInventory is `ferry inventory run BUCKET ID`.
func runInventory(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprint(stderr, jobUsage)
		return 2
	}
	c, pos, asJSON, code := adminCommand("ferry inventory run", args[1:], stderr)
	if c == nil {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprint(stderr, jobUsage)
		return 2
	}
	r, err := c.RunInventory(ctx, pos[0], pos[1])
	if err != nil {
		fmt.Fprintln(stderr, "ferry inventory run:", err)
		return 1
	}
	if *asJSON {
		_ = json.NewEncoder(stdout).Encode(r)
		return 0
	}
	fmt.Fprintf(stdout, "wrote an inventory of %d rows in %d data file(s): s3://%s/%s\n", r.Rows, len(r.Files), r.Bucket, r.ManifestKey)
	return 0
}

// backfill is `ferry replication backfill BUCKET`.
func backfill(ctx context.Context, c *adminapi.Client, bucket string, stdout, stderr io.Writer) int {
	account, id, err := c.Backfill(ctx, bucket)
	if err != nil {
		fmt.Fprintln(stderr, "ferry replication backfill:", err)
		return 1
	}
	fmt.Fprintf(stdout, "job %s (account %s) replicates the existing objects of %s\n", id, account, bucket)
	return watchJob(ctx, c, account, id, stdout, stderr)
}
