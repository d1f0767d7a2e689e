package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/policy"
)

// Caller is the principal behind a credential, with everything needed to
// verify the signature and authorize the request, read in one transaction.
type Caller struct {
	AccessKeyID  string
	Secret       string
	SessionToken string // role sessions only
	AccountID    string
	Operator     bool   // the caller's account administers the deployment
	UserName     string // IAM users
	RoleName     string // role sessions
	SessionName  string
	Identity     *authz.Identity
}

// Root reports whether the caller is an account's root user.
func (c *Caller) Root() bool { return c.Identity != nil && c.Identity.Root }

// ARN is the caller's ARN (for role sessions, the assumed-role ARN).
func (c *Caller) ARN() string { return c.Identity.ARN }

// UserID is the caller's unique ID as GetCallerIdentity reports it.
func (c *Caller) UserID() string { return c.Identity.UserID }

// Resolve looks up an access key and the identity behind it. Unknown,
// inactive and orphaned keys are ErrUnknownKey; an expired session is an
// *Error with CodeExpiredToken.
func (s *Service) Resolve(ctx context.Context, accessKeyID string) (*Caller, error) {
	var c *Caller
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		c, err = s.resolve(tx, accessKeyID)
		return err
	})
	if errors.Is(err, meta.ErrNotFound) {
		return nil, ErrUnknownKey
	}
	return c, err
}

func (s *Service) resolve(tx meta.Tx, accessKeyID string) (*Caller, error) {
	k, err := tx.GetAccessKey(accessKeyID)
	if err != nil {
		return nil, err
	}
	if k.Status != "Active" {
		return nil, ErrUnknownKey
	}
	a, err := tx.GetAccount(k.AccountID)
	if err != nil {
		return nil, err
	}
	c := &Caller{AccessKeyID: k.ID, Secret: k.Secret, SessionToken: k.SessionToken, AccountID: a.ID, Operator: a.Operator,
		UserName: k.UserName, RoleName: k.RoleName, SessionName: k.SessionName}
	id := &authz.Identity{AccountID: a.ID}
	c.Identity = id
	switch {
	case k.RoleName != "":
		if !k.Expires.After(s.clock.Now()) {
			return nil, errorf(CodeExpiredToken, "The security token included in the request is expired")
		}
		role, err := tx.GetIAMEntity(a.ID, meta.KindRole, k.RoleName)
		if err != nil {
			return nil, err // the role was deleted: its sessions end with it
		}
		id.ARN = "arn:aws:sts::" + a.ID + ":assumed-role/" + role.Name + "/" + k.SessionName
		id.RoleARN = entityARN(role)
		id.UserID = role.ID + ":" + k.SessionName
		if err := s.entityPolicies(tx, id, role); err != nil {
			return nil, err
		}
		if k.SessionPolicy != "" {
			if id.SessionPolicy, err = parseWith(&s.cache, k.SessionPolicy, identityPolicy); err != nil {
				return nil, err
			}
		}
	case k.UserName != "":
		user, err := tx.GetIAMEntity(a.ID, meta.KindUser, k.UserName)
		if err != nil {
			return nil, err
		}
		id.ARN, id.UserID = entityARN(user), user.ID
		if err := s.entityPolicies(tx, id, user); err != nil {
			return nil, err
		}
		for _, g := range user.Groups {
			group, err := tx.GetIAMEntity(a.ID, meta.KindGroup, g)
			if err != nil {
				continue
			}
			if err := s.entityPolicies(tx, id, group); err != nil {
				return nil, err
			}
		}
	default:
		id.Root = true
		id.ARN = "arn:aws:iam::" + a.ID + ":root"
		id.UserID = a.ID
	}
	return c, nil
}

// entityPolicies appends e's inline and attached policies (and, for users
// and roles, its permissions boundary) to id.
func (s *Service) entityPolicies(tx meta.Tx, id *authz.Identity, e *meta.IAMEntity) error {
	label := kindLabel[e.Kind] + " " + e.Name
	for name, doc := range e.Inline {
		p, err := parseWith(&s.cache, doc, identityPolicy)
		if err != nil {
			continue // stored documents were validated; a later parser change must not lock anyone out of IAM
		}
		id.Policies = append(id.Policies, authz.NamedPolicy{Name: "inline policy " + name + " of " + label, Policy: p})
	}
	for _, arn := range e.Attached {
		if p, err := s.parsedManaged(tx, arn); err == nil && p != nil {
			id.Policies = append(id.Policies, authz.NamedPolicy{Name: arn, Policy: p})
		}
	}
	if e.PermissionsBoundary != "" && e.Kind != meta.KindGroup {
		p, err := s.parsedManaged(tx, e.PermissionsBoundary)
		if err != nil || p == nil {
			// A boundary that no longer resolves allows nothing.
			p = &policy.Policy{}
		}
		id.Boundary = p
	}
	return nil
}

func (s *Service) parsedManaged(tx meta.Tx, arn string) (*policy.Policy, error) {
	mp, err := s.managedPolicy(tx, arn)
	if err != nil {
		return nil, err
	}
	return parseWith(&s.cache, DefaultDocument(mp), identityPolicy)
}

// IdentityFor builds the identity of a user or role of an account without
// a credential (for policy simulation). For a role the identity is that of
// a session named "simulation".
func (s *Service) IdentityFor(ctx context.Context, arn string) (*authz.Identity, error) {
	account, kind, name, ok := splitEntityARN(arn)
	if !ok {
		return nil, errorf(CodeInvalidInput, "Invalid ARN %s.", arn)
	}
	id := &authz.Identity{AccountID: account}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if kind == "" {
			if _, err := tx.GetAccount(account); err != nil {
				return errorf(CodeNoSuchEntity, "The account %s cannot be found.", account)
			}
			id.Root, id.ARN, id.UserID = true, "arn:aws:iam::"+account+":root", account
			return nil
		}
		e, err := getEntity(tx, account, kind, name)
		if err != nil {
			return err
		}
		id.ARN, id.UserID = entityARN(e), e.ID
		if kind == meta.KindRole {
			id.RoleARN = id.ARN
			id.ARN = "arn:aws:sts::" + account + ":assumed-role/" + e.Name + "/simulation"
			id.UserID = e.ID + ":simulation"
		}
		if err := s.entityPolicies(tx, id, e); err != nil {
			return err
		}
		for _, g := range e.Groups {
			if group, err := tx.GetIAMEntity(account, meta.KindGroup, g); err == nil {
				if err := s.entityPolicies(tx, id, group); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return id, err
}

// splitEntityARN parses arn:aws:iam::ACCOUNT:(root|user/…|role/…|group/…).
func splitEntityARN(arn string) (account, kind, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", "", false
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || len(account) != 12 {
		return "", "", "", false
	}
	if res == "root" {
		return account, "", "", true
	}
	typ, path, ok := strings.Cut(res, "/")
	switch typ {
	case "user":
		kind = meta.KindUser
	case "role":
		kind = meta.KindRole
	case "group":
		kind = meta.KindGroup
	default:
		return "", "", "", false
	}
	name = path[strings.LastIndexByte(path, '/')+1:]
	return account, kind, name, ok && name != ""
}

// PrincipalExists reports whether an AWS principal named in a resource
// policy exists: "*", an account ID or root ARN of an existing account, or
// the ARN of an existing user or role (or a session of an existing role).
func (s *Service) PrincipalExists(ctx context.Context, principal string) bool {
	if principal == "*" {
		return true
	}
	if len(principal) == 12 && strings.Trim(principal, "0123456789") == "" {
		principal = "arn:aws:iam::" + principal + ":root"
	}
	if rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"); ok {
		account, res, _ := strings.Cut(rest, ":")
		role, _, ok := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		if !ok || !strings.HasPrefix(res, "assumed-role/") {
			return false
		}
		_, err := s.Entity(ctx, account, meta.KindRole, role)
		return err == nil
	}
	account, kind, name, ok := splitEntityARN(principal)
	if !ok || kind == meta.KindGroup {
		return false
	}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := tx.GetAccount(account); err != nil {
			return err
		}
		if kind == "" {
			return nil
		}
		e, err := tx.GetIAMEntity(account, kind, name)
		if err == nil && entityARN(e) != principal {
			return meta.ErrNotFound
		}
		return err
	})
	return err == nil
}
