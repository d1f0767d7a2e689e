package iam

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta/bolt"
)

func newService(t *testing.T) *Service {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, clock.Real{})
}

func TestEnsureOperator(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	first, err := s.EnsureOperator(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || !regexp.MustCompile(`^\d{12}$`).MatchString(first.AccountID) ||
		!regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(first.AccessKeyID) || len(first.SecretAccessKey) != 40 {
		t.Fatalf("first start: %+v", first)
	}
	c, err := s.Resolve(ctx, first.AccessKeyID)
	if err != nil || c.Secret != first.SecretAccessKey || c.AccountID != first.AccountID || !c.Operator || !c.Root() || c.ARN() != "arn:aws:iam::"+first.AccountID+":root" {
		t.Fatalf("resolve: %+v %v", c, err)
	}
	again, err := s.EnsureOperator(ctx, "", "")
	if err != nil || again.Created || again.AccountID != first.AccountID || again.SecretAccessKey != "" {
		t.Fatalf("second start must reuse the account and print nothing: %+v %v", again, err)
	}
	// Keys from the environment are added to the same account.
	env, err := s.EnsureOperator(ctx, "AKIAFROMENV000000001", "fromenvsecretfromenvsecret")
	if err != nil || env.AccountID != first.AccountID {
		t.Fatalf("env keys: %+v %v", env, err)
	}
	if c, err := s.Resolve(ctx, "AKIAFROMENV000000001"); err != nil || c.Secret != "fromenvsecretfromenvsecret" {
		t.Fatalf("env key lookup: %+v %v", c, err)
	}
	if _, err := s.Resolve(ctx, "AKIANOSUCHKEY0000000"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	for _, bad := range [][2]string{{"AKIAONLYID", ""}, {"", "onlysecret"}, {"AK", "secretsecret"}, {"AKIAOKAYKEY", "short"}} {
		if _, err := s.EnsureOperator(ctx, bad[0], bad[1]); err == nil {
			t.Errorf("EnsureOperator(%q, %q) accepted", bad[0], bad[1])
		}
	}
}
