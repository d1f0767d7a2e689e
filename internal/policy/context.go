package policy

import "strings"

// RequestContext describes one request to be authorized.
type RequestContext struct {
	Action   string // e.g. "s3:GetObject"
	Resource string // e.g. "arn:aws:s3:::bucket/key"

	// Principal. Exactly one of Anonymous, Service or an IAM identity
	// (AccountID + PrincipalARN) is expected.
	Anonymous     bool
	AccountID     string // principal's account
	PrincipalARN  string // user ARN, role ARN or assumed-role session ARN
	RoleARN       string // for sessions: the role behind the session
	UserID        string // aws:userid
	Service       string // service principal, e.g. "s3.amazonaws.com"
	CanonicalUser string
	Federated     string

	// Keys holds condition keys (case-insensitive names) → values.
	// Keys override the values derived from the principal fields.
	Keys map[string][]string
	// KeyFunc, when set, supplies keys missing from Keys on demand (name as
	// written in the policy; match it case-insensitively), so a request
	// computes only the keys its policies ask for.
	KeyFunc func(key string) ([]string, bool)
	// Derived keys: aws:ResourceAccount (and s3:ResourceAccount),
	// aws:PrincipalType and aws:PrincipalIsAWSService.
	ResourceAccount string
	PrincipalType   string // Account, User, AssumedRole, Anonymous, AWSService
}

// Lookup returns the values of a condition key (case-insensitive), including
// keys derived from the principal: aws:PrincipalAccount, aws:PrincipalArn,
// aws:username, aws:userid, aws:PrincipalServiceName.
func (c *RequestContext) Lookup(key string) ([]string, bool) {
	if v, ok := c.Keys[key]; ok {
		return v, true
	}
	for k, v := range c.Keys {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	if c.KeyFunc != nil {
		if v, ok := c.KeyFunc(key); ok {
			return v, true
		}
	}
	switch {
	case strings.EqualFold(key, "aws:PrincipalAccount"):
		if c.Anonymous {
			return []string{"anonymous"}, true
		}
		if c.AccountID != "" {
			return []string{c.AccountID}, true
		}
	case strings.EqualFold(key, "aws:PrincipalArn"):
		if c.RoleARN != "" {
			return []string{c.RoleARN}, true
		}
		if c.PrincipalARN != "" {
			return []string{c.PrincipalARN}, true
		}
	case strings.EqualFold(key, "aws:userid"):
		if c.UserID != "" {
			return []string{c.UserID}, true
		}
	case strings.EqualFold(key, "aws:username"):
		// Only IAM users have a user name.
		if i := strings.Index(c.PrincipalARN, ":user/"); i >= 0 && strings.HasPrefix(c.PrincipalARN, "arn:") {
			name := c.PrincipalARN[i+len(":user/"):]
			if j := strings.LastIndexByte(name, '/'); j >= 0 {
				name = name[j+1:]
			}
			return []string{name}, true
		}
	case strings.EqualFold(key, "aws:ResourceAccount"), strings.EqualFold(key, "s3:ResourceAccount"):
		if c.ResourceAccount != "" {
			return []string{c.ResourceAccount}, true
		}
	case strings.EqualFold(key, "aws:PrincipalType"):
		if c.PrincipalType != "" {
			return []string{c.PrincipalType}, true
		}
	case strings.EqualFold(key, "aws:PrincipalIsAWSService"):
		if c.PrincipalType != "" {
			return []string{boolString(c.Service != "")}, true
		}
	case strings.EqualFold(key, "aws:PrincipalServiceName"):
		if c.Service != "" {
			return []string{c.Service}, true
		}
	}
	return nil, false
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
