package policy

import (
	"strings"
	"unicode/utf8"
)

// pattern is a wildcard pattern that may contain policy variables.
type pattern struct {
	raw  string
	vars bool // contains ${...} and variables are enabled
}

func newPattern(s string, vars bool) pattern {
	return pattern{raw: s, vars: vars && strings.Contains(s, "${")}
}

// resolve substitutes policy variables. The result is an escaped pattern
// (backslash escapes) when the input has variables. ok is false when a
// variable has no value in ctx.
func (p pattern) resolve(ctx *RequestContext) (string, bool, bool) {
	if !p.vars {
		return p.raw, false, true
	}
	var b strings.Builder
	b.Grow(len(p.raw) + 16)
	s := p.raw
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			escapeBackslash(&b, s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			escapeBackslash(&b, s)
			break
		}
		escapeBackslash(&b, s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "*", "?", "$":
			b.WriteByte('\\')
			b.WriteString(name)
		default:
			v, ok := ctx.Lookup(strings.TrimSpace(name))
			if !ok || len(v) == 0 {
				return "", true, false
			}
			escapeAll(&b, v[0])
		}
		s = s[i+j+1:]
	}
	return b.String(), true, true
}

func escapeBackslash(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

func escapeAll(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\\' || c == '*' || c == '?' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// match resolves variables and wildcard-matches s. ok is false when a
// variable could not be resolved.
func (p pattern) match(s string, ctx *RequestContext, fold bool) (matched, ok bool) {
	pat, esc, ok := p.resolve(ctx)
	if !ok {
		return false, false
	}
	return wildMatch(pat, s, fold, esc), true
}

// literal resolves variables into a plain string (no wildcards).
func (p pattern) literal(ctx *RequestContext) (string, bool) {
	if !p.vars {
		return p.raw, true
	}
	pat, _, ok := p.resolve(ctx)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		if pat[i] == '\\' && i+1 < len(pat) {
			i++
		}
		b.WriteByte(pat[i])
	}
	return b.String(), true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// wildMatch matches s against p where '*' matches any sequence and '?' one
// character. fold enables ASCII case folding; esc enables backslash escapes
// in p.
func wildMatch(p, s string, fold, esc bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			adv := 1
			switch {
			case c == '*':
				starP, starS = pi, si
				pi++
				continue
			case c == '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			case esc && c == '\\' && pi+1 < len(p):
				c = p[pi+1]
				adv = 2
			}
			d := s[si]
			if c == d || (fold && lowerASCII(c) == lowerASCII(d)) {
				pi += adv
				si++
				continue
			}
		}
		if starP >= 0 {
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			si = starS
			pi = starP + 1
			continue
		}
		return false
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// arnMatch compares two ARNs part by part (6 colon-separated parts, the last
// one may contain colons), with wildcards per part.
func arnMatch(p, s string, esc bool) bool {
	pp := strings.SplitN(p, ":", 6)
	sp := strings.SplitN(s, ":", 6)
	if len(pp) != 6 || len(sp) != 6 {
		return false
	}
	for i := range pp {
		if !wildMatch(pp[i], sp[i], false, esc) {
			return false
		}
	}
	return true
}
