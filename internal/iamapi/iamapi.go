// Package iamapi is the IAM and STS front end: the AWS Query protocol
// (form-encoded POST with Action=, XML responses) on the S3 endpoint. Every
// action is authorized with the same evaluator as S3 requests.
package iamapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// MaxBody bounds a Query request (IAM policy documents are at most 10 KiB
// before URL encoding).
const MaxBody = 256 << 10

// Handler serves IAM and STS.
type Handler struct {
	iam      *iam.Service
	clock    clock.Clock
	log      *slog.Logger
	verifier *sigv4.Verifier
}

// New returns a Handler.
func New(ids *iam.Service, c clock.Clock, log *slog.Logger) *Handler {
	h := &Handler{iam: ids, clock: c, log: log}
	h.verifier = sigv4.NewCredentialVerifier(sigv4.CredentialSource(iam.ErrUnknownKey, ids.Credential))
	return h
}

// Matches reports whether r is a Query-protocol request (IAM or STS).
func Matches(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" && r.Header.Get("X-Amz-Target") == "" &&
		strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded")
}

// Namespaces of the two services' XML documents.
const (
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
)

type queryError struct {
	status          int
	kind, code, msg string
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	w.Header().Set("x-amz-request-id", rid)
	out, qe := h.serve(r, rid)
	w.Header().Set("Content-Type", "text/xml")
	if qe != nil {
		type errBody struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		body, _ := xml.Marshal(struct {
			XMLName   xml.Name `xml:"ErrorResponse"`
			NS        string   `xml:"xmlns,attr"`
			Error     errBody  `xml:"Error"`
			RequestID string   `xml:"RequestId"`
		}{NS: iamNS, Error: errBody{Type: qe.kind, Code: qe.code, Message: qe.msg}, RequestID: rid})
		w.WriteHeader(qe.status)
		_, _ = w.Write(append([]byte(xml.Header), body...))
		return
	}
	_, _ = w.Write(out)
}

type action func(c *call) (any, *queryError)

// iamActions and stsActions dispatch by Action.
var iamActions = map[string]action{
	"CreateUser":                    func(c *call) (any, *queryError) { return c.createEntity(iam.KindUser) },
	"GetUser":                       (*call).getUser,
	"ListUsers":                     func(c *call) (any, *queryError) { return c.listEntities(iam.KindUser) },
	"DeleteUser":                    func(c *call) (any, *queryError) { return c.deleteEntity(iam.KindUser) },
	"TagUser":                       func(c *call) (any, *queryError) { return c.tagEntity(iam.KindUser, true) },
	"UntagUser":                     func(c *call) (any, *queryError) { return c.tagEntity(iam.KindUser, false) },
	"ListUserTags":                  func(c *call) (any, *queryError) { return c.listEntityTags(iam.KindUser) },
	"PutUserPermissionsBoundary":    func(c *call) (any, *queryError) { return c.boundary(iam.KindUser, true) },
	"DeleteUserPermissionsBoundary": func(c *call) (any, *queryError) { return c.boundary(iam.KindUser, false) },
	"CreateGroup":                   func(c *call) (any, *queryError) { return c.createEntity(iam.KindGroup) },
	"GetGroup":                      (*call).getGroup,
	"ListGroups":                    func(c *call) (any, *queryError) { return c.listEntities(iam.KindGroup) },
	"DeleteGroup":                   func(c *call) (any, *queryError) { return c.deleteEntity(iam.KindGroup) },
	"AddUserToGroup":                func(c *call) (any, *queryError) { return c.groupMembership(true) },
	"RemoveUserFromGroup":           func(c *call) (any, *queryError) { return c.groupMembership(false) },
	"ListGroupsForUser":             (*call).listGroupsForUser,
	"CreateRole":                    func(c *call) (any, *queryError) { return c.createEntity(iam.KindRole) },
	"GetRole":                       (*call).getRole,
	"ListRoles":                     func(c *call) (any, *queryError) { return c.listEntities(iam.KindRole) },
	"DeleteRole":                    func(c *call) (any, *queryError) { return c.deleteEntity(iam.KindRole) },
	"UpdateRole":                    (*call).updateRole,
	"UpdateAssumeRolePolicy":        (*call).updateAssumeRolePolicy,
	"TagRole":                       func(c *call) (any, *queryError) { return c.tagEntity(iam.KindRole, true) },
	"UntagRole":                     func(c *call) (any, *queryError) { return c.tagEntity(iam.KindRole, false) },
	"ListRoleTags":                  func(c *call) (any, *queryError) { return c.listEntityTags(iam.KindRole) },
	"PutRolePermissionsBoundary":    func(c *call) (any, *queryError) { return c.boundary(iam.KindRole, true) },
	"DeleteRolePermissionsBoundary": func(c *call) (any, *queryError) { return c.boundary(iam.KindRole, false) },
	"PutUserPolicy":                 func(c *call) (any, *queryError) { return c.putInline(iam.KindUser) },
	"GetUserPolicy":                 func(c *call) (any, *queryError) { return c.getInline(iam.KindUser) },
	"ListUserPolicies":              func(c *call) (any, *queryError) { return c.listInline(iam.KindUser) },
	"DeleteUserPolicy":              func(c *call) (any, *queryError) { return c.deleteInline(iam.KindUser) },
	"PutGroupPolicy":                func(c *call) (any, *queryError) { return c.putInline(iam.KindGroup) },
	"GetGroupPolicy":                func(c *call) (any, *queryError) { return c.getInline(iam.KindGroup) },
	"ListGroupPolicies":             func(c *call) (any, *queryError) { return c.listInline(iam.KindGroup) },
	"DeleteGroupPolicy":             func(c *call) (any, *queryError) { return c.deleteInline(iam.KindGroup) },
	"PutRolePolicy":                 func(c *call) (any, *queryError) { return c.putInline(iam.KindRole) },
	"GetRolePolicy":                 func(c *call) (any, *queryError) { return c.getInline(iam.KindRole) },
	"ListRolePolicies":              func(c *call) (any, *queryError) { return c.listInline(iam.KindRole) },
	"DeleteRolePolicy":              func(c *call) (any, *queryError) { return c.deleteInline(iam.KindRole) },
	"CreatePolicy":                  (*call).createPolicy,
	"GetPolicy":                     (*call).getPolicy,
	"ListPolicies":                  (*call).listPolicies,
	"DeletePolicy":                  (*call).deletePolicy,
	"CreatePolicyVersion":           (*call).createPolicyVersion,
	"GetPolicyVersion":              (*call).getPolicyVersion,
	"ListPolicyVersions":            (*call).listPolicyVersions,
	"DeletePolicyVersion":           (*call).deletePolicyVersion,
	"SetDefaultPolicyVersion":       (*call).setDefaultPolicyVersion,
	"AttachUserPolicy":              func(c *call) (any, *queryError) { return c.attach(iam.KindUser, true) },
	"DetachUserPolicy":              func(c *call) (any, *queryError) { return c.attach(iam.KindUser, false) },
	"AttachGroupPolicy":             func(c *call) (any, *queryError) { return c.attach(iam.KindGroup, true) },
	"DetachGroupPolicy":             func(c *call) (any, *queryError) { return c.attach(iam.KindGroup, false) },
	"AttachRolePolicy":              func(c *call) (any, *queryError) { return c.attach(iam.KindRole, true) },
	"DetachRolePolicy":              func(c *call) (any, *queryError) { return c.attach(iam.KindRole, false) },
	"ListAttachedUserPolicies":      func(c *call) (any, *queryError) { return c.listAttached(iam.KindUser) },
	"ListAttachedGroupPolicies":     func(c *call) (any, *queryError) { return c.listAttached(iam.KindGroup) },
	"ListAttachedRolePolicies":      func(c *call) (any, *queryError) { return c.listAttached(iam.KindRole) },
	"ListEntitiesForPolicy":         (*call).listEntitiesForPolicy,
	"CreateAccessKey":               (*call).createAccessKey,
	"ListAccessKeys":                (*call).listAccessKeys,
	"UpdateAccessKey":               (*call).updateAccessKey,
	"DeleteAccessKey":               (*call).deleteAccessKey,
	"SimulatePrincipalPolicy":       (*call).simulatePrincipal,
	"SimulateCustomPolicy":          (*call).simulateCustom,
}

var stsActions = map[string]action{
	"GetCallerIdentity": (*call).getCallerIdentity,
	"AssumeRole":        (*call).assumeRole,
}

func (h *Handler) serve(r *http.Request, rid string) ([]byte, *queryError) {
	ph, err := sigv4.BufferBody(r, MaxBody)
	if err != nil {
		return nil, &queryError{413, "Sender", "RequestEntityTooLarge", "The request body is too large."}
	}
	auth, err := h.verifier.VerifyWithPayloadHash(r, h.clock.Now(), ph)
	if err != nil {
		return nil, authError(err)
	}
	caller, ok := auth.Identity.(*iam.Caller)
	if !ok {
		return nil, &queryError{403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."}
	}
	if err := r.ParseForm(); err != nil {
		return nil, &queryError{400, "Sender", "MalformedQueryString", "The request body is not a valid form."}
	}
	name, version := r.PostForm.Get("Action"), r.PostForm.Get("Version")
	table, ns, wantVersion := iamActions, iamNS, "2010-05-08"
	switch auth.Service {
	case "sts":
		table, ns, wantVersion = stsActions, stsNS, "2011-06-15"
	case "iam":
	default:
		return nil, &queryError{400, "Sender", "InvalidAction", "Credential should be scoped to a valid service: iam or sts."}
	}
	fn, ok := table[name]
	if !ok || (version != "" && version != wantVersion) {
		return nil, &queryError{400, "Sender", "InvalidAction", "Could not find operation " + name + " for version " + version}
	}
	c := &call{h: h, ctx: r.Context(), form: r.PostForm, caller: caller, remote: r.RemoteAddr, tls: r.TLS != nil, action: name}
	result, qe := fn(c)
	if qe != nil {
		return nil, qe
	}
	return envelope(name, ns, rid, result), nil
}

// statuses of the IAM and STS error codes.
var statuses = map[string]int{
	iam.CodeNoSuchEntity: 404, iam.CodeEntityAlreadyExists: 409, iam.CodeDeleteConflict: 409, iam.CodeLimitExceeded: 409,
	iam.CodeMalformedPolicy: 400, iam.CodeInvalidInput: 400, iam.CodeValidation: 400, iam.CodeAccessDenied: 403,
	iam.CodeExpiredToken: 400, "PackedPolicyTooLarge": 400,
}

// fail maps a service error (nil: success) to the Query error.
func (c *call) fail(err error) *queryError {
	if err == nil {
		return nil
	}
	var ie *iam.Error
	if errors.As(err, &ie) {
		st, ok := statuses[ie.Code]
		if !ok {
			st = 400
		}
		return &queryError{st, "Sender", ie.Code, ie.Message}
	}
	c.h.log.Error("iam internal error", "action", c.action, "err", err)
	return &queryError{500, "Receiver", "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure."}
}

func authError(err error) *queryError {
	var ie *iam.Error
	switch {
	case errors.As(err, &ie) && ie.Code == iam.CodeExpiredToken:
		return &queryError{400, "Sender", "ExpiredToken", "The security token included in the request is expired"}
	case errors.Is(err, sigv4.ErrMissingAuth):
		return &queryError{403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token"}
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID), errors.Is(err, sigv4.ErrInvalidSecurityToken), errors.Is(err, sigv4.ErrMissingSecurityToken):
		return &queryError{403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."}
	case errors.Is(err, sigv4.ErrSignatureMismatch):
		return &queryError{403, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."}
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return &queryError{403, "Sender", "RequestExpired", "Request has expired."}
	}
	return &queryError{400, "Sender", "IncompleteSignature", "The request signature does not conform to AWS standards."}
}

// newRequestID returns a random 16-character request ID.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
