package iam

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/policy"
)

// Limits on policy documents (characters, whitespace included).
const (
	maxInlineUser  = 2048
	maxInlineRole  = 10240
	maxInlineGroup = 5120
	maxManaged     = 6144
	maxVersions    = 5
	maxAttached    = 10
)

type docKind int

const (
	identityPolicy docKind = iota
	trustPolicy
)

// parseCache holds parsed documents by kind and text: policies are read on
// every request and change rarely.
type parseCache struct {
	mu sync.Mutex
	m  map[string]*policy.Policy
}

func (c *parseCache) get(k string) (*policy.Policy, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[k]
	return p, ok
}

func (c *parseCache) put(k string, p *policy.Policy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 4096 {
		c.m = map[string]*policy.Policy{}
	}
	c.m[k] = p
}

// parseCached parses doc once per distinct text; it is a package-level
// helper over the caller's cache.
func parseCached(doc string, kind docKind) (*policy.Policy, error) {
	return parseWith(nil, doc, kind)
}

func parseWith(c *parseCache, doc string, kind docKind) (*policy.Policy, error) {
	key := strconv.Itoa(int(kind)) + doc
	if c != nil {
		if p, ok := c.get(key); ok {
			return p, nil
		}
	}
	opt := policy.ForIdentityPolicy()
	if kind == trustPolicy {
		opt = policy.ForTrustPolicy()
	}
	p, err := policy.Parse([]byte(doc), opt)
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.put(key, p)
	}
	return p, nil
}

func checkPolicyName(name string) error {
	if name == "" || len(name) > 128 || !nameRE.MatchString(name) {
		return errorf(CodeValidation, "The specified value for policyName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be 1 to 128 characters long.")
	}
	return nil
}

func checkIdentityDoc(doc string) error {
	if _, err := parseCached(doc, identityPolicy); err != nil {
		return errorf(CodeMalformedPolicy, "%s", policyMessage(err))
	}
	return nil
}

// PutInlinePolicy adds or replaces an inline policy of a user, group or role.
func (s *Service) PutInlinePolicy(ctx context.Context, accountID, kind, name, policyName, doc string) error {
	if err := checkPolicyName(policyName); err != nil {
		return err
	}
	if err := checkIdentityDoc(doc); err != nil {
		return err
	}
	return s.updateEntity(ctx, accountID, kind, name, func(_ meta.Tx, e *meta.IAMEntity) error {
		inline := maps.Clone(e.Inline)
		if inline == nil {
			inline = map[string]string{}
		}
		for k := range inline {
			if strings.EqualFold(k, policyName) {
				delete(inline, k)
			}
		}
		inline[policyName] = doc
		total := 0
		for _, d := range inline {
			total += len(stripSpace(d))
		}
		limit, quota := maxInlineUser, "UserPolicySize"
		switch kind {
		case meta.KindRole:
			limit, quota = maxInlineRole, "RolePolicySize"
		case meta.KindGroup:
			limit, quota = maxInlineGroup, "GroupPolicySize"
		}
		if total > limit {
			return errorf(CodeLimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s (quota %s)", limit, kindLabel[kind], e.Name, quota)
		}
		e.Inline = inline
		return nil
	})
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

func inlineName(e *meta.IAMEntity, policyName string) (string, bool) {
	for k := range e.Inline {
		if strings.EqualFold(k, policyName) {
			return k, true
		}
	}
	return "", false
}

// InlinePolicy returns an inline policy document.
func (s *Service) InlinePolicy(ctx context.Context, accountID, kind, name, policyName string) (string, *meta.IAMEntity, error) {
	e, err := s.Entity(ctx, accountID, kind, name)
	if err != nil {
		return "", nil, err
	}
	k, ok := inlineName(e, policyName)
	if !ok {
		return "", nil, errorf(CodeNoSuchEntity, "The %s policy with name %s cannot be found.", kindLabel[kind], policyName)
	}
	return e.Inline[k], e, nil
}

// InlinePolicyNames lists an entity's inline policy names in order.
func (s *Service) InlinePolicyNames(ctx context.Context, accountID, kind, name string) ([]string, error) {
	e, err := s.Entity(ctx, accountID, kind, name)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(e.Inline)), nil
}

// DeleteInlinePolicy removes an inline policy.
func (s *Service) DeleteInlinePolicy(ctx context.Context, accountID, kind, name, policyName string) error {
	return s.updateEntity(ctx, accountID, kind, name, func(_ meta.Tx, e *meta.IAMEntity) error {
		k, ok := inlineName(e, policyName)
		if !ok {
			return errorf(CodeNoSuchEntity, "The %s policy with name %s cannot be found.", kindLabel[kind], policyName)
		}
		e.Inline = maps.Clone(e.Inline)
		delete(e.Inline, k)
		return nil
	})
}

// PolicyARN is the ARN of a customer managed policy.
func PolicyARN(p *meta.ManagedPolicy) string {
	return "arn:aws:iam::" + p.AccountID + ":policy" + p.Path + p.Name
}

// splitPolicyARN returns the account and name of a policy ARN.
func splitPolicyARN(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || !strings.HasPrefix(res, "policy/") {
		return "", "", false
	}
	name = res[strings.LastIndexByte(res, '/')+1:]
	return account, name, name != ""
}

// managedPolicy finds a managed policy (customer or AWS built-in) by ARN.
func (s *Service) managedPolicy(tx meta.Tx, arn string) (*meta.ManagedPolicy, error) {
	if p, ok := awsManaged[arn]; ok {
		return p, nil
	}
	account, name, ok := splitPolicyARN(arn)
	if !ok {
		return nil, errorf(CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	p, err := tx.GetManagedPolicy(account, name)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && PolicyARN(p) != arn) {
		return nil, errorf(CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
	}
	return p, err
}

// DefaultDocument is the document of a managed policy's default version.
func DefaultDocument(p *meta.ManagedPolicy) string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document
		}
	}
	return ""
}

// CreatePolicy creates a customer managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, accountID, name, path, description, doc string, tags []meta.Tag) (*meta.ManagedPolicy, error) {
	if err := checkPolicyName(name); err != nil {
		return nil, err
	}
	path, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	if len(stripSpace(doc)) > maxManaged {
		return nil, errorf(CodeLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManaged)
	}
	if err := checkIdentityDoc(doc); err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(1e9)
	p := &meta.ManagedPolicy{AccountID: accountID, Name: name, Path: path, ID: "ANPA" + randomString(upperAlnum, 17),
		Description: description, Created: now, Updated: now, DefaultVersion: "v1", NextVersion: 2,
		Versions: []meta.PolicyVersion{{ID: "v1", Document: doc, Created: now}}, Tags: tags}
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		if _, err := tx.GetManagedPolicy(accountID, name); err == nil {
			return errorf(CodeEntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", name)
		} else if !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		return tx.PutManagedPolicy(p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Policy returns a managed policy by ARN.
func (s *Service) Policy(ctx context.Context, arn string) (*meta.ManagedPolicy, error) {
	var p *meta.ManagedPolicy
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		p, err = s.managedPolicy(tx, arn)
		return err
	})
	return p, err
}

// Policies lists managed policies: scope "Local", "AWS" or "All".
func (s *Service) Policies(ctx context.Context, accountID, scope, pathPrefix string, onlyAttached bool) ([]*meta.ManagedPolicy, error) {
	var out []*meta.ManagedPolicy
	keep := func(p *meta.ManagedPolicy) {
		if strings.HasPrefix(p.Path, pathPrefix) && (!onlyAttached || p.AttachmentCount > 0) {
			out = append(out, p)
		}
	}
	if scope != "Local" {
		for _, arn := range slices.Sorted(maps.Keys(awsManaged)) {
			keep(awsManaged[arn])
		}
	}
	if scope == "AWS" {
		return out, nil
	}
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		return tx.ListManagedPolicies(accountID, func(p *meta.ManagedPolicy) bool { keep(p); return true })
	})
	return out, err
}

func (s *Service) updatePolicy(ctx context.Context, arn string, fn func(p *meta.ManagedPolicy) error) error {
	if _, ok := awsManaged[arn]; ok {
		return errorf(CodeAccessDenied, "AWS managed policies cannot be changed.")
	}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		p, err := s.managedPolicy(tx, arn)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		return tx.PutManagedPolicy(p)
	})
}

// DeletePolicy deletes a managed policy that is attached nowhere and has
// only its default version.
func (s *Service) DeletePolicy(ctx context.Context, arn string) error {
	if _, ok := awsManaged[arn]; ok {
		return errorf(CodeAccessDenied, "AWS managed policies cannot be deleted.")
	}
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		p, err := s.managedPolicy(tx, arn)
		if err != nil {
			return err
		}
		if p.AttachmentCount > 0 {
			return errorf(CodeDeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return errorf(CodeDeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.DeleteManagedPolicy(p.AccountID, p.Name)
	})
}

// CreatePolicyVersion adds a version, optionally making it the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, arn, doc string, setDefault bool) (*meta.PolicyVersion, error) {
	if len(stripSpace(doc)) > maxManaged {
		return nil, errorf(CodeLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManaged)
	}
	if err := checkIdentityDoc(doc); err != nil {
		return nil, err
	}
	var v meta.PolicyVersion
	err := s.updatePolicy(ctx, arn, func(p *meta.ManagedPolicy) error {
		if len(p.Versions) >= maxVersions {
			return errorf(CodeLimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxVersions)
		}
		now := s.clock.Now().UTC().Truncate(1e9)
		v = meta.PolicyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: now}
		p.NextVersion++
		p.Versions = append([]meta.PolicyVersion{v}, p.Versions...)
		p.Updated = now
		if setDefault {
			p.DefaultVersion = v.ID
		}
		return nil
	})
	return &v, err
}

// SetDefaultPolicyVersion makes an existing version the default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, arn, versionID string) error {
	return s.updatePolicy(ctx, arn, func(p *meta.ManagedPolicy) error {
		if !slices.ContainsFunc(p.Versions, func(v meta.PolicyVersion) bool { return v.ID == versionID }) {
			return errorf(CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
		}
		p.DefaultVersion = versionID
		p.Updated = s.clock.Now().UTC().Truncate(1e9)
		return nil
	})
}

// DeletePolicyVersion deletes a non-default version.
func (s *Service) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	return s.updatePolicy(ctx, arn, func(p *meta.ManagedPolicy) error {
		i := slices.IndexFunc(p.Versions, func(v meta.PolicyVersion) bool { return v.ID == versionID })
		if i < 0 {
			return errorf(CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
		}
		if p.DefaultVersion == versionID {
			return errorf(CodeDeleteConflict, "Cannot delete the default version of a policy.")
		}
		p.Versions = slices.Delete(p.Versions, i, i+1)
		return nil
	})
}

// AttachPolicy attaches a managed policy to a user, group or role.
func (s *Service) AttachPolicy(ctx context.Context, accountID, kind, name, arn string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		e, err := getEntity(tx, accountID, kind, name)
		if err != nil {
			return err
		}
		p, err := s.managedPolicy(tx, arn)
		if err != nil {
			return err
		}
		if p.AccountID != "aws" && p.AccountID != accountID {
			return errorf(CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
		}
		if slices.Contains(e.Attached, arn) {
			return nil
		}
		if len(e.Attached) >= maxAttached {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for PoliciesPer%s: %d", strings.ToUpper(kindLabel[kind][:1])+kindLabel[kind][1:], maxAttached)
		}
		e.Attached = append(slices.Clone(e.Attached), arn)
		if err := tx.PutIAMEntity(e); err != nil {
			return err
		}
		if p.AccountID == "aws" {
			return nil
		}
		p.AttachmentCount++
		return tx.PutManagedPolicy(p)
	})
}

// DetachPolicy detaches a managed policy.
func (s *Service) DetachPolicy(ctx context.Context, accountID, kind, name, arn string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		e, err := getEntity(tx, accountID, kind, name)
		if err != nil {
			return err
		}
		i := slices.Index(e.Attached, arn)
		if i < 0 {
			return errorf(CodeNoSuchEntity, "Policy %s was not found.", arn)
		}
		e.Attached = slices.Delete(slices.Clone(e.Attached), i, i+1)
		if err := tx.PutIAMEntity(e); err != nil {
			return err
		}
		p, err := s.managedPolicy(tx, arn)
		if err != nil || p.AccountID == "aws" {
			return nil //nolint:nilerr // a policy deleted meanwhile leaves nothing to count
		}
		p.AttachmentCount = max(0, p.AttachmentCount-1)
		return tx.PutManagedPolicy(p)
	})
}

// AttachedPolicies lists the managed policies attached to an entity.
func (s *Service) AttachedPolicies(ctx context.Context, accountID, kind, name string) ([]*meta.ManagedPolicy, error) {
	var out []*meta.ManagedPolicy
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		e, err := getEntity(tx, accountID, kind, name)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, arn := range e.Attached {
			if p, err := s.managedPolicy(tx, arn); err == nil {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

// EntitiesForPolicy lists the users, groups and roles a policy is attached to.
func (s *Service) EntitiesForPolicy(ctx context.Context, accountID, arn string) ([]*meta.IAMEntity, error) {
	var out []*meta.IAMEntity
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		if _, err := s.managedPolicy(tx, arn); err != nil {
			return err
		}
		out = out[:0]
		for _, kind := range []string{meta.KindGroup, meta.KindRole, meta.KindUser} {
			if err := tx.ListIAMEntities(accountID, kind, func(e *meta.IAMEntity) bool {
				if slices.Contains(e.Attached, arn) {
					out = append(out, e)
				}
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
