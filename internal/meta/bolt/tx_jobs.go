package bolt

// Batch Operations jobs: JSON records keyed lp(account) id, and an index
// lp(account) client-token → id for idempotent creation.

import (
	"encoding/json"
	"fmt"

	"github.com/ferrys3/ferry/internal/meta"
)

func jobKey(accountID, id string) []byte { return append(lp(accountID), id...) }

func (t *tx) PutJob(j *meta.Job) error {
	if err := checkKey("account ID", j.AccountID); err != nil {
		return err
	}
	if err := checkKey("job ID", j.ID); err != nil {
		return err
	}
	if j.ClientToken != "" {
		tk := jobKey(j.AccountID, j.ClientToken)
		if owner := t.btx.Bucket(bJobTokens).Get(tk); owner != nil && string(owner) != j.ID {
			return fmt.Errorf("%w: client token %q", meta.ErrExists, j.ClientToken)
		}
		if err := t.put(t.btx.Bucket(bJobTokens), tk, []byte(j.ID)); err != nil {
			return err
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("meta/bolt: encode job: %w", err)
	}
	return t.put(t.btx.Bucket(bJobs), jobKey(j.AccountID, j.ID), b)
}

func (t *tx) GetJob(accountID, id string) (*meta.Job, error) {
	b := t.btx.Bucket(bJobs).Get(jobKey(accountID, id))
	if b == nil {
		return nil, notFound("job", id)
	}
	var j meta.Job
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, errCorrupt
	}
	return &j, nil
}

func (t *tx) JobByToken(accountID, token string) (*meta.Job, error) {
	id := t.btx.Bucket(bJobTokens).Get(jobKey(accountID, token))
	if id == nil {
		return nil, notFound("job token", token)
	}
	return t.GetJob(accountID, string(id))
}

func (t *tx) ListJobs(accountID string, fn func(*meta.Job) bool) error {
	prefix := lp(accountID)
	c := t.btx.Bucket(bJobs).Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		var j meta.Job
		if err := json.Unmarshal(v, &j); err != nil {
			return errCorrupt
		}
		if !fn(&j) {
			return nil
		}
	}
	return nil
}

func (t *tx) DeleteJob(accountID, id string) error {
	j, err := t.GetJob(accountID, id)
	if err != nil {
		return err
	}
	if j.ClientToken != "" {
		if err := t.del(t.btx.Bucket(bJobTokens), jobKey(accountID, j.ClientToken)); err != nil {
			return err
		}
	}
	return t.del(t.btx.Bucket(bJobs), jobKey(accountID, id))
}
