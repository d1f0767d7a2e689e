package replication

import (
	"context"
	"errors"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replconf"
	"github.com/ferrys3/ferry/internal/s3err"
)

// PutConfiguration validates and stores a bucket's replication
// configuration (PutBucketReplication): the document itself, versioning
// on the source and every destination, destinations that exist, and the
// caller's iam:PassRole on the role.
func (s *Service) PutConfiguration(ctx context.Context, caller *authz.Identity, bucket string, doc []byte) error {
	if len(doc) > replconf.MaxDocumentSize {
		return s3err.ErrInvalidRequest.With("The replication configuration exceeds the maximum size of 2 MB.")
	}
	cfg, err := replconf.Parse(doc)
	if err != nil {
		return err
	}
	if caller != nil && !caller.Root {
		if err := s.iam.CheckPassRole(ctx, caller, cfg.Role); err != nil {
			var ie *iam.Error
			if errors.As(err, &ie) {
				return s3err.ErrAccessDenied.With(ie.Message)
			}
			return err
		}
	}
	stored := cfg.Marshal()
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := bucketIn(tx, bucket)
		if err != nil {
			return err
		}
		if b.Versioning != meta.VersioningEnabled {
			return s3err.ErrInvalidRequest.With("Versioning must be 'Enabled' on the bucket to apply a replication configuration").
				WithExtra("BucketName", bucket)
		}
		for _, d := range cfg.Destinations() {
			db, err := tx.GetBucket(d)
			if errors.Is(err, meta.ErrNotFound) {
				return s3err.ErrInvalidRequest.With("Destination bucket must exist.")
			}
			if err != nil {
				return err
			}
			if db.Versioning != meta.VersioningEnabled {
				return s3err.ErrInvalidRequest.With("Destination bucket must have versioning enabled.")
			}
		}
		if b.Configs == nil {
			b.Configs = map[string][]byte{}
		}
		b.Configs[object.ReplicationConfig] = stored
		return tx.UpdateBucket(b)
	})
	return internalErr(err)
}

// Configuration returns the stored configuration document, or
// ReplicationConfigurationNotFoundError.
func (s *Service) Configuration(ctx context.Context, bucket string) ([]byte, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	doc, ok := b.Configs[object.ReplicationConfig]
	if !ok {
		return nil, errNoConfig(bucket)
	}
	return doc, nil
}

// DeleteConfiguration removes a bucket's replication configuration.
// Replications already queued then fail with
// SrcBucketReplicationConfigMissing, as in AWS.
func (s *Service) DeleteConfiguration(ctx context.Context, bucket string) error {
	return internalErr(s.meta.Update(ctx, func(tx meta.Tx) error {
		b, err := bucketIn(tx, bucket)
		if err != nil {
			return err
		}
		if _, ok := b.Configs[object.ReplicationConfig]; !ok {
			return nil
		}
		delete(b.Configs, object.ReplicationConfig)
		return tx.UpdateBucket(b)
	}))
}

func errNoConfig(bucket string) error {
	return s3err.ErrReplicationConfigurationNotFound.WithExtra("BucketName", bucket)
}

func bucketIn(tx meta.Tx, name string) (*meta.Bucket, error) {
	b, err := tx.GetBucket(name)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, s3err.ErrNoSuchBucket.WithExtra("BucketName", name)
	}
	return b, err
}

// internalErr passes catalog errors through and wraps others.
func internalErr(err error) error {
	if err == nil {
		return nil
	}
	var e *s3err.Error
	if errors.As(err, &e) {
		return err
	}
	return errors.Join(s3err.ErrInternalError, err)
}

// Role returns the role of a bucket's replication configuration.
func (s *Service) Role(ctx context.Context, bucket string) (string, error) {
	b, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return "", err
	}
	cfg := s.bucketConfig(b)
	if cfg == nil {
		return "", errNoConfig(bucket)
	}
	return cfg.Role, nil
}
