package authz

import (
	"strings"

	"github.com/ferrys3/ferry/internal/policy"
)

// fixingKeys are the condition keys that, given fixed values, restrict a
// statement to known callers, so that it is not public (AWS's "The meaning
// of public" for S3 Block Public Access).
var fixingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceaccount": true, "aws:sourceowner": true, "aws:principalaccount": true, "aws:principalarn": true,
	"aws:principalorgid": true, "aws:userid": true, "aws:principalservicename": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

// IsPublic reports whether a resource policy grants access to anyone: an
// Allow statement for every principal (Principal "*", {"AWS": "*"} or a
// NotPrincipal) with no condition that pins the caller to fixed values.
func IsPublic(p *policy.Policy) bool {
	if p == nil {
		return false
	}
	for _, st := range p.Statements {
		if st.Effect != policy.EffectAllow {
			continue
		}
		everyone := st.NotPrincipal != nil || (st.Principal != nil && st.Principal.Any)
		if st.Principal != nil && !st.Principal.Any {
			for _, a := range st.Principal.AWS {
				if a == "*" {
					everyone = true
				}
			}
		}
		if everyone && !restricted(st.Conditions) {
			return true
		}
	}
	return false
}

// restricted reports whether some condition fixes the caller.
func restricted(conds []*policy.Condition) bool {
	for _, c := range conds {
		key := strings.ToLower(c.Key)
		if !fixingKeys[key] || len(c.Values) == 0 {
			continue
		}
		op := strings.ToLower(c.Operator)
		if strings.HasPrefix(op, "forallvalues:") || strings.Contains(op, "not") || strings.HasSuffix(op, "ifexists") || op == "null" {
			continue
		}
		fixed := true
		for _, v := range c.Values {
			if strings.ContainsAny(v, "*?") || v == "0.0.0.0/0" || v == "::/0" {
				fixed = false
			}
		}
		if fixed {
			return true
		}
	}
	return false
}
