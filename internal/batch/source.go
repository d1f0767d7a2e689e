package batch

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/s3err"
)

// entry is one object a job acts on.
type entry struct {
	Bucket, Key, VersionID string
}

// source yields a manifest's entries from a cursor on.
type source interface {
	next() (entry, error) // errEndOfManifest at the end
	position() *cursor    // where the next call resumes
	close()
}

var errEndOfManifest = errors.New("batch: end of manifest")

// jobFailure ends a job: the manifest cannot be read, the role may not
// list the source, …
type jobFailure struct{ code, reason string }

func (f *jobFailure) Error() string { return f.code + ": " + f.reason }

// open starts reading the job's manifest at c (nil: the beginning).
func (s *Service) open(ctx context.Context, j *Job, role *authz.Identity, c *cursor) (source, error) {
	if c == nil {
		c = &cursor{}
	}
	if gm := j.State.GeneratedManifest; gm != nil {
		// Written by the job itself at preparation: the run reads what was
		// counted, without asking the role for read access to it.
		return s.openManifest(ctx, gm, nil, c)
	}
	if g := j.Spec.Generator; g != nil {
		return s.openGenerated(ctx, j, role, g, c)
	}
	return s.openManifest(ctx, j.Spec.Manifest, role, c)
}

// generated lists the source bucket's versions that pass the filter.
type generated struct {
	s      *Service
	ctx    context.Context
	b      *meta.Bucket
	f      *Filter
	page   []object.VersionEntry
	more   bool
	marker cursor
}

func (s *Service) openGenerated(ctx context.Context, j *Job, role *authz.Identity, g *Generator, c *cursor) (source, error) {
	b, err := s.objects.Bucket(ctx, g.SourceBucket)
	if err != nil {
		if s3err.As(err).Code == "NoSuchBucket" {
			return nil, &jobFailure{"SrcBucketNotFound", "the source bucket " + g.SourceBucket + " does not exist"}
		}
		return nil, err
	}
	if g.ExpectedBucketOwner != "" && g.ExpectedBucketOwner != b.Owner {
		return nil, &jobFailure{"AccessDenied", "the source bucket " + g.SourceBucket + " is not owned by " + g.ExpectedBucketOwner}
	}
	if d := s.allowed(role, "s3:GetReplicationConfiguration", "arn:aws:s3:::"+b.Name, b); !d.Allowed {
		return nil, &jobFailure{"AccessDenied", role.ARN + " may not perform s3:GetReplicationConfiguration on arn:aws:s3:::" + b.Name + ": " + d.Reason}
	}
	f := g.Filter
	if f == nil {
		f = &Filter{}
	}
	return &generated{s: s, ctx: ctx, b: b, f: f, more: true, marker: *c}, nil
}

func (g *generated) next() (entry, error) {
	for {
		for len(g.page) > 0 {
			v := g.page[0]
			g.page = g.page[1:]
			g.marker = cursor{Key: v.Key, VersionID: v.VersionID}
			if g.selects(v.Version) {
				return entry{Bucket: g.b.Name, Key: v.Key, VersionID: v.VersionID}, nil
			}
		}
		if !g.more {
			return entry{}, errEndOfManifest
		}
		out, err := g.s.objects.ListVersions(g.ctx, object.ListVersionsInput{Bucket: g.b.Name, KeyMarker: g.marker.Key,
			VersionIDMarker: g.marker.VersionID, MaxKeys: 1000})
		if err != nil {
			return entry{}, err
		}
		g.page, g.more = out.Versions, out.Truncated
	}
}

func (g *generated) position() *cursor { c := g.marker; return &c }
func (g *generated) close()            {}

// selects applies the generator's filter to a version.
func (g *generated) selects(v *meta.Version) bool {
	f := g.f
	if f.EligibleForReplication && len(g.s.repl.Eligible(g.b, v)) == 0 {
		return false
	}
	if len(f.ReplicationStatuses) > 0 {
		st := v.ReplicationStatus
		if st == "" {
			st = "NONE"
		}
		if !slices.Contains(f.ReplicationStatuses, st) {
			return false
		}
	}
	if f.CreatedAfter != nil && !v.ModTime.After(*f.CreatedAfter) {
		return false
	}
	if f.CreatedBefore != nil && !v.ModTime.Before(*f.CreatedBefore) {
		return false
	}
	if !matchAny(f.Prefixes, v.Key, strings.HasPrefix) || !matchAny(f.Suffixes, v.Key, strings.HasSuffix) ||
		!matchAny(f.Substrings, v.Key, strings.Contains) {
		return false
	}
	if f.SizeGreaterThan != nil && !(v.Size > *f.SizeGreaterThan) {
		return false
	}
	if f.SizeLessThan != nil && !(v.Size < *f.SizeLessThan) {
		return false
	}
	if len(f.StorageClasses) > 0 && !slices.Contains(f.StorageClasses, v.StorageClass) {
		return false
	}
	return true
}

// matchAny reports whether key matches one of the patterns (or there are
// none).
func matchAny(patterns []string, key string, match func(string, string) bool) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if match(key, p) {
			return true
		}
	}
	return false
}
