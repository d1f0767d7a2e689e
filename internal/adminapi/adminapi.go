// Package adminapi is ferry's operator API (accounts), under /_ferry/admin/
// on the S3 endpoint: JSON bodies, SigV4-signed with service "ferry" by an
// operator account's key. `ferry account …` is its client.
package adminapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/inventory"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/s3err"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// Prefix is the path prefix the handler serves.
const Prefix = "/_ferry/admin/"

// Service is the SigV4 service name admin requests are signed for.
const Service = "ferry"

// Config configures a Handler.
type Config struct {
	IAM         *iam.Service
	Replication *replication.Service
	Batch       *batch.Service
	Inventory   *inventory.Service
	Objects     *object.Service
	Clock       clock.Clock
	Log         *slog.Logger
}

// Handler serves the admin API.
type Handler struct {
	iam      *iam.Service
	repl     *replication.Service
	batch    *batch.Service
	inv      *inventory.Service
	objects  *object.Service
	clock    clock.Clock
	log      *slog.Logger
	verifier *sigv4.Verifier
}

// New returns a Handler.
func New(c Config) *Handler {
	h := &Handler{iam: c.IAM, repl: c.Replication, batch: c.Batch, inv: c.Inventory, objects: c.Objects, clock: c.Clock, log: c.Log}
	h.verifier = sigv4.NewCredentialVerifier(sigv4.CredentialSource(iam.ErrUnknownKey, c.IAM.Credential))
	return h
}

// Account is an account as the API shows it.
type Account struct {
	AccountID       string    `json:"AccountId"`
	Name            string    `json:"Name"`
	Created         time.Time `json:"Created,omitzero"`
	Operator        bool      `json:"Operator,omitempty"`
	AccessKeyID     string    `json:"AccessKeyId,omitempty"`
	SecretAccessKey string    `json:"SecretAccessKey,omitempty"`
}

// Error is the API's error body.
type Error struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

type apiError struct {
	status int
	Error
}

func fail(status int, code, msg string) *apiError {
	return &apiError{status: status, Error: Error{Code: code, Message: msg}}
}

// ServeHTTP routes: POST accounts, GET accounts, DELETE accounts/{id}.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body := h.serve(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (h *Handler) serve(r *http.Request) (int, any) {
	if err := h.authenticate(r); err != nil {
		return err.status, err.Error
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	var (
		status = http.StatusOK
		out    any
		err    *apiError
	)
	switch id, hasID := strings.CutPrefix(path, "accounts/"); {
	case path == "accounts" && r.Method == http.MethodPost:
		out, err = h.create(r)
	case path == "accounts" && r.Method == http.MethodGet:
		out, err = h.list(r)
	case hasID && id != "" && r.Method == http.MethodDelete:
		err = h.delete(r, id)
		status, out = http.StatusOK, map[string]string{"AccountId": id}
	case strings.HasPrefix(path, "replication/") && strings.HasSuffix(path, "/backfill") && r.Method == http.MethodPost:
		out, err = h.backfill(r, strings.TrimSuffix(strings.TrimPrefix(path, "replication/"), "/backfill"))
	case strings.HasPrefix(path, "replication/"):
		out, err = h.replication(r, strings.TrimPrefix(path, "replication/"))
	case path == "jobs" || strings.HasPrefix(path, "jobs/"):
		out, err = h.jobs(r, strings.TrimPrefix(strings.TrimPrefix(path, "jobs"), "/"))
	case strings.HasPrefix(path, "inventory/"):
		out, err = h.inventoryRun(r, strings.TrimPrefix(path, "inventory/"))
	default:
		err = fail(http.StatusNotFound, "NotFound", "no such admin operation: "+r.Method+" "+r.URL.Path)
	}
	if err != nil {
		h.log.Info("admin request refused", "method", r.Method, "path", r.URL.Path, "code", err.Code)
		return err.status, err.Error
	}
	return status, out
}

// authenticate requires a SigV4 signature for service "ferry" by a key of
// an operator account.
func (h *Handler) authenticate(r *http.Request) *apiError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return fail(http.StatusBadRequest, "IncompleteBody", "could not read the request body")
	}
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	auth, err := h.verifier.VerifyWithPayloadHash(r, h.clock.Now(), sha256Hex(body))
	switch {
	case errors.Is(err, sigv4.ErrMissingAuth):
		return fail(http.StatusForbidden, "AccessDenied", "admin requests must be signed with an operator key")
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		return fail(http.StatusForbidden, "InvalidAccessKeyId", "the access key does not exist")
	case errors.Is(err, sigv4.ErrSignatureMismatch):
		return fail(http.StatusForbidden, "SignatureDoesNotMatch", "the request signature does not match")
	case errors.Is(err, sigv4.ErrRequestTimeTooSkewed):
		return fail(http.StatusForbidden, "RequestTimeTooSkewed", "the request time is more than 15 minutes from the server's")
	case err != nil:
		return fail(http.StatusBadRequest, "InvalidRequest", "malformed authentication")
	}
	if auth.Service != Service {
		return fail(http.StatusBadRequest, "InvalidRequest", `admin requests must be signed for service "ferry"`)
	}
	if c, ok := auth.Identity.(*iam.Caller); !ok || !c.Operator || !c.Root() {
		return fail(http.StatusForbidden, "AccessDenied", "only the operator account's root user may use the admin API")
	}
	return nil
}

func (h *Handler) create(r *http.Request) (any, *apiError) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return nil, fail(http.StatusBadRequest, "MalformedJSON", "the body must be {\"Name\": \"...\"}")
	}
	a, err := h.iam.CreateAccount(r.Context(), in.Name)
	if errors.Is(err, iam.ErrInvalidAccountName) {
		return nil, fail(http.StatusBadRequest, "InvalidAccountName", err.Error())
	}
	if err != nil {
		return nil, internal(h.log, err)
	}
	return Account{AccountID: a.AccountID, Name: a.Name, AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey}, nil
}

func (h *Handler) list(r *http.Request) (any, *apiError) {
	as, err := h.iam.ListAccounts(r.Context())
	if err != nil {
		return nil, internal(h.log, err)
	}
	out := struct {
		Accounts []Account `json:"Accounts"`
	}{Accounts: []Account{}}
	for _, a := range as {
		out.Accounts = append(out.Accounts, Account{AccountID: a.ID, Name: a.Name, Created: a.Created, Operator: a.Operator})
	}
	return out, nil
}

func (h *Handler) delete(r *http.Request, id string) *apiError {
	switch err := h.iam.DeleteAccount(r.Context(), id); {
	case errors.Is(err, iam.ErrAccountNotFound):
		return fail(http.StatusNotFound, "NoSuchAccount", "no account "+id)
	case errors.Is(err, iam.ErrAccountInUse):
		return fail(http.StatusConflict, "AccountNotEmpty", "the account still owns buckets; delete them first")
	case errors.Is(err, iam.ErrOperatorAccount):
		return fail(http.StatusConflict, "OperatorAccount", err.Error())
	case err != nil:
		return internal(h.log, err)
	}
	return nil
}

// replication serves GET replication/BUCKET/status, POST …/retry and
// GET …/doctor.
func (h *Handler) replication(r *http.Request, rest string) (any, *apiError) {
	bucket, verb, _ := strings.Cut(rest, "/")
	var out any
	var err error
	switch {
	case verb == "status" && r.Method == http.MethodGet:
		out, err = h.repl.Status(r.Context(), bucket)
	case verb == "retry" && r.Method == http.MethodPost:
		var n int
		n, err = h.repl.Retry(r.Context(), bucket)
		out = map[string]any{"Bucket": bucket, "Queued": n}
	case verb == "doctor" && r.Method == http.MethodGet:
		out, err = h.repl.Doctor(r.Context(), bucket)
	default:
		return nil, fail(http.StatusNotFound, "NotFound", "no such admin operation: "+r.Method+" "+r.URL.Path)
	}
	if e := s3err.As(err); err != nil && e.Code != "InternalError" {
		return nil, fail(e.HTTPStatus, e.Code, e.Message)
	}
	if err != nil {
		return nil, internal(h.log, err)
	}
	return out, nil
}

func internal(log *slog.Logger, err error) *apiError {
	log.Error("admin api", "err", err)
	return fail(http.StatusInternalServerError, "InternalError", "internal error")
}
