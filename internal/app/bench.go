package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/bench"
)

// runBench is `ferry bench`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := bench.DefaultConfig()
	fs := flag.NewFlagSet("ferry bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Endpoint, "endpoint", env("AWS_ENDPOINT_URL", bench.DefaultEndpoint), "S3 endpoint URL (env AWS_ENDPOINT_URL)")
	fs.StringVar(&c.Region, "region", env("AWS_REGION", env("AWS_DEFAULT_REGION", bench.DefaultRegion)), "signing region")
	fs.StringVar(&c.Bucket, "bucket", c.Bucket, "bucket (created if missing)")
	fs.StringVar(&c.Mix, "mix", c.Mix, `operation mix: "put", "get", "list" or weights like "put=20,get=70,list=10"`)
	size := fs.String("size", "1MiB", "object size (B, KiB, MiB, GiB)")
	partSize := fs.String("part-size", "16MiB", "multipart part size")
	fs.IntVar(&c.Objects, "objects", c.Objects, "distinct keys")
	fs.IntVar(&c.Concurrency, "concurrency", c.Concurrency, "parallel requests")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "timed phase length (0: until -ops are done)")
	fs.IntVar(&c.Ops, "ops", 0, "stop after this many operations")
	fs.BoolVar(&c.Multipart, "multipart", false, "upload with multipart (parts of -part-size)")
	fs.BoolVar(&c.UnsignedPayload, "unsigned-payload", false, "sign every body as UNSIGNED-PAYLOAD")
	fs.StringVar(&c.KeyPrefix, "prefix", c.KeyPrefix, "key prefix")
	fs.BoolVar(&c.Cleanup, "cleanup", false, "delete the objects afterwards")
	fs.BoolVar(&c.Insecure, "insecure", false, "skip TLS verification")
	jsonOut := fs.String("json", "", "also write the result as JSON to this file (- for stdout)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var err error
	if c.ObjectSize, err = parseSize(*size); err != nil {
		fmt.Fprintln(stderr, "ferry bench: -size:", err)
		return 2
	}
	if c.PartSize, err = parseSize(*partSize); err != nil {
		fmt.Fprintln(stderr, "ferry bench: -part-size:", err)
		return 2
	}
	c.AccessKeyID = env("AWS_ACCESS_KEY_ID", os.Getenv("FERRY_ROOT_ACCESS_KEY_ID"))
	c.SecretAccessKey = env("AWS_SECRET_ACCESS_KEY", os.Getenv("FERRY_ROOT_SECRET_ACCESS_KEY"))
	c.SessionToken = os.Getenv("AWS_SESSION_TOKEN")
	var progress io.Writer = stderr
	if *quiet {
		progress = nil
	}
	res, err := bench.Run(ctx, c, progress)
	if err != nil {
		fmt.Fprintln(stderr, "ferry", err)
		return 1
	}
	res.WriteText(stdout)
	if *jsonOut != "" {
		w := stdout
		if *jsonOut != "-" {
			f, err := os.Create(*jsonOut)
			if err != nil {
				fmt.Fprintln(stderr, "ferry bench:", err)
				return 1
			}
			defer f.Close()
			w = f
		}
		if err := res.WriteJSON(w); err != nil {
			fmt.Fprintln(stderr, "ferry bench:", err)
			return 1
		}
	}
	if res.Total.Errors > 0 || res.Interrupted {
		return 1
	}
	return 0
}

// parseSize reads sizes like 4096, 4KiB, 4KB, 64MiB, 5GiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1000}, {"MB", 1e6}, {"GB", 1e9},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	return n * mult, nil
}
