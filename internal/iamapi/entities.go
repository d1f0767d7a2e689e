package iamapi

import (
	"encoding/xml"
	"strconv"

	"github.com/ferrys3/ferry/internal/iam"
)

// Users, groups and roles.

func (c *call) createEntity(kind string) (any, *queryError) {
	nameParam := map[string]string{iam.KindUser: "UserName", iam.KindGroup: "GroupName", iam.KindRole: "RoleName"}[kind]
	name, qe := c.need(nameParam)
	if qe != nil {
		return nil, qe
	}
	in := iam.EntityInput{Kind: kind, Name: name, Path: c.form.Get("Path"), Description: c.form.Get("Description"), Tags: c.tags(),
		PermissionsBoundary: c.form.Get("PermissionsBoundary")}
	if kind == iam.KindRole {
		if in.TrustPolicy, qe = c.need("AssumeRolePolicyDocument"); qe != nil {
			return nil, qe
		}
		if v := c.form.Get("MaxSessionDuration"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, &queryError{400, "Sender", "ValidationError", "MaxSessionDuration must be a number."}
			}
			in.MaxSessionDuration = n
		}
	}
	if qe := c.authorize("iam:Create"+label(kind), c.arn(kind, in.Path, name)); qe != nil {
		return nil, qe
	}
	e, err := c.h.iam.CreateEntity(c.ctx, c.caller.AccountID, in)
	if err != nil {
		return nil, c.fail(err)
	}
	switch kind {
	case iam.KindUser:
		return struct {
			XMLName xml.Name `xml:"result"`
			User    userXML  `xml:"User"`
		}{User: userOf(e)}, nil
	case iam.KindGroup:
		return struct {
			XMLName xml.Name `xml:"result"`
			Group   groupXML `xml:"Group"`
		}{Group: groupOf(e)}, nil
	}
	return struct {
		XMLName xml.Name `xml:"result"`
		Role    roleXML  `xml:"Role"`
	}{Role: roleOf(e, false)}, nil
}

func label(kind string) string {
	return map[string]string{iam.KindUser: "User", iam.KindGroup: "Group", iam.KindRole: "Role"}[kind]
}

// entityParam reads the entity name of a call: required, except that
// user operations default to the calling user.
func (c *call) entityParam(kind string) (string, *queryError) {
	p := label(kind) + "Name"
	if v := c.form.Get(p); v != "" {
		return v, nil
	}
	if kind == iam.KindUser && c.caller.UserName != "" {
		return c.caller.UserName, nil
	}
	return "", missing(p)
}

// entity loads the named entity after authorizing action on it.
func (c *call) entity(kind, action string) (*iam.Entity, *queryError) {
	name, qe := c.entityParam(kind)
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize(action, c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	e, err := c.h.iam.Entity(c.ctx, c.caller.AccountID, kind, name)
	if err != nil {
		return nil, c.fail(err)
	}
	return e, nil
}

func (c *call) getUser() (any, *queryError) {
	if c.form.Get("UserName") == "" && c.caller.Root() {
		// The root user, as AWS answers it.
		return struct {
			XMLName xml.Name `xml:"result"`
			User    userXML  `xml:"User"`
		}{User: userXML{Path: "/", UserName: "root", UserID: c.caller.AccountID, Arn: c.caller.ARN(), CreateDate: isoTime(c.h.clock.Now())}}, nil
	}
	e, qe := c.entity(iam.KindUser, "iam:GetUser")
	if qe != nil {
		return nil, qe
	}
	return struct {
		XMLName xml.Name `xml:"result"`
		User    userXML  `xml:"User"`
	}{User: userOf(e)}, nil
}

func (c *call) getRole() (any, *queryError) {
	e, qe := c.entity(iam.KindRole, "iam:GetRole")
	if qe != nil {
		return nil, qe
	}
	return struct {
		XMLName xml.Name `xml:"result"`
		Role    roleXML  `xml:"Role"`
	}{Role: roleOf(e, true)}, nil
}

func (c *call) getGroup() (any, *queryError) {
	name, qe := c.need("GroupName")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:GetGroup", c.arn("group", "/", name)); qe != nil {
		return nil, qe
	}
	g, users, err := c.h.iam.GroupMembers(c.ctx, c.caller.AccountID, name)
	if err != nil {
		return nil, c.fail(err)
	}
	res := struct {
		XMLName     xml.Name         `xml:"result"`
		Group       groupXML         `xml:"Group"`
		Users       members[userXML] `xml:"Users"`
		IsTruncated bool             `xml:"IsTruncated"`
	}{Group: groupOf(g)}
	for _, u := range users {
		res.Users.Members = append(res.Users.Members, userOf(u))
	}
	return res, nil
}

func (c *call) listEntities(kind string) (any, *queryError) {
	if qe := c.authorize("iam:List"+label(kind)+"s", c.arn(kind, "/", "")); qe != nil {
		return nil, qe
	}
	prefix := c.form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	es, err := c.h.iam.Entities(c.ctx, c.caller.AccountID, kind, prefix)
	if err != nil {
		return nil, c.fail(err)
	}
	from, to, trunc, marker, qe := c.page(len(es))
	if qe != nil {
		return nil, qe
	}
	es = es[from:to]
	switch kind {
	case iam.KindUser:
		res := struct {
			XMLName     xml.Name         `xml:"result"`
			Users       members[userXML] `xml:"Users"`
			IsTruncated bool             `xml:"IsTruncated"`
			Marker      string           `xml:"Marker,omitempty"`
		}{IsTruncated: trunc, Marker: marker}
		res.Users.Members = []userXML{}
		for _, e := range es {
			res.Users.Members = append(res.Users.Members, userOf(e))
		}
		return res, nil
	case iam.KindGroup:
		res := struct {
			XMLName     xml.Name          `xml:"result"`
			Groups      members[groupXML] `xml:"Groups"`
			IsTruncated bool              `xml:"IsTruncated"`
			Marker      string            `xml:"Marker,omitempty"`
		}{IsTruncated: trunc, Marker: marker}
		for _, e := range es {
			res.Groups.Members = append(res.Groups.Members, groupOf(e))
		}
		return res, nil
	}
	res := struct {
		XMLName     xml.Name         `xml:"result"`
		Roles       members[roleXML] `xml:"Roles"`
		IsTruncated bool             `xml:"IsTruncated"`
		Marker      string           `xml:"Marker,omitempty"`
	}{IsTruncated: trunc, Marker: marker}
	for _, e := range es {
		res.Roles.Members = append(res.Roles.Members, roleOf(e, false))
	}
	return res, nil
}

func (c *call) deleteEntity(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:Delete"+label(kind), c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.DeleteEntity(c.ctx, c.caller.AccountID, kind, name))
}

func (c *call) updateAssumeRolePolicy() (any, *queryError) {
	name, qe := c.need("RoleName")
	if qe != nil {
		return nil, qe
	}
	doc, qe := c.need("PolicyDocument")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:UpdateAssumeRolePolicy", c.arn("role", "/", name)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.UpdateAssumeRolePolicy(c.ctx, c.caller.AccountID, name, doc))
}

func (c *call) updateRole() (any, *queryError) {
	name, qe := c.need("RoleName")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:UpdateRole", c.arn("role", "/", name)); qe != nil {
		return nil, qe
	}
	var desc *string
	if c.form.Has("Description") {
		d := c.form.Get("Description")
		desc = &d
	}
	maxS := 0
	if v := c.form.Get("MaxSessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n == 0 {
			return nil, &queryError{400, "Sender", "ValidationError", "The specified value for maxSessionDuration is invalid. It must be between 3600 and 43200 seconds."}
		}
		maxS = n
	}
	return struct {
		XMLName xml.Name `xml:"result"`
	}{}, c.fail(c.h.iam.UpdateRole(c.ctx, c.caller.AccountID, name, desc, maxS))
}

func (c *call) groupMembership(add bool) (any, *queryError) {
	group, qe := c.need("GroupName")
	if qe != nil {
		return nil, qe
	}
	user, qe := c.need("UserName")
	if qe != nil {
		return nil, qe
	}
	action := "iam:RemoveUserFromGroup"
	if add {
		action = "iam:AddUserToGroup"
	}
	if qe := c.authorize(action, c.arn("group", "/", group)); qe != nil {
		return nil, qe
	}
	if add {
		return nil, c.fail(c.h.iam.AddUserToGroup(c.ctx, c.caller.AccountID, group, user))
	}
	return nil, c.fail(c.h.iam.RemoveUserFromGroup(c.ctx, c.caller.AccountID, group, user))
}

func (c *call) listGroupsForUser() (any, *queryError) {
	user, qe := c.entityParam(iam.KindUser)
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:ListGroupsForUser", c.arn("user", "/", user)); qe != nil {
		return nil, qe
	}
	gs, err := c.h.iam.GroupsForUser(c.ctx, c.caller.AccountID, user)
	if err != nil {
		return nil, c.fail(err)
	}
	res := struct {
		XMLName     xml.Name          `xml:"result"`
		Groups      members[groupXML] `xml:"Groups"`
		IsTruncated bool              `xml:"IsTruncated"`
	}{}
	for _, g := range gs {
		res.Groups.Members = append(res.Groups.Members, groupOf(g))
	}
	return res, nil
}

func (c *call) tagEntity(kind string, tag bool) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	action := "iam:Untag" + label(kind)
	if tag {
		action = "iam:Tag" + label(kind)
	}
	if qe := c.authorize(action, c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	if tag {
		return nil, c.fail(c.h.iam.TagEntity(c.ctx, c.caller.AccountID, kind, name, c.tags()))
	}
	return nil, c.fail(c.h.iam.UntagEntity(c.ctx, c.caller.AccountID, kind, name, c.list("TagKeys")))
}

func (c *call) listEntityTags(kind string) (any, *queryError) {
	e, qe := c.entity(kind, "iam:List"+label(kind)+"Tags")
	if qe != nil {
		return nil, qe
	}
	res := struct {
		XMLName     xml.Name `xml:"result"`
		Tags        tagList  `xml:"Tags"`
		IsTruncated bool     `xml:"IsTruncated"`
	}{}
	if t := tagsOf(e.Tags); t != nil {
		res.Tags = *t
	}
	return res, nil
}

func (c *call) boundary(kind string, put bool) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	arn := ""
	action := "iam:Delete" + label(kind) + "PermissionsBoundary"
	if put {
		if arn, qe = c.need("PermissionsBoundary"); qe != nil {
			return nil, qe
		}
		action = "iam:Put" + label(kind) + "PermissionsBoundary"
	}
	if qe := c.authorize(action, c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.SetPermissionsBoundary(c.ctx, c.caller.AccountID, kind, name, arn))
}
