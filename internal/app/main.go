// Package app is ferry's composition root: it parses commands and flags,
// builds every component with its dependencies and runs them. No other
// package holds global state.
package app

import (
	"context"
	"fmt"
	"io"
)

// Version is the ferry release.
const Version = "0.1.0-dev"

const usage = `ferry — an AWS-faithful S3 server with replication across accounts and regions

Usage:
  ferry server [flags]   run the server (embedded store, no configuration needed)
  ferry bench [flags]    load-test any S3 endpoint
  ferry account ...      create, list and delete accounts (operator keys)
  ferry replication ...  replication status and retry of a bucket (operator keys)
  ferry job ...          list, describe and watch Batch Operations jobs (operator keys)
  ferry inventory run BUCKET ID
                         write an S3 Inventory report now
  ferry doctor replication BUCKET
                         explain what replication of a bucket needs and lacks
  ferry version          print the version

Run "ferry <command> -h" for a command's flags.
`

// Main runs the ferry command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "server":
		return runServer(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "account":
		return runAccount(ctx, args[1:], stdout, stderr)
	case "replication":
		return runReplication(ctx, args[1:], stdout, stderr)
	case "doctor":
		return runDoctor(ctx, args[1:], stdout, stderr)
	case "job":
		return runJob(ctx, args[1:], stdout, stderr)
	case "inventory":
		return runInventory(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "ferry", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "ferry: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
