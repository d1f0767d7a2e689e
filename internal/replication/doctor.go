package replication

import (
	"context"
	"errors"
	"fmt"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/iam"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/object"
	"github.com/ferrys3/ferry/internal/policy"
	"github.com/ferrys3/ferry/internal/replconf"
	"github.com/ferrys3/ferry/internal/s3err"
)

// Check severities.
const (
	CheckOK    = "ok"
	CheckWarn  = "warning" // replication works, with less than asked (e.g. without tags)
	CheckError = "error"   // replication cannot work
)

// Check is one finding of the doctor.
type Check struct {
	Severity string `json:"Severity"`
	Check    string `json:"Check"`
	Detail   string `json:"Detail,omitempty"`
	// Fix names the document to change and how.
	Fix string `json:"Fix,omitempty"`
}

// Diagnosis is everything the doctor found for a source bucket.
type Diagnosis struct {
	Bucket string  `json:"Bucket"`
	Role   string  `json:"Role,omitempty"`
	Checks []Check `json:"Checks"`
	// Healthy is false when any check is an error.
	Healthy bool `json:"Healthy"`
}

// Doctor checks everything live replication of bucket depends on, by
// running the same evaluation the workers run: versioning on both sides,
// the role and its trust of s3.amazonaws.com, the role's permissions on
// the source and each destination, each destination's bucket policy, and
// the owner-override permission.
func (s *Service) Doctor(ctx context.Context, bucket string) (*Diagnosis, error) {
	src, err := s.objects.Bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	d := &Diagnosis{Bucket: bucket, Healthy: true}
	add := func(sev, check, detail, fix string) {
		d.Checks = append(d.Checks, Check{Severity: sev, Check: check, Detail: detail, Fix: fix})
		if sev == CheckError {
			d.Healthy = false
		}
	}
	cfg := s.bucketConfig(src)
	if cfg == nil {
		add(CheckError, "replication configuration", "bucket "+bucket+" has no replication configuration",
			"aws s3api put-bucket-replication --bucket "+bucket+" --replication-configuration file://replication.json")
		return d, nil
	}
	d.Role = cfg.Role
	add(CheckOK, "replication configuration", fmt.Sprintf("%d rule(s), %d enabled", len(cfg.Rules), enabledRules(cfg)), "")
	if src.Versioning == meta.VersioningEnabled {
		add(CheckOK, "versioning on source "+bucket, "Enabled", "")
	} else {
		add(CheckError, "versioning on source "+bucket, "versioning is "+orNone(src.Versioning),
			"aws s3api put-bucket-versioning --bucket "+bucket+" --versioning-configuration Status=Enabled")
	}
	id, decision, err := s.iam.ServiceSession(ctx, iam.ServiceSessionInput{Service: iam.ReplicationPrincipal, RoleARN: cfg.Role,
		SessionName: SessionName, SourceAccount: src.Owner, SourceArn: "arn:aws:s3:::" + src.Name})
	if err != nil {
		var ie *iam.Error
		if !errors.As(err, &ie) {
			return nil, err
		}
		why := "the role does not exist or its trust policy does not allow s3.amazonaws.com"
		if decision != nil && decision.Reason != "" {
			why = decision.Reason
			if decision.Statement != "" {
				why += " (statement " + decision.Statement + " of " + decision.Policy + ")"
			}
		}
		if _, _, derr := s.iam.ServiceSession(ctx, iam.ServiceSessionInput{Service: iam.ReplicationPrincipal, RoleARN: cfg.Role, SessionName: SessionName}); derr == nil {
			why = "the trust policy's conditions (aws:SourceAccount / aws:SourceArn) do not match bucket " + bucket
		}
		add(CheckError, "role "+cfg.Role+" can be assumed by s3.amazonaws.com", why,
			`trust policy of the role: aws iam update-assume-role-policy --role-name ROLE --policy-document with {"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}`)
		return d, nil
	}
	add(CheckOK, "role "+cfg.Role+" can be assumed by s3.amazonaws.com", "", "")

	srcARN := "arn:aws:s3:::" + bucket
	for _, a := range []struct {
		action, resource string
		sev              string
		why              string
	}{
		{"s3:GetReplicationConfiguration", srcARN, CheckWarn, "the role reads the configuration"},
		{"s3:ListBucket", srcARN, CheckWarn, "needed to replicate delete markers"},
		{"s3:GetObjectVersionForReplication", srcARN + "/*", CheckError, "the role reads each version"},
		{"s3:GetObjectVersionAcl", srcARN + "/*", CheckWarn, "object ACLs are replicated with it"},
		{"s3:GetObjectVersionTagging", srcARN + "/*", CheckWarn, "without it objects replicate without their tags"},
	} {
		s.checkAction(add, id, src, a.action, a.resource, a.sev, a.why)
	}
	for _, name := range cfg.Destinations() {
		rule := winningRule(cfg, name)
		if rule == nil {
			continue
		}
		dst, err := s.objects.Bucket(ctx, name)
		if err != nil {
			if s3err.As(err).Code == "NoSuchBucket" {
				add(CheckError, "destination bucket "+name+" exists", "it does not ("+ReasonDstBucketNotFound+")",
					"create the bucket, or change Destination.Bucket in the replication configuration")
				continue
			}
			return nil, err
		}
		add(CheckOK, "destination bucket "+name+" exists", "owner "+dst.Owner+", region "+dst.Region, "")
		if !s.cfg.RegionUp(dst.Region) {
			add(CheckWarn, "destination region "+dst.Region+" reachable", "its endpoint is down: replications stay PENDING and are retried", "")
		}
		if dst.Versioning == meta.VersioningEnabled {
			add(CheckOK, "versioning on destination "+name, "Enabled", "")
		} else {
			add(CheckError, "versioning on destination "+name, "versioning is "+orNone(dst.Versioning)+" ("+ReasonDstUnversioned+")",
				"aws s3api put-bucket-versioning --bucket "+name+" --versioning-configuration Status=Enabled (destination account)")
		}
		dstARN := "arn:aws:s3:::" + name + "/*"
		s.checkAction(add, id, dst, "s3:ReplicateObject", dstARN, CheckError, "the role writes each replica ("+ReasonDstPutNotPermitted+")")
		if rule.Filter == nil || rule.DeleteMarkerReplication == replconf.Enabled {
			s.checkAction(add, id, dst, "s3:ReplicateDelete", dstARN, CheckError, "the role replicates delete markers ("+ReasonDstDelNotPermitted+")")
		}
		// s3:ReplicateObject covers tags: only an explicit deny drops them.
		if s.allowed(id, "s3:ReplicateTags", dstARN, dst, "").Deny {
			s.checkAction(add, id, dst, "s3:ReplicateTags", dstARN, CheckWarn, "replicas lose their tags")
		}
		if rule.Destination.OwnerOverride {
			if object.ObjectOwnership(dst) == object.OwnershipBucketOwnerEnforced {
				add(CheckOK, "owner override to "+name, "the destination has ACLs disabled (BucketOwnerEnforced): it owns every replica", "")
			} else {
				s.checkAction(add, id, dst, "s3:ObjectOwnerOverrideToBucketOwner", dstARN, CheckError,
					"AccessControlTranslation needs it ("+ReasonDstPutNotPermitted+")")
			}
		}
		if rule.SseKmsEncryptedObjects == replconf.Enabled {
			add(CheckWarn, "KMS", "SSE-KMS objects are selected, but this server has no KMS: they are replicated like others", "")
		}
	}
	return d, nil
}

// checkAction evaluates one action as the role session and, when it is
// refused, names the side that refuses it and the document to fix.
func (s *Service) checkAction(add func(sev, check, detail, fix string), role *authz.Identity, b *meta.Bucket, action, resource, sev, why string) {
	check := action + " on " + resource
	d := s.allowed(role, action, resource, b, "")
	if d.Allowed {
		add(CheckOK, check, "", "")
		return
	}
	detail := why + ": " + d.Reason
	if d.Deny {
		add(sev, check, detail, fmt.Sprintf("remove or narrow the Deny statement %s in %s", d.Statement, d.Policy))
		return
	}
	// Which side refuses? The role's policies alone, then the bucket
	// policy alone.
	idOnly := authz.Authorize(&authz.Request{Identity: role, Action: action, Resource: resource, ResourceAccount: role.AccountID,
		Keys: map[string][]string{"aws:SecureTransport": {"true"}}})
	var fixes []string
	if !idOnly.Allowed {
		fixes = append(fixes, fmt.Sprintf("add %s on %s to the role's permissions policy (aws iam put-role-policy --role-name %s, account %s)",
			action, resource, roleName(role.RoleARN), role.AccountID))
	}
	if b.Owner != role.AccountID {
		trusting := *role
		trusting.Policies = []authz.NamedPolicy{{Name: "assumed", Policy: allowAll}}
		trusting.Boundary, trusting.SessionPolicy = nil, nil
		if r := s.allowed(&trusting, action, resource, b, ""); !r.Allowed {
			fixes = append(fixes, fmt.Sprintf(`add a statement to the bucket policy of %s allowing {"AWS": "%s"} the action %s on %s (aws s3api put-bucket-policy --bucket %s, account %s)`,
				b.Name, role.RoleARN, action, resource, b.Name, b.Owner))
		}
	}
	fix := ""
	for i, f := range fixes {
		if i > 0 {
			fix += "; and "
		}
		fix += f
	}
	add(sev, check, detail, fix)
}

var allowAll, _ = policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.ForIdentityPolicy())

func roleName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// winningRule is the highest-priority enabled rule replicating to dest.
func winningRule(cfg *replconf.Config, dest string) *replconf.Rule {
	var best *replconf.Rule
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if !r.Enabled() || r.Destination.BucketName() != dest {
			continue
		}
		if best == nil || r.Priority > best.Priority {
			best = r
		}
	}
	return best
}

func enabledRules(cfg *replconf.Config) int {
	n := 0
	for i := range cfg.Rules {
		if cfg.Rules[i].Enabled() {
			n++
		}
	}
	return n
}

func orNone(v string) string {
	if v == "" {
		return "not enabled"
	}
	return v
}
