package batch

import (
	"compress/gzip"
	"context"
	"io"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/manifest"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Manifest failure codes (DescribeJob FailureReasons).
const (
	codeManifestNotFound = "ManifestNotFound"
	codeManifestETag     = "ManifestETagMismatch"
	codeManifestFormat   = "ManifestFormatInvalid"
	codeManifestAccess   = "ManifestAccessDenied"
)

// readObject opens an object as the job's role, which must be allowed to
// read it (s3:GetObject, or s3:GetObjectVersion for a given version). A
// nil role reads what the job wrote itself, without a permission check.
func (s *Service) readObject(ctx context.Context, role *authz.Identity, bucket, key, versionID string) (*object.GetOutput, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return nil, &jobFailure{codeManifestNotFound, "the manifest bucket " + bucket + " does not exist"}
		}
		return nil, err
	}
	action := "s3:GetObject"
	if versionID != "" {
		action = "s3:GetObjectVersion"
	}
	arn := "arn:aws:s3:::" + bucket + "/" + key
	if role != nil {
		if d := s.allowed(role, action, arn, b); !d.Allowed {
			return nil, &jobFailure{codeManifestAccess, role.ARN + " may not perform " + action + " on " + arn + ": " + d.Reason}
		}
	}
	out, err := s.objects.Get(ctx, object.GetInput{Bucket: bucket, Key: key, VersionID: versionID})
	if err != nil {
		if e := s3err.As(err); e.Code != "InternalError" {
			return nil, &jobFailure{codeManifestNotFound, "reading " + arn + ": " + e.Code + ": " + e.Message}
		}
		return nil, err
	}
	return out, nil
}

// listed reads a CSV manifest or the data files of an inventory report.
type listed struct {
	s     *Service
	ctx   context.Context
	role  *authz.Identity
	files []string // inventory data files still to read
	in    string   // the bucket holding them ("" for a CSV manifest)
	body  io.ReadCloser
	rd    interface {
		Next() (manifest.Entry, error)
	}
	schema []string
	n      int64 // entries read so far
	skip   int64 // entries enqueued before (a resumed run)
}

func (s *Service) openManifest(ctx context.Context, m *Manifest, role *authz.Identity, c *cursor) (source, error) {
	out, err := s.readObject(ctx, role, m.Bucket, m.Key, m.VersionID)
	if err != nil {
		return nil, err
	}
	if strings.Trim(m.ETag, `"`) != out.V.ETag {
		out.Body.Close()
		return nil, &jobFailure{codeManifestETag, "the ETag " + m.ETag + " of the manifest does not match the object's (" + out.V.ETag + ")"}
	}
	l := &listed{s: s, ctx: ctx, role: role, skip: c.Skip}
	if m.Format == FormatCSV {
		l.body = out.Body
		l.rd, err = manifest.NewCSVReader(out.Body, m.Fields)
		if err != nil {
			out.Body.Close()
			return nil, &jobFailure{codeManifestFormat, err.Error()}
		}
		return l, nil
	}
	raw, err := io.ReadAll(io.LimitReader(out.Body, 16<<20))
	out.Body.Close()
	if err != nil {
		return nil, err
	}
	im, err := manifest.ParseInventoryManifest(raw)
	if err != nil {
		return nil, &jobFailure{codeManifestFormat, "the inventory manifest.json: " + err.Error()}
	}
	l.in, l.schema = m.Bucket, im.Schema()
	if d := im.DestinationBucketName(); d != "" {
		l.in = d
	}
	for _, f := range im.Files {
		l.files = append(l.files, f.Key)
	}
	return l, nil
}

func (l *listed) next() (entry, error) {
	for {
		if l.rd == nil {
			if len(l.files) == 0 {
				return entry{}, errEndOfManifest
			}
			if err := l.openFile(l.files[0]); err != nil {
				return entry{}, err
			}
			l.files = l.files[1:]
		}
		e, err := l.rd.Next()
		if err == io.EOF {
			l.closeFile()
			if l.in == "" { // a CSV manifest: one file
				return entry{}, errEndOfManifest
			}
			l.rd = nil
			continue
		}
		if err != nil {
			return entry{}, &jobFailure{codeManifestFormat, err.Error()}
		}
		l.n++
		if l.n <= l.skip {
			continue
		}
		return entry{Bucket: e.Bucket, Key: e.Key, VersionID: e.VersionID}, nil
	}
}

// openFile starts reading one gzip CSV data file of an inventory report.
func (l *listed) openFile(key string) error {
	out, err := l.s.readObject(l.ctx, l.role, l.in, key, "")
	if err != nil {
		return err
	}
	gz, err := gzip.NewReader(out.Body)
	if err != nil {
		out.Body.Close()
		return &jobFailure{codeManifestFormat, "the data file " + key + " is not gzip: " + err.Error()}
	}
	rd, err := manifest.NewInventoryCSVReader(gz, l.schema)
	if err != nil {
		out.Body.Close()
		return &jobFailure{codeManifestFormat, err.Error()}
	}
	l.body, l.rd = out.Body, rd
	return nil
}

func (l *listed) closeFile() {
	if l.body != nil {
		l.body.Close()
		l.body = nil
	}
}

func (l *listed) position() *cursor { return &cursor{Skip: l.n} }
func (l *listed) close()            { l.closeFile() }
