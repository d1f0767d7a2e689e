// Package iam is the identity service: accounts, their root users and
// access keys, and credential lookup for request authentication. Later
// capabilities (users, roles, policies, STS) extend it.
package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta"
)

// ErrUnknownKey is returned for an access key that does not exist or is inactive.
var ErrUnknownKey = errors.New("iam: unknown access key")

// Service manages identities.
type Service struct {
	meta  meta.Store
	clock clock.Clock
	cache parseCache
}

// New returns a Service.
func New(m meta.Store, c clock.Clock) *Service { return &Service{meta: m, clock: c} }

// Account returns an account.
func (s *Service) Account(ctx context.Context, id string) (*meta.Account, error) {
	var a *meta.Account
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		a, err = tx.GetAccount(id)
		return err
	})
	return a, err
}

// Bootstrap is what the first start created or found.
type Bootstrap struct {
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
	Created         bool // the account was created by this call
}

const bootstrapSetting = "bootstrap-account"

// EnsureOperator creates the first (operator) account on first start. When
// accessKey/secret are given they become (or replace) the root key pair;
// otherwise a pair is generated on first start.
func (s *Service) EnsureOperator(ctx context.Context, accessKey, secret string) (*Bootstrap, error) {
	if (accessKey == "") != (secret == "") {
		return nil, errors.New("iam: set both the root access key ID and secret, or neither")
	}
	if accessKey != "" && (len(accessKey) < 3 || len(accessKey) > 128 || len(secret) < 8) {
		return nil, errors.New("iam: root access key ID must be 3-128 characters and the secret at least 8")
	}
	out := &Bootstrap{}
	genID, genSecret := NewAccessKeyID(), NewSecret()
	acct := NewAccountID()
	now := s.clock.Now().UTC()
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		*out = Bootstrap{}
		id, err := tx.GetSetting(bootstrapSetting)
		switch {
		case errors.Is(err, meta.ErrNotFound):
			out.AccountID, out.Created = acct, true
			if err := tx.PutAccount(&meta.Account{ID: acct, Name: "operator", Created: now, Operator: true}); err != nil {
				return err
			}
			if err := tx.PutSetting(bootstrapSetting, []byte(acct)); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			out.AccountID = string(id)
		}
		if accessKey != "" {
			out.AccessKeyID, out.SecretAccessKey = accessKey, secret
			if k, err := tx.GetAccessKey(accessKey); err == nil && k.AccountID != out.AccountID {
				return fmt.Errorf("iam: access key %s belongs to another account", accessKey)
			}
			return tx.PutAccessKey(&meta.AccessKey{ID: accessKey, Secret: secret, AccountID: out.AccountID, Status: "Active", Created: now})
		}
		if out.Created {
			out.AccessKeyID, out.SecretAccessKey = genID, genSecret
			return tx.PutAccessKey(&meta.AccessKey{ID: genID, Secret: genSecret, AccountID: out.AccountID, Status: "Active", Created: now})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NewAccountID returns a random 12-digit account ID.
func NewAccountID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(900_000_000_000))
	return fmt.Sprintf("%012d", n.Int64()+100_000_000_000)
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewAccessKeyID returns an AWS-shaped access key ID (AKIA + 16 characters).
func NewAccessKeyID() string { return "AKIA" + randomString(upperAlnum, 16) }

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	return randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Credential is the credential lookup SigV4 verification needs: the secret
// and session token of an active key and the *Caller behind it, or
// ErrUnknownKey.
func (s *Service) Credential(accessKeyID string) (secret, token string, identity any, err error) {
	c, err := s.Resolve(context.Background(), accessKeyID)
	if err != nil {
		return "", "", nil, err
	}
	return c.Secret, c.SessionToken, c, nil
}
