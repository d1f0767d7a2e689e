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
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.Endpoint, "endpoint", env("AWS_ENDPOINT_URL", bench.DefaultEndpoint), "S3 endpoint URL (env AWS_ENDPOINT_URL)")
	fs.StringVar(&c.Region, "region", env("AWS_REGION", env("AWS_DEFAULT_REGION", bench.DefaultRegion)), "signing region")
	fs.StringVar(&c.Bucket, "bucket", c.Bucket, "bucket (created if missing, except with -replica-bucket)")
	fs.StringVar(&c.Mix, "mix", c.Mix, `operation mix: "put", "get", "list" or weights like "put=20,get=70,list=10"`)
	size := fs.String("size", "1MiB", "object size (B, KiB, MiB, GiB)")
	partSize := fs.String("part-size", "16MiB", "multipart part size")
	fs.IntVar(&c.Objects, "objects", c.Objects, "distinct keys")
	fs.BoolVar(&c.RandomPuts, "random-puts", false, "each PUT overwrites a random one of the -objects keys (default: the next in turn)")
	fs.IntVar(&c.Concurrency, "concurrency", c.Concurrency, "parallel requests")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "timed phase length (0: until -ops are done)")
	fs.IntVar(&c.Ops, "ops", 0, "stop after this many operations (-replica-backlog: the objects to write)")
	fs.IntVar(&c.Rate, "rate", 0, "cap PUTs at this many per second, steadily (0: as fast as possible)")
	fs.BoolVar(&c.Multipart, "multipart", false, "upload with multipart (parts of -part-size)")
	fs.BoolVar(&c.UnsignedPayload, "unsigned-payload", false, "sign every body as UNSIGNED-PAYLOAD")
	fs.StringVar(&c.KeyPrefix, "prefix", c.KeyPrefix, "key prefix")
	fs.BoolVar(&c.Cleanup, "cleanup", false, "delete the objects afterwards")
	fs.BoolVar(&c.Insecure, "insecure", false, "skip TLS verification")
	fs.StringVar(&c.ReplicaBucket, "replica-bucket", "",
		"replication mode: measure when each PUT becomes readable in this bucket (mix put; both buckets must exist with replication configured)")
	fs.StringVar(&c.ReplicaEndpoint, "replica-endpoint", "", "S3 endpoint URL of the replica bucket (default -endpoint)")
	fs.StringVar(&c.ReplicaRegion, "replica-region", "", "signing region of the replica endpoint (default -region)")
	fs.DurationVar(&c.ReplicaTimeout, "replica-timeout", c.ReplicaTimeout,
		"count an object as not replicated after waiting this long (-replica-backlog: after the count stops growing this long)")
	fs.DurationVar(&c.PollInterval, "poll-interval", c.PollInterval, "first pause between replica HEADs of an object (grows x1.5 up to 50ms)")
	fs.BoolVar(&c.ReplicaBacklog, "replica-backlog", false,
		"write -ops objects as fast as possible, then list the replica bucket every 250ms until all are there (no per-object lag)")
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
	// Replica credentials default (in bench.Config) to the source ones.
	c.ReplicaAccessKeyID = os.Getenv("FERRY_BENCH_REPLICA_ACCESS_KEY_ID")
	c.ReplicaSecretAccessKey = os.Getenv("FERRY_BENCH_REPLICA_SECRET_ACCESS_KEY")
	c.ReplicaSessionToken = os.Getenv("FERRY_BENCH_REPLICA_SESSION_TOKEN")
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
	if rep := res.Replication; rep != nil && (rep.NotReplicated > 0 || rep.Errors > 0) {
		return 1
	}
	return 0
}

const benchUsage = `usage: ferry bench [flags]

Load-tests any S3 endpoint with plain SigV4 requests. Credentials come from
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (or
FERRY_ROOT_ACCESS_KEY_ID / FERRY_ROOT_SECRET_ACCESS_KEY).

Replication mode (-replica-bucket) PUTs a new key per operation into -bucket
and measures when each object is readable (HEAD ?versionId) in the replica
bucket: lag percentiles, objects not replicated within -replica-timeout and
end-to-end objects/s. -replica-backlog instead writes -ops objects at full
speed and times until a listing of the replica bucket finds them all. Replica
credentials: FERRY_BENCH_REPLICA_ACCESS_KEY_ID /
FERRY_BENCH_REPLICA_SECRET_ACCESS_KEY / FERRY_BENCH_REPLICA_SESSION_TOKEN
(default: the source credentials).

examples:
  ferry bench -mix put -size 4KiB -concurrency 32 -duration 20s
  ferry bench -bucket src -replica-bucket dst -size 4KiB -rate 200 -duration 30s
  ferry bench -bucket src -replica-bucket dst -replica-endpoint http://b:9000 -replica-backlog -ops 10000

flags:
`

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
