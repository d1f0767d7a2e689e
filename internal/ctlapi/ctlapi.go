// Package ctlapi is the S3 Control front end for Batch Operations jobs:
// CreateJob, DescribeJob, ListJobs, UpdateJobPriority and UpdateJobStatus
// under /v20180820/. Requests are SigV4-signed for service s3 and carry the
// account in x-amz-account-id; the SDKs also put it in a host label
// (<account>.host), which routing ignores (the signature covers the Host
// exactly as received).
package ctlapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/ctlxml"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// Prefix is the path prefix S3 Control job operations use.
const Prefix = "/v20180820/"

// MaxBody is the largest CreateJob body accepted.
const MaxBody = 1 << 20

// Matches reports whether r is an S3 Control request.
func Matches(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, Prefix) }

// Handler serves S3 Control.
type Handler struct {
	batch    *batch.Service
	clock    clock.Clock
	log      *slog.Logger
	region   string
	verifier *sigv4.Verifier
}

// New returns a Handler for one region's endpoint.
func New(b *batch.Service, ids *iam.Service, c clock.Clock, region string, log *slog.Logger) *Handler {
	return &Handler{batch: b, clock: c, log: log, region: region,
		verifier: sigv4.NewCredentialVerifier(sigv4.CredentialSource(iam.ErrUnknownKey, ids.Credential))}
}

// request is one call being served.
type request struct {
	h       *Handler
	r       *http.Request
	caller  *iam.Caller
	account string
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	w.Header().Set("x-amz-request-id", rid)
	body, err := h.serve(r)
	if err != nil {
		var ce *ctlxml.Error
		if !errors.As(err, &ce) {
			h.log.Error("s3control", "err", err)
			ce = ctlxml.NewInternalService("We encountered an internal error. Please try again.")
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(ce.Status)
		_, _ = w.Write(ctlxml.MarshalError(ce, rid, rid))
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(body)
}

func (h *Handler) serve(r *http.Request) ([]byte, error) {
	ph, err := sigv4.BufferBody(r, MaxBody)
	if err != nil {
		return nil, ctlxml.NewBadRequest("The request body is too large.")
	}
	auth, err := h.verifier.VerifyWithPayloadHash(r, h.clock.Now(), ph)
	if err != nil {
		return nil, authError(err)
	}
	caller, ok := auth.Identity.(*iam.Caller)
	if !ok {
		return nil, &ctlxml.Error{Code: "InvalidAccessKeyId", Status: 403, Message: "The AWS Access Key Id you provided does not exist in our records."}
	}
	account := r.Header.Get("x-amz-account-id")
	if account == "" {
		return nil, ctlxml.NewInvalidRequest("Missing required header for this request: x-amz-account-id")
	}
	if account != caller.Identity.AccountID {
		return nil, &ctlxml.Error{Code: "AccessDenied", Status: 403, Message: "Access Denied: the x-amz-account-id " + account +
			" is not the account of the caller " + caller.ARN()}
	}
	q := &request{h: h, r: r, caller: caller, account: account}
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	switch parts := strings.Split(rest, "/"); {
	case rest == "jobs" && r.Method == http.MethodPost:
		return q.createJob()
	case rest == "jobs" && r.Method == http.MethodGet:
		return q.listJobs()
	case len(parts) == 2 && parts[0] == "jobs" && r.Method == http.MethodGet:
		return q.describeJob(parts[1])
	case len(parts) == 3 && parts[0] == "jobs" && parts[2] == "priority" && r.Method == http.MethodPost:
		return q.updatePriority(parts[1])
	case len(parts) == 3 && parts[0] == "jobs" && parts[2] == "status" && r.Method == http.MethodPost:
		return q.updateStatus(parts[1])
	}
	return nil, ctlxml.NewInvalidRequest("This server does not implement " + r.Method + " " + r.URL.Path)
}

// authorize decides action on resource for the caller (identity policies
// of its own account; the account root always may).
func (q *request) authorize(action, resource string) error {
	d := authz.Authorize(&authz.Request{Identity: q.caller.Identity, Action: action, Resource: resource, ResourceAccount: q.account,
		Keys: q.keys()})
	if !d.Allowed {
		return &ctlxml.Error{Code: "AccessDenied", Status: 403, Message: "User: " + q.caller.ARN() +
			" is not authorized to perform: " + action + " on resource: \"" + resource + "\" because " + d.Reason}
	}
	return nil
}

func (q *request) keys() map[string][]string {
	k := map[string][]string{"aws:SecureTransport": {strconv.FormatBool(q.r.TLS != nil)}}
	if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
		k["aws:SourceIp"] = []string{host}
	}
	return k
}

func (q *request) jobARN(id string) string {
	return "arn:aws:s3:" + q.h.region + ":" + q.account + ":job/" + id
}

// mapError turns a batch service error into the S3 Control exception.
func mapError(err error) error {
	var e *batch.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case batch.CodeNotFound:
		return ctlxml.NewNotFound(e.Message)
	case batch.CodeJobStatus:
		return ctlxml.NewJobStatus(e.Message)
	case batch.CodeIdempotency:
		return ctlxml.NewIdempotency(e.Message)
	case batch.CodeInvalidNext:
		return ctlxml.NewInvalidNextToken(e.Message)
	case batch.CodeAccessDeny:
		return &ctlxml.Error{Code: "AccessDenied", Status: 403, Message: e.Message}
	}
	return ctlxml.NewBadRequest(e.Message)
}

func authError(err error) error {
	switch {
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		return &ctlxml.Error{Code: "InvalidAccessKeyId", Status: 403, Message: "The AWS Access Key Id you provided does not exist in our records."}
	case errors.Is(err, sigv4.ErrSignatureMismatch):
		return &ctlxml.Error{Code: "SignatureDoesNotMatch", Status: 403, Message: "The request signature we calculated does not match the signature you provided."}
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return &ctlxml.Error{Code: "RequestTimeTooSkewed", Status: 403, Message: "The difference between the request time and the current time is too large."}
	case errors.Is(err, sigv4.ErrMissingAuth):
		return &ctlxml.Error{Code: "AccessDenied", Status: 403, Message: "Anonymous requests are not allowed."}
	}
	var se interface{ Code() string }
	if errors.As(err, &se) {
		return &ctlxml.Error{Code: se.Code(), Status: 400, Message: err.Error()}
	}
	return &ctlxml.Error{Code: "AccessDenied", Status: 403, Message: err.Error()}
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
