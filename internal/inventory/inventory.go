// Package inventory is S3 Inventory: per-bucket inventory configurations
// and the reports they produce — gzip CSV data files, manifest.json and
// manifest.checksum in AWS's layout — written into the destination bucket
// as the S3 service principal, on the configuration's schedule or on
// demand. The reports are valid Batch Operations manifests.
package inventory

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/inventoryconf"
	"github.com/ferrys3/ferry/internal/manifest"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
)

// configPrefix names inventory configurations in meta.Bucket.Configs.
const configPrefix = "inventory/"

// Principal is the service principal that writes reports.
const Principal = "s3.amazonaws.com"

// Service manages inventory configurations and writes reports.
type Service struct {
	meta    meta.Store
	objects *object.Service
	clock   clock.Clock
	log     *slog.Logger
	// RowsPerFile caps the rows of one data file (0: the default).
	RowsPerFile int

	mu        sync.Mutex
	lastCheck time.Time
}

// checkEvery is how often RunDue looks at the schedules: they are daily or
// weekly, so once a minute is plenty.
const checkEvery = time.Minute

// New returns a Service.
func New(m meta.Store, objects *object.Service, c clock.Clock, log *slog.Logger) *Service {
	if c == nil {
		c = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{meta: m, objects: objects, clock: c, log: log}
}

var (
	errNoSuchConfiguration = s3err.ErrNoSuchConfiguration
	maxConfigurations      = 1000
)

// PutConfiguration stores (or replaces) a configuration of bucket.
func (s *Service) PutConfiguration(ctx context.Context, bucket string, cfg *inventoryconf.Config) error {
	if cfg.Destination.Format != inventoryconf.FormatCSV {
		return s3err.ErrNotImplemented.With("This server writes inventory reports in CSV only.").WithExtra("Format", cfg.Destination.Format)
	}
	doc := cfg.Marshal()
	return s.update(ctx, bucket, func(b *meta.Bucket) error {
		if _, ok := b.Configs[configPrefix+cfg.ID]; !ok && count(b) >= maxConfigurations {
			return s3err.ErrTooManyConfigurations
		}
		if b.Configs == nil {
			b.Configs = map[string][]byte{}
		}
		b.Configs[configPrefix+cfg.ID] = doc
		return nil
	})
}

// DeleteConfiguration removes a configuration (NoSuchConfiguration when absent).
func (s *Service) DeleteConfiguration(ctx context.Context, bucket, id string) error {
	return s.update(ctx, bucket, func(b *meta.Bucket) error {
		if _, ok := b.Configs[configPrefix+id]; !ok {
			return errNoSuchConfiguration
		}
		delete(b.Configs, configPrefix+id)
		return nil
	})
}

func (s *Service) update(ctx context.Context, bucket string, fn func(*meta.Bucket) error) error {
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := tx.GetBucket(bucket)
		if errors.Is(err, meta.ErrNotFound) {
			return s3err.ErrNoSuchBucket.WithExtra("BucketName", bucket)
		}
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		return tx.UpdateBucket(b)
	})
	var e *s3err.Error
	if err != nil && !errors.As(err, &e) {
		return errors.Join(s3err.ErrInternalError, err)
	}
	return err
}

func count(b *meta.Bucket) int {
	n := 0
	for k := range b.Configs {
		if strings.HasPrefix(k, configPrefix) {
			n++
		}
	}
	return n
}

// Configuration returns one configuration of a bucket.
func (s *Service) Configuration(ctx context.Context, bucket, id string) (*inventoryconf.Config, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := b.Configs[configPrefix+id]
	if !ok {
		return nil, errNoSuchConfiguration
	}
	return inventoryconf.Parse(doc, id)
}

// Configurations lists a bucket's configurations in ID order.
func (s *Service) Configurations(ctx context.Context, bucket string) ([]*inventoryconf.Config, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	return configsOf(b), nil
}

func configsOf(b *meta.Bucket) []*inventoryconf.Config {
	var out []*inventoryconf.Config
	for k, doc := range b.Configs {
		if id, ok := strings.CutPrefix(k, configPrefix); ok {
			if c, err := inventoryconf.Parse(doc, id); err == nil {
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Report is a written inventory report.
type Report struct {
	Bucket      string   `json:"Bucket"` // destination bucket
	ManifestKey string   `json:"ManifestKey"`
	Files       []string `json:"Files"`
	Rows        int64    `json:"Rows"`
}

// Run writes a report of bucket for configuration id now. The
// destination bucket's policy must allow s3.amazonaws.com s3:PutObject
// (with aws:SourceAccount / aws:SourceArn of the source), as on AWS.
func (s *Service) Run(ctx context.Context, bucket, id string) (*Report, error) {
	src, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := src.Configs[configPrefix+id]
	if !ok {
		return nil, errNoSuchConfiguration
	}
	cfg, err := inventoryconf.Parse(doc, id)
	if err != nil {
		return nil, err
	}
	dst, err := s.objects.Bucket(ctx, cfg.Destination.BucketName())
	if err != nil {
		return nil, err
	}
	if cfg.Destination.AccountID != "" && cfg.Destination.AccountID != dst.Owner {
		return nil, s3err.ErrAccessDenied.With("the destination bucket is not owned by account " + cfg.Destination.AccountID)
	}
	started := s.clock.Now().UTC()
	layout := manifest.InventoryLayout{DestinationPrefix: cfg.Destination.Prefix, SourceBucket: bucket, ConfigID: id, Started: started}
	schema, err := manifest.InventorySchema(cfg.AllVersions(), cfg.OptionalFields)
	if err != nil {
		return nil, err
	}
	w, err := manifest.NewInventoryWriter(manifest.InventoryWriterOptions{Schema: schema, MaxRowsPerFile: s.RowsPerFile,
		KeyPrefix: layout.Base(), Create: func(key string) (io.WriteCloser, error) {
			return manifest.Buffered(func(b []byte) error { return s.write(ctx, src, dst, key, b) }), nil
		}})
	if err != nil {
		return nil, err
	}
	if err := s.scan(ctx, bucket, cfg, w); err != nil {
		return nil, err
	}
	files, err := w.Close()
	if err != nil {
		return nil, err
	}
	man := manifest.ManifestJSON(bucket, "arn:aws:s3:::"+dst.Name, started, schema, files)
	if err := s.write(ctx, src, dst, layout.ManifestKey(), man); err != nil {
		return nil, err
	}
	if err := s.write(ctx, src, dst, layout.ChecksumKey(), []byte(manifest.ManifestChecksum(man))); err != nil {
		return nil, err
	}
	if err := s.meta.Update(ctx, func(tx meta.Tx) error {
		return tx.PutSetting(lastRunSetting(bucket, id), []byte(started.Format(time.RFC3339Nano)))
	}); err != nil {
		return nil, err
	}
	r := &Report{Bucket: dst.Name, ManifestKey: layout.ManifestKey(), Rows: w.Rows()}
	for _, f := range files {
		r.Files = append(r.Files, f.Key)
	}
	return r, nil
}

// scan writes a row per current version (or per version and delete marker
// with IncludedObjectVersions All) under the filter prefix, in key order.
func (s *Service) scan(ctx context.Context, bucket string, cfg *inventoryconf.Config, w *manifest.InventoryWriter) error {
	in := object.ListVersionsInput{Bucket: bucket, Prefix: cfg.FilterPrefix(), MaxKeys: 1000}
	for {
		out, err := s.objects.ListVersions(ctx, in)
		if err != nil {
			return err
		}
		for _, v := range out.Versions {
			if !cfg.AllVersions() && (!v.IsLatest || v.DeleteMarker) {
				continue
			}
			if err := w.Write(row(bucket, v)); err != nil {
				return err
			}
		}
		if !out.Truncated {
			return nil
		}
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionMarker
	}
}

func row(bucket string, v object.VersionEntry) *manifest.InventoryRow {
	vid := v.VersionID
	if vid == meta.NullVersion {
		vid = ""
	}
	enc := "SSE-S3"
	return &manifest.InventoryRow{Bucket: bucket, Key: v.Key, VersionID: vid, IsLatest: v.IsLatest, IsDeleteMarker: v.DeleteMarker,
		Size: v.Size, LastModified: v.ModTime, ETag: v.ETag, StorageClass: v.StorageClass, IsMultipartUploaded: v.PartsCount > 0,
		ReplicationStatus: v.ReplicationStatus, EncryptionStatus: enc, ObjectOwner: v.Owner}
}

// write stores one report object as the S3 service principal, which the
// destination bucket's policy must allow.
func (s *Service) write(ctx context.Context, src, dst *meta.Bucket, key string, body []byte) error {
	arn := "arn:aws:s3:::" + dst.Name + "/" + key
	d := authz.Authorize(&authz.Request{Identity: &authz.Identity{Service: Principal}, Action: "s3:PutObject", Resource: arn,
		ResourceAccount: dst.Owner, ResourcePolicy: s.objects.ParsedBucketPolicy(dst),
		Keys: map[string][]string{"aws:SourceAccount": {src.Owner}, "aws:SourceArn": {"arn:aws:s3:::" + src.Name},
			"aws:SecureTransport": {"true"}, "s3:x-amz-acl": {"bucket-owner-full-control"}}})
	if !d.Allowed {
		return s3err.ErrAccessDenied.With("The destination bucket policy does not allow " + Principal + " to perform s3:PutObject on " +
			arn + " for source bucket " + src.Name + ": " + d.Reason)
	}
	_, err := s.objects.Put(ctx, object.PutInput{Bucket: dst.Name, Key: key, Owner: dst.Owner, Body: bytes.NewReader(body),
		Size: int64(len(body)), Attrs: object.Attrs{ContentType: contentType(key)}})
	return err
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".gz"):
		return "application/x-gzip"
	}
	return "text/plain"
}

func lastRunSetting(bucket, id string) string { return "inventory.last/" + bucket + "/" + id }

// RunDue writes the reports whose schedule is due (Daily: a day since the
// last, Weekly: a week; the first report right after the configuration is
// created), at most once a minute, and returns how many it wrote.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	now := s.clock.Now()
	s.mu.Lock()
	due := now.Sub(s.lastCheck) >= checkEvery
	if due {
		s.lastCheck = now
	}
	s.mu.Unlock()
	if !due {
		return 0, nil
	}
	buckets, err := s.objects.ListBuckets(ctx, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range buckets {
		for _, c := range configsOf(b) {
			if !c.IsEnabled {
				continue
			}
			every := 24 * time.Hour
			if c.Frequency == inventoryconf.Weekly {
				every = 7 * 24 * time.Hour
			}
			var last time.Time
			_ = s.meta.View(ctx, func(tx meta.Tx) error {
				if v, err := tx.GetSetting(lastRunSetting(b.Name, c.ID)); err == nil {
					last, _ = time.Parse(time.RFC3339Nano, string(v))
				}
				return nil
			})
			if !last.IsZero() && now.Sub(last) < every {
				continue
			}
			if _, err := s.Run(ctx, b.Name, c.ID); err != nil {
				s.log.Warn("inventory report failed; next attempt in an hour", "bucket", b.Name, "id", c.ID, "err", err)
				retry := now.Add(time.Hour - every)
				_ = s.meta.Update(ctx, func(tx meta.Tx) error {
					return tx.PutSetting(lastRunSetting(b.Name, c.ID), []byte(retry.Format(time.RFC3339Nano)))
				})
				continue
			}
			n++
		}
	}
	return n, nil
}
