package iamapi

import (
	"encoding/xml"
	"github.com/ferrys3/ferry/internal/iam"
)

// Inline policies of users, groups and roles.

func (c *call) putInline(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	pname, qe := c.need("PolicyName")
	if qe != nil {
		return nil, qe
	}
	doc, qe := c.need("PolicyDocument")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:Put"+label(kind)+"Policy", c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.PutInlinePolicy(c.ctx, c.caller.AccountID, kind, name, pname, doc))
}

func (c *call) getInline(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	pname, qe := c.need("PolicyName")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:Get"+label(kind)+"Policy", c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	doc, e, err := c.h.iam.InlinePolicy(c.ctx, c.caller.AccountID, kind, name, pname)
	if err != nil {
		return nil, c.fail(err)
	}
	type result struct {
		XMLName        xml.Name `xml:"result"`
		UserName       string   `xml:"UserName,omitempty"`
		GroupName      string   `xml:"GroupName,omitempty"`
		RoleName       string   `xml:"RoleName,omitempty"`
		PolicyName     string   `xml:"PolicyName"`
		PolicyDocument string   `xml:"PolicyDocument"`
	}
	res := result{PolicyName: pname, PolicyDocument: encodeDoc(doc)}
	switch kind {
	case iam.KindUser:
		res.UserName = e.Name
	case iam.KindGroup:
		res.GroupName = e.Name
	default:
		res.RoleName = e.Name
	}
	return res, nil
}

func (c *call) listInline(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:List"+label(kind)+"Policies", c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	names, err := c.h.iam.InlinePolicyNames(c.ctx, c.caller.AccountID, kind, name)
	if err != nil {
		return nil, c.fail(err)
	}
	from, to, trunc, marker, qe := c.page(len(names))
	if qe != nil {
		return nil, qe
	}
	return struct {
		XMLName     xml.Name        `xml:"result"`
		PolicyNames members[string] `xml:"PolicyNames"`
		IsTruncated bool            `xml:"IsTruncated"`
		Marker      string          `xml:"Marker,omitempty"`
	}{PolicyNames: members[string]{names[from:to]}, IsTruncated: trunc, Marker: marker}, nil
}

func (c *call) deleteInline(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	pname, qe := c.need("PolicyName")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:Delete"+label(kind)+"Policy", c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.DeleteInlinePolicy(c.ctx, c.caller.AccountID, kind, name, pname))
}

// Managed policies.

type policyResult struct {
	XMLName xml.Name  `xml:"result"`
	Policy  policyXML `xml:"Policy"`
}

func (c *call) createPolicy() (any, *queryError) {
	name, qe := c.need("PolicyName")
	if qe != nil {
		return nil, qe
	}
	doc, qe := c.need("PolicyDocument")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:CreatePolicy", c.arn("policy", c.form.Get("Path"), name)); qe != nil {
		return nil, qe
	}
	p, err := c.h.iam.CreatePolicy(c.ctx, c.caller.AccountID, name, c.form.Get("Path"), c.form.Get("Description"), doc, c.tags())
	if err != nil {
		return nil, c.fail(err)
	}
	return policyResult{Policy: policyOf(p)}, nil
}

// policyArg loads the managed policy named by PolicyArn.
func (c *call) policyArg(action string) (*iam.ManagedPolicy, string, *queryError) {
	arn, qe := c.need("PolicyArn")
	if qe != nil {
		return nil, "", qe
	}
	if qe := c.authorize(action, arn); qe != nil {
		return nil, "", qe
	}
	p, err := c.h.iam.Policy(c.ctx, arn)
	if err != nil {
		return nil, "", c.fail(err)
	}
	return p, arn, nil
}

func (c *call) getPolicy() (any, *queryError) {
	p, _, qe := c.policyArg("iam:GetPolicy")
	if qe != nil {
		return nil, qe
	}
	return policyResult{Policy: policyOf(p)}, nil
}

func (c *call) listPolicies() (any, *queryError) {
	if qe := c.authorize("iam:ListPolicies", c.arn("policy", "/", "")); qe != nil {
		return nil, qe
	}
	scope := c.form.Get("Scope")
	if scope == "" {
		scope = "All"
	}
	prefix := c.form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	ps, err := c.h.iam.Policies(c.ctx, c.caller.AccountID, scope, prefix, c.form.Get("OnlyAttached") == "true")
	if err != nil {
		return nil, c.fail(err)
	}
	from, to, trunc, marker, qe := c.page(len(ps))
	if qe != nil {
		return nil, qe
	}
	res := struct {
		XMLName     xml.Name           `xml:"result"`
		Policies    members[policyXML] `xml:"Policies"`
		IsTruncated bool               `xml:"IsTruncated"`
		Marker      string             `xml:"Marker,omitempty"`
	}{IsTruncated: trunc, Marker: marker}
	for _, p := range ps[from:to] {
		res.Policies.Members = append(res.Policies.Members, policyOf(p))
	}
	return res, nil
}

func (c *call) deletePolicy() (any, *queryError) {
	_, arn, qe := c.policyArg("iam:DeletePolicy")
	if qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.DeletePolicy(c.ctx, arn))
}

type versionResult struct {
	XMLName       xml.Name   `xml:"result"`
	PolicyVersion versionXML `xml:"PolicyVersion"`
}

func (c *call) createPolicyVersion() (any, *queryError) {
	arn, qe := c.need("PolicyArn")
	if qe != nil {
		return nil, qe
	}
	doc, qe := c.need("PolicyDocument")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:CreatePolicyVersion", arn); qe != nil {
		return nil, qe
	}
	v, err := c.h.iam.CreatePolicyVersion(c.ctx, arn, doc, c.form.Get("SetAsDefault") == "true")
	if err != nil {
		return nil, c.fail(err)
	}
	p, err := c.h.iam.Policy(c.ctx, arn)
	if err != nil {
		return nil, c.fail(err)
	}
	return versionResult{PolicyVersion: versionOf(p, *v, false)}, nil
}

func (c *call) getPolicyVersion() (any, *queryError) {
	p, arn, qe := c.policyArg("iam:GetPolicyVersion")
	if qe != nil {
		return nil, qe
	}
	id, qe := c.need("VersionId")
	if qe != nil {
		return nil, qe
	}
	for _, v := range p.Versions {
		if v.ID == id {
			return versionResult{PolicyVersion: versionOf(p, v, true)}, nil
		}
	}
	return nil, &queryError{404, "Sender", "NoSuchEntity", "Policy " + arn + " version " + id + " does not exist or is not attachable."}
}

func (c *call) listPolicyVersions() (any, *queryError) {
	p, _, qe := c.policyArg("iam:ListPolicyVersions")
	if qe != nil {
		return nil, qe
	}
	res := struct {
		XMLName     xml.Name            `xml:"result"`
		Versions    members[versionXML] `xml:"Versions"`
		IsTruncated bool                `xml:"IsTruncated"`
	}{}
	for _, v := range p.Versions {
		res.Versions.Members = append(res.Versions.Members, versionOf(p, v, false))
	}
	return res, nil
}

func (c *call) deletePolicyVersion() (any, *queryError) {
	_, arn, qe := c.policyArg("iam:DeletePolicyVersion")
	if qe != nil {
		return nil, qe
	}
	id, qe := c.need("VersionId")
	if qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.DeletePolicyVersion(c.ctx, arn, id))
}

func (c *call) setDefaultPolicyVersion() (any, *queryError) {
	_, arn, qe := c.policyArg("iam:SetDefaultPolicyVersion")
	if qe != nil {
		return nil, qe
	}
	id, qe := c.need("VersionId")
	if qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.SetDefaultPolicyVersion(c.ctx, arn, id))
}

func (c *call) attach(kind string, attach bool) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	arn, qe := c.need("PolicyArn")
	if qe != nil {
		return nil, qe
	}
	action := "iam:Detach" + label(kind) + "Policy"
	if attach {
		action = "iam:Attach" + label(kind) + "Policy"
	}
	if qe := c.authorize(action, c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	if attach {
		return nil, c.fail(c.h.iam.AttachPolicy(c.ctx, c.caller.AccountID, kind, name, arn))
	}
	return nil, c.fail(c.h.iam.DetachPolicy(c.ctx, c.caller.AccountID, kind, name, arn))
}

func (c *call) listAttached(kind string) (any, *queryError) {
	name, qe := c.need(label(kind) + "Name")
	if qe != nil {
		return nil, qe
	}
	if qe := c.authorize("iam:ListAttached"+label(kind)+"Policies", c.arn(kind, "/", name)); qe != nil {
		return nil, qe
	}
	ps, err := c.h.iam.AttachedPolicies(c.ctx, c.caller.AccountID, kind, name)
	if err != nil {
		return nil, c.fail(err)
	}
	res := struct {
		XMLName          xml.Name             `xml:"result"`
		AttachedPolicies members[attachedXML] `xml:"AttachedPolicies"`
		IsTruncated      bool                 `xml:"IsTruncated"`
	}{}
	for _, p := range ps {
		res.AttachedPolicies.Members = append(res.AttachedPolicies.Members, attachedXML{p.Name, policyARN(p)})
	}
	return res, nil
}

func (c *call) listEntitiesForPolicy() (any, *queryError) {
	_, arn, qe := c.policyArg("iam:ListEntitiesForPolicy")
	if qe != nil {
		return nil, qe
	}
	es, err := c.h.iam.EntitiesForPolicy(c.ctx, c.caller.AccountID, arn)
	if err != nil {
		return nil, c.fail(err)
	}
	type ugr struct {
		UserName  string `xml:"UserName,omitempty"`
		UserID    string `xml:"UserId,omitempty"`
		GroupName string `xml:"GroupName,omitempty"`
		GroupID   string `xml:"GroupId,omitempty"`
		RoleName  string `xml:"RoleName,omitempty"`
		RoleID    string `xml:"RoleId,omitempty"`
	}
	res := struct {
		XMLName      xml.Name     `xml:"result"`
		PolicyGroups members[ugr] `xml:"PolicyGroups"`
		PolicyUsers  members[ugr] `xml:"PolicyUsers"`
		PolicyRoles  members[ugr] `xml:"PolicyRoles"`
		IsTruncated  bool         `xml:"IsTruncated"`
	}{}
	for _, e := range es {
		switch e.Kind {
		case iam.KindUser:
			res.PolicyUsers.Members = append(res.PolicyUsers.Members, ugr{UserName: e.Name, UserID: e.ID})
		case iam.KindGroup:
			res.PolicyGroups.Members = append(res.PolicyGroups.Members, ugr{GroupName: e.Name, GroupID: e.ID})
		default:
			res.PolicyRoles.Members = append(res.PolicyRoles.Members, ugr{RoleName: e.Name, RoleID: e.ID})
		}
	}
	return res, nil
}

// Access keys.

// keyUser is the user an access-key call is about: UserName, else the
// calling user, else ("") the root user.
func (c *call) keyUser() string {
	if v := c.form.Get("UserName"); v != "" {
		return v
	}
	return c.caller.UserName
}

func (c *call) keyResource(user string) string {
	if user == "" {
		return c.caller.ARN()
	}
	return c.arn("user", "/", user)
}

func (c *call) createAccessKey() (any, *queryError) {
	user := c.keyUser()
	if qe := c.authorize("iam:CreateAccessKey", c.keyResource(user)); qe != nil {
		return nil, qe
	}
	k, err := c.h.iam.CreateAccessKey(c.ctx, c.caller.AccountID, user)
	if err != nil {
		return nil, c.fail(err)
	}
	return struct {
		XMLName   xml.Name     `xml:"result"`
		AccessKey accessKeyXML `xml:"AccessKey"`
	}{AccessKey: accessKeyXML{UserName: k.UserName, AccessKeyID: k.ID, Status: k.Status, SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created)}}, nil
}

func (c *call) listAccessKeys() (any, *queryError) {
	user := c.keyUser()
	if qe := c.authorize("iam:ListAccessKeys", c.keyResource(user)); qe != nil {
		return nil, qe
	}
	ks, err := c.h.iam.AccessKeys(c.ctx, c.caller.AccountID, user)
	if err != nil {
		return nil, c.fail(err)
	}
	res := struct {
		XMLName           xml.Name              `xml:"result"`
		AccessKeyMetadata members[accessKeyXML] `xml:"AccessKeyMetadata"`
		IsTruncated       bool                  `xml:"IsTruncated"`
	}{}
	for _, k := range ks {
		res.AccessKeyMetadata.Members = append(res.AccessKeyMetadata.Members, accessKeyXML{UserName: k.UserName, AccessKeyID: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)})
	}
	return res, nil
}

func (c *call) updateAccessKey() (any, *queryError) {
	id, qe := c.need("AccessKeyId")
	if qe != nil {
		return nil, qe
	}
	status, qe := c.need("Status")
	if qe != nil {
		return nil, qe
	}
	user := c.keyUser()
	if qe := c.authorize("iam:UpdateAccessKey", c.keyResource(user)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.UpdateAccessKey(c.ctx, c.caller.AccountID, user, id, status))
}

func (c *call) deleteAccessKey() (any, *queryError) {
	id, qe := c.need("AccessKeyId")
	if qe != nil {
		return nil, qe
	}
	user := c.keyUser()
	if qe := c.authorize("iam:DeleteAccessKey", c.keyResource(user)); qe != nil {
		return nil, qe
	}
	return nil, c.fail(c.h.iam.DeleteAccessKey(c.ctx, c.caller.AccountID, user, id))
}
