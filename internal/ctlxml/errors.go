package ctlxml

import "encoding/xml"

// The error codes of the S3 Control job operations: the names of the
// model's exception shapes, which SDKs match against <Code>.
const (
	CodeBadRequest       = "BadRequestException"
	CodeInvalidRequest   = "InvalidRequestException"
	CodeNotFound         = "NotFoundException"
	CodeJobStatus        = "JobStatusException"
	CodeIdempotency      = "IdempotencyException"
	CodeInvalidNextToken = "InvalidNextTokenException"
	CodeTooManyRequests  = "TooManyRequestsException"
	CodeInternalService  = "InternalServiceException"
)

// Error is an S3 Control error: the code, the HTTP status to answer with
// and the message.
type Error struct {
	Code    string
	Status  int
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewBadRequest is a 400 BadRequestException: a CreateJob, DescribeJob or
// Update* request that is malformed or fails validation.
func NewBadRequest(msg string) *Error { return &Error{CodeBadRequest, 400, msg} }

// NewInvalidRequest is a 400 InvalidRequestException: a bad ListJobs
// parameter (maxResults, jobStatuses).
func NewInvalidRequest(msg string) *Error { return &Error{CodeInvalidRequest, 400, msg} }

// NewNotFound is a 404 NotFoundException: an unknown job ID.
func NewNotFound(msg string) *Error { return &Error{CodeNotFound, 404, msg} }

// NewJobStatus is a 400 JobStatusException: an UpdateJobStatus transition
// the job's current status does not allow.
func NewJobStatus(msg string) *Error { return &Error{CodeJobStatus, 400, msg} }

// NewIdempotency is a 409 IdempotencyException: a ClientRequestToken reused
// with a different request.
func NewIdempotency(msg string) *Error { return &Error{CodeIdempotency, 409, msg} }

// NewInvalidNextToken is a 400 InvalidNextTokenException: a ListJobs
// nextToken the server did not issue.
func NewInvalidNextToken(msg string) *Error { return &Error{CodeInvalidNextToken, 400, msg} }

// NewTooManyRequests is a 429 TooManyRequestsException.
func NewTooManyRequests(msg string) *Error { return &Error{CodeTooManyRequests, 429, msg} }

// NewInternalService is a 500 InternalServiceException.
func NewInternalService(msg string) *Error { return &Error{CodeInternalService, 500, msg} }

// MarshalError renders e in the wrapped form S3 Control uses (and that
// aws-sdk-go-v2 requires):
// <ErrorResponse><Error><Code/><Message/></Error><RequestId/><HostId/></ErrorResponse>,
// preceded by the XML declaration.
func MarshalError(e *Error, requestID, hostID string) []byte {
	w := writer{}
	w.buf.WriteString(xml.Header)
	w.open("ErrorResponse")
	w.open("Error")
	w.leaf("Code", e.Code)
	w.leaf("Message", e.Message)
	w.close("Error")
	w.leaf("RequestId", requestID)
	w.leaf("HostId", hostID)
	w.close("ErrorResponse")
	return w.buf.Bytes()
}
