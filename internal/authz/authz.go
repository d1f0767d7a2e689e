// Package authz makes the AWS authorization decision for one request: it
// combines the caller's identity-based policies (with a permissions
// boundary and a session policy), a resource-based policy (an S3 bucket
// policy or an IAM role trust policy) and other grants (S3 ACLs) within an
// account and across accounts, and says what decided.
//
// The package is pure: no I/O and no mutable global state.
package authz

import (
	"strconv"

	"github.com/ferrys3/ferry/internal/policy"
)

// Identity is the authenticated caller.
type Identity struct {
	Anonymous     bool
	AccountID     string         // the caller's account
	ARN           string         // root, user or assumed-role session ARN
	RoleARN       string         // role sessions: the role's ARN
	UserID        string         // aws:userid
	Root          bool           // the account's root user
	Service       string         // a service principal such as "s3.amazonaws.com"
	Policies      []NamedPolicy  // identity-based policies
	Boundary      *policy.Policy // permissions boundary, nil when none
	SessionPolicy *policy.Policy // an assumed-role session's inline policy, nil when none
}

// NamedPolicy is an identity-based policy with the name reports give it.
type NamedPolicy struct {
	Name   string
	Policy *policy.Policy
}

// Request is one authorization question.
type Request struct {
	Identity *Identity
	Action   string // e.g. "s3:GetObject"
	Resource string // e.g. "arn:aws:s3:::bucket/key"
	// ResourceAccount owns the resource; "" when nothing does (for example
	// s3:ListAllMyBuckets): then the identity side alone decides.
	ResourceAccount string
	ResourcePolicy  *policy.Policy // bucket policy or trust policy; nil when none
	// RequireResourcePolicy: the resource policy itself must allow (role
	// trust policies); an identity-policy allow is never enough alone.
	RequireResourcePolicy bool
	// OwnerOverride: the resource owner's root user is allowed even when
	// the resource policy denies (S3 bucket-policy management).
	OwnerOverride bool
	// ExtraAllow is a resource-side grant outside policies (an S3 ACL).
	ExtraAllow bool
	// ResourcePolicyDenyOnly: the resource policy may deny but not allow
	// (S3 Block Public Access RestrictPublicBuckets on a public policy).
	ResourcePolicyDenyOnly bool
	// Keys are the request's condition keys; KeyFunc supplies further keys
	// on demand (see policy.RequestContext).
	Keys    map[string][]string
	KeyFunc func(key string) ([]string, bool)
}

// Decision is the outcome, with what decided it.
type Decision struct {
	Allowed   bool
	Deny      bool   // an explicit deny decided
	Reason    string // e.g. "no identity-based policy allows the s3:PutObject action"
	Policy    string // deciding policy, e.g. "bucket policy" or a managed policy ARN
	Statement string // its Sid, or "#N" (1-based) when it has none
}

// Context builds the policy evaluation context of a request.
func Context(r *Request) *policy.RequestContext {
	id := r.Identity
	if id == nil {
		id = &Identity{Anonymous: true}
	}
	ctx := &policy.RequestContext{Action: r.Action, Resource: r.Resource, Anonymous: id.Anonymous, AccountID: id.AccountID,
		PrincipalARN: id.ARN, RoleARN: id.RoleARN, UserID: id.UserID, Service: id.Service, Keys: r.Keys, KeyFunc: r.KeyFunc,
		ResourceAccount: r.ResourceAccount}
	switch {
	case id.Service != "":
		ctx.PrincipalType = "AWSService"
	case id.Anonymous:
		ctx.PrincipalType = "Anonymous"
	case id.Root:
		ctx.PrincipalType = "Account"
	case id.RoleARN != "":
		ctx.PrincipalType = "AssumedRole"
	default:
		ctx.PrincipalType = "User"
	}
	return ctx
}

// Authorize decides r.
func Authorize(r *Request) Decision {
	id := r.Identity
	if id == nil {
		id = &Identity{Anonymous: true}
	}
	ctx := Context(r)
	// 1. An explicit deny anywhere decides, except that the owner's root may
	// always manage the resource policy.
	ownerRoot := id.Root && r.ResourceAccount != "" && id.AccountID == r.ResourceAccount
	if r.ResourcePolicy != nil && !(r.OwnerOverride && ownerRoot) {
		if st := r.ResourcePolicy.Find(ctx, policy.EffectDeny, nil); st != nil {
			return denied("explicit deny in a resource-based policy", resourceName(r), sid(r.ResourcePolicy, st))
		}
	}
	for _, np := range id.Policies {
		if st := np.Policy.Find(ctx, policy.EffectDeny, nil); st != nil {
			return denied("explicit deny in an identity-based policy", np.Name, sid(np.Policy, st))
		}
	}
	if id.Boundary != nil {
		if st := id.Boundary.Find(ctx, policy.EffectDeny, nil); st != nil {
			return denied("explicit deny in a permissions boundary", "permissions boundary", sid(id.Boundary, st))
		}
	}
	if id.SessionPolicy != nil {
		if st := id.SessionPolicy.Find(ctx, policy.EffectDeny, nil); st != nil {
			return denied("explicit deny in a session policy", "session policy", sid(id.SessionPolicy, st))
		}
	}
	if r.OwnerOverride && ownerRoot {
		return Decision{Allowed: true, Reason: "allowed: the bucket owner's root user"}
	}

	// 2. The identity side.
	identityAllows, identityWhy, idPolicy, idStmt := identitySide(id, ctx)

	// 3. The resource side: a statement naming the principal (or everyone),
	// one naming only its account, or a grant outside policies.
	specific, delegated := false, false
	var resStmt string
	if r.ResourcePolicy != nil && !r.ResourcePolicyDenyOnly {
		if st := r.ResourcePolicy.Find(ctx, policy.EffectAllow, func(s *policy.Statement) bool {
			return !s.Principal.NamesAccountOnly()
		}); st != nil {
			specific, resStmt = true, sid(r.ResourcePolicy, st)
		} else if st := r.ResourcePolicy.Find(ctx, policy.EffectAllow, nil); st != nil {
			delegated, resStmt = true, sid(r.ResourcePolicy, st)
		}
	}
	if r.ExtraAllow && !specific {
		specific, resStmt = true, "ACL"
	}
	resourceAllows := specific || delegated
	action := r.Action
	noResource := "no resource-based policy allows the " + action + " action"
	sameAccount := r.ResourceAccount == "" || (!id.Anonymous && id.Service == "" && id.AccountID == r.ResourceAccount)

	switch {
	case id.Service != "" || id.Anonymous:
		// No identity side: only the resource policy can allow.
		if specific {
			return allowed(resourceName(r), resStmt)
		}
		return Decision{Reason: noResource}
	case r.RequireResourcePolicy:
		if !resourceAllows {
			return Decision{Reason: noResource}
		}
		if sameAccount && specific && !boundaryLimits(id) {
			return allowed(resourceName(r), resStmt)
		}
		if !identityAllows {
			return Decision{Reason: identityWhy, Policy: idPolicy, Statement: idStmt}
		}
		return allowed(resourceName(r), resStmt)
	case r.ResourceAccount == "":
		if identityAllows {
			return allowed(idPolicy, idStmt)
		}
		return Decision{Reason: identityWhy}
	case sameAccount:
		if identityAllows {
			return allowed(idPolicy, idStmt)
		}
		// A resource policy naming the principal grants on its own (within
		// the boundary, when there is one); naming only the account
		// delegates to the account's identity policies.
		if specific && !boundaryLimits(id) {
			return allowed(resourceName(r), resStmt)
		}
		if specific && boundaryAllows(id, ctx) {
			return allowed(resourceName(r), resStmt)
		}
		return Decision{Reason: identityWhy}
	default: // cross account: both sides must allow
		if !identityAllows {
			return Decision{Reason: identityWhy}
		}
		if !resourceAllows {
			return Decision{Reason: noResource}
		}
		return allowed(resourceName(r), resStmt)
	}
}

// identitySide reports whether the caller's own policies allow ctx: root
// users implicitly; users and roles through an identity policy, within the
// permissions boundary and the session policy.
func identitySide(id *Identity, ctx *policy.RequestContext) (ok bool, why, pol, stmt string) {
	if id.Root {
		return true, "", "root user", ""
	}
	for _, np := range id.Policies {
		if st := np.Policy.Find(ctx, policy.EffectAllow, nil); st != nil {
			pol, stmt = np.Name, sid(np.Policy, st)
			break
		}
	}
	if pol == "" {
		return false, "no identity-based policy allows the " + ctx.Action + " action", "", ""
	}
	if id.Boundary != nil && id.Boundary.Find(ctx, policy.EffectAllow, nil) == nil {
		return false, "no permissions boundary allows the " + ctx.Action + " action", "", ""
	}
	if id.SessionPolicy != nil && id.SessionPolicy.Find(ctx, policy.EffectAllow, nil) == nil {
		return false, "no session policy allows the " + ctx.Action + " action", "", ""
	}
	return true, "", pol, stmt
}

// boundaryLimits reports whether a boundary or session policy constrains
// what a resource policy naming the principal can grant.
func boundaryLimits(id *Identity) bool { return id.SessionPolicy != nil }

func boundaryAllows(id *Identity, ctx *policy.RequestContext) bool {
	return id.SessionPolicy == nil || id.SessionPolicy.Find(ctx, policy.EffectAllow, nil) != nil
}

func resourceName(r *Request) string {
	if r.RequireResourcePolicy {
		return "trust policy"
	}
	return "resource-based policy"
}

func allowed(pol, stmt string) Decision {
	reason := "allowed by " + pol
	if stmt != "" {
		reason += " (statement " + stmt + ")"
	}
	return Decision{Allowed: true, Reason: reason, Policy: pol, Statement: stmt}
}

func denied(what, pol, stmt string) Decision {
	reason := what
	if pol != "" && pol != "permissions boundary" && pol != "session policy" && pol != "resource-based policy" {
		reason += " (" + pol + ")"
	}
	if stmt != "" {
		reason += " (statement " + stmt + ")"
	}
	return Decision{Deny: true, Reason: reason, Policy: pol, Statement: stmt}
}

// sid names a statement by its Sid or its 1-based position.
func sid(p *policy.Policy, st *policy.Statement) string {
	if st.Sid != "" {
		return st.Sid
	}
	for i, s := range p.Statements {
		if s == st {
			return "#" + strconv.Itoa(i+1)
		}
	}
	return ""
}
