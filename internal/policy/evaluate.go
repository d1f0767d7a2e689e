package policy

// Decision is the outcome of evaluating policies.
type Decision int

const (
	NotApplicable Decision = iota // no statement applies (implicit deny)
	Allow
	Deny // explicit deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NotApplicable"
}

// Result is the combined decision of several policies.
type Result struct {
	Decision    Decision
	PolicyIndex int        // index into the policies slice; -1 when NotApplicable
	Statement   *Statement // deciding statement; nil when NotApplicable
}

// Evaluate combines policies: any explicit Deny wins, else the first Allow,
// else NotApplicable. Nil policies are skipped.
func Evaluate(policies []*Policy, ctx *RequestContext) Result {
	res := Result{PolicyIndex: -1}
	for i, p := range policies {
		if p == nil {
			continue
		}
		d, st := p.Evaluate(ctx)
		switch d {
		case Deny:
			return Result{Decision: Deny, PolicyIndex: i, Statement: st}
		case Allow:
			if res.Decision == NotApplicable {
				res = Result{Decision: Allow, PolicyIndex: i, Statement: st}
			}
		}
	}
	return res
}

// Evaluate evaluates one policy: the first applicable Deny statement wins,
// else the first applicable Allow statement, else NotApplicable.
func (p *Policy) Evaluate(ctx *RequestContext) (Decision, *Statement) {
	var allow *Statement
	for _, st := range p.Statements {
		if st.Effect == EffectDeny {
			if st.applies(ctx, true) {
				return Deny, st
			}
		} else if allow == nil && st.applies(ctx, false) {
			allow = st
		}
	}
	if allow != nil {
		return Allow, allow
	}
	return NotApplicable, nil
}

// applies reports whether the statement applies to ctx. Anything in doubt
// (unresolvable variable in NotResource, unparsable condition value) makes
// a Deny statement apply and an Allow statement not apply.
func (st *Statement) applies(ctx *RequestContext, deny bool) bool {
	if st.Principal != nil && !st.Principal.matches(ctx) {
		return false
	}
	if st.NotPrincipal != nil && st.NotPrincipal.matches(ctx) {
		return false
	}
	if !st.matchAction(ctx.Action) {
		return false
	}
	if st.Resources != nil {
		m, ok := st.matchResource(ctx)
		if !ok {
			if !deny {
				return false
			}
		} else if !m {
			return false
		}
	}
	for _, c := range st.Conditions {
		r, ok := c.eval(ctx)
		if !ok {
			if !deny {
				return false
			}
			continue
		}
		if !r {
			return false
		}
	}
	return true
}

func (st *Statement) matchAction(action string) bool {
	m := false
	for _, a := range st.Actions {
		if wildMatch(a, action, true, false) {
			m = true
			break
		}
	}
	return m != st.NotAction
}

// matchResource: ok=false when NotResource had an unresolvable variable.
func (st *Statement) matchResource(ctx *RequestContext) (matched, ok bool) {
	doubt := false
	for _, p := range st.Resources {
		m, good := p.match(ctx.Resource, ctx, false)
		if !good {
			doubt = true
			continue
		}
		if m {
			return !st.NotResource, true
		}
	}
	if st.NotResource && doubt {
		return false, false
	}
	return st.NotResource, true
}

// Find returns the first statement with the given effect that applies to
// ctx and for which keep (when non-nil) returns true, or nil. Callers use
// it to tell apart which kind of statement allowed a request (a specific
// principal or only its account).
func (p *Policy) Find(ctx *RequestContext, effect Effect, keep func(*Statement) bool) *Statement {
	for _, st := range p.Statements {
		if st.Effect == effect && st.applies(ctx, effect == EffectDeny) && (keep == nil || keep(st)) {
			return st
		}
	}
	return nil
}
