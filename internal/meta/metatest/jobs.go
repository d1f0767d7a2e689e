package metatest

// Batch Operations jobs.

import (
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

func testJobs(t *testing.T, open Opener) {
	s := newStore(t, open)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := &meta.Job{AccountID: "111111111111", ID: "job-a", ClientToken: "tok-1", Created: t0, Data: []byte(`{"s":"New"}`)}
	b := &meta.Job{AccountID: "111111111111", ID: "job-b", Created: t0.Add(time.Second), Data: []byte(`{}`)}
	other := &meta.Job{AccountID: "222222222222", ID: "job-a", ClientToken: "tok-1", Created: t0, Data: []byte(`{}`)}
	update(t, s, func(tx meta.Tx) error {
		for _, j := range []*meta.Job{b, a, other} {
			if err := tx.PutJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetJob("111111111111", "job-a")
		wantErr(t, "GetJob", err, nil)
		equal(t, "GetJob", got, a)
		got, err = tx.JobByToken("111111111111", "tok-1")
		wantErr(t, "JobByToken", err, nil)
		equal(t, "JobByToken", got, a)
		_, err = tx.JobByToken("111111111111", "nope")
		wantErr(t, "JobByToken missing", err, meta.ErrNotFound)
		_, err = tx.GetJob("333333333333", "job-a")
		wantErr(t, "GetJob other account", err, meta.ErrNotFound)
		var ids []string
		wantErr(t, "ListJobs", tx.ListJobs("111111111111", func(j *meta.Job) bool { ids = append(ids, j.ID); return true }), nil)
		equal(t, "ListJobs in ID order, one account", ids, []string{"job-a", "job-b"})
		return nil
	})
	err := s.Update(ctx, func(tx meta.Tx) error {
		return tx.PutJob(&meta.Job{AccountID: "111111111111", ID: "job-c", ClientToken: "tok-1", Data: []byte(`{}`)})
	})
	wantErr(t, "token of another job", err, meta.ErrExists)
	upd := *a
	upd.Data = []byte(`{"s":"Active"}`)
	update(t, s, func(tx meta.Tx) error { return tx.PutJob(&upd) })
	update(t, s, func(tx meta.Tx) error { return tx.DeleteJob("111111111111", "job-a") })
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetJob("111111111111", "job-a")
		wantErr(t, "deleted job", err, meta.ErrNotFound)
		_, err = tx.JobByToken("111111111111", "tok-1")
		wantErr(t, "deleted job's token", err, meta.ErrNotFound)
		return nil
	})
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteJob("111111111111", "job-a") })
	wantErr(t, "DeleteJob missing", err, meta.ErrNotFound)
}
