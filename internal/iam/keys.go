package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/ferrys3/ferry/internal/meta"
)

// maxKeysPerUser is AWS's access-key quota per user (and root user).
const maxKeysPerUser = 2

// CreateAccessKey creates a key pair for an IAM user, or for the account's
// root user when user is "".
func (s *Service) CreateAccessKey(ctx context.Context, accountID, user string) (*meta.AccessKey, error) {
	k := &meta.AccessKey{ID: NewAccessKeyID(), Secret: NewSecret(), AccountID: accountID, Status: "Active",
		Created: s.clock.Now().UTC().Truncate(1e9)}
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		if user != "" {
			u, err := getEntity(tx, accountID, meta.KindUser, user)
			if err != nil {
				return err
			}
			k.UserName = u.Name
		}
		n := 0
		if err := tx.ListAccessKeys(accountID, func(x *meta.AccessKey) bool {
			if x.RoleName == "" && strings.EqualFold(x.UserName, k.UserName) {
				n++
			}
			return true
		}); err != nil {
			return err
		}
		if n >= maxKeysPerUser {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
		}
		return tx.PutAccessKey(k)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// AccessKeys lists the long-term keys of a user ("" for the root user).
func (s *Service) AccessKeys(ctx context.Context, accountID, user string) ([]*meta.AccessKey, error) {
	var out []*meta.AccessKey
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if user != "" {
			if _, err := getEntity(tx, accountID, meta.KindUser, user); err != nil {
				return err
			}
		}
		out = out[:0]
		return tx.ListAccessKeys(accountID, func(k *meta.AccessKey) bool {
			if k.RoleName == "" && strings.EqualFold(k.UserName, user) {
				out = append(out, k)
			}
			return true
		})
	})
	slices.SortFunc(out, func(a, b *meta.AccessKey) int { return a.Created.Compare(b.Created) })
	return out, err
}

func (s *Service) userKey(tx meta.Tx, accountID, user, keyID string) (*meta.AccessKey, error) {
	k, err := tx.GetAccessKey(keyID)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && (k.AccountID != accountID || k.RoleName != "" || !strings.EqualFold(k.UserName, user))) {
		return nil, errorf(CodeNoSuchEntity, "The Access Key with id %s cannot be found.", keyID)
	}
	return k, err
}

// UpdateAccessKey sets a key's status (Active or Inactive).
func (s *Service) UpdateAccessKey(ctx context.Context, accountID, user, keyID, status string) error {
	if status != "Active" && status != "Inactive" {
		return errorf(CodeValidation, "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		k, err := s.userKey(tx, accountID, user, keyID)
		if err != nil {
			return err
		}
		k.Status = status
		return tx.PutAccessKey(k)
	})
}

// DeleteAccessKey deletes a user's key.
func (s *Service) DeleteAccessKey(ctx context.Context, accountID, user, keyID string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := s.userKey(tx, accountID, user, keyID); err != nil {
			return err
		}
		return tx.DeleteAccessKey(keyID)
	})
}
