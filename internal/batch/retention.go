package batch

import (
	"context"
	"errors"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// Retention is how long a job stays after it ends (Complete, Cancelled or
// Failed): as on AWS, 90 days later it is deleted and DescribeJob answers
// NotFoundException.
const Retention = 90 * 24 * time.Hour

// PurgeExpired deletes the jobs that ended more than Retention ago and
// returns how many. It reads every job record, so callers run it rarely
// (the server: hourly).
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	cutoff := s.clock.Now().Add(-Retention)
	type ref struct{ account, id string }
	var expired []ref
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var accounts []string
		if err := tx.ListAccounts(func(a *meta.Account) bool {
			accounts = append(accounts, a.ID)
			return true
		}); err != nil {
			return err
		}
		for _, acct := range accounts {
			err := tx.ListJobs(acct, func(r *meta.Job) bool {
				j, err := fromRecord(r)
				if err == nil && j.Terminal() && !j.State.Terminated.IsZero() && j.State.Terminated.Before(cutoff) {
					expired = append(expired, ref{r.AccountID, r.ID})
				}
				return true
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(expired) == 0 {
		return 0, err
	}
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		for _, e := range expired {
			if err := tx.DeleteJob(e.account, e.id); err != nil && !errors.Is(err, meta.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.log.Info("batch: jobs past their retention deleted", "jobs", len(expired))
	return len(expired), nil
}
