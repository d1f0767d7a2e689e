package iam

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/policy"
)

var (
	nameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathRE = regexp.MustCompile(`^/$|^/[\x21-\x7e]*/$`)
)

// kindLabel is how AWS messages name each kind.
var kindLabel = map[string]string{meta.KindUser: "user", meta.KindGroup: "group", meta.KindRole: "role"}

// maxName is the longest name of each kind.
var maxName = map[string]int{meta.KindUser: 64, meta.KindGroup: 128, meta.KindRole: 64}

// idPrefix is the unique-ID prefix AWS uses for each kind.
var idPrefix = map[string]string{meta.KindUser: "AIDA", meta.KindGroup: "AGPA", meta.KindRole: "AROA"}

// Session durations of roles, in seconds.
const (
	MinSessionDuration     = 900
	DefaultSessionDuration = 3600
	MaxRoleSession         = 43200
)

// EntityInput creates a user, group or role.
type EntityInput struct {
	Kind, Name, Path, Description string
	Tags                          []meta.Tag
	PermissionsBoundary           string // managed policy ARN
	TrustPolicy                   string // roles
	MaxSessionDuration            int    // roles; 0 means 3600
}

func checkName(kind, name string) error {
	if name == "" || len(name) > maxName[kind] || !nameRE.MatchString(name) {
		return errorf(CodeValidation, "The specified value for %sName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be 1 to %d characters long.",
			strings.ToUpper(kindLabel[kind][:1])+kindLabel[kind][1:], maxName[kind])
	}
	return nil
}

func checkPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !pathRE.MatchString(p) {
		return "", errorf(CodeValidation, "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

func checkTags(tags []meta.Tag) error {
	if len(tags) > 50 {
		return errorf(CodeLimitExceeded, "Cannot exceed quota for TagsPerUser: 50")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return errorf(CodeValidation, "Tag keys must be 1 to 128 characters and values at most 256 characters.")
		}
		if seen[strings.ToLower(t.Key)] {
			return errorf(CodeInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(t.Key)] = true
	}
	return nil
}

// parseTrust validates a role trust policy.
func parseTrust(doc string) (*policy.Policy, error) {
	if len(doc) > 2048*4 {
		return nil, errorf(CodeLimitExceeded, "Cannot exceed quota for ACLSizePerRole: 2048")
	}
	p, err := parseCached(doc, trustPolicy)
	if err != nil {
		return nil, errorf(CodeMalformedPolicy, "%s", policyMessage(err))
	}
	return p, nil
}

func policyMessage(err error) string {
	var pe *policy.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return "Syntax errors in policy."
}

// ARN of a user, group or role.
func entityARN(e *meta.IAMEntity) string {
	return "arn:aws:iam::" + e.AccountID + ":" + kindLabel[e.Kind] + e.Path + e.Name
}

// EntityARN is the ARN of a user, group or role.
func EntityARN(e *meta.IAMEntity) string { return entityARN(e) }

// CreateEntity creates a user, group or role.
func (s *Service) CreateEntity(ctx context.Context, accountID string, in EntityInput) (*meta.IAMEntity, error) {
	if err := checkName(in.Kind, in.Name); err != nil {
		return nil, err
	}
	path, err := checkPath(in.Path)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.Description) > 1000 {
		return nil, errorf(CodeValidation, "Description must be at most 1000 characters.")
	}
	e := &meta.IAMEntity{AccountID: accountID, Kind: in.Kind, Name: in.Name, Path: path, ID: idPrefix[in.Kind] + randomString(upperAlnum, 17),
		Created: s.clock.Now().UTC().Truncate(1e9), Description: in.Description, Tags: in.Tags}
	if in.Kind == meta.KindRole {
		if _, err := parseTrust(in.TrustPolicy); err != nil {
			return nil, err
		}
		e.TrustPolicy = in.TrustPolicy
		e.MaxSessionDuration = in.MaxSessionDuration
		if e.MaxSessionDuration == 0 {
			e.MaxSessionDuration = DefaultSessionDuration
		}
		if e.MaxSessionDuration < DefaultSessionDuration || e.MaxSessionDuration > MaxRoleSession {
			return nil, errorf(CodeValidation, "The specified value for maxSessionDuration is invalid. It must be between 3600 and 43200 seconds.")
		}
	}
	err = s.meta.Update(ctx, func(tx meta.Tx) error {
		if in.PermissionsBoundary != "" {
			if _, err := s.managedPolicy(tx, in.PermissionsBoundary); err != nil {
				return err
			}
			e.PermissionsBoundary = in.PermissionsBoundary
		}
		if _, err := tx.GetIAMEntity(accountID, in.Kind, in.Name); err == nil {
			label := strings.ToUpper(kindLabel[in.Kind][:1]) + kindLabel[in.Kind][1:]
			return errorf(CodeEntityAlreadyExists, "%s with name %s already exists.", label, in.Name)
		} else if !errors.Is(err, meta.ErrNotFound) {
			return err
		}
		n := 0
		if err := tx.ListIAMEntities(accountID, in.Kind, func(*meta.IAMEntity) bool { n++; return true }); err != nil {
			return err
		}
		if n >= 5000 {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for %ssPerAccount: 5000", strings.ToUpper(kindLabel[in.Kind][:1])+kindLabel[in.Kind][1:])
		}
		return tx.PutIAMEntity(e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

func noSuch(kind, name string) *Error {
	if kind == meta.KindRole {
		return errorf(CodeNoSuchEntity, "The role with name %s cannot be found.", name)
	}
	if kind == meta.KindGroup {
		return errorf(CodeNoSuchEntity, "The group with name %s cannot be found.", name)
	}
	return errorf(CodeNoSuchEntity, "The user with name %s cannot be found.", name)
}

func getEntity(tx meta.Tx, accountID, kind, name string) (*meta.IAMEntity, error) {
	e, err := tx.GetIAMEntity(accountID, kind, name)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, noSuch(kind, name)
	}
	return e, err
}

// Entity returns a user, group or role.
func (s *Service) Entity(ctx context.Context, accountID, kind, name string) (*meta.IAMEntity, error) {
	var e *meta.IAMEntity
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		e, err = getEntity(tx, accountID, kind, name)
		return err
	})
	return e, err
}

// Entities lists users, groups or roles whose path starts with pathPrefix.
func (s *Service) Entities(ctx context.Context, accountID, kind, pathPrefix string) ([]*meta.IAMEntity, error) {
	var out []*meta.IAMEntity
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		out = out[:0]
		return tx.ListIAMEntities(accountID, kind, func(e *meta.IAMEntity) bool {
			if strings.HasPrefix(e.Path, pathPrefix) {
				out = append(out, e)
			}
			return true
		})
	})
	return out, err
}

// UpdateEntity applies fn to a stored entity and saves it.
func (s *Service) updateEntity(ctx context.Context, accountID, kind, name string, fn func(tx meta.Tx, e *meta.IAMEntity) error) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		e, err := getEntity(tx, accountID, kind, name)
		if err != nil {
			return err
		}
		if err := fn(tx, e); err != nil {
			return err
		}
		return tx.PutIAMEntity(e)
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, accountID, role, doc string) error {
	if _, err := parseTrust(doc); err != nil {
		return err
	}
	return s.updateEntity(ctx, accountID, meta.KindRole, role, func(_ meta.Tx, e *meta.IAMEntity) error {
		e.TrustPolicy = doc
		return nil
	})
}

// UpdateRole changes a role's description and longest session (0 keeps it).
func (s *Service) UpdateRole(ctx context.Context, accountID, role string, description *string, maxSession int) error {
	if maxSession != 0 && (maxSession < DefaultSessionDuration || maxSession > MaxRoleSession) {
		return errorf(CodeValidation, "The specified value for maxSessionDuration is invalid. It must be between 3600 and 43200 seconds.")
	}
	return s.updateEntity(ctx, accountID, meta.KindRole, role, func(_ meta.Tx, e *meta.IAMEntity) error {
		if description != nil {
			e.Description = *description
		}
		if maxSession != 0 {
			e.MaxSessionDuration = maxSession
		}
		return nil
	})
}

// TagEntity adds or replaces tags; UntagEntity removes them by key.
func (s *Service) TagEntity(ctx context.Context, accountID, kind, name string, tags []meta.Tag) error {
	return s.updateEntity(ctx, accountID, kind, name, func(_ meta.Tx, e *meta.IAMEntity) error {
		for _, t := range tags {
			e.Tags = slices.DeleteFunc(e.Tags, func(x meta.Tag) bool { return strings.EqualFold(x.Key, t.Key) })
			e.Tags = append(e.Tags, t)
		}
		return checkTags(e.Tags)
	})
}

// UntagEntity removes tags by key.
func (s *Service) UntagEntity(ctx context.Context, accountID, kind, name string, keys []string) error {
	return s.updateEntity(ctx, accountID, kind, name, func(_ meta.Tx, e *meta.IAMEntity) error {
		e.Tags = slices.DeleteFunc(e.Tags, func(x meta.Tag) bool {
			return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, x.Key) })
		})
		return nil
	})
}

// SetPermissionsBoundary sets (arn != "") or removes a boundary.
func (s *Service) SetPermissionsBoundary(ctx context.Context, accountID, kind, name, arn string) error {
	return s.updateEntity(ctx, accountID, kind, name, func(tx meta.Tx, e *meta.IAMEntity) error {
		if arn != "" {
			if _, err := s.managedPolicy(tx, arn); err != nil {
				return err
			}
		}
		e.PermissionsBoundary = arn
		return nil
	})
}

// DeleteEntity deletes a user, group or role that holds nothing.
func (s *Service) DeleteEntity(ctx context.Context, accountID, kind, name string) error {
	return s.meta.Update(ctx, func(tx meta.Tx) error {
		e, err := getEntity(tx, accountID, kind, name)
		if err != nil {
			return err
		}
		if len(e.Inline) > 0 {
			return errorf(CodeDeleteConflict, "Cannot delete entity, must delete policies first.")
		}
		if len(e.Attached) > 0 {
			return errorf(CodeDeleteConflict, "Cannot delete entity, must detach all policies first.")
		}
		switch kind {
		case meta.KindUser:
			if len(e.Groups) > 0 {
				return errorf(CodeDeleteConflict, "Cannot delete entity, must remove user from all groups first.")
			}
			keys := 0
			if err := tx.ListAccessKeys(accountID, func(k *meta.AccessKey) bool {
				if strings.EqualFold(k.UserName, e.Name) {
					keys++
				}
				return true
			}); err != nil {
				return err
			}
			if keys > 0 {
				return errorf(CodeDeleteConflict, "Cannot delete entity, must delete access keys first.")
			}
		case meta.KindGroup:
			members := 0
			if err := tx.ListIAMEntities(accountID, meta.KindUser, func(u *meta.IAMEntity) bool {
				if slices.ContainsFunc(u.Groups, func(g string) bool { return strings.EqualFold(g, e.Name) }) {
					members++
				}
				return true
			}); err != nil {
				return err
			}
			if members > 0 {
				return errorf(CodeDeleteConflict, "Cannot delete entity, must remove users from group first.")
			}
		}
		return tx.DeleteIAMEntity(accountID, kind, name)
	})
}

// AddUserToGroup adds a user to a group (idempotent).
func (s *Service) AddUserToGroup(ctx context.Context, accountID, group, user string) error {
	return s.updateEntity(ctx, accountID, meta.KindUser, user, func(tx meta.Tx, u *meta.IAMEntity) error {
		g, err := getEntity(tx, accountID, meta.KindGroup, group)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(u.Groups, func(x string) bool { return strings.EqualFold(x, g.Name) }) {
			if len(u.Groups) >= 10 {
				return errorf(CodeLimitExceeded, "Cannot exceed quota for GroupsPerUser: 10")
			}
			u.Groups = append(u.Groups, g.Name)
		}
		return nil
	})
}

// RemoveUserFromGroup removes a user from a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, accountID, group, user string) error {
	return s.updateEntity(ctx, accountID, meta.KindUser, user, func(tx meta.Tx, u *meta.IAMEntity) error {
		if _, err := getEntity(tx, accountID, meta.KindGroup, group); err != nil {
			return err
		}
		n := len(u.Groups)
		u.Groups = slices.DeleteFunc(u.Groups, func(x string) bool { return strings.EqualFold(x, group) })
		if len(u.Groups) == n {
			return errorf(CodeNoSuchEntity, "The user with name %s cannot be found in group %s.", user, group)
		}
		return nil
	})
}

// GroupMembers returns a group and its users.
func (s *Service) GroupMembers(ctx context.Context, accountID, group string) (*meta.IAMEntity, []*meta.IAMEntity, error) {
	var g *meta.IAMEntity
	var users []*meta.IAMEntity
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		var err error
		if g, err = getEntity(tx, accountID, meta.KindGroup, group); err != nil {
			return err
		}
		users = users[:0]
		return tx.ListIAMEntities(accountID, meta.KindUser, func(u *meta.IAMEntity) bool {
			if slices.ContainsFunc(u.Groups, func(x string) bool { return strings.EqualFold(x, g.Name) }) {
				users = append(users, u)
			}
			return true
		})
	})
	return g, users, err
}

// GroupsForUser returns the groups a user belongs to.
func (s *Service) GroupsForUser(ctx context.Context, accountID, user string) ([]*meta.IAMEntity, error) {
	var out []*meta.IAMEntity
	err := s.meta.View(ctx, func(tx meta.Tx) error {
		u, err := getEntity(tx, accountID, meta.KindUser, user)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, name := range u.Groups {
			g, err := tx.GetIAMEntity(accountID, meta.KindGroup, name)
			if err == nil {
				out = append(out, g)
			}
		}
		return nil
	})
	return out, err
}
