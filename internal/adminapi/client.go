package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/inventory"
	"github.com/ferrys3/ferry/internal/replication"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// Client calls the admin API of a ferry endpoint.
type Client struct {
	Endpoint    string // http://127.0.0.1:9000
	Credentials sigv4.Credentials
	HTTP        *http.Client
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.Endpoint, "/")+Prefix+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sigv4.Sign(req, c.Credentials, "us-east-1", Service, sha256Hex(body), time.Now())
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e Error
		if json.Unmarshal(raw, &e) == nil && e.Code != "" {
			return fmt.Errorf("%s: %s", e.Code, e.Message)
		}
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// CreateAccount creates an account and returns it with its root keys.
func (c *Client) CreateAccount(ctx context.Context, name string) (*Account, error) {
	var a Account
	err := c.do(ctx, http.MethodPost, "accounts", map[string]string{"Name": name}, &a)
	return &a, err
}

// ListAccounts lists the deployment's accounts.
func (c *Client) ListAccounts(ctx context.Context) ([]Account, error) {
	var out struct{ Accounts []Account }
	err := c.do(ctx, http.MethodGet, "accounts", nil, &out)
	return out.Accounts, err
}

// DeleteAccount deletes an account that owns no buckets.
func (c *Client) DeleteAccount(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "accounts/"+id, nil, nil)
}

// ReplicationStatus reports a source bucket's replication state.
func (c *Client) ReplicationStatus(ctx context.Context, bucket string) (*replication.Report, error) {
	var r replication.Report
	err := c.do(ctx, http.MethodGet, "replication/"+bucket+"/status", nil, &r)
	return &r, err
}

// RetryReplication queues a bucket's FAILED replications again.
func (c *Client) RetryReplication(ctx context.Context, bucket string) (int, error) {
	var out struct{ Queued int }
	err := c.do(ctx, http.MethodPost, "replication/"+bucket+"/retry", nil, &out)
	return out.Queued, err
}

// DiagnoseReplication runs the replication doctor on a source bucket.
func (c *Client) DiagnoseReplication(ctx context.Context, bucket string) (*replication.Diagnosis, error) {
	var d replication.Diagnosis
	err := c.do(ctx, http.MethodGet, "replication/"+bucket+"/doctor", nil, &d)
	return &d, err
}

// Jobs lists Batch Operations jobs (of one account, or all when "").
func (c *Client) Jobs(ctx context.Context, account string) ([]JobView, error) {
	var out struct{ Jobs []JobView }
	path := "jobs"
	if account != "" {
		path += "?account=" + account
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Jobs, err
}

// Job describes one job.
func (c *Client) Job(ctx context.Context, account, id string) (*JobView, error) {
	var j JobView
	err := c.do(ctx, http.MethodGet, "jobs/"+account+"/"+id, nil, &j)
	return &j, err
}

// RunInventory writes an inventory report now.
func (c *Client) RunInventory(ctx context.Context, bucket, id string) (*inventory.Report, error) {
	var r inventory.Report
	err := c.do(ctx, http.MethodPost, "inventory/"+bucket+"/"+id+"/run", nil, &r)
	return &r, err
}

// Backfill starts the job that replicates a bucket's existing objects.
func (c *Client) Backfill(ctx context.Context, bucket string) (account, jobID string, err error) {
	var out struct{ AccountId, JobId string }
	err = c.do(ctx, http.MethodPost, "replication/"+bucket+"/backfill", nil, &out)
	return out.AccountId, out.JobId, err
}
