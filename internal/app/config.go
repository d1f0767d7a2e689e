package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ServerConfig is everything `ferry server` can be told.
type ServerConfig struct {
	DataDir string
	Listen  string
	// Region is the default region: the first of Regions.
	Region string
	// Regions are the regions this server hosts, each on its own listener
	// and data root; the first is the default region.
	Regions       []RegionConfig
	Domains       []string
	LogLevel      string
	LogFormat     string
	RootAccessKey string
	RootSecretKey string
	InlineMax     int64
	// ReplicationWorkers is how many replications run at once (0: the
	// default); ReplicationPaused stops them (writes still queue work).
	// The flag -replication-workers 0 sets ReplicationPaused.
	ReplicationWorkers int
	ReplicationPaused  bool
	NoSync             bool   // tests only: skip fsync
	PprofListen        string // optional separate listener for net/http/pprof
}

// parseServerFlags reads flags, with FERRY_* environment variables as defaults.
func parseServerFlags(args []string, stderr io.Writer) (*ServerConfig, error) {
	c := &ServerConfig{}
	fs := flag.NewFlagSet("ferry server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data-dir", env("FERRY_DATA_DIR", "./ferry-data"), "data directory (env FERRY_DATA_DIR)")
	fs.StringVar(&c.Listen, "listen", env("FERRY_LISTEN", "127.0.0.1:9000"), "listen address (env FERRY_LISTEN)")
	var regions regionFlag
	fs.Var(&regions, "region", "a region this server hosts: NAME (served on -listen) or NAME=HOST:PORT; repeat for several regions, "+
		"the first is the default (env FERRY_REGION, comma-separated; default us-east-1)")
	domains := fs.String("domain", env("FERRY_DOMAIN", ""), "comma-separated base domains for virtual-hosted-style requests, e.g. s3.localhost (env FERRY_DOMAIN)")
	fs.StringVar(&c.LogLevel, "log-level", env("FERRY_LOG_LEVEL", "info"), "debug, info, warn or error (env FERRY_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("FERRY_LOG_FORMAT", "text"), "text or json (env FERRY_LOG_FORMAT)")
	fs.Int64Var(&c.InlineMax, "inline-max", 128<<10, "largest object body stored inside the metadata store, in bytes")
	fs.IntVar(&c.ReplicationWorkers, "replication-workers", envInt("FERRY_REPLICATION_WORKERS", 32),
		"replications run at once; 0 pauses replication, which still queues (env FERRY_REPLICATION_WORKERS)")
	fs.BoolVar(&c.NoSync, "unsafe-no-fsync", os.Getenv("FERRY_UNSAFE_NO_FSYNC") == "1", "do not fsync (tests only: acknowledged writes can be lost)")
	fs.StringVar(&c.PprofListen, "pprof-listen", env("FERRY_PPROF_LISTEN", ""), "serve Go profiling (net/http/pprof) on this address, e.g. 127.0.0.1:6060")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.ReplicationPaused = c.ReplicationWorkers == 0
	if len(regions) == 0 {
		for _, r := range strings.Split(env("FERRY_REGION", "us-east-1"), ",") {
			if err := regions.Set(strings.TrimSpace(r)); err != nil {
				fmt.Fprintln(stderr, "ferry server: FERRY_REGION:", err)
				return nil, err
			}
		}
	}
	if err := c.SetRegions(regions); err != nil {
		fmt.Fprintln(stderr, "ferry server: -region:", err)
		return nil, err
	}
	for _, d := range strings.Split(*domains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			c.Domains = append(c.Domains, d)
		}
	}
	c.RootAccessKey = os.Getenv("FERRY_ROOT_ACCESS_KEY_ID")
	c.RootSecretKey = os.Getenv("FERRY_ROOT_SECRET_ACCESS_KEY")
	return c, nil
}

// RegionConfig is one hosted region.
type RegionConfig struct {
	Name   string
	Listen string
	// DataDir holds the region's object data.
	DataDir string
}

// regionFlag collects repeated -region values.
type regionFlag []RegionConfig

func (f *regionFlag) String() string {
	var parts []string
	for _, r := range *f {
		parts = append(parts, r.Name+"="+r.Listen)
	}
	return strings.Join(parts, ",")
}

var regionNameRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

func (f *regionFlag) Set(v string) error {
	for _, one := range strings.Split(v, ",") {
		name, listen, _ := strings.Cut(strings.TrimSpace(one), "=")
		if !regionNameRE.MatchString(name) {
			return fmt.Errorf("%q is not a region name such as us-east-1", name)
		}
		for _, r := range *f {
			if r.Name == name {
				return fmt.Errorf("region %s given twice", name)
			}
		}
		*f = append(*f, RegionConfig{Name: name, Listen: listen})
	}
	return nil
}

// SetRegions completes the regions: the default region listens on -listen
// unless told otherwise and keeps its data in DATA/data; others need their
// own address and keep data in DATA/regions/NAME/data.
func (c *ServerConfig) SetRegions(rs []RegionConfig) error {
	c.Regions = nil
	for i, r := range rs {
		switch {
		case i == 0 && r.Listen == "":
			r.Listen = c.Listen
		case r.Listen == "":
			return fmt.Errorf("region %s needs its own address: -region %s=HOST:PORT", r.Name, r.Name)
		}
		r.DataDir = filepath.Join(c.DataDir, "data")
		if i > 0 {
			r.DataDir = filepath.Join(c.DataDir, "regions", r.Name, "data")
		}
		c.Regions = append(c.Regions, r)
	}
	c.Region, c.Listen = c.Regions[0].Name, c.Regions[0].Listen
	return nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// newLogger builds the process logger.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
