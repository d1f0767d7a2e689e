// Command ferry is an AWS-faithful S3 server with cross-account and
// cross-region replication.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferrys3/ferry/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
