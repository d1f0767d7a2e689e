package manifest

import (
	"bufio"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ReportSchema is the completion report manifest's ReportSchema, verbatim
// as AWS writes it. Note that rows put HTTPStatusCode before ErrorCode (see
// ReportWriter).
const ReportSchema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"

// Task statuses of a completion report row.
const (
	TaskSucceeded = "succeeded"
	TaskFailed    = "failed"
)

// ErrTaskStatus is the error for a Result whose TaskStatus is neither
// TaskSucceeded nor TaskFailed.
var ErrTaskStatus = errors.New("manifest: task status must be succeeded or failed")

// Result is the outcome of one task, a row of the completion report.
type Result struct {
	Bucket, Key, VersionID string
	TaskStatus             string // TaskSucceeded | TaskFailed
	HTTPStatusCode         int    // 0 is written empty
	ErrorCode              string // "" on success
	ResultMessage          string // "Successful" for S3ReplicateObject/copy successes
}

// ReportFile is one written results file.
type ReportFile struct {
	TaskExecutionStatus string // TaskSucceeded | TaskFailed
	Key                 string // <prefix>/job-<id>/results/<40 hex>.csv
	Size                int64
	MD5                 string // hex
}

// ReportWriterOptions configures a ReportWriter.
type ReportWriterOptions struct {
	Prefix          string // the job's Report/Prefix, may be empty
	JobID           string
	FailedTasksOnly bool // ReportScope FailedTasksOnly: successes are dropped
	// MaxRowsPerFile caps the rows of one results file; 0 means
	// DefaultMaxRowsPerFile.
	MaxRowsPerFile int
	Create         CreateFunc
	// NewName names results files; nil means 40 random hex digits.
	NewName func() string
}

// ReportWriter writes a job's completion report files: one or more CSV
// files per task status, no header, rows
//
//	Bucket,Key,VersionId,TaskStatus,HTTPStatusCode,ErrorCode,ResultMessage
//
// — the order of every real report (…,succeeded,200,,Successful), which
// differs from the ReportSchema string — keys URL-encoded as in manifests,
// RFC 4180 quoting only where needed and CRLF line ends, as observed.
type ReportWriter struct {
	opts  ReportWriterOptions
	outs  [2]*output // [0] succeeded, [1] failed
	bufs  [2]*bufio.Writer
	files [2][]ReportFile
	line  []byte
	err   error
}

// NewReportWriter checks the options and returns a writer. No file is
// created before the first row of its status.
func NewReportWriter(opts ReportWriterOptions) (*ReportWriter, error) {
	if opts.Create == nil {
		return nil, errors.New("manifest: ReportWriterOptions.Create is nil")
	}
	if opts.MaxRowsPerFile <= 0 {
		opts.MaxRowsPerFile = DefaultMaxRowsPerFile
	}
	if opts.NewName == nil {
		opts.NewName = newHexName
	}
	return &ReportWriter{opts: opts, bufs: [2]*bufio.Writer{newBuffer(), newBuffer()}}, nil
}

// ReportBase is "<prefix>/job-<id>/" (or "job-<id>/" without a prefix); a
// trailing '/' of the prefix is not doubled [unverified].
func ReportBase(prefix, jobID string) string {
	base := "job-" + jobID + "/"
	if p := strings.TrimSuffix(prefix, "/"); p != "" {
		return p + "/" + base
	}
	return base
}

// ReportManifestKey is the key of the report's manifest.json.
func ReportManifestKey(prefix, jobID string) string {
	return ReportBase(prefix, jobID) + "manifest.json"
}

// Write adds one task's result.
func (w *ReportWriter) Write(r *Result) error {
	if w.err != nil {
		return w.err
	}
	var i int
	switch r.TaskStatus {
	case TaskSucceeded:
		if w.opts.FailedTasksOnly {
			return nil
		}
	case TaskFailed:
		i = 1
	default:
		return ErrTaskStatus
	}
	if w.outs[i] == nil {
		key := ReportBase(w.opts.Prefix, w.opts.JobID) + "results/" + w.opts.NewName() + ".csv"
		o, err := open(w.opts.Create, key, w.bufs[i])
		if err != nil {
			w.err = err
			return err
		}
		w.outs[i] = o
	}
	w.line = appendResult(w.line[:0], r)
	if _, err := w.outs[i].buf.Write(w.line); err != nil {
		w.err = err
		return err
	}
	if w.outs[i].rows++; w.outs[i].rows >= w.opts.MaxRowsPerFile {
		return w.finish(i)
	}
	return nil
}

// appendResult appends one report row.
func appendResult(b []byte, r *Result) []byte {
	b = appendCSVField(b, r.Bucket)
	b = append(b, ',')
	b = appendKey(b, r.Key)
	b = append(b, ',')
	b = appendCSVField(b, r.VersionID)
	b = append(b, ',')
	b = append(b, r.TaskStatus...)
	b = append(b, ',')
	if r.HTTPStatusCode != 0 {
		b = strconv.AppendInt(b, int64(r.HTTPStatusCode), 10)
	}
	b = append(b, ',')
	b = appendCSVField(b, r.ErrorCode)
	b = append(b, ',')
	b = appendCSVField(b, r.ResultMessage)
	return append(b, '\r', '\n')
}

func (w *ReportWriter) finish(i int) error {
	o := w.outs[i]
	w.outs[i] = nil
	size, sum, err := o.finish()
	if err != nil {
		w.err = err
		return err
	}
	status := TaskSucceeded
	if i == 1 {
		status = TaskFailed
	}
	w.files[i] = append(w.files[i], ReportFile{TaskExecutionStatus: status, Key: o.key, Size: size, MD5: sum})
	return nil
}

// Close completes the open files and returns every file written:
// succeeded files first, then failed ones.
func (w *ReportWriter) Close() ([]ReportFile, error) {
	for i := range w.outs {
		if w.outs[i] == nil {
			continue
		}
		if w.err == nil {
			_ = w.finish(i)
		} else {
			w.outs[i].abandon()
			w.outs[i] = nil
		}
	}
	if w.err != nil {
		return nil, w.err
	}
	w.err = errClosed
	return append(w.files[0], w.files[1]...), nil
}

// reportManifest is the completion report's manifest.json.
type reportManifest struct {
	Format             string         `json:"Format"`
	ReportCreationDate string         `json:"ReportCreationDate"`
	Results            []reportResult `json:"Results"`
	ReportSchema       string         `json:"ReportSchema"`
}

type reportResult struct {
	TaskExecutionStatus string `json:"TaskExecutionStatus"`
	Bucket              string `json:"Bucket"`
	MD5Checksum         string `json:"MD5Checksum"`
	Key                 string `json:"Key"`
}

// ReportManifestJSON renders the completion report's manifest.json:
// Format Report_CSV_20180820, ReportCreationDate (ISO 8601 with
// milliseconds), Results (one per file: TaskExecutionStatus, Bucket — the
// report bucket's name —, MD5Checksum, Key) and ReportSchema.
func ReportManifestJSON(reportBucket string, created time.Time, files []ReportFile) []byte {
	m := reportManifest{
		Format:             FormatReportCSV,
		ReportCreationDate: created.UTC().Format(timeLayout),
		Results:            make([]reportResult, len(files)),
		ReportSchema:       ReportSchema,
	}
	for i, f := range files {
		m.Results[i] = reportResult{TaskExecutionStatus: f.TaskExecutionStatus, Bucket: reportBucket, MD5Checksum: f.MD5, Key: f.Key}
	}
	return marshalJSON(m)
}
