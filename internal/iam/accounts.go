package iam

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/ferrys3/ferry/internal/meta"
)

// Account errors.
var (
	ErrInvalidAccountName = errors.New("iam: account names are 1-64 printable characters")
	ErrAccountNotFound    = errors.New("iam: no such account")
	ErrAccountInUse       = errors.New("iam: the account still owns buckets")
	ErrOperatorAccount    = errors.New("iam: the operator account cannot be deleted")
)

// NewAccount is a created account with its root user's key pair.
type NewAccount struct {
	AccountID, Name, AccessKeyID, SecretAccessKey string
}

// CreateAccount creates an account and a key pair for its root user.
func (s *Service) CreateAccount(ctx context.Context, name string) (*NewAccount, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, ErrInvalidAccountName
	}
	out := &NewAccount{Name: name, AccessKeyID: NewAccessKeyID(), SecretAccessKey: NewSecret()}
	now := s.clock.Now().UTC()
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		for {
			out.AccountID = NewAccountID()
			if _, err := tx.GetAccount(out.AccountID); errors.Is(err, meta.ErrNotFound) {
				break
			} else if err != nil {
				return err
			}
		}
		if err := tx.PutAccount(&meta.Account{ID: out.AccountID, Name: name, Created: now}); err != nil {
			return err
		}
		return tx.PutAccessKey(&meta.AccessKey{ID: out.AccessKeyID, Secret: out.SecretAccessKey, AccountID: out.AccountID,
			Status: "Active", Created: now})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListAccounts lists every account.
func (s *Service) ListAccounts(ctx context.Context) ([]*meta.Account, error) {
	var out []*meta.Account
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		out = out[:0]
		return tx.ListAccounts(func(a *meta.Account) bool { out = append(out, a); return true })
	})
	return out, err
}

// DeleteAccount deletes an account that owns no buckets, with its keys.
func (s *Service) DeleteAccount(ctx context.Context, id string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		a, err := tx.GetAccount(id)
		if errors.Is(err, meta.ErrNotFound) {
			return ErrAccountNotFound
		}
		if err != nil {
			return err
		}
		if a.Operator {
			return ErrOperatorAccount
		}
		owns := false
		if err := tx.ListBuckets(id, func(*meta.Bucket) bool { owns = true; return false }); err != nil {
			return err
		}
		if owns {
			return ErrAccountInUse
		}
		var keys []string
		if err := tx.ListAccessKeys(id, func(k *meta.AccessKey) bool { keys = append(keys, k.ID); return true }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.DeleteAccessKey(k); err != nil {
				return err
			}
		}
		return tx.DeleteAccount(id)
	})
}
