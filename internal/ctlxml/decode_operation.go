package ctlxml

import "github.com/ferrys3/ferry/internal/s3xml"

// operation converts a JobOperation: exactly one member.
func (p *parser) operation(raw *rawOperation) Operation {
	p.None(raw.Any)
	var op Operation
	n := 0
	unsupported := func(name string, s []opaque) {
		if s3xml.One(&p.Schema, s) != nil {
			op.Unsupported = name
			n++
		}
	}
	unsupported(OpLambdaInvoke, raw.LambdaInvoke)
	if c := s3xml.One(&p.Schema, raw.S3PutObjectCopy); c != nil {
		op.S3PutObjectCopy = p.copyOperation(c)
		n++
	}
	unsupported(OpS3PutObjectAcl, raw.S3PutObjectAcl)
	if t := s3xml.One(&p.Schema, raw.S3PutObjectTagging); t != nil {
		p.None(t.Any)
		op.S3PutObjectTagging = &S3SetObjectTaggingOperation{
			TagSet: p.tags("operation.s3PutObjectTagging.tagSet", t.TagSet)}
		n++
	}
	if e := s3xml.One(&p.Schema, raw.S3DeleteObjectTagging); e != nil {
		p.None(e.Any)
		op.S3DeleteObjectTagging = &S3DeleteObjectTaggingOperation{}
		n++
	}
	unsupported(OpS3InitiateRestoreObject, raw.S3InitiateRestoreObject)
	unsupported(OpS3PutObjectLegalHold, raw.S3PutObjectLegalHold)
	unsupported(OpS3PutObjectRetention, raw.S3PutObjectRetention)
	if e := s3xml.One(&p.Schema, raw.S3ReplicateObject); e != nil {
		p.None(e.Any)
		op.S3ReplicateObject = &S3ReplicateObjectOperation{}
		n++
	}
	unsupported(OpS3ComputeObjectChecksum, raw.S3ComputeObjectChecksum)
	unsupported(OpS3UpdateObjectEncryption, raw.S3UpdateObjectEncryption)
	if n != 1 {
		p.fail(msgOneOperation)
	}
	return op
}

// copyOperation converts an S3CopyObjectOperation.
func (p *parser) copyOperation(raw *rawCopy) *S3CopyObjectOperation {
	p.None(raw.Any)
	const path = "operation.s3PutObjectCopy"
	c := &S3CopyObjectOperation{}
	var ok bool
	c.TargetResource, ok = p.Text(raw.TargetResource)
	if ok {
		p.length(path+".targetResource", c.TargetResource, 1, 128)
		p.matches(path+".targetResource", c.TargetResource, copyTargetPat)
	} else {
		p.fail(msgCopyTarget)
	}
	c.CannedAccessControlList = p.enumText(path+".cannedAccessControlList", raw.CannedAccessControlList, cannedACLs)
	if g := s3xml.One(&p.Schema, raw.AccessControlGrants); g != nil {
		p.None(g.Any)
		for i := range g.Member {
			c.AccessControlGrants = append(c.AccessControlGrants, p.grant(member(path+".accessControlGrants", i), &g.Member[i]))
		}
	}
	c.MetadataDirective = p.enumText(path+".metadataDirective", raw.MetadataDirective, metadataDirectives)
	c.ModifiedSinceConstraint = p.timestamp(raw.ModifiedSinceConstraint)
	if m := s3xml.One(&p.Schema, raw.NewObjectMetadata); m != nil {
		c.NewObjectMetadata = p.metadata(path+".newObjectMetadata", m)
	}
	c.NewObjectTagging = p.tags(path+".newObjectTagging", raw.NewObjectTagging)
	c.RedirectLocation = p.sizedText(path+".redirectLocation", raw.RedirectLocation, 2048)
	c.RequesterPays = p.boolean(raw.RequesterPays)
	c.StorageClass = p.enumText(path+".storageClass", raw.StorageClass, storageClasses)
	c.UnModifiedSinceConstraint = p.timestamp(raw.UnModifiedSinceConstraint)
	c.SSEAwsKmsKeyID = p.sizedText(path+".sSEAwsKmsKeyId", raw.SSEAwsKmsKeyID, 2000)
	c.TargetKeyPrefix = p.sizedText(path+".targetKeyPrefix", raw.TargetKeyPrefix, 1024)
	c.ObjectLockLegalHoldStatus = p.enumText(path+".objectLockLegalHoldStatus", raw.ObjectLockLegalHoldStatus, legalHoldStatuses)
	c.ObjectLockMode = p.enumText(path+".objectLockMode", raw.ObjectLockMode, lockModes)
	c.ObjectLockRetainUntilDate = p.timestamp(raw.ObjectLockRetainUntilDate)
	c.BucketKeyEnabled = p.boolean(raw.BucketKeyEnabled)
	c.ChecksumAlgorithm = p.enumText(path+".checksumAlgorithm", raw.ChecksumAlgorithm, checksumAlgorithms)
	return c
}

// enumText reads an optional enumeration leaf.
func (p *parser) enumText(path string, s []text, set []string) string {
	v, ok := p.Text(s)
	p.enum(path, v, ok, set)
	return v
}

// sizedText reads an optional leaf of 1..hi characters.
func (p *parser) sizedText(path string, s []text, hi int) string {
	v, ok := p.Text(s)
	p.optLength(path, v, ok, 1, hi)
	return v
}

// grant converts an S3Grant.
func (p *parser) grant(path string, raw *rawGrant) Grant {
	p.None(raw.Any)
	var g Grant
	if r := s3xml.One(&p.Schema, raw.Grantee); r != nil {
		p.None(r.Any)
		g.Grantee = &Grantee{
			TypeIdentifier: p.enumText(path+".grantee.typeIdentifier", r.TypeIdentifier, granteeTypes),
			Identifier:     p.sizedText(path+".grantee.identifier", r.Identifier, 1024),
			DisplayName:    p.sizedText(path+".grantee.displayName", r.DisplayName, 1024),
		}
	}
	g.Permission = p.enumText(path+".permission", raw.Permission, permissions)
	return g
}

// maxUserMetadata is the most UserMetadata entries.
const maxUserMetadata = 8192

// metadata converts an S3ObjectMetadata.
func (p *parser) metadata(path string, raw *rawMetadata) *ObjectMetadata {
	p.None(raw.Any)
	m := &ObjectMetadata{
		CacheControl:       p.sizedText(path+".cacheControl", raw.CacheControl, 1024),
		ContentDisposition: p.sizedText(path+".contentDisposition", raw.ContentDisposition, 1024),
		ContentEncoding:    p.sizedText(path+".contentEncoding", raw.ContentEncoding, 1024),
		ContentLanguage:    p.sizedText(path+".contentLanguage", raw.ContentLanguage, 1024),
	}
	if u := s3xml.One(&p.Schema, raw.UserMetadata); u != nil {
		p.None(u.Any)
		m.UserMetadata = map[string]string{}
		for i := range u.Entry {
			e := &u.Entry[i]
			p.None(e.Any)
			k, ok := p.Text(e.Key)
			v, _ := p.Text(e.Value)
			if _, dup := m.UserMetadata[k]; dup || !ok {
				p.Bad = true
			}
			p.length(path+".userMetadata.key", k, 1, 1024)
			p.length(path+".userMetadata.value", v, 0, 1024)
			m.UserMetadata[k] = v
		}
		if len(m.UserMetadata) > maxUserMetadata {
			p.violation("'map'", path+".userMetadata", "have length less than or equal to 8192")
		}
	}
	if n := p.long(raw.ContentLength); n != nil {
		p.between(path+".contentLength", *n, 0, 1<<63-1)
		m.ContentLength = n
	}
	m.ContentMD5 = p.sizedText(path+".contentMD5", raw.ContentMD5, 1024)
	m.ContentType = p.sizedText(path+".contentType", raw.ContentType, 1024)
	m.HttpExpiresDate = p.timestamp(raw.HttpExpiresDate)
	m.RequesterCharged = p.boolean(raw.RequesterCharged)
	m.SSEAlgorithm = p.enumText(path+".sSEAlgorithm", raw.SSEAlgorithm, sseAlgorithms)
	return m
}
