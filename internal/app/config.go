package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// ServerConfig is everything `ferry server` can be told.
type ServerConfig struct {
	DataDir       string
	Listen        string
	Region        string
	Domains       []string
	LogLevel      string
	LogFormat     string
	RootAccessKey string
	RootSecretKey string
	InlineMax     int64
	NoSync        bool   // tests only: skip fsync
	PprofListen   string // optional separate listener for net/http/pprof
}

// parseServerFlags reads flags, with FERRY_* environment variables as defaults.
func parseServerFlags(args []string, stderr io.Writer) (*ServerConfig, error) {
	c := &ServerConfig{}
	fs := flag.NewFlagSet("ferry server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data-dir", env("FERRY_DATA_DIR", "./ferry-data"), "data directory (env FERRY_DATA_DIR)")
	fs.StringVar(&c.Listen, "listen", env("FERRY_LISTEN", "127.0.0.1:9000"), "listen address (env FERRY_LISTEN)")
	fs.StringVar(&c.Region, "region", env("FERRY_REGION", "us-east-1"), "region of this endpoint (env FERRY_REGION)")
	domains := fs.String("domain", env("FERRY_DOMAIN", ""), "comma-separated base domains for virtual-hosted-style requests, e.g. s3.localhost (env FERRY_DOMAIN)")
	fs.StringVar(&c.LogLevel, "log-level", env("FERRY_LOG_LEVEL", "info"), "debug, info, warn or error (env FERRY_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("FERRY_LOG_FORMAT", "text"), "text or json (env FERRY_LOG_FORMAT)")
	fs.Int64Var(&c.InlineMax, "inline-max", 128<<10, "largest object body stored inside the metadata store, in bytes")
	fs.BoolVar(&c.NoSync, "unsafe-no-fsync", os.Getenv("FERRY_UNSAFE_NO_FSYNC") == "1", "do not fsync (tests only: acknowledged writes can be lost)")
	fs.StringVar(&c.PprofListen, "pprof-listen", env("FERRY_PPROF_LISTEN", ""), "serve Go profiling (net/http/pprof) on this address, e.g. 127.0.0.1:6060")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
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
