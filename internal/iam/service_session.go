package iam

import (
	"context"
	"errors"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/meta"
)

// Service principals ferry itself assumes roles as.
const (
	ReplicationPrincipal = "s3.amazonaws.com"
	BatchPrincipal       = "batchoperations.s3.amazonaws.com"
)

// ServiceSessionInput asks for a role session on behalf of a service.
type ServiceSessionInput struct {
	Service     string // e.g. ReplicationPrincipal
	RoleARN     string
	SessionName string
	// SourceAccount and SourceArn are the aws:SourceAccount and
	// aws:SourceArn keys the service presents (the bucket or job it acts for).
	SourceAccount, SourceArn string
}

// ServiceSession evaluates the role's trust policy for a service principal,
// as sts:AssumeRole does, and returns the identity of the resulting session
// with the role's policies. No credential is issued: the service acts
// in-process. A role that is missing or does not trust the service gives
// an AccessDenied *Error and the deciding reason.
func (s *Service) ServiceSession(ctx context.Context, in ServiceSessionInput) (*authz.Identity, *authz.Decision, error) {
	account, kind, name, ok := splitEntityARN(in.RoleARN)
	if !ok || kind != meta.KindRole {
		return nil, &authz.Decision{Reason: "the role ARN is not valid"}, errorf(CodeAccessDenied, "%s is not a valid role ARN", in.RoleARN)
	}
	denied := func() *Error {
		return errorf(CodeAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", in.Service, in.RoleARN)
	}
	caller := &authz.Identity{Service: in.Service}
	id := &authz.Identity{AccountID: account}
	var decision authz.Decision
	err := s.meta.View(ctx, func(tx meta.Tx) error {
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
		if in.SourceAccount != "" {
			keys["aws:SourceAccount"] = []string{in.SourceAccount}
		}
		if in.SourceArn != "" {
			keys["aws:SourceArn"] = []string{in.SourceArn}
		}
		decision = authz.Authorize(&authz.Request{Identity: caller, Action: "sts:AssumeRole", Resource: in.RoleARN,
			ResourceAccount: account, ResourcePolicy: trust, RequireResourcePolicy: true, Keys: keys})
		if !decision.Allowed {
			return denied()
		}
		id.RoleARN = entityARN(role)
		id.ARN = "arn:aws:sts::" + account + ":assumed-role/" + role.Name + "/" + in.SessionName
		id.UserID = role.ID + ":" + in.SessionName
		return s.entityPolicies(tx, id, role)
	})
	if err != nil {
		return nil, &decision, err
	}
	return id, &decision, nil
}
