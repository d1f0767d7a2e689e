// Package bench is the engine behind `ferry bench`: a small, CPU-frugal S3
// load generator that works against any S3 endpoint (ferry, MinIO, AWS).
//
// It talks plain net/http with path-style URLs (endpoint/bucket/key) and signs
// requests with the aws-sdk-go-v2 SigV4 signer; no SDK client stack is used, so
// the generator stays cheap when it shares a small machine with the server.
package bench

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Operation names accepted in Config.Mix and used as Result row names.
const (
	OpPut  = "put"
	OpGet  = "get"
	OpList = "list"
	// OpPart is not a mix entry: with Multipart set, Result carries an extra
	// row with the individual UploadPart requests of the "put" operations.
	OpPart = "part"
)

// mixOps is the set of operations a Mix may name, in report order.
var mixOps = []string{OpPut, OpGet, OpList}

// Defaults used by DefaultConfig and for zero-valued Config fields.
const (
	DefaultEndpoint    = "http://127.0.0.1:9000"
	DefaultRegion      = "us-east-1"
	DefaultBucket      = "ferry-bench"
	DefaultMix         = "put"
	DefaultObjectSize  = 1 << 20
	DefaultObjects     = 1000
	DefaultConcurrency = 16
	DefaultDuration    = 10 * time.Second
	DefaultPartSize    = 16 << 20
	DefaultKeyPrefix   = "ferry-bench/"

	DefaultReplicaTimeout = 60 * time.Second
	DefaultPollInterval   = 2 * time.Millisecond

	// maxPollInterval caps the growing interval between replica HEADs of one
	// object (unless PollInterval itself is larger).
	maxPollInterval = 50 * time.Millisecond
	// backlogListInterval is the pause between listings of the replica
	// bucket in backlog mode (measured from the start of one listing).
	backlogListInterval = 250 * time.Millisecond

	// SignedPayloadLimit is the largest body whose SHA-256 is computed and
	// signed; bigger bodies are sent as UNSIGNED-PAYLOAD.
	SignedPayloadLimit = 64 << 10

	maxParts = 10000 // S3 limit on parts per multipart upload
)

// Config describes one benchmark run.
//
// Zero values mean "default" for Region, Bucket, Mix, Objects, Concurrency,
// PartSize, ReplicaTimeout and PollInterval (and the Replica* endpoint, region
// and credentials default to the source ones). ObjectSize 0 benchmarks zero-byte objects and KeyPrefix "" uses
// the bucket root, so callers wanting the defaults for those should start from
// DefaultConfig. If both Duration and Ops are zero, Duration is DefaultDuration.
type Config struct {
	Endpoint        string // e.g. http://127.0.0.1:9000 (http or https; a path prefix is kept)
	Region          string // signing region, default us-east-1
	AccessKeyID     string // required
	SecretAccessKey string
	SessionToken    string // optional (temporary AWS credentials)

	// Bucket is created if missing (HeadBucket, then CreateBucket;
	// BucketAlreadyOwnedByYou is fine). It is never deleted.
	Bucket string

	// Mix is a comma separated list of op[=weight] with op in put, get, list:
	// "put", "get", "put=50,get=50", "put=20,get=70,list=10".
	Mix string

	ObjectSize int64 // bytes per object (and per PUT/GET)

	// Objects is the number of distinct keys, KeyPrefix + zero padded index.
	// PUTs cycle through them (RandomPuts: pick one uniformly at random);
	// GETs pick one uniformly at random. If the mix
	// contains get or list, the keys are first uploaded (untimed) unless a
	// listing shows they already exist with size ObjectSize.
	Objects int

	// RandomPuts makes each PUT overwrite a key chosen uniformly at random
	// instead of the next one in turn.
	RandomPuts bool

	Concurrency int // parallel workers (and max in-flight UploadPart requests)

	// Duration is the length of the timed phase; 0 means until Ops are done.
	// Operations in flight when it expires are allowed to finish.
	Duration time.Duration
	Ops      int // optional total operation limit for the timed phase

	// Multipart makes every PUT a multipart upload with parts of PartSize.
	// Part uploads run concurrently; across the whole run at most Concurrency
	// UploadPart requests are in flight. Needed for objects over 5 GiB.
	Multipart bool
	PartSize  int64 // default 16 MiB (AWS requires >= 5 MiB except the last part)

	// UnsignedPayload signs every body as UNSIGNED-PAYLOAD. When false, bodies
	// up to SignedPayloadLimit (64 KiB) are signed with their hex SHA-256
	// (computed once, the content is fixed) and larger bodies still use
	// UNSIGNED-PAYLOAD, so the client never hashes big payloads.
	UnsignedPayload bool

	KeyPrefix string // prepended to every key; LIST uses it as prefix

	Cleanup bool // delete the benchmark objects (not the bucket) afterwards

	Insecure bool // skip TLS certificate verification (self-signed https endpoints)

	// Rate caps the PUTs per second (0: as fast as the workers go), in any
	// mode. PUTs are paced at a steady rate; after a stall at most about one
	// second's worth of PUTs is issued at once to catch up.
	Rate int

	// ReplicaBucket, when set, turns on replication mode: the mix must be
	// "put" only, every PUT writes a new key (KeyPrefix + run id + "/" +
	// counter) and the run measures when each object becomes readable in
	// ReplicaBucket on ReplicaEndpoint. Neither bucket is created: both must
	// exist with versioning and a replication rule configured beforehand.
	ReplicaBucket   string
	ReplicaEndpoint string // default Endpoint
	ReplicaRegion   string // default Region
	// Replica credentials; if ReplicaAccessKeyID is empty all three are
	// taken from the source credentials.
	ReplicaAccessKeyID     string
	ReplicaSecretAccessKey string
	ReplicaSessionToken    string

	// ReplicaTimeout bounds the wait for one replica (default 60s): an object
	// not readable this long after its PUT returned counts as not replicated.
	// In backlog mode the wait ends when the replica count has not grown for
	// this long.
	ReplicaTimeout time.Duration
	// PollInterval is the first pause between HEADs of one replica (default
	// 2ms); it grows by half after every miss, up to 50ms.
	PollInterval time.Duration

	// ReplicaBacklog measures replication of a backlog instead of per-object
	// lag: Ops objects are PUT as fast as Concurrency (and Rate) allow, with
	// no polling and Duration ignored, then the replica bucket is listed
	// (ListObjectVersions under the run's prefix) every 250ms until all of
	// them are there.
	ReplicaBacklog bool
}

// Replication reports whether cfg is a replication benchmark.
func (cfg Config) Replication() bool { return cfg.ReplicaBucket != "" }

// DefaultConfig returns a Config with every field at its default; callers
// (the CLI) typically use it for flag defaults and then set credentials.
func DefaultConfig() Config {
	return Config{
		Endpoint:    DefaultEndpoint,
		Region:      DefaultRegion,
		Bucket:      DefaultBucket,
		Mix:         DefaultMix,
		ObjectSize:  DefaultObjectSize,
		Objects:     DefaultObjects,
		Concurrency: DefaultConcurrency,
		Duration:    DefaultDuration,
		PartSize:    DefaultPartSize,
		KeyPrefix:   DefaultKeyPrefix,

		ReplicaTimeout: DefaultReplicaTimeout,
		PollInterval:   DefaultPollInterval,
	}
}

// mixEntry is one weighted operation of a parsed Mix.
type mixEntry struct {
	op     string
	weight int
}

// ParseMix validates a mix string (as Config.Mix) and returns each op with
// its share of the operations in percent. The CLI can use it to reject a bad
// --mix before starting.
func ParseMix(s string) (map[string]float64, error) {
	entries, err := parseMix(s)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, e := range entries {
		total += e.weight
	}
	out := make(map[string]float64, len(entries))
	for _, e := range entries {
		out[e.op] = 100 * float64(e.weight) / float64(total)
	}
	return out, nil
}

func parseMix(s string) ([]mixEntry, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultMix
	}
	weights := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, hasWeight := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		weight := 1
		if hasWeight {
			n, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bench: mix %q: bad weight %q", s, w)
			}
			weight = n
		}
		valid := false
		for _, op := range mixOps {
			valid = valid || op == name
		}
		if !valid {
			return nil, fmt.Errorf("bench: mix %q: unknown op %q (want put, get or list)", s, name)
		}
		if _, dup := weights[name]; dup {
			return nil, fmt.Errorf("bench: mix %q: op %q given twice", s, name)
		}
		weights[name] = weight
	}
	var entries []mixEntry
	for _, op := range mixOps {
		if w := weights[op]; w > 0 {
			entries = append(entries, mixEntry{op, w})
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("bench: mix %q: no operation with a positive weight", s)
	}
	return entries, nil
}

// normalize fills defaults and validates cfg.
func (cfg Config) normalize() (Config, []mixEntry, error) {
	if cfg.Endpoint == "" {
		return cfg, nil, errors.New("bench: endpoint is required")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, nil, fmt.Errorf("bench: bad endpoint %q (want http[s]://host[:port])", cfg.Endpoint)
	}
	if cfg.AccessKeyID == "" {
		return cfg, nil, errors.New("bench: access key id is required")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if strings.ContainsAny(cfg.Bucket, "/?#% ") {
		return cfg, nil, fmt.Errorf("bench: bad bucket name %q", cfg.Bucket)
	}
	mix, err := parseMix(cfg.Mix)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.Rate < 0 {
		return cfg, nil, errors.New("bench: rate must be >= 0")
	}
	if cfg, err = cfg.normalizeReplica(mix); err != nil {
		return cfg, nil, err
	}
	if cfg.ObjectSize < 0 {
		return cfg, nil, errors.New("bench: object size must be >= 0")
	}
	if cfg.Objects <= 0 {
		cfg.Objects = DefaultObjects
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Ops < 0 || cfg.Duration < 0 {
		return cfg, nil, errors.New("bench: duration and ops must be >= 0")
	}
	if cfg.Ops == 0 && cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.Multipart {
		if n := partCount(cfg.ObjectSize, cfg.PartSize); n > maxParts {
			return cfg, nil, fmt.Errorf("bench: %d parts of %d bytes exceed the S3 limit of %d parts; raise the part size",
				n, cfg.PartSize, maxParts)
		}
	}
	return cfg, mix, nil
}

// normalizeReplica fills the replica defaults and validates replication mode.
func (cfg Config) normalizeReplica(mix []mixEntry) (Config, error) {
	if !cfg.Replication() {
		if cfg.ReplicaBacklog {
			return cfg, errors.New("bench: replica backlog mode needs a replica bucket")
		}
		return cfg, nil
	}
	if strings.ContainsAny(cfg.ReplicaBucket, "/?#% ") {
		return cfg, fmt.Errorf("bench: bad replica bucket name %q", cfg.ReplicaBucket)
	}
	if cfg.ReplicaEndpoint == "" {
		cfg.ReplicaEndpoint = cfg.Endpoint
	}
	u, err := url.Parse(cfg.ReplicaEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("bench: bad replica endpoint %q (want http[s]://host[:port])", cfg.ReplicaEndpoint)
	}
	if cfg.ReplicaRegion == "" {
		cfg.ReplicaRegion = cfg.Region
	}
	if cfg.ReplicaAccessKeyID == "" {
		cfg.ReplicaAccessKeyID = cfg.AccessKeyID
		cfg.ReplicaSecretAccessKey = cfg.SecretAccessKey
		cfg.ReplicaSessionToken = cfg.SessionToken
	}
	if cfg.ReplicaBucket == cfg.Bucket && strings.TrimRight(cfg.ReplicaEndpoint, "/") == strings.TrimRight(cfg.Endpoint, "/") {
		return cfg, fmt.Errorf("bench: the replica bucket must differ from the source bucket %q", cfg.Bucket)
	}
	if len(mix) != 1 || mix[0].op != OpPut {
		return cfg, fmt.Errorf("bench: replication mode needs mix \"put\" (got %q)", cfg.Mix)
	}
	if cfg.ReplicaTimeout < 0 || cfg.PollInterval < 0 {
		return cfg, errors.New("bench: replica timeout and poll interval must be >= 0")
	}
	if cfg.ReplicaTimeout == 0 {
		cfg.ReplicaTimeout = DefaultReplicaTimeout
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.ReplicaBacklog {
		if cfg.Ops <= 0 {
			return cfg, errors.New("bench: replica backlog mode needs ops > 0 (the number of objects to write)")
		}
		cfg.Duration = 0 // all Ops objects are written
	}
	return cfg, nil
}

// replicaClientConfig is the Config of the client that reads the replicas.
func (cfg Config) replicaClientConfig() Config {
	rc := cfg
	rc.Endpoint = cfg.ReplicaEndpoint
	rc.Region = cfg.ReplicaRegion
	rc.Bucket = cfg.ReplicaBucket
	rc.AccessKeyID = cfg.ReplicaAccessKeyID
	rc.SecretAccessKey = cfg.ReplicaSecretAccessKey
	rc.SessionToken = cfg.ReplicaSessionToken
	rc.ObjectSize = 0 // it only sends empty bodies
	return rc
}

// partCount is the number of parts of a multipart upload (at least one).
func partCount(size, partSize int64) int64 {
	if size <= 0 {
		return 1
	}
	return (size + partSize - 1) / partSize
}
