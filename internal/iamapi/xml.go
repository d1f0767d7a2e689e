package iamapi

import (
	"encoding/xml"
	"net/url"
	"strings"
	"time"

	"github.com/ferrys3/ferry/internal/iam"
)

// Shapes of the IAM and STS Query responses (botocore's iam and sts models).

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// encodeDoc URL-encodes a policy document as IAM returns it (space as %20).
func encodeDoc(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagList struct {
	Members []xmlTag `xml:"member"`
}

func tagsOf(ts []iam.Tag) *tagList {
	if len(ts) == 0 {
		return nil
	}
	l := &tagList{}
	for _, t := range ts {
		l.Members = append(l.Members, xmlTag{t.Key, t.Value})
	}
	return l
}

type boundaryXML struct {
	Type string `xml:"PermissionsBoundaryType"`
	Arn  string `xml:"PermissionsBoundaryArn"`
}

func boundaryOf(arn string) *boundaryXML {
	if arn == "" {
		return nil
	}
	return &boundaryXML{"Policy", arn}
}

type roleXML struct {
	Path                     string       `xml:"Path"`
	RoleName                 string       `xml:"RoleName"`
	RoleID                   string       `xml:"RoleId"`
	Arn                      string       `xml:"Arn"`
	CreateDate               string       `xml:"CreateDate"`
	AssumeRolePolicyDocument string       `xml:"AssumeRolePolicyDocument"`
	Description              string       `xml:"Description,omitempty"`
	MaxSessionDuration       int          `xml:"MaxSessionDuration"`
	PermissionsBoundary      *boundaryXML `xml:"PermissionsBoundary,omitempty"`
	Tags                     *tagList     `xml:"Tags,omitempty"`
	RoleLastUsed             *struct{}    `xml:"RoleLastUsed,omitempty"`
}

func roleOf(e *iam.Entity, full bool) roleXML {
	r := roleXML{Path: e.Path, RoleName: e.Name, RoleID: e.ID, Arn: iam.EntityARN(e), CreateDate: isoTime(e.Created),
		AssumeRolePolicyDocument: encodeDoc(e.TrustPolicy), Description: e.Description, MaxSessionDuration: e.MaxSessionDuration,
		PermissionsBoundary: boundaryOf(e.PermissionsBoundary), Tags: tagsOf(e.Tags)}
	if full {
		r.RoleLastUsed = &struct{}{}
	}
	return r
}

type userXML struct {
	Path                string       `xml:"Path"`
	UserName            string       `xml:"UserName"`
	UserID              string       `xml:"UserId"`
	Arn                 string       `xml:"Arn"`
	CreateDate          string       `xml:"CreateDate"`
	PermissionsBoundary *boundaryXML `xml:"PermissionsBoundary,omitempty"`
	Tags                *tagList     `xml:"Tags,omitempty"`
}

func userOf(e *iam.Entity) userXML {
	return userXML{Path: e.Path, UserName: e.Name, UserID: e.ID, Arn: iam.EntityARN(e), CreateDate: isoTime(e.Created),
		PermissionsBoundary: boundaryOf(e.PermissionsBoundary), Tags: tagsOf(e.Tags)}
}

type groupXML struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func groupOf(e *iam.Entity) groupXML {
	return groupXML{Path: e.Path, GroupName: e.Name, GroupID: e.ID, Arn: iam.EntityARN(e), CreateDate: isoTime(e.Created)}
}

type policyXML struct {
	PolicyName                    string   `xml:"PolicyName"`
	PolicyID                      string   `xml:"PolicyId"`
	Arn                           string   `xml:"Arn"`
	Path                          string   `xml:"Path"`
	DefaultVersionID              string   `xml:"DefaultVersionId"`
	AttachmentCount               int      `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int      `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool     `xml:"IsAttachable"`
	Description                   string   `xml:"Description,omitempty"`
	CreateDate                    string   `xml:"CreateDate"`
	UpdateDate                    string   `xml:"UpdateDate"`
	Tags                          *tagList `xml:"Tags,omitempty"`
}

func policyARN(p *iam.ManagedPolicy) string {
	if p.AccountID == "aws" {
		return "arn:aws:iam::aws:policy" + p.Path + p.Name
	}
	return iam.PolicyARN(p)
}

func policyOf(p *iam.ManagedPolicy) policyXML {
	return policyXML{PolicyName: p.Name, PolicyID: p.ID, Arn: policyARN(p), Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description, CreateDate: isoTime(p.Created),
		UpdateDate: isoTime(p.Updated), Tags: tagsOf(p.Tags)}
}

type versionXML struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

func versionOf(p *iam.ManagedPolicy, v iam.PolicyVersion, withDoc bool) versionXML {
	x := versionXML{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)}
	if withDoc {
		x.Document = encodeDoc(v.Document)
	}
	return x
}

type attachedXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type accessKeyXML struct {
	UserName        string `xml:"UserName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

type members[T any] struct {
	Members []T `xml:"member"`
}

// envelope renders <OpResponse><OpResult>…</OpResult><ResponseMetadata/>.
func envelope(op, ns, rid string, result any) []byte {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<" + op + `Response xmlns="` + ns + `">`)
	if result != nil {
		inner, _ := xml.Marshal(result)
		// result marshals as <result>…</result>; rename the root.
		s := string(inner)
		if i := strings.IndexByte(s, '>'); i >= 0 && strings.HasSuffix(s, "</result>") {
			s = s[i+1 : len(s)-len("</result>")]
		}
		b.WriteString("<" + op + "Result>" + s + "</" + op + "Result>")
	}
	b.WriteString("<ResponseMetadata><RequestId>" + rid + "</RequestId></ResponseMetadata></" + op + "Response>")
	return []byte(b.String())
}
