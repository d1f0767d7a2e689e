package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type opFamily int

const (
	famString opFamily = iota + 1
	famStringIC
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

type cmp int

const (
	cmpEq cmp = iota
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type opInfo struct {
	fam     opFamily
	negated bool
	cmp     cmp
}

var operators = map[string]opInfo{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringIC},
	"StringNotEqualsIgnoreCase": {fam: famStringIC, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLT},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLE},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGT},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGE},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLT},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLE},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGT},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGE},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famArn},
	"ArnLike":                   {fam: famArn},
	"ArnNotEquals":              {fam: famArn, negated: true},
	"ArnNotLike":                {fam: famArn, negated: true},
	"Null":                      {fam: famNull},
}

type qualifier int

const (
	qualNone qualifier = iota
	qualAnyValue
	qualAllValues
)

// Condition is one (operator, key) pair of a Condition block.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // as written
	Values   []string

	op       opInfo
	qual     qualifier
	ifExists bool
	pats     []pattern
	prefixes []netip.Prefix
	bad      bool // a policy value is unparsable for the operator: always in doubt
}

// valueBad reports whether a policy value cannot be parsed for family f.
func valueBad(f opFamily, s string) bool {
	switch f {
	case famNumeric:
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case famDate:
		_, ok := parseDate(s)
		return !ok
	case famBool, famNull:
		return !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false")
	case famBinary:
		_, err := base64.StdEncoding.DecodeString(s)
		return err != nil
	}
	return false
}

var condKeyRE = regexp.MustCompile(`^[A-Za-z0-9-]+:[^\s]+$`)

func parseConditions(raw json.RawMessage, vars bool) ([]*Condition, error) {
	var ops map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&ops); err != nil {
		return nil, errf(MsgInvalidConditKey)
	}
	var out []*Condition
	for opName, body := range ops {
		c := Condition{Operator: opName}
		name := opName
		if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
			c.qual, name = qualAnyValue, rest
		} else if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
			c.qual, name = qualAllValues, rest
		}
		if rest, ok := strings.CutSuffix(name, "IfExists"); ok && name != "Null" {
			c.ifExists, name = true, rest
		}
		info, ok := operators[name]
		if !ok || (c.ifExists && info.fam == famNull) {
			return nil, errf("Invalid Condition type : " + opName)
		}
		c.op = info
		var keys map[string]json.RawMessage
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&keys); err != nil || keys == nil {
			return nil, errf(MsgInvalidConditKey)
		}
		for key, v := range keys {
			if !condKeyRE.MatchString(key) {
				return nil, errf(MsgInvalidConditKey)
			}
			vals, ok := scalarOrList(v)
			if !ok {
				return nil, errf(MsgInvalidConditKey)
			}
			cc := c
			cc.Key = key
			cc.Values = vals
			for _, s := range vals {
				if valueBad(info.fam, s) {
					cc.bad = true
				}
				switch info.fam {
				case famIP:
					pfx, ok := parseIPOrCIDR(s)
					if !ok {
						return nil, errf(MsgInvalidIP)
					}
					cc.prefixes = append(cc.prefixes, pfx)
				case famString, famStringIC, famStringLike, famArn:
					cc.pats = append(cc.pats, newPattern(s, vars))
				}
			}
			out = append(out, &cc)
		}
	}
	return out, nil
}

// tri-state result of a condition: ok=false means "in doubt" (an
// unparsable value); the caller then never lets the statement Allow.
func (c *Condition) eval(ctx *RequestContext) (result, ok bool) {
	if c.bad {
		return false, false
	}
	vals, present := ctx.Lookup(c.Key)
	if c.op.fam == famNull {
		ok = true
		for _, v := range c.Values {
			switch strings.ToLower(v) {
			case "true":
				if !present {
					return true, true
				}
			case "false":
				if present {
					return true, true
				}
			default:
				ok = false
			}
		}
		return false, ok
	}
	if !present {
		switch {
		case c.ifExists, c.qual == qualAllValues:
			return true, true
		case c.qual == qualAnyValue:
			return false, true
		}
		return c.op.negated, true
	}
	ok = true
	// matchOne: does context value cv match any policy value (positive sense)?
	matchOne := func(cv string) bool {
		m, good := c.matchAny(cv, ctx)
		if !good {
			ok = false
		}
		return m
	}
	switch c.qual {
	case qualAllValues:
		for _, cv := range vals {
			if matchOne(cv) == c.op.negated {
				return false, ok
			}
		}
		return true, ok
	case qualAnyValue:
		for _, cv := range vals {
			if matchOne(cv) != c.op.negated {
				return true, ok
			}
		}
		return false, ok
	}
	any := false
	for _, cv := range vals {
		if matchOne(cv) {
			any = true
			break
		}
	}
	return any != c.op.negated, ok
}

// matchAny reports whether cv matches any of the policy values under the
// positive form of the operator. good is false when a value was unparsable.
func (c *Condition) matchAny(cv string, ctx *RequestContext) (matched, good bool) {
	good = true
	switch c.op.fam {
	case famString, famStringIC:
		for _, p := range c.pats {
			s, ok := p.literal(ctx)
			if !ok {
				continue
			}
			if s == cv || (c.op.fam == famStringIC && strings.EqualFold(s, cv)) {
				return true, true
			}
		}
	case famStringLike:
		for _, p := range c.pats {
			if m, _ := p.match(cv, ctx, false); m {
				return true, true
			}
		}
	case famArn:
		for _, p := range c.pats {
			pat, esc, ok := p.resolve(ctx)
			if ok && arnMatch(pat, cv, esc) {
				return true, true
			}
		}
	case famNumeric:
		x, err := strconv.ParseFloat(cv, 64)
		if err != nil {
			return false, false
		}
		for _, v := range c.Values {
			y, err := strconv.ParseFloat(v, 64)
			if err != nil {
				good = false
				continue
			}
			if compare(x, y, c.op.cmp) {
				return true, good
			}
		}
	case famDate:
		x, ok := parseDate(cv)
		if !ok {
			return false, false
		}
		for _, v := range c.Values {
			y, ok := parseDate(v)
			if !ok {
				good = false
				continue
			}
			if compare(float64(x.UnixNano()), float64(y.UnixNano()), c.op.cmp) {
				return true, good
			}
		}
	case famBool:
		for _, v := range c.Values {
			if strings.EqualFold(v, cv) {
				return true, good
			}
		}
	case famBinary:
		x, err := base64.StdEncoding.DecodeString(cv)
		if err != nil {
			x = []byte(cv)
		}
		for _, v := range c.Values {
			y, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				good = false
				continue
			}
			if bytes.Equal(x, y) {
				return true, good
			}
		}
	case famIP:
		a, err := netip.ParseAddr(cv)
		if err != nil {
			return false, false
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true, true
			}
		}
	}
	return false, good
}

func compare(x, y float64, c cmp) bool {
	switch c {
	case cmpLT:
		return x < y
	case cmpLE:
		return x <= y
	case cmpGT:
		return x > y
	case cmpGE:
		return x >= y
	}
	return x == y
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
}

// parseDate accepts ISO 8601 forms or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
