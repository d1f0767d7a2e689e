package ctlxml

import (
	"slices"
	"sort"
)

// report writes a JobReport.
func (w *writer) report(r *Report) {
	w.open("Report")
	w.optional("Bucket", r.Bucket)
	w.optional("Format", r.Format)
	w.boolean("Enabled", r.Enabled)
	w.optional("Prefix", r.Prefix)
	w.optional("ReportScope", r.ReportScope)
	w.optional("ExpectedBucketOwner", r.ExpectedBucketOwner)
	w.close("Report")
}

// manifest writes a JobManifest.
func (w *writer) manifest(m *Manifest) {
	w.open("Manifest")
	w.open("Spec")
	w.leaf("Format", m.Spec.Format)
	w.members("Fields", m.Spec.Fields)
	w.close("Spec")
	w.location(&m.Location)
	w.close("Manifest")
}

// location writes a JobManifestLocation.
func (w *writer) location(l *ManifestLocation) {
	w.open("Location")
	w.leaf("ObjectArn", l.ObjectArn)
	w.optional("ObjectVersionId", l.ObjectVersionID)
	w.leaf("ETag", l.ETag)
	w.close("Location")
}

// manifestGenerator writes a JobManifestGenerator.
func (w *writer) manifestGenerator(m *ManifestGenerator) {
	w.open("ManifestGenerator")
	if g := m.S3JobManifestGenerator; g != nil {
		w.open("S3JobManifestGenerator")
		w.optional("ExpectedBucketOwner", g.ExpectedBucketOwner)
		w.leaf("SourceBucket", g.SourceBucket)
		if o := g.ManifestOutputLocation; o != nil {
			w.outputLocation(o)
		}
		if g.Filter != nil {
			w.filter(g.Filter)
		}
		w.boolean("EnableManifestOutput", g.EnableManifestOutput)
		w.close("S3JobManifestGenerator")
	}
	w.close("ManifestGenerator")
}

// outputLocation writes an S3ManifestOutputLocation.
func (w *writer) outputLocation(o *ManifestOutputLocation) {
	w.open("ManifestOutputLocation")
	w.optional("ExpectedManifestBucketOwner", o.ExpectedManifestBucketOwner)
	w.leaf("Bucket", o.Bucket)
	w.optional("ManifestPrefix", o.ManifestPrefix)
	if e := o.ManifestEncryption; e != nil {
		w.open("ManifestEncryption")
		if e.SSES3 {
			w.empty(EncryptionSSES3)
		}
		if e.KMSKeyID != "" {
			w.open(EncryptionSSEKMS)
			w.leaf("KeyId", e.KMSKeyID)
			w.close(EncryptionSSEKMS)
		}
		w.close("ManifestEncryption")
	}
	w.leaf("ManifestFormat", o.ManifestFormat)
	w.close("ManifestOutputLocation")
}

// filter writes a JobManifestGeneratorFilter.
func (w *writer) filter(f *ManifestGeneratorFilter) {
	w.open("Filter")
	w.optBool("EligibleForReplication", f.EligibleForReplication)
	w.optTime("CreatedAfter", f.CreatedAfter)
	w.optTime("CreatedBefore", f.CreatedBefore)
	w.members("ObjectReplicationStatuses", f.ObjectReplicationStatuses)
	if k := f.KeyNameConstraint; k != nil {
		w.open("KeyNameConstraint")
		w.members("MatchAnyPrefix", k.MatchAnyPrefix)
		w.members("MatchAnySuffix", k.MatchAnySuffix)
		w.members("MatchAnySubstring", k.MatchAnySubstring)
		w.close("KeyNameConstraint")
	}
	w.optInt("ObjectSizeGreaterThanBytes", f.ObjectSizeGreaterThanBytes)
	w.optInt("ObjectSizeLessThanBytes", f.ObjectSizeLessThanBytes)
	w.members("MatchAnyStorageClass", f.MatchAnyStorageClass)
	if len(f.MatchAnyObjectEncryption) > 0 {
		w.open("MatchAnyObjectEncryption")
		for _, e := range f.MatchAnyObjectEncryption {
			w.open("ObjectEncryption")
			switch e.Type {
			case EncryptionSSEKMS, EncryptionDSSEKMS:
				w.open(e.Type)
				w.optional("KmsKeyArn", e.KmsKeyArn)
				w.optBool("BucketKeyEnabled", e.BucketKeyEnabled)
				w.close(e.Type)
			case EncryptionSSES3, EncryptionSSEC, EncryptionNotSSE:
				w.empty(e.Type)
			}
			w.close("ObjectEncryption")
		}
		w.close("MatchAnyObjectEncryption")
	}
	w.close("Filter")
}

// operation writes a JobOperation: the set member, or an empty element
// named Unsupported when that is an OperationName.
func (w *writer) operation(o *Operation) {
	w.open("Operation")
	switch {
	case o.S3PutObjectCopy != nil:
		w.copyOperation(o.S3PutObjectCopy)
	case o.S3PutObjectTagging != nil:
		w.open(OpS3PutObjectTagging)
		w.open("TagSet")
		for _, t := range o.S3PutObjectTagging.TagSet {
			w.open("member")
			w.leaf("Key", t.Key)
			w.leaf("Value", t.Value)
			w.close("member")
		}
		w.close("TagSet")
		w.close(OpS3PutObjectTagging)
	case o.S3DeleteObjectTagging != nil:
		w.empty(OpS3DeleteObjectTagging)
	case o.S3ReplicateObject != nil:
		w.empty(OpS3ReplicateObject)
	case slices.Contains(OperationNames, o.Unsupported):
		w.empty(o.Unsupported)
	}
	w.close("Operation")
}

// copyOperation writes an S3CopyObjectOperation.
func (w *writer) copyOperation(c *S3CopyObjectOperation) {
	w.open(OpS3PutObjectCopy)
	w.optional("TargetResource", c.TargetResource)
	w.optional("CannedAccessControlList", c.CannedAccessControlList)
	if len(c.AccessControlGrants) > 0 {
		w.open("AccessControlGrants")
		for _, g := range c.AccessControlGrants {
			w.open("member")
			if e := g.Grantee; e != nil {
				w.open("Grantee")
				w.optional("TypeIdentifier", e.TypeIdentifier)
				w.optional("Identifier", e.Identifier)
				w.optional("DisplayName", e.DisplayName)
				w.close("Grantee")
			}
			w.optional("Permission", g.Permission)
			w.close("member")
		}
		w.close("AccessControlGrants")
	}
	w.optional("MetadataDirective", c.MetadataDirective)
	w.optTime("ModifiedSinceConstraint", c.ModifiedSinceConstraint)
	if c.NewObjectMetadata != nil {
		w.metadata(c.NewObjectMetadata)
	}
	w.tags("NewObjectTagging", c.NewObjectTagging)
	w.optional("RedirectLocation", c.RedirectLocation)
	w.optBool("RequesterPays", c.RequesterPays)
	w.optional("StorageClass", c.StorageClass)
	w.optTime("UnModifiedSinceConstraint", c.UnModifiedSinceConstraint)
	w.optional("SSEAwsKmsKeyId", c.SSEAwsKmsKeyID)
	w.optional("TargetKeyPrefix", c.TargetKeyPrefix)
	w.optional("ObjectLockLegalHoldStatus", c.ObjectLockLegalHoldStatus)
	w.optional("ObjectLockMode", c.ObjectLockMode)
	w.optTime("ObjectLockRetainUntilDate", c.ObjectLockRetainUntilDate)
	w.optBool("BucketKeyEnabled", c.BucketKeyEnabled)
	w.optional("ChecksumAlgorithm", c.ChecksumAlgorithm)
	w.close(OpS3PutObjectCopy)
}

// metadata writes an S3ObjectMetadata; UserMetadata entries in key order.
func (w *writer) metadata(m *ObjectMetadata) {
	w.open("NewObjectMetadata")
	w.optional("CacheControl", m.CacheControl)
	w.optional("ContentDisposition", m.ContentDisposition)
	w.optional("ContentEncoding", m.ContentEncoding)
	w.optional("ContentLanguage", m.ContentLanguage)
	if len(m.UserMetadata) > 0 {
		keys := make([]string, 0, len(m.UserMetadata))
		for k := range m.UserMetadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.open("UserMetadata")
		for _, k := range keys {
			w.open("entry")
			w.leaf("key", k)
			w.leaf("value", m.UserMetadata[k])
			w.close("entry")
		}
		w.close("UserMetadata")
	}
	w.optInt("ContentLength", m.ContentLength)
	w.optional("ContentMD5", m.ContentMD5)
	w.optional("ContentType", m.ContentType)
	w.optTime("HttpExpiresDate", m.HttpExpiresDate)
	w.optBool("RequesterCharged", m.RequesterCharged)
	w.optional("SSEAlgorithm", m.SSEAlgorithm)
	w.close("NewObjectMetadata")
}
