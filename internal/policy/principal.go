package policy

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// Principal is a parsed Principal / NotPrincipal element.
type Principal struct {
	Any           bool // "*" or {"AWS":"*"}
	AWS           []string
	Service       []string
	CanonicalUser []string
	Federated     []string

	accounts []string // AWS entries naming an account (id or :root)
	arns     []string // AWS entries naming a user, role or session
}

var (
	accountRE      = regexp.MustCompile(`^[0-9]{12}$`)
	principalARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:[^*?]+$`)
)

// NamesAccountOnly reports whether the principal names accounts only
// (account id or :root forms), i.e. delegates to the account's IAM.
func (p *Principal) NamesAccountOnly() bool {
	if p == nil || p.Any || len(p.AWS) == 0 || len(p.Service)+len(p.CanonicalUser)+len(p.Federated) > 0 {
		return false
	}
	for _, a := range p.AWS {
		if _, ok := accountOf(a); !ok {
			return false
		}
	}
	return true
}

func parsePrincipal(raw json.RawMessage) (*Principal, error) {
	p := &Principal{}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s != "*" {
			return nil, errf(MsgInvalidPrincipal)
		}
		p.Any = true
		return p, nil
	}
	var m map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&m); err != nil || len(m) == 0 {
		return nil, errf(MsgInvalidPrincipal)
	}
	for k, v := range m {
		vals, ok := stringOrList(v)
		if !ok || len(vals) == 0 {
			return nil, errf(MsgInvalidPrincipal)
		}
		for _, x := range vals {
			if x == "" {
				return nil, errf(MsgInvalidPrincipal)
			}
		}
		switch k {
		case "AWS":
			for _, x := range vals {
				switch {
				case x == "*":
					p.Any = true
				case accountRE.MatchString(x), principalARNRE.MatchString(x):
					p.AWS = append(p.AWS, x)
					if acct, ok := accountOf(x); ok {
						p.accounts = append(p.accounts, acct)
					} else {
						p.arns = append(p.arns, x)
					}
				default:
					return nil, errf(MsgInvalidPrincipal)
				}
			}
		case "Service":
			for _, x := range vals {
				if strings.ContainsAny(x, "*? ") {
					return nil, errf(MsgInvalidPrincipal)
				}
			}
			p.Service = append(p.Service, vals...)
		case "CanonicalUser":
			p.CanonicalUser = append(p.CanonicalUser, vals...)
		case "Federated":
			p.Federated = append(p.Federated, vals...)
		default:
			return nil, errf(MsgInvalidPrincipal)
		}
	}
	return p, nil
}

// accountOf returns the account id named by "123456789012" or
// "arn:aws:iam::123456789012:root".
func accountOf(s string) (string, bool) {
	if isAccountID(s) {
		return s, true
	}
	if strings.HasPrefix(s, "arn:") && strings.HasSuffix(s, ":root") {
		parts := strings.Split(s, ":")
		if len(parts) == 6 && parts[2] == "iam" && isAccountID(parts[4]) && parts[5] == "root" {
			return parts[4], true
		}
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matches reports whether the request principal in ctx is named by p.
func (p *Principal) matches(ctx *RequestContext) bool {
	if p.Any {
		return true
	}
	if ctx.Service != "" {
		for _, s := range p.Service {
			if strings.EqualFold(s, ctx.Service) {
				return true
			}
		}
		return false
	}
	if ctx.Anonymous {
		return false
	}
	for _, acct := range p.accounts {
		if acct == ctx.AccountID {
			return true
		}
	}
	for _, a := range p.arns {
		if a == ctx.PrincipalARN || (ctx.RoleARN != "" && a == ctx.RoleARN) {
			return true
		}
	}
	if ctx.CanonicalUser != "" {
		for _, c := range p.CanonicalUser {
			if c == ctx.CanonicalUser {
				return true
			}
		}
	}
	if ctx.Federated != "" {
		for _, f := range p.Federated {
			if f == ctx.Federated {
				return true
			}
		}
	}
	return false
}
