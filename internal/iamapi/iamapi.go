// Package iamapi is the IAM and STS front end: the AWS Query protocol
// (form-encoded POST with Action=, XML responses) on the S3 endpoint. This
// release answers STS GetCallerIdentity; the rest of IAM and STS follows.
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
	_, _ = w.Write(append([]byte(xml.Header), out...))
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
	if err := r.ParseForm(); err != nil {
		return nil, &queryError{400, "Sender", "MalformedQueryString", "The request body is not a valid form."}
	}
	p, qe := h.principal(r, auth)
	if qe != nil {
		return nil, qe
	}
	action, version := r.PostForm.Get("Action"), r.PostForm.Get("Version")
	switch {
	case auth.Service == "sts" && action == "GetCallerIdentity":
		return getCallerIdentity(p, rid), nil
	}
	return nil, &queryError{400, "Sender", "InvalidAction", "Could not find operation " + action + " for version " + version}
}

func (h *Handler) principal(r *http.Request, auth *sigv4.Auth) (*iam.Caller, *queryError) {
	p, ok := auth.Identity.(*iam.Caller)
	if !ok {
		return p, &queryError{403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."}
	}
	if auth.Service != "sts" && auth.Service != "iam" {
		return p, &queryError{400, "Sender", "InvalidAction", "Credential should be scoped to a valid service: iam or sts."}
	}
	return p, nil
}

func authError(err error) *queryError {
	switch {
	case errors.Is(err, sigv4.ErrMissingAuth):
		return &queryError{403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token"}
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		return &queryError{403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."}
	case errors.Is(err, sigv4.ErrSignatureMismatch):
		return &queryError{403, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."}
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return &queryError{403, "Sender", "RequestExpired", "Request has expired."}
	}
	return &queryError{400, "Sender", "IncompleteSignature", "The request signature does not conform to AWS standards."}
}

type callerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	NS      string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func getCallerIdentity(p *iam.Caller, rid string) []byte {
	res := callerIdentityResponse{NS: stsNS, RequestID: rid}
	res.Result.Arn, res.Result.UserID, res.Result.Account = p.ARN(), p.UserID(), p.AccountID
	out, _ := xml.Marshal(res)
	return out
}

// newRequestID returns a random 16-character request ID.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
