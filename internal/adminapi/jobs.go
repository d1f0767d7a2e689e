package adminapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/batch"
	"github.com/ferrys3/ferry/internal/s3err"
)

// JobView is a Batch Operations job as the admin API shows it.
type JobView struct {
	AccountID      string          `json:"AccountId"`
	JobID          string          `json:"JobId"`
	Description    string          `json:"Description,omitempty"`
	Operation      string          `json:"Operation"`
	Status         string          `json:"Status"`
	Priority       int             `json:"Priority"`
	Total          int64           `json:"TotalNumberOfTasks"`
	Succeeded      int64           `json:"NumberOfTasksSucceeded"`
	Failed         int64           `json:"NumberOfTasksFailed"`
	ElapsedSeconds float64         `json:"ElapsedTimeInActiveSeconds"`
	Created        time.Time       `json:"CreationTime"`
	Terminated     time.Time       `json:"TerminationDate,omitzero"`
	FailureReasons []batch.Failure `json:"FailureReasons,omitempty"`
}

func (h *Handler) jobView(j *batch.Job) JobView {
	return JobView{AccountID: j.Account, JobID: j.ID, Description: j.Spec.Description, Operation: j.Spec.Operation.Kind,
		Status: j.State.Status, Priority: j.Spec.Priority, Total: j.State.Total, Succeeded: j.State.Succeeded,
		Failed: j.State.Failed, ElapsedSeconds: j.Elapsed(h.clock.Now()).Seconds(), Created: j.Created,
		Terminated: j.State.Terminated, FailureReasons: j.State.FailureReasons}
}

// jobs serves GET jobs (every account's, or ?account=ID) and
// GET jobs/ACCOUNT/ID.
func (h *Handler) jobs(r *http.Request, rest string) (any, *apiError) {
	if r.Method != http.MethodGet {
		return nil, fail(http.StatusNotFound, "NotFound", "no such admin operation: "+r.Method+" "+r.URL.Path)
	}
	if account, id, ok := strings.Cut(rest, "/"); ok {
		j, err := h.batch.DescribeJob(r.Context(), account, id)
		if err != nil {
			return nil, h.batchError(err)
		}
		return h.jobView(j), nil
	}
	accounts := []string{r.URL.Query().Get("account")}
	if accounts[0] == "" {
		as, err := h.iam.ListAccounts(r.Context())
		if err != nil {
			return nil, internal(h.log, err)
		}
		accounts = accounts[:0]
		for _, a := range as {
			accounts = append(accounts, a.ID)
		}
	}
	out := struct {
		Jobs []JobView `json:"Jobs"`
	}{Jobs: []JobView{}}
	for _, a := range accounts {
		js, _, err := h.batch.ListJobs(r.Context(), a, nil, "", 1000)
		if err != nil {
			return nil, h.batchError(err)
		}
		for _, j := range js {
			out.Jobs = append(out.Jobs, h.jobView(j))
		}
	}
	return out, nil
}

func (h *Handler) batchError(err error) *apiError {
	var e *batch.Error
	if errors.As(err, &e) {
		status := http.StatusBadRequest
		if e.Code == batch.CodeNotFound {
			status = http.StatusNotFound
		}
		return fail(status, e.Code, e.Message)
	}
	if e := s3err.As(err); e.Code != "InternalError" {
		return fail(e.HTTPStatus, e.Code, e.Message)
	}
	return internal(h.log, err)
}

// inventoryRun serves POST inventory/BUCKET/ID/run.
func (h *Handler) inventoryRun(r *http.Request, rest string) (any, *apiError) {
	bucket, id, _ := strings.Cut(strings.TrimSuffix(rest, "/run"), "/")
	if r.Method != http.MethodPost || !strings.HasSuffix(rest, "/run") || id == "" {
		return nil, fail(http.StatusNotFound, "NotFound", "no such admin operation: "+r.Method+" "+r.URL.Path)
	}
	rep, err := h.inv.Run(r.Context(), bucket, id)
	if err != nil {
		return nil, h.batchError(err)
	}
	return rep, nil
}

// backfill creates the Batch Replication job that replicates a bucket's
// existing objects: a generated manifest of the versions eligible for
// replication that never replicated (or failed), run with the replication
// configuration's role, which must trust batchoperations.s3.amazonaws.com.
func (h *Handler) backfill(r *http.Request, bucket string) (any, *apiError) {
	b, err := h.objects.Bucket(r.Context(), bucket)
	if err != nil {
		return nil, h.batchError(err)
	}
	role, err := h.repl.Role(r.Context(), bucket)
	if err != nil {
		return nil, h.batchError(err)
	}
	spec := batch.Spec{Operation: batch.Operation{Kind: batch.OpReplicate}, RoleArn: role, Priority: 10,
		Description: "replicate existing objects of " + bucket,
		Generator: &batch.Generator{SourceBucket: bucket, Filter: &batch.Filter{EligibleForReplication: true,
			ReplicationStatuses: []string{"NONE", "FAILED"}}}}
	id, err := h.batch.CreateJob(r.Context(), nil, b.Owner, b.Region, "", spec)
	if err != nil {
		return nil, h.batchError(err)
	}
	return map[string]string{"AccountId": b.Owner, "JobId": id}, nil
}
