package inventoryconf

import (
	"strings"

	"github.com/ferrys3/ferry/internal/s3err"
)

// AWS's messages for the semantic checks: IdMismatch's text (in the
// s3err catalog) and "Invalid bucket ARN." as LocalStack's S3 provider
// reproduces them (validate_inventory_configuration); the namespace message
// as quoted from AWS in aws/aws-cli#3611.
const (
	msgBadBucketARN   = "Invalid bucket ARN."
	msgARNWithAccount = "Bucket ARN should not specify a namespace."
	msgARNWithRegion  = "Bucket ARN should not specify a region." // ours, in AWS's style
)

// validID reports whether id is a valid inventory configuration ID: 1 to 64
// letters, digits, '.', '-' or '_' (the console's rule "Name can only
// contain letters, numbers, underscores, periods, or dashes"; AWS answers
// MalformedXML for other IDs and for IDs over 64 characters).
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validate applies the checks that follow schema validation.
func validate(c *Config, idFromQuery string) error {
	if c.ID != idFromQuery {
		return s3err.ErrIDMismatch
	}
	return validateBucketARN(c.Destination.Bucket)
}

// validateBucketARN accepts exactly arn:aws:s3:::name with a name free of
// '/' and ':'.
func validateBucketARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "s3" {
		return badBucket(msgBadBucketARN)
	}
	if parts[4] != "" {
		return badBucket(msgARNWithAccount)
	}
	if parts[3] != "" {
		return badBucket(msgARNWithRegion)
	}
	if parts[5] == "" || strings.ContainsAny(parts[5], "/:") {
		return badBucket(msgBadBucketARN)
	}
	return nil
}

func badBucket(msg string) error { return s3err.ErrInvalidS3DestinationBucket.With(msg) }
