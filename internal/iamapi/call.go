package iamapi

import (
	"context"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ferrys3/ferry/internal/authz"
	"github.com/ferrys3/ferry/internal/iam"
)

// call is one Query request being served.
type call struct {
	h      *Handler
	ctx    context.Context
	form   url.Values
	caller *iam.Caller
	remote string
	tls    bool
	action string
}

func missing(name string) *queryError {
	return &queryError{400, "Sender", "MissingParameter", "The request must contain the parameter " + name}
}

// need returns a required parameter.
func (c *call) need(name string) (string, *queryError) {
	v := c.form.Get(name)
	if v == "" {
		return "", missing(name)
	}
	return v, nil
}

// list returns Name.member.N values in N order.
func (c *call) list(name string) []string {
	type kv struct {
		n int
		v string
	}
	var out []kv
	prefix := name + ".member."
	for k, vs := range c.form {
		if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.Contains(rest, ".") {
			if n, err := strconv.Atoi(rest); err == nil && len(vs) > 0 {
				out = append(out, kv{n, vs[0]})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n < out[j].n })
	vals := make([]string, len(out))
	for i, x := range out {
		vals[i] = x.v
	}
	return vals
}

// tags returns Tags.member.N.Key/Value pairs.
func (c *call) tags() []iam.Tag {
	var ts []iam.Tag
	for i := 1; ; i++ {
		k := c.form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			return ts
		}
		ts = append(ts, iam.Tag{Key: k, Value: c.form.Get("Tags.member." + strconv.Itoa(i) + ".Value")})
	}
}

// keys are the condition keys of the request.
func (c *call) keys() map[string][]string {
	k := map[string][]string{"aws:SecureTransport": {strconv.FormatBool(c.tls)}}
	if host, _, err := net.SplitHostPort(c.remote); err == nil {
		k["aws:SourceIp"] = []string{host}
	}
	return k
}

// authorize checks an IAM or STS action on a resource of the caller's
// account: the root user may do anything there; users and role sessions
// need an identity policy that allows it.
func (c *call) authorize(action, resource string) *queryError {
	d := authz.Authorize(&authz.Request{Identity: c.caller.Identity, Action: action, Resource: resource,
		ResourceAccount: c.caller.AccountID, Keys: c.keys()})
	if d.Allowed {
		return nil
	}
	c.h.log.Debug("access denied", "principal", c.caller.ARN(), "action", action, "resource", resource, "reason", d.Reason)
	return &queryError{403, "Sender", "AccessDenied", "User: " + c.caller.ARN() + " is not authorized to perform: " + action +
		" on resource: " + resource + " because " + d.Reason}
}

// arn builds an ARN in the caller's account.
func (c *call) arn(kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + c.caller.AccountID + ":" + kind + path + name
}

// page applies Marker/MaxItems to n items; it returns the range and the
// IsTruncated/Marker fields.
func (c *call) page(n int) (from, to int, truncated bool, marker string, qe *queryError) {
	max := 100
	if v := c.form.Get("MaxItems"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > 1000 {
			return 0, 0, false, "", &queryError{400, "Sender", "ValidationError", "1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"}
		}
		max = m
	}
	if v := c.form.Get("Marker"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 0 || m > n {
			return 0, 0, false, "", &queryError{400, "Sender", "ValidationError", "Invalid Marker."}
		}
		from = m
	}
	to = min(n, from+max)
	if to < n {
		return from, to, true, strconv.Itoa(to), nil
	}
	return from, to, false, "", nil
}
