package batch

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/manifest"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
)

// finish writes the completion report and ends the job: Complete,
// Cancelled or Failed.
func (s *Service) finish(ctx context.Context, mt *meta.Task, j *Job) error {
	outstanding := j.State.Enqueued - j.State.Succeeded - j.State.Failed - j.State.Dropped
	if j.Terminal() || outstanding > 0 {
		return s.meta.Update(ctx, func(tx meta.Tx) error { return tx.DeleteTask(mt.ID) })
	}
	var failure *Failure
	if j.Spec.Report.Enabled && j.State.Succeeded+j.State.Failed > 0 {
		if err := s.writeReport(ctx, j); err != nil {
			var jf *jobFailure
			if !errors.As(err, &jf) {
				return err
			}
			failure = &Failure{Code: jf.code, Reason: jf.reason}
		}
	}
	now := s.clock.Now().UTC()
	if _, err := s.modify(ctx, j.Account, j.ID, func(tx meta.Tx, j *Job) error {
		if err := tx.DeleteTask(mt.ID); err != nil {
			return err
		}
		if failure != nil {
			j.State.FailureReasons = append(j.State.FailureReasons, *failure)
		}
		switch {
		case j.State.Status == StatusCancelling:
			j.setStatus(StatusCancelled, now)
		case j.State.Status == StatusFailing || failure != nil:
			j.setStatus(StatusFailed, now)
		default:
			j.setStatus(StatusComplete, now)
		}
		return nil
	}); err != nil {
		return err
	}
	return s.dropResults(ctx, j)
}

// writeReport writes the completion report in AWS's layout:
// PREFIX/job-ID/results/<hash>.csv per task outcome and
// PREFIX/job-ID/manifest.json, as the job's role.
func (s *Service) writeReport(ctx context.Context, j *Job) error {
	role, err := s.session(ctx, j)
	if err != nil {
		return &jobFailure{"AssumeRoleNotPermitted", err.Error()}
	}
	rb, err := s.objects.Bucket(ctx, j.Spec.Report.Bucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return &jobFailure{"ReportBucketNotFound", "the report bucket " + j.Spec.Report.Bucket + " does not exist"}
		}
		return err
	}
	// Results files are stored once the read transaction over the results
	// has ended (a write inside it could wait on the store forever).
	var pending []func() error
	w, err := manifest.NewReportWriter(manifest.ReportWriterOptions{Prefix: j.Spec.Report.Prefix, JobID: j.ID,
		FailedTasksOnly: j.Spec.Report.Scope == "FailedTasksOnly",
		Create: func(key string) (io.WriteCloser, error) {
			return manifest.Buffered(func(body []byte) error {
				pending = append(pending, func() error { return s.putAs(ctx, role, rb, key, body) })
				return nil
			}), nil
		}})
	if err != nil {
		return err
	}
	err = s.meta.View(ctx, func(tx meta.Tx) error {
		var werr error
		err := tx.ListTasks(resultQueue(j.Account, j.ID), func(t *meta.Task) bool {
			var r Result
			if json.Unmarshal(t.Payload, &r) != nil {
				return true
			}
			status := manifest.TaskSucceeded
			if !r.Succeeded {
				status = manifest.TaskFailed
			}
			werr = w.Write(&manifest.Result{Bucket: r.Bucket, Key: r.Key, VersionID: r.VersionID, TaskStatus: status,
				HTTPStatusCode: r.HTTP, ErrorCode: r.ErrorCode, ResultMessage: r.Message})
			return werr == nil
		})
		if err != nil {
			return err
		}
		return werr
	})
	if err != nil {
		return err
	}
	files, err := w.Close()
	if err != nil {
		return err
	}
	for _, put := range pending {
		if err := put(); err != nil {
			return err
		}
	}
	doc := manifest.ReportManifestJSON(rb.Name, s.clock.Now().UTC(), files)
	return s.putAs(ctx, role, rb, manifest.ReportManifestKey(j.Spec.Report.Prefix, j.ID), doc)
}

// putAs writes an object as the job's role, which needs s3:PutObject on
// it (the bucket's policy deciding across accounts).
func (s *Service) putAs(ctx context.Context, role *authz.Identity, b *meta.Bucket, key string, body []byte) error {
	arn := "arn:aws:s3:::" + b.Name + "/" + key
	if d := s.allowed(role, "s3:PutObject", arn, b); !d.Allowed {
		return &jobFailure{"AccessDenied", role.ARN + " may not perform s3:PutObject on " + arn + ": " + d.Reason}
	}
	_, err := s.objects.Put(ctx, object.PutInput{Bucket: b.Name, Key: key, Owner: role.AccountID, Body: bytes.NewReader(body),
		Size: int64(len(body)), Attrs: object.Attrs{ContentType: contentType(key)}})
	if e := s3err.As(err); err != nil && e.Code != "InternalError" {
		return &jobFailure{e.Code, "writing " + arn + ": " + e.Message}
	}
	return err
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".csv"):
		return "text/csv"
	}
	return "binary/octet-stream"
}

// dropResults deletes a finished job's stored task results.
func (s *Service) dropResults(ctx context.Context, j *Job) error {
	q := resultQueue(j.Account, j.ID)
	for {
		var ids []string
		if err := s.meta.View(ctx, func(tx meta.Tx) error {
			return tx.ListTasks(q, func(t *meta.Task) bool { ids = append(ids, t.ID); return len(ids) < 1000 })
		}); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := s.meta.Update(ctx, func(tx meta.Tx) error {
			for _, id := range ids {
				if err := tx.DeleteTask(id); err != nil && !errors.Is(err, meta.ErrNotFound) {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// generatedSchema is the column list of a generated manifest's data files.
var generatedSchema = []string{manifest.ColBucket, manifest.ColKey, manifest.ColVersionID}

// writeGeneratedManifest writes the list a generator selects to the
// manifest output location as AWS does (S3InventoryReport_CSV_20211130):
// gzip CSV data files and a manifest.json listing them under
// <prefix>/job-<id>/, all written as the job's role. It returns the
// manifest, which the job's run then reads, and its number of entries.
func (s *Service) writeGeneratedManifest(ctx context.Context, j *Job, role *authz.Identity) (*Manifest, int64, error) {
	g := j.Spec.Generator
	b, err := s.objects.Bucket(ctx, g.OutputBucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return nil, 0, &jobFailure{"ManifestOutputBucketNotFound", "the manifest output bucket " + g.OutputBucket + " does not exist"}
		}
		return nil, 0, err
	}
	base := strings.TrimSuffix(g.OutputPrefix, "/")
	if base != "" {
		base += "/"
	}
	base += "job-" + j.ID + "/"
	src, err := s.open(ctx, j, role, nil)
	if err != nil {
		return nil, 0, err
	}
	defer src.close()
	w, err := manifest.NewInventoryWriter(manifest.InventoryWriterOptions{Schema: generatedSchema, KeyPrefix: base,
		Create: func(key string) (io.WriteCloser, error) {
			return manifest.Buffered(func(body []byte) error { return s.putAs(ctx, role, b, key, body) }), nil
		}})
	if err != nil {
		return nil, 0, err
	}
	for {
		e, err := src.next()
		if errors.Is(err, errEndOfManifest) {
			break
		}
		if err == nil {
			err = w.Write(&manifest.InventoryRow{Bucket: e.Bucket, Key: e.Key, VersionID: e.VersionID})
		}
		if err != nil {
			w.Close()
			return nil, 0, err
		}
	}
	files, err := w.Close()
	if err != nil {
		return nil, 0, err
	}
	doc := manifest.ManifestJSON(g.SourceBucket, "arn:aws:s3:::"+b.Name, s.clock.Now(), generatedSchema, files)
	key := base + "manifest.json"
	if err := s.putAs(ctx, role, b, key, doc); err != nil {
		return nil, 0, err
	}
	sum := md5.Sum(doc)
	return &Manifest{Format: FormatGenerated, Bucket: b.Name, Key: key, ETag: hex.EncodeToString(sum[:])}, w.Rows(), nil
}
