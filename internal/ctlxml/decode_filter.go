package ctlxml

import (
	"strconv"

	"github.com/ferrys3/ferry/internal/s3xml"
)

// filter converts a JobManifestGeneratorFilter.
func (p *parser) filter(path string, raw *rawFilter) *ManifestGeneratorFilter {
	p.None(raw.Any)
	f := &ManifestGeneratorFilter{
		EligibleForReplication:     p.boolean(raw.EligibleForReplication),
		CreatedAfter:               p.timestamp(raw.CreatedAfter),
		CreatedBefore:              p.timestamp(raw.CreatedBefore),
		ObjectReplicationStatuses:  p.list(raw.ObjectReplicationStatuses),
		ObjectSizeGreaterThanBytes: p.long(raw.ObjectSizeGreaterThanBytes),
		ObjectSizeLessThanBytes:    p.long(raw.ObjectSizeLessThanBytes),
		MatchAnyStorageClass:       p.list(raw.MatchAnyStorageClass),
	}
	for i, s := range f.ObjectReplicationStatuses {
		p.enum(member(path+".objectReplicationStatuses", i), s, true, replicationStates)
	}
	if k := s3xml.One(&p.Schema, raw.KeyNameConstraint); k != nil {
		p.None(k.Any)
		at := path + ".keyNameConstraint"
		f.KeyNameConstraint = &KeyNameConstraint{
			MatchAnyPrefix:    p.keyList(at+".matchAnyPrefix", k.MatchAnyPrefix),
			MatchAnySuffix:    p.keyList(at+".matchAnySuffix", k.MatchAnySuffix),
			MatchAnySubstring: p.keyList(at+".matchAnySubstring", k.MatchAnySubstring),
		}
	}
	for i, s := range f.MatchAnyStorageClass {
		p.enum(member(path+".matchAnyStorageClass", i), s, true, storageClasses)
	}
	if e := s3xml.One(&p.Schema, raw.MatchAnyObjectEncryption); e != nil {
		p.None(e.Any)
		at := path + ".matchAnyObjectEncryption"
		for i := range e.ObjectEncryption {
			f.MatchAnyObjectEncryption = append(f.MatchAnyObjectEncryption,
				p.encryptionFilter(member(at, i), &e.ObjectEncryption[i]))
		}
		if n := len(f.MatchAnyObjectEncryption); n != 1 {
			p.violation("'"+strconv.Itoa(n)+" items'", at, lengthConstraint(n))
		}
	}
	return f
}

// lengthConstraint is the list-length wording for MatchAnyObjectEncryption,
// which must have exactly one member.
func lengthConstraint(n int) string {
	if n < 1 {
		return "have length greater than or equal to 1"
	}
	return "have length less than or equal to 1"
}

// keyList converts a list of 1–1024 character strings.
func (p *parser) keyList(path string, s []rawList) []string {
	out := p.list(s)
	for i, v := range out {
		p.length(member(path, i), v, 1, 1024)
	}
	return out
}

// encryptionFilter converts one ObjectEncryptionFilter (a union).
func (p *parser) encryptionFilter(path string, raw *rawEncryptionFilter) ObjectEncryptionFilter {
	p.None(raw.Any)
	var f ObjectEncryptionFilter
	choices := 0
	flag := func(name string, s []empty) {
		if e := s3xml.One(&p.Schema, s); e != nil {
			p.None(e.Any)
			f.Type = name
			choices++
		}
	}
	kms := func(name string, s []rawKMSFilter, bucketKey bool) {
		k := s3xml.One(&p.Schema, s)
		if k == nil {
			return
		}
		p.None(k.Any)
		f.Type = name
		choices++
		arn, ok := p.Text(k.KmsKeyArn)
		if ok {
			p.length(path+"."+name+".kmsKeyArn", arn, 20, 2048)
			p.matches(path+"."+name+".kmsKeyArn", arn, kmsArnPattern)
		}
		f.KmsKeyArn = arn
		if bucketKey {
			f.BucketKeyEnabled = p.boolean(k.BucketKeyEnabled)
		} else if len(k.BucketKeyEnabled) > 0 {
			p.Bad = true // DSSE-KMS has no BucketKeyEnabled
		}
	}
	flag(EncryptionSSES3, raw.SSES3)
	kms(EncryptionSSEKMS, raw.SSEKMS, true)
	kms(EncryptionDSSEKMS, raw.DSSEKMS, false)
	flag(EncryptionSSEC, raw.SSEC)
	flag(EncryptionNotSSE, raw.NotSSE)
	if choices != 1 {
		p.fail(msgOneEncryption)
	}
	return f
}
