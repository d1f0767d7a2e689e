package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
)

// SessionQueue is the task queue that deletes role-session keys once they
// expire.
const SessionQueue = "iam.session-expiry"

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// AssumeRoleInput is an sts:AssumeRole request.
type AssumeRoleInput struct {
	RoleARN         string
	SessionName     string
	DurationSeconds int // 0 means 3600
	ExternalID      string
	Policy          string // inline session policy
	// Keys are the request's condition keys (aws:SourceIp, …).
	Keys map[string][]string
}

// Session is a set of temporary credentials.
type Session struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
	AssumedRoleID, ARN                         string
	PackedPolicySize                           int
}

// AssumeRole issues temporary credentials for a role when its trust policy
// (and, for IAM principals, their own policies) allow caller to assume it.
// A service (S3 replication, Batch Operations) calls with an Identity whose
// Service is its principal, such as "s3.amazonaws.com".
func (s *Service) AssumeRole(ctx context.Context, caller *authz.Identity, in AssumeRoleInput) (*Session, *authz.Decision, error) {
	if !sessionNameRE.MatchString(in.SessionName) {
		return nil, nil, errorf(CodeValidation, "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", in.SessionName)
	}
	if in.ExternalID != "" && (len(in.ExternalID) < 2 || len(in.ExternalID) > 1224) {
		return nil, nil, errorf(CodeValidation, "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length between 2 and 1224")
	}
	dur := in.DurationSeconds
	if dur == 0 {
		dur = DefaultSessionDuration
	}
	if dur < MinSessionDuration || dur > MaxRoleSession {
		return nil, nil, errorf(CodeValidation, "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", dur)
	}
	if in.Policy != "" {
		if len(stripSpace(in.Policy)) > 2048 {
			return nil, nil, errorf("PackedPolicyTooLarge", "Packed size of the session policy exceeds the limit.")
		}
		if _, err := parseCached(in.Policy, identityPolicy); err != nil {
			return nil, nil, errorf(CodeMalformedPolicy, "%s", policyMessage(err))
		}
	}
	callerName := caller.ARN
	if caller.Service != "" {
		callerName = caller.Service
	}
	denied := func() *Error {
		return errorf(CodeAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", callerName, in.RoleARN)
	}
	account, kind, name, ok := splitEntityARN(in.RoleARN)
	if !ok || kind != meta.KindRole {
		return nil, nil, errorf(CodeValidation, "%s is invalid", in.RoleARN)
	}
	now := s.clock.Now().UTC()
	out := &Session{AccessKeyID: "ASIA" + randomString(upperAlnum, 16), SecretAccessKey: NewSecret(), SessionToken: newSessionToken()}
	var decision authz.Decision
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		role, err := tx.GetIAMEntity(account, meta.KindRole, name)
		if errors.Is(err, meta.ErrNotFound) || (err == nil && entityARN(role) != in.RoleARN) {
			decision = authz.Decision{Reason: "the role does not exist"}
			return denied()
		}
		if err != nil {
			return err
		}
		trust, err := parseWith(&s.cache, role.TrustPolicy, trustPolicy)
		if err != nil {
			decision = authz.Decision{Reason: "the role's trust policy does not parse"}
			return denied()
		}
		keys := map[string][]string{"sts:RoleSessionName": {in.SessionName}}
		for k, v := range in.Keys {
			keys[k] = v
		}
		if in.ExternalID != "" {
			keys["sts:ExternalId"] = []string{in.ExternalID}
		}
		decision = authz.Authorize(&authz.Request{Identity: caller, Action: "sts:AssumeRole", Resource: in.RoleARN,
			ResourceAccount: account, ResourcePolicy: trust, RequireResourcePolicy: true, Keys: keys})
		if !decision.Allowed {
			return denied()
		}
		if dur > role.MaxSessionDuration && role.MaxSessionDuration > 0 {
			return errorf(CodeValidation, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		if caller.RoleARN != "" && dur > DefaultSessionDuration {
			return errorf(CodeValidation, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		out.Expires = now.Add(time.Duration(dur) * time.Second).Truncate(time.Second)
		out.AssumedRoleID = role.ID + ":" + in.SessionName
		out.ARN = "arn:aws:sts::" + account + ":assumed-role/" + role.Name + "/" + in.SessionName
		if err := tx.PutAccessKey(&meta.AccessKey{ID: out.AccessKeyID, Secret: out.SecretAccessKey, AccountID: account,
			Status: "Active", Created: now, RoleName: role.Name, SessionName: in.SessionName, SessionToken: out.SessionToken,
			Expires: out.Expires, AssumedBy: callerName, SessionPolicy: in.Policy}); err != nil {
			return err
		}
		return tx.EnqueueTask(&meta.Task{Queue: SessionQueue, Key: out.AccessKeyID, NotBefore: out.Expires.UnixNano(), Created: now.UnixNano()})
	})
	if err != nil {
		return nil, &decision, err
	}
	if in.Policy != "" {
		out.PackedPolicySize = min(100, len(stripSpace(in.Policy))*100/2048)
	}
	return out, &decision, nil
}

// newSessionToken returns an opaque session token shaped like AWS's.
func newSessionToken() string {
	b := make([]byte, 180)
	_, _ = rand.Read(b)
	return "FwoGZXIvYXdzE" + strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
}

// ExpireSessions deletes the keys of sessions that have expired, up to n
// per call, and returns how many it deleted.
func (s *Service) ExpireSessions(ctx context.Context, n int) (int, error) {
	now := s.clock.Now()
	deleted := 0
	err := s.meta.Update(ctx, func(tx meta.Tx) error {
		deleted = 0
		tasks, err := tx.ClaimTasks(SessionQueue, now.UnixNano(), now.Add(time.Minute).UnixNano(), n)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			if err := tx.DeleteAccessKey(t.Key); err != nil && !errors.Is(err, meta.ErrNotFound) {
				return err
			}
			if err := tx.DeleteTask(t.ID); err != nil {
				return err
			}
			deleted++
		}
		return nil
	})
	return deleted, err
}

// CheckPassRole decides whether caller may hand roleARN to a service (a
// replication configuration, a Batch Operations job): the role must exist
// in the caller's account and the caller's policies must allow
// iam:PassRole on it (the account root always may).
func (s *Service) CheckPassRole(ctx context.Context, caller *authz.Identity, roleARN string) error {
	account, kind, name, ok := splitEntityARN(roleARN)
	if !ok || kind != meta.KindRole {
		return errorf(CodeInvalidInput, "Invalid role ARN %s.", roleARN)
	}
	role, err := s.Entity(ctx, account, meta.KindRole, name)
	if err != nil || entityARN(role) != roleARN || account != caller.AccountID {
		return errorf(CodeAccessDenied, "User: %s is not authorized to perform: iam:PassRole on resource: %s", caller.ARN, roleARN)
	}
	d := authz.Authorize(&authz.Request{Identity: caller, Action: "iam:PassRole", Resource: roleARN, ResourceAccount: account})
	if !d.Allowed {
		return errorf(CodeAccessDenied, "User: %s is not authorized to perform: iam:PassRole on resource: %s because %s", caller.ARN, roleARN, d.Reason)
	}
	return nil
}
