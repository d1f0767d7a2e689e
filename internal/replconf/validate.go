package replconf

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferrys3/ferry/internal/s3err"
)

// Limits on rule fields.
const (
	maxIDLength     = 255
	maxPrefixLength = 1024
	maxPriority     = 1<<31 - 1
	maxTagKey       = 128
	maxTagValue     = 256
	rtcMinutes      = 15
)

// AWS's messages for the semantic checks. Texts marked [obs] were seen in AWS
// answers quoted by users (see aws-semantics.md 2.4); the others are ours,
// in AWS's style.
const (
	seeGuide            = " Please refer to S3 Developer Guide for more information."
	schemaV2            = " for this version of Cross Region Replication configuration schema." + seeGuide
	msgTooManyRules     = "The number of replication rules must not exceed the allowed limit of 1000 rules."
	msgIDTooLong        = "ID length should not exceed allowed limit of 255"
	msgPrefixTooLong    = "Prefix length should not exceed allowed limit of 1024"
	msgPriorityRange    = "Priority must be between 0 and 2147483647."
	msgIDNotUnique      = "Rule Id must be unique."                                    // [obs]
	msgBadBucketARN     = "Invalid bucket ARN."                                        // [obs]
	msgDuplicateTagKeys = "Duplicate Tag Keys are not allowed."                        // [obs]
	msgDistinctDest     = "Number of distinct destination bucket ARNs cannot exceed 1" // [obs]
	msgNeedAccount      = "Destination Account must be specified when AccessControlTranslation is specified"
	msgNeedSseKms       = "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present." // [obs]
	msgNeedKmsKey       = "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."     // [obs]
	msgTagDeleteMarkers = "Delete marker replication is not supported if any Tag filter is specified." + seeGuide
	msgRTCNeedsMetrics  = "ReplicationTime must be specified together with Metrics."
	msgRTCMinutes       = "ReplicationTime Time Minutes must be 15."
	msgMetricsMinutes   = "Metrics EventThreshold Minutes must be 15."
	msgRTCNeedsEvent    = "Metrics must contain an event threshold when ReplicationTime is Enabled."
	msgEventWithoutRTC  = "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled" // [obs]
	msgBadTagKey        = "The TagKey you have provided is invalid"
	msgBadTagValue      = "The TagValue you have provided is invalid"
)

func invalidRequest(msg string) error { return s3err.ErrInvalidRequest.With(msg) }

func invalidArgument(msg, name, value string) error {
	return s3err.ErrInvalidArgument.With(msg).WithExtra("ArgumentName", name).WithExtra("ArgumentValue", value)
}

// mustBeSpecified is the V2 schema's error for a missing Priority or
// DeleteMarkerReplication [obs].
func mustBeSpecified(element string) error {
	return invalidRequest(element + " must be specified" + schemaV2)
}

// cannotBeUsed is the error for a V2-only element in a V1 document (a
// document where some rule has no Filter).
func cannotBeUsed(element string) error {
	return invalidRequest(element + " cannot be used" + schemaV2)
}

// validate applies AWS's semantic checks to a schema-valid configuration.
func validate(c *Config, facts []ruleFacts) error {
	if len(c.Rules) > MaxRules {
		return invalidRequest(msgTooManyRules)
	}
	v1 := false
	for i := range c.Rules {
		if c.Rules[i].Filter == nil {
			v1 = true
		}
	}
	for i := range c.Rules {
		if err := validateRule(&c.Rules[i], &facts[i], v1); err != nil {
			return err
		}
	}
	return validateAcross(c, v1)
}

func validateRule(r *Rule, f *ruleFacts, v1 bool) error {
	if err := validateSchemaVersion(r, v1); err != nil {
		return err
	}
	if utf8.RuneCountInString(r.ID) > maxIDLength {
		return invalidArgument(msgIDTooLong, "ID", r.ID)
	}
	prefix := r.Prefix
	if r.Filter != nil {
		prefix = r.Filter.Prefix
	}
	if len(prefix) > maxPrefixLength {
		return invalidArgument(msgPrefixTooLong, "Prefix", prefix)
	}
	if f.priorityRange {
		return invalidRequest(msgPriorityRange)
	}
	if r.Filter != nil {
		if err := validateTags(r.Filter.Tags); err != nil {
			return err
		}
		if len(r.Filter.Tags) > 0 && r.DeleteMarkerReplication == Enabled {
			return invalidRequest(msgTagDeleteMarkers)
		}
	}
	return validateDestination(r, f)
}

// validateSchemaVersion checks the elements a rule must or must not have
// for the document's schema version.
func validateSchemaVersion(r *Rule, v1 bool) error {
	if !v1 {
		if !r.HasPriority {
			return mustBeSpecified("Priority")
		}
		if r.DeleteMarkerReplication == "" {
			return mustBeSpecified("DeleteMarkerReplication")
		}
		return nil
	}
	switch {
	case r.HasPriority:
		return cannotBeUsed("Priority")
	case r.DeleteMarkerReplication != "":
		return cannotBeUsed("DeleteMarkerReplication")
	case r.Filter != nil:
		return cannotBeUsed("Filter")
	case r.ReplicaModifications != "":
		return cannotBeUsed("ReplicaModifications")
	case r.Destination.ReplicationTime != nil:
		return cannotBeUsed("ReplicationTime")
	case r.Destination.Metrics != nil:
		return cannotBeUsed("Metrics")
	}
	return nil
}

func validateTags(tags []Tag) error {
	keys := make(map[string]struct{}, len(tags))
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKey {
			return s3err.ErrInvalidTag.With(msgBadTagKey)
		}
		if utf8.RuneCountInString(t.Value) > maxTagValue {
			return s3err.ErrInvalidTag.With(msgBadTagValue)
		}
		if _, dup := keys[t.Key]; dup {
			return invalidRequest(msgDuplicateTagKeys)
		}
		keys[t.Key] = struct{}{}
	}
	return nil
}

func validateDestination(r *Rule, f *ruleFacts) error {
	d := &r.Destination
	if name, ok := strings.CutPrefix(d.Bucket, bucketARNPrefix); !ok || name == "" || strings.ContainsAny(name, "/:") {
		return invalidArgument(msgBadBucketARN, "Bucket", d.Bucket)
	}
	if d.OwnerOverride && d.Account == "" {
		return invalidRequest(msgNeedAccount)
	}
	if f.encryption && r.SseKmsEncryptedObjects == "" {
		return invalidRequest(msgNeedSseKms)
	}
	if r.SseKmsEncryptedObjects != "" && d.ReplicaKmsKeyID == "" {
		return invalidRequest(msgNeedKmsKey)
	}
	rtc, m := d.ReplicationTime, d.Metrics
	if rtc != nil {
		if m == nil {
			return invalidRequest(msgRTCNeedsMetrics)
		}
		if !rtc.HasMinutes || rtc.Minutes != rtcMinutes {
			return invalidRequest(msgRTCMinutes)
		}
	}
	if m != nil {
		rtcOn := rtc != nil && rtc.Status == Enabled
		switch {
		case f.eventThreshold && !rtcOn:
			return s3err.ErrInvalidArgument.With(msgEventWithoutRTC).WithExtra("ArgumentName", "Metrics")
		case rtcOn && !f.eventThreshold:
			return invalidRequest(msgRTCNeedsEvent)
		case f.eventThreshold && (!m.HasMinutes || m.Minutes != rtcMinutes):
			return invalidRequest(msgMetricsMinutes)
		}
	}
	return nil
}

// validateAcross applies the checks that involve several rules.
func validateAcross(c *Config, v1 bool) error {
	ids := make(map[string]struct{}, len(c.Rules))
	for i := range c.Rules {
		id := c.Rules[i].ID
		if id == "" {
			continue
		}
		if _, dup := ids[id]; dup {
			return invalidArgument(msgIDNotUnique, "ID", id)
		}
		ids[id] = struct{}{}
	}
	if v1 {
		for i := range c.Rules {
			if c.Rules[i].Destination.Bucket != c.Rules[0].Destination.Bucket {
				return invalidRequest(msgDistinctDest)
			}
		}
		return nil
	}
	type destPriority struct {
		bucket   string
		priority int
	}
	seen := make(map[destPriority]struct{}, len(c.Rules))
	for i := range c.Rules {
		k := destPriority{c.Rules[i].Destination.Bucket, c.Rules[i].Priority}
		if _, dup := seen[k]; dup {
			return invalidRequest("Found duplicate priority " + strconv.Itoa(k.priority) + ".")
		}
		seen[k] = struct{}{}
	}
	return nil
}

// assignIDs gives every rule without an ID a new unique one, in the style of
// AWS's generated IDs (base64 of a random UUID string, 48 characters).
func assignIDs(c *Config) {
	for i := range c.Rules {
		for c.Rules[i].ID == "" {
			id := newID()
			if c.RuleByID(id) == nil {
				c.Rules[i].ID = id
			}
		}
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	const hexdigits = "0123456789abcdef"
	var u [36]byte
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			u[j] = '-'
			j++
		}
		u[j], u[j+1] = hexdigits[x>>4], hexdigits[x&0x0f]
		j += 2
	}
	return base64.StdEncoding.EncodeToString(u[:])
}
