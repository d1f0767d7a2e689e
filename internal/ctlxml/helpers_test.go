package ctlxml

import (
	"sort"
	"strings"
)

// Fragments of a valid CreateJob body.
const (
	opReplicate  = `<Operation><S3ReplicateObject/></Operation>`
	reportOff    = `<Report><Enabled>false</Enabled></Report>`
	manifestXML  = `<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::mb/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest>`
	generatorXML = `<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput></S3JobManifestGenerator></ManifestGenerator>`
	roleXML      = `<RoleArn>arn:aws:iam::111122223333:role/r</RoleArn>`
)

// job is a valid body with the given Operation element and extra members
// (a manifest or generator among them).
func job(operation string, rest ...string) string {
	return `<CreateJobRequest xmlns="` + Namespace + `">` + operation + reportOff +
		`<ClientRequestToken>tok</ClientRequestToken><Priority>1</Priority>` + roleXML +
		strings.Join(rest, "") + `</CreateJobRequest>`
}

// defaults are the members of a valid body, by element name.
var defaults = map[string]string{
	"Operation":          opReplicate,
	"Report":             reportOff,
	"ClientRequestToken": `<ClientRequestToken>tok</ClientRequestToken>`,
	"Manifest":           manifestXML,
	"Priority":           `<Priority>1</Priority>`,
	"RoleArn":            roleXML,
}

// with is a valid body with members replaced (an empty value removes the
// member) or added.
func with(over map[string]string) string {
	m := map[string]string{}
	for k, v := range defaults {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`<CreateJobRequest xmlns="` + Namespace + `">`)
	for _, k := range names {
		b.WriteString(m[k])
	}
	b.WriteString(`</CreateJobRequest>`)
	return b.String()
}

// gen is a body whose source is a manifest generator with the given inner
// S3JobManifestGenerator members.
func gen(inner string) string {
	return with(map[string]string{"Manifest": "",
		"ManifestGenerator": `<ManifestGenerator><S3JobManifestGenerator>` + inner + `</S3JobManifestGenerator></ManifestGenerator>`})
}

// genFilter is a body whose generator has the given Filter content.
func genFilter(filter string) string {
	return gen(`<SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput><Filter>` + filter + `</Filter>`)
}

// copyOp is a body with an S3PutObjectCopy of the given members.
func copyOp(inner string) string {
	return with(map[string]string{"Operation": `<Operation><S3PutObjectCopy>` + inner + `</S3PutObjectCopy></Operation>`})
}

// spec is a body whose manifest has the given Spec content.
func spec(inner string) string {
	return with(map[string]string{"Manifest": `<Manifest><Spec>` + inner + `</Spec><Location><ObjectArn>arn:aws:s3:::mb/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest>`})
}

// loc is a body whose manifest has the given Location content.
func loc(inner string) string {
	return with(map[string]string{"Manifest": `<Manifest><Spec><Format>S3InventoryReport_CSV_20161130</Format></Spec><Location>` + inner + `</Location></Manifest>`})
}

// report is a body with the given Report content.
func report(inner string) string {
	return with(map[string]string{"Report": `<Report>` + inner + `</Report>`})
}

// tagsXML renders n job tags.
func tagsXML(n int) string {
	var b strings.Builder
	b.WriteString("<Tags>")
	for i := 0; i < n; i++ {
		b.WriteString("<member><Key>k</Key><Value>v</Value></member>")
	}
	b.WriteString("</Tags>")
	return b.String()
}
