package iamapi

import (
	"encoding/xml"
	"errors"
	"strconv"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/policy"
)

// Policy simulation answers with the evaluator real requests go through.

type statementXML struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType"`
}

type evalXML struct {
	EvalActionName       string                `xml:"EvalActionName"`
	EvalResourceName     string                `xml:"EvalResourceName"`
	EvalDecision         string                `xml:"EvalDecision"`
	MatchedStatements    members[statementXML] `xml:"MatchedStatements"`
	MissingContextValues members[string]       `xml:"MissingContextValues"`
	EvalDecisionDetails  *decisionDetails      `xml:"EvalDecisionDetails,omitempty"`
}

type decisionDetails struct {
	Entries []detailEntry `xml:"entry"`
}

type detailEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func (c *call) simulatePrincipal() (any, *queryError) {
	src, qe := c.need("PolicySourceArn")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:SimulatePrincipalPolicy", src); qe != nil {
		return nil, qe
	}
	id, err := c.h.iam.IdentityFor(c.ctx, src)
	if err != nil {
		return nil, c.fail(err)
	}
	if id.AccountID != c.caller.AccountID {
		return nil, &queryError{400, "Sender", "InvalidInput", "PolicySourceArn must belong to the caller's account."}
	}
	extra, qe := c.inputPolicies()
	if qe != nil {
		return nil, qe
	}
	id.Policies = append(id.Policies, extra...)
	return c.simulate(id)
}

func (c *call) simulateCustom() (any, *queryError) {
	if qe := c.authorize("iam:SimulateCustomPolicy", "*"); qe != nil {
		return nil, qe
	}
	ps, qe := c.inputPolicies()
	if qe != nil {
		return nil, qe
	}
	if len(ps) == 0 {
		return nil, missing("PolicyInputList")
	}
	id := &authz.Identity{AccountID: c.caller.AccountID, ARN: "arn:aws:iam::" + c.caller.AccountID + ":user/simulation", UserID: "AIDASIMULATION", Policies: ps}
	if ca := c.form.Get("CallerArn"); ca != "" {
		id.ARN = ca
	}
	return c.simulate(id)
}

// inputPolicies parses PolicyInputList.member.N as identity policies.
func (c *call) inputPolicies() ([]authz.NamedPolicy, *queryError) {
	var out []authz.NamedPolicy
	for i, doc := range c.list("PolicyInputList") {
		p, err := policy.Parse([]byte(doc), policy.ForIdentityPolicy())
		if err != nil {
			return nil, malformed(err)
		}
		out = append(out, authz.NamedPolicy{Name: "PolicyInputList." + strconv.Itoa(i+1), Policy: p})
	}
	return out, nil
}

func malformed(err error) *queryError {
	var pe *policy.Error
	msg := "Syntax errors in policy."
	if errors.As(err, &pe) {
		msg = pe.Message
	}
	return &queryError{400, "Sender", "MalformedPolicyDocument", msg}
}

func (c *call) simulate(id *authz.Identity) (any, *queryError) {
	actions := c.list("ActionNames")
	if len(actions) == 0 {
		return nil, missing("ActionNames")
	}
	resources := c.list("ResourceArns")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	var resPolicy *policy.Policy
	if doc := c.form.Get("ResourcePolicy"); doc != "" {
		p, err := policy.Parse([]byte(doc))
		if err != nil {
			return nil, malformed(err)
		}
		resPolicy = p
	}
	owner := c.caller.AccountID
	if ro := c.form.Get("ResourceOwner"); ro != "" {
		if a, _, ok := accountOfARN(ro); ok {
			owner = a
		}
	}
	if ca := c.form.Get("CallerArn"); ca != "" && c.action == "SimulatePrincipalPolicy" {
		id.ARN = ca
	}
	keys := c.contextEntries()
	res := struct {
		XMLName           xml.Name         `xml:"result"`
		EvaluationResults members[evalXML] `xml:"EvaluationResults"`
		IsTruncated       bool             `xml:"IsTruncated"`
	}{}
	for _, a := range actions {
		for _, r := range resources {
			d := authz.Authorize(&authz.Request{Identity: id, Action: a, Resource: r, ResourceAccount: owner, ResourcePolicy: resPolicy, Keys: keys})
			e := evalXML{EvalActionName: a, EvalResourceName: r, EvalDecision: "implicitDeny"}
			switch {
			case d.Allowed:
				e.EvalDecision = "allowed"
			case d.Deny:
				e.EvalDecision = "explicitDeny"
			}
			if d.Policy != "" {
				typ := "IAM Policy"
				if d.Policy == "resource-based policy" || d.Policy == "trust policy" {
					typ = "resource"
				}
				e.MatchedStatements.Members = append(e.MatchedStatements.Members, statementXML{SourcePolicyID: d.Policy, SourcePolicyType: typ})
			}
			if resPolicy != nil {
				e.EvalDecisionDetails = &decisionDetails{Entries: []detailEntry{{Key: "reason", Value: d.Reason}}}
			}
			res.EvaluationResults.Members = append(res.EvaluationResults.Members, e)
		}
	}
	return res, nil
}

// contextEntries reads ContextEntries.member.N.{ContextKeyName,ContextKeyValues.member.M}.
func (c *call) contextEntries() map[string][]string {
	keys := map[string][]string{}
	for i := 1; ; i++ {
		p := "ContextEntries.member." + strconv.Itoa(i)
		name := c.form.Get(p + ".ContextKeyName")
		if name == "" {
			return keys
		}
		keys[name] = c.list(p + ".ContextKeyValues")
	}
}

// accountOfARN returns the account of an ARN or a bare account ID.
func accountOfARN(s string) (string, string, bool) {
	if len(s) == 12 {
		return s, "", true
	}
	var parts [6]string
	n := 0
	start := 0
	for i := 0; i < len(s) && n < 5; i++ {
		if s[i] == ':' {
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n < 5 || parts[0] != "arn" {
		return "", "", false
	}
	parts[5] = s[start:]
	return parts[4], parts[5], parts[4] != ""
}
