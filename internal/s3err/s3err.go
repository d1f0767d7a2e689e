// Package s3err is the one catalog of S3 error codes, their HTTP status and
// default message, and the AWS XML rendering of an error.
package s3err

import (
	"encoding/xml"
	"errors"
	"sort"
)

// Error is an S3 error as AWS renders it.
type Error struct {
	Code       string
	Message    string
	HTTPStatus int
	// Optional context rendered as extra elements.
	Resource   string
	BucketName string
	Key        string
	Extra      map[string]string
	Header     map[string]string // response headers to add (e.g. x-amz-delete-marker)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// With returns a copy of e with another message.
func (e *Error) With(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// WithHeader returns a copy of e that also sets a response header.
func (e *Error) WithHeader(name, value string) *Error {
	c := *e
	c.Header = map[string]string{}
	for k, v := range e.Header {
		c.Header[k] = v
	}
	c.Header[name] = value
	return &c
}

// WithExtra returns a copy of e with an extra element in the XML body.
func (e *Error) WithExtra(name, value string) *Error {
	c := *e
	c.Extra = map[string]string{}
	for k, v := range e.Extra {
		c.Extra[k] = v
	}
	c.Extra[name] = value
	return &c
}

// As extracts an *Error from err, or returns InternalError.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternalError
}

func def(code string, status int, msg string) *Error {
	return &Error{Code: code, HTTPStatus: status, Message: msg}
}

// The catalog.
var (
	ErrAccessDenied                      = def("AccessDenied", 403, "Access Denied")
	ErrAuthorizationHeaderMalformed      = def("AuthorizationHeaderMalformed", 400, "The authorization header is malformed.")
	ErrAuthorizationQueryParametersError = def("AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter.")
	ErrBadDigest                         = def("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
	ErrBucketAlreadyExists               = def("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	ErrBucketAlreadyOwnedByYou           = def("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.")
	ErrBucketNotEmpty                    = def("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
	ErrEntityTooLarge                    = def("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.")
	ErrEntityTooSmall                    = def("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
	ErrIllegalLocationConstraint         = def("IllegalLocationConstraintException", 400, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	ErrIncompleteBody                    = def("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	ErrInternalError                     = def("InternalError", 500, "We encountered an internal error. Please try again.")
	ErrInvalidAccessKeyID                = def("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
	ErrInvalidArgument                   = def("InvalidArgument", 400, "Invalid Argument")
	ErrInvalidBucketName                 = def("InvalidBucketName", 400, "The specified bucket is not valid.")
	ErrInvalidDigest                     = def("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
	ErrInvalidLocationConstraint         = def("InvalidLocationConstraint", 400, "The specified location-constraint is not valid")
	ErrInvalidPart                       = def("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	ErrInvalidPartOrder                  = def("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	ErrInvalidRange                      = def("InvalidRange", 416, "The requested range is not satisfiable")
	ErrInvalidRequest                    = def("InvalidRequest", 400, "Invalid Request")
	ErrInvalidStorageClass               = def("InvalidStorageClass", 400, "The storage class you specified is not valid")
	ErrInvalidObjectState                = def("InvalidObjectState", 403, "The operation is not valid for the object's storage class")
	ErrKeyTooLong                        = def("KeyTooLongError", 400, "Your key is too long")
	ErrMalformedXML                      = def("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")
	ErrMetadataTooLarge                  = def("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.")
	ErrMethodNotAllowed                  = def("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	ErrMissingContentLength              = def("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
	ErrMissingSecurityHeader             = def("MissingSecurityHeader", 400, "Your request is missing a required header.")
	ErrNoSuchBucket                      = def("NoSuchBucket", 404, "The specified bucket does not exist")
	ErrNoSuchKey                         = def("NoSuchKey", 404, "The specified key does not exist.")
	ErrNoSuchUpload                      = def("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	ErrNoSuchVersion                     = def("NoSuchVersion", 404, "The specified version does not exist.")
	ErrNoSuchTagSet                      = def("NoSuchTagSet", 404, "The TagSet does not exist")
	ErrNotImplemented                    = def("NotImplemented", 501, "A header you provided implies functionality that is not implemented.")
	ErrNotModified                       = def("NotModified", 304, "Not Modified")
	ErrPreconditionFailed                = def("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
	ErrRequestTimeTooSkewed              = def("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.")
	ErrSignatureDoesNotMatch             = def("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	ErrXAmzContentSHA256Mismatch         = def("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	ErrInvalidChecksum                   = def("InvalidChecksum", 400, "Invalid Checksum") // placeholder message replaced per use
	ErrRequestHeaderSectionTooLarge      = def("RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size.")
	ErrInvalidTag                        = def("InvalidTag", 400, "The TagValue you have provided is invalid")
	ErrBadRequest                        = def("BadRequest", 400, "Bad Request")
	ErrExpiredToken                      = def("ExpiredToken", 400, "The provided token has expired.")
	ErrServiceUnavailable                = def("ServiceUnavailable", 503, "Please reduce your request rate.")
	ErrSlowDown                          = def("SlowDown", 503, "Please reduce your request rate.")
	ErrInvalidURI                        = def("InvalidURI", 400, "Couldn't parse the specified URI.")
	ErrUnexpectedContent                 = def("UnexpectedContent", 400, "This request does not support content")
	ErrMalformedPOSTRequest              = def("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.")
	ErrNoSuchBucketPolicy                = def("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
	ErrInvalidPartNumber                 = def("InvalidPartNumber", 416, "The requested partnumber is not satisfiable")
	ErrInvalidToken                      = def("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
	ErrInvalidChunkSize                  = def("InvalidChunkSizeError", 400, "Only the last chunk is allowed to have a size less than 8192 bytes")
	ErrMalformedTrailer                  = def("MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema.")
	ErrAccessControlListNotSupported     = def("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
	ErrMalformedPolicy                   = def("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'")
	ErrMalformedACLError                 = def("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema")
	ErrNoSuchPublicAccessBlockConfig     = def("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")
	ErrOwnershipControlsNotFound         = def("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")
	ErrInvalidBucketACLWithOwnership     = def("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	ErrUnresolvableGrantByEmailAddress   = def("UnresolvableGrantByEmailAddress", 400, "The email address you provided does not match any account on record.")
	ErrTooManyBuckets                    = def("TooManyBuckets", 400, "You have attempted to create more buckets than allowed")
	ErrInvalidBucketState                = def("InvalidBucketState", 409, "The request is not valid with the current state of the bucket.")
	ErrReplicationConfigurationNotFound  = def("ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found")
	ErrPermanentRedirect                 = def("PermanentRedirect", 301, "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
	ErrIDMismatch                        = def("IdMismatch", 400, "Document ID does not match the specified configuration ID.")
	ErrInvalidS3DestinationBucket        = def("InvalidS3DestinationBucket", 400, "Invalid bucket ARN.")
	ErrNoSuchConfiguration               = def("NoSuchConfiguration", 404, "The specified configuration does not exist.")
	ErrTooManyConfigurations             = def("TooManyConfigurations", 400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.")
)

type xmlError struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	BucketName string   `xml:"BucketName,omitempty"`
	Key        string   `xml:"Key,omitempty"`
	Resource   string   `xml:"Resource,omitempty"`
	Extra      []extra
	RequestID  string `xml:"RequestId"`
	HostID     string `xml:"HostId"`
}

type extra struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// Status is the HTTP status to answer with.
func (e *Error) Status() int {
	if e.HTTPStatus == 0 {
		return 500
	}
	return e.HTTPStatus
}

// Marshal renders e as AWS's XML error document.
func (e *Error) Marshal(requestID, hostID string) []byte {
	body := xmlError{Code: e.Code, Message: e.Message, BucketName: e.BucketName, Key: e.Key,
		Resource: e.Resource, RequestID: requestID, HostID: hostID}
	names := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		body.Extra = append(body.Extra, extra{XMLName: xml.Name{Local: k}, Value: e.Extra[k]})
	}
	out, _ := xml.Marshal(body)
	return append([]byte(xml.Header), out...)
}
