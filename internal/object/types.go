package object

import "github.com/ferrys3/ferry/internal/meta"

// The object model, re-exported so front ends depend on the service only.
type (
	// Bucket is a bucket's record.
	Bucket = meta.Bucket
	// Version is an object version or delete marker.
	Version = meta.Version
	// Upload is an in-progress multipart upload.
	Upload = meta.Upload
	// Grant is one access-control-list grant.
	Grant = meta.Grant
)

// NullVersion is the version ID of objects written without versioning.
const NullVersion = meta.NullVersion

// Versioning states.
const (
	VersioningOff       = meta.VersioningOff
	VersioningEnabled   = meta.VersioningEnabled
	VersioningSuspended = meta.VersioningSuspended
)
