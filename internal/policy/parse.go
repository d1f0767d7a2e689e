package policy

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
)

// Effect of a statement.
type Effect int

const (
	EffectAllow Effect = iota + 1
	EffectDeny
)

func (e Effect) String() string {
	switch e {
	case EffectAllow:
		return "Allow"
	case EffectDeny:
		return "Deny"
	}
	return "?"
}

// BucketPolicyMaxSize is the S3 bucket-policy size limit (20 KiB).
const BucketPolicyMaxSize = 20 * 1024

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []*Statement
}

// Statement is one parsed statement. Actions are stored lower-cased.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal // nil when absent
	NotPrincipal *Principal // nil when absent
	Actions      []string
	NotAction    bool
	Resources    []pattern // nil when neither Resource nor NotResource
	NotResource  bool
	Conditions   []*Condition
}

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	maxSize          int
	requireVersion   bool
	requirePrincipal bool
	forbidPrincipal  bool
	requireResource  bool
	forbidResource   bool
	s3Only           bool
}

// WithMaxSize rejects documents larger than n bytes.
func WithMaxSize(n int) ParseOption { return func(c *parseConfig) { c.maxSize = n } }

// ForBucketPolicy applies S3 PutBucketPolicy validation: 20 KiB limit,
// Version, Principal and Resource required, s3 actions only.
func ForBucketPolicy() ParseOption {
	return func(c *parseConfig) {
		c.maxSize = BucketPolicyMaxSize
		c.requireVersion = true
		c.requirePrincipal = true
		c.requireResource = true
		c.s3Only = true
	}
}

// ForIdentityPolicy applies identity-policy validation: Principal forbidden,
// Resource required; Version optional.
func ForIdentityPolicy() ParseOption {
	return func(c *parseConfig) {
		c.forbidPrincipal = true
		c.requireResource = true
	}
}

// ForTrustPolicy applies IAM role trust-policy validation: Principal
// required, Resource forbidden.
func ForTrustPolicy() ParseOption {
	return func(c *parseConfig) {
		c.requirePrincipal = true
		c.forbidResource = true
	}
}

// ValidateBucketPolicy parses doc with ForBucketPolicy.
func ValidateBucketPolicy(doc []byte) (*Policy, error) { return Parse(doc, ForBucketPolicy()) }

// Parse parses and validates a JSON policy document.
func Parse(doc []byte, opts ...ParseOption) (*Policy, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxSize > 0 && len(doc) > cfg.maxSize {
		return nil, errf(MsgTooLarge)
	}
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errf(MsgNotJSONObject)
	}
	var top map[string]json.RawMessage
	if err := strictUnmarshal(trimmed, &top); err != nil {
		return nil, errf(MsgInvalidJSON)
	}
	p := &Policy{}
	var rawStmt json.RawMessage
	for k, v := range top {
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &p.Version); err != nil {
				return nil, errf(MsgInvalidVersion)
			}
		case "Id":
			if err := json.Unmarshal(v, &p.ID); err != nil {
				return nil, errf("Id must be a string")
			}
		case "Statement":
			rawStmt = v
		default:
			return nil, errf("Unknown field " + k)
		}
	}
	switch p.Version {
	case "2012-10-17", "2008-10-17":
	case "":
		if cfg.requireVersion || top["Version"] != nil {
			return nil, errf(MsgInvalidVersion)
		}
	default:
		return nil, errf(MsgInvalidVersion)
	}
	if rawStmt == nil || string(rawStmt) == "null" {
		return nil, errf(MsgMissingStatement)
	}
	var raws []json.RawMessage
	if s := bytes.TrimLeft(rawStmt, " \t\r\n"); len(s) > 0 && s[0] == '[' {
		if err := json.Unmarshal(s, &raws); err != nil {
			return nil, errf(MsgInvalidJSON)
		}
	} else {
		raws = []json.RawMessage{rawStmt}
	}
	if len(raws) == 0 {
		return nil, errf(MsgEmptyStatement)
	}
	vars := p.Version == "2012-10-17"
	sids := map[string]bool{}
	for _, r := range raws {
		st, err := parseStatement(r, &cfg, vars)
		if err != nil {
			return nil, err
		}
		if st.Sid != "" {
			if sids[st.Sid] {
				return nil, errf(MsgDuplicateSid)
			}
			sids[st.Sid] = true
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errf("trailing data")
	}
	if _, err := d.Token(); err == nil {
		return errf("trailing data")
	}
	return nil
}

var actionRE = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$`)

func parseStatement(raw json.RawMessage, cfg *parseConfig, vars bool) (*Statement, error) {
	var m map[string]json.RawMessage
	if err := strictUnmarshal(raw, &m); err != nil || m == nil {
		return nil, errf(MsgInvalidJSON)
	}
	st := &Statement{}
	for k := range m {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
			"Resource", "NotResource", "Condition":
		default:
			return nil, errf("Unknown field " + k)
		}
	}
	if v, ok := m["Sid"]; ok {
		if err := json.Unmarshal(v, &st.Sid); err != nil {
			return nil, errf("Sid must be a string")
		}
	}
	var eff string
	if v, ok := m["Effect"]; !ok {
		return nil, errf(MsgMissingEffect)
	} else if err := json.Unmarshal(v, &eff); err != nil {
		return nil, errf("Invalid effect")
	}
	switch eff {
	case "Allow":
		st.Effect = EffectAllow
	case "Deny":
		st.Effect = EffectDeny
	default:
		return nil, errf("Invalid effect: " + eff)
	}
	// Principal.
	pr, hasP := m["Principal"]
	npr, hasNP := m["NotPrincipal"]
	if hasP && hasNP {
		return nil, errf(MsgBothPrincipal)
	}
	if cfg.forbidPrincipal && (hasP || hasNP) {
		return nil, errf(MsgPrincipalForbidden)
	}
	if cfg.requirePrincipal && !hasP && !hasNP {
		return nil, errf(MsgMissingPrincipal)
	}
	var err error
	if hasP {
		if st.Principal, err = parsePrincipal(pr); err != nil {
			return nil, err
		}
	}
	if hasNP {
		if st.NotPrincipal, err = parsePrincipal(npr); err != nil {
			return nil, err
		}
	}
	// Action.
	a, hasA := m["Action"]
	na, hasNA := m["NotAction"]
	if hasA && hasNA {
		return nil, errf(MsgBothAction)
	}
	if !hasA && !hasNA {
		return nil, errf(MsgMissingAction)
	}
	if hasNA {
		a, st.NotAction = na, true
	}
	acts, ok := stringOrList(a)
	if !ok || len(acts) == 0 {
		return nil, errf(MsgInvalidAction)
	}
	for _, s := range acts {
		if s != "*" && !actionRE.MatchString(s) {
			return nil, errf(MsgInvalidAction)
		}
		if cfg.s3Only && s != "*" && !strings.HasPrefix(strings.ToLower(s), "s3:") {
			return nil, errf(MsgInvalidAction)
		}
		st.Actions = append(st.Actions, strings.ToLower(s))
	}
	// Resource.
	r, hasR := m["Resource"]
	nr, hasNR := m["NotResource"]
	if hasR && hasNR {
		return nil, errf(MsgBothResource)
	}
	if cfg.forbidResource && (hasR || hasNR) {
		return nil, errf(MsgResourceForbidden)
	}
	if cfg.requireResource && !hasR && !hasNR {
		return nil, errf(MsgMissingResource)
	}
	if hasR || hasNR {
		if hasNR {
			r, st.NotResource = nr, true
		}
		res, ok := stringOrList(r)
		if !ok || len(res) == 0 {
			return nil, errf(MsgInvalidResource)
		}
		for _, s := range res {
			if s != "*" && (!strings.HasPrefix(s, "arn:") || strings.Count(s, ":") < 5) {
				return nil, errf(MsgInvalidResource)
			}
			if cfg.s3Only && s != "*" && !strings.HasPrefix(s, "arn:aws:s3:::") {
				return nil, errf(MsgInvalidResource)
			}
			st.Resources = append(st.Resources, newPattern(s, vars))
		}
	}
	if c, ok := m["Condition"]; ok {
		if st.Conditions, err = parseConditions(c, vars); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// stringOrList decodes a JSON string or array of strings.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []string{s}, true
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err == nil {
		return l, true
	}
	return nil, false
}

// scalarOrList decodes a condition value: string, bool, number or an array
// of those, rendered as strings.
func scalarOrList(raw json.RawMessage) ([]string, bool) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	one := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			if t {
				return "true", true
			}
			return "false", true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := one(x)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := one(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func parseIPOrCIDR(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
