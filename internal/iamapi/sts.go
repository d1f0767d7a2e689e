package iamapi

import (
	"encoding/xml"
	"strconv"

	"github.com/ferrys3/ferry/internal/iam"
)

func (c *call) getCallerIdentity() (any, *queryError) {
	return struct {
		XMLName xml.Name `xml:"result"`
		UserID  string   `xml:"UserId"`
		Account string   `xml:"Account"`
		Arn     string   `xml:"Arn"`
	}{UserID: c.caller.UserID(), Account: c.caller.AccountID, Arn: c.caller.ARN()}, nil
}

func (c *call) assumeRole() (any, *queryError) {
	arn, qe := c.need("RoleArn")
	if qe != nil {
		return nil, qe
	}
	name, qe := c.need("RoleSessionName")
	if qe != nil {
		return nil, qe
	}
	if len(c.list("PolicyArns")) > 0 || c.form.Get("PolicyArns.member.1.arn") != "" {
		return nil, &queryError{400, "Sender", "InvalidParameterValue", "Managed session policies (PolicyArns) are not supported by this server; pass an inline Policy."}
	}
	in := iam.AssumeRoleInput{RoleARN: arn, SessionName: name, ExternalID: c.form.Get("ExternalId"), Policy: c.form.Get("Policy"), Keys: c.keys()}
	if v := c.form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &queryError{400, "Sender", "ValidationError", "DurationSeconds must be a number."}
		}
		in.DurationSeconds = n
	}
	s, d, err := c.h.iam.AssumeRole(c.ctx, c.caller.Identity, in)
	if err != nil {
		if d != nil && d.Reason != "" {
			c.h.log.Debug("assume role denied", "principal", c.caller.ARN(), "role", arn, "reason", d.Reason)
		}
		return nil, c.fail(err)
	}
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type user struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	}
	return struct {
		XMLName          xml.Name `xml:"result"`
		Credentials      creds    `xml:"Credentials"`
		AssumedRoleUser  user     `xml:"AssumedRoleUser"`
		PackedPolicySize *int     `xml:"PackedPolicySize,omitempty"`
	}{Credentials: creds{s.AccessKeyID, s.SecretAccessKey, s.SessionToken, isoTime(s.Expires)},
		AssumedRoleUser: user{s.AssumedRoleID, s.ARN}, PackedPolicySize: packed(in.Policy, s.PackedPolicySize)}, nil
}

func packed(policy string, n int) *int {
	if policy == "" {
		return nil
	}
	return &n
}
