package iam

import "fmt"

// Error is an IAM or STS error with the AWS error code; the Query front end
// maps each code to its HTTP status.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// IAM and STS error codes.
const (
	CodeNoSuchEntity        = "NoSuchEntity"
	CodeEntityAlreadyExists = "EntityAlreadyExists"
	CodeDeleteConflict      = "DeleteConflict"
	CodeMalformedPolicy     = "MalformedPolicyDocument"
	CodeLimitExceeded       = "LimitExceeded"
	CodeInvalidInput        = "InvalidInput"
	CodeValidation          = "ValidationError"
	CodeAccessDenied        = "AccessDenied"
	CodeExpiredToken        = "ExpiredToken"
	CodeInvalidClientToken  = "InvalidClientTokenId"
	CodeRegionDisabled      = "RegionDisabledException"
)

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
