package replconf

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/s3err"
)

const testRole = "arn:aws:iam::111122223333:role/replicationRole"

// doc wraps rules in a ReplicationConfiguration as botocore sends it.
func doc(rules ...string) string {
	return `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>` + testRole +
		`</Role>` + strings.Join(rules, "") + `</ReplicationConfiguration>`
}

// v2 is a minimal V2 rule with the given inner elements replacing the
// defaults named in them.
func v2(id string, priority string, filter, dest, extra string) string {
	if dest == "" {
		dest = `<Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination>`
	}
	if !strings.Contains(extra, "<DeleteMarkerReplication>") {
		extra += `<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>`
	}
	return `<Rule><ID>` + id + `</ID><Priority>` + priority + `</Priority>` + filter +
		`<Status>Enabled</Status>` + dest + extra + `</Rule>`
}

func TestParseValid(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want *Config
	}{{
		// aws s3api put-bucket-replication for the cross-account guide
		// (replication-walkthrough-2 / change owner), as botocore serializes it.
		name: "cross-account guide",
		doc: `<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>arn:aws:iam::111122223333:role/service-role/s3-replication-role</Role><Rule><ID>CrossAccountReplicationRule</ID><Priority>1</Priority><Filter /><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::dst</Bucket><Account>444455556666</Account><AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation></Destination><DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication></Rule></ReplicationConfiguration>`,
		want: &Config{Role: "arn:aws:iam::111122223333:role/service-role/s3-replication-role", Rules: []Rule{{
			ID: "CrossAccountReplicationRule", Priority: 1, HasPriority: true, Status: "Enabled",
			Filter: &Filter{}, DeleteMarkerReplication: "Enabled",
			Destination: Destination{Bucket: "arn:aws:s3:::dst", Account: "444455556666", OwnerOverride: true},
		}}},
	}, {
		name: "same-account walkthrough, prefix filter, storage class",
		doc: doc(`<Rule><ID>Rule-1</ID><Priority>1</Priority><Filter><Prefix>Tax</Prefix></Filter><Status>Enabled</Status>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><StorageClass>STANDARD_IA</StorageClass></Destination>` +
			`<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "Rule-1", Priority: 1, HasPriority: true, Status: "Enabled",
			Filter: &Filter{Prefix: "Tax", HasPrefix: true}, DeleteMarkerReplication: "Disabled",
			Destination: Destination{Bucket: "arn:aws:s3:::dst", StorageClass: "STANDARD_IA"},
		}}},
	}, {
		name: "V1 rules, same destination",
		doc: doc(`<Rule><ID>a</ID><Status>Enabled</Status><Prefix>legacy/</Prefix><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`,
			`<Rule><ID>b</ID><Prefix></Prefix><Status>Disabled</Status><Destination><Bucket>arn:aws:s3:::dst</Bucket><StorageClass>GLACIER</StorageClass><EncryptionConfiguration><ReplicaKmsKeyID>k</ReplicaKmsKeyID></EncryptionConfiguration></Destination>`+
				`<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria></Rule>`),
		want: &Config{Role: testRole, Rules: []Rule{
			{ID: "a", Status: "Enabled", Prefix: "legacy/", Destination: Destination{Bucket: "arn:aws:s3:::dst"}},
			{ID: "b", Status: "Disabled", SseKmsEncryptedObjects: "Enabled",
				Destination: Destination{Bucket: "arn:aws:s3:::dst", StorageClass: "GLACIER", ReplicaKmsKeyID: "k"}},
		}},
	}, {
		name: "And filter with prefix and two tags",
		doc:  doc(v2("tax", "2", `<Filter><And><Prefix>Tax/</Prefix><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag></And></Filter>`, "", "")),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "tax", Priority: 2, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter:      &Filter{Prefix: "Tax/", HasPrefix: true, And: true, Tags: []Tag{{"k1", "v1"}, {"k2", ""}}},
			Destination: Destination{Bucket: "arn:aws:s3:::dst"},
		}}},
	}, {
		name: "And filter with two tags, single Tag filter",
		doc: doc(v2("a", "1", `<Filter><And><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter>`, "", ""),
			v2("b", "2", `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>`, "", "")),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "a", Priority: 1, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter:      &Filter{And: true, Tags: []Tag{{"k1", "v1"}, {"k2", "v2"}}},
			Destination: Destination{Bucket: "arn:aws:s3:::dst"},
		}, {
			ID: "b", Priority: 2, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter:      &Filter{Tags: []Tag{{"k", "v"}}},
			Destination: Destination{Bucket: "arn:aws:s3:::dst"},
		}}},
	}, {
		name: "every V2 feature",
		doc: doc(`<Rule><ID>all</ID><Priority>7</Priority><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
			`<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects><ReplicaModifications><Status>Enabled</Status></ReplicaModifications></SourceSelectionCriteria>` +
			`<ExistingObjectReplication><Status>Disabled</Status></ExistingObjectReplication>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><Account>444455556666</Account><StorageClass>STANDARD</StorageClass>` +
			`<AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>` +
			`<EncryptionConfiguration><ReplicaKmsKeyID>arn:aws:kms:us-east-1:444455556666:key/abc</ReplicaKmsKeyID></EncryptionConfiguration>` +
			`<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>` +
			`<Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination>` +
			`<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication></Rule>`),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "all", Priority: 7, HasPriority: true, Status: "Enabled", Filter: &Filter{HasPrefix: true},
			DeleteMarkerReplication: "Enabled", SseKmsEncryptedObjects: "Enabled", ReplicaModifications: "Enabled",
			ExistingObjectReplication: "Disabled",
			Destination: Destination{Bucket: "arn:aws:s3:::dst", Account: "444455556666", StorageClass: "STANDARD",
				OwnerOverride: true, ReplicaKmsKeyID: "arn:aws:kms:us-east-1:444455556666:key/abc",
				ReplicationTime: &Timed{Status: "Enabled", Minutes: 15, HasMinutes: true},
				Metrics:         &Timed{Status: "Enabled", Minutes: 15, HasMinutes: true}},
		}}},
	}, {
		name: "metrics alone, RTC disabled with its time",
		doc: doc(v2("m", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::dst</Bucket><Metrics><Status>Enabled</Status></Metrics></Destination>`, ""),
			v2("r", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::other</Bucket><ReplicationTime><Status>Disabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime><Metrics><Status>Enabled</Status></Metrics></Destination>`, "")),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "m", Priority: 1, HasPriority: true, Status: "Enabled", Filter: &Filter{}, DeleteMarkerReplication: "Disabled",
			Destination: Destination{Bucket: "arn:aws:s3:::dst", Metrics: &Timed{Status: "Enabled"}},
		}, {
			ID: "r", Priority: 1, HasPriority: true, Status: "Enabled", Filter: &Filter{}, DeleteMarkerReplication: "Disabled",
			Destination: Destination{Bucket: "arn:aws:s3:::other",
				ReplicationTime: &Timed{Status: "Disabled", Minutes: 15, HasMinutes: true}, Metrics: &Timed{Status: "Enabled"}},
		}}},
	}, {
		// aws-sdk-go-v2 writes members alphabetically and may omit xmlns.
		name: "any element order, no namespace, indentation",
		doc: `<ReplicationConfiguration>
  <Rule>
    <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
    <Destination><StorageClass>STANDARD</StorageClass><Bucket>arn:aws:s3:::dst</Bucket></Destination>
    <Filter><Prefix>p/</Prefix></Filter>
    <ID>x</ID>
    <Priority> 3 </Priority>
    <Status>Enabled</Status>
  </Rule>
  <Role>` + testRole + `</Role>
</ReplicationConfiguration>
`,
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "x", Priority: 3, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter: &Filter{Prefix: "p/", HasPrefix: true}, Destination: Destination{Bucket: "arn:aws:s3:::dst", StorageClass: "STANDARD"},
		}}},
	}, {
		name: "same priority on different destinations",
		doc:  doc(v2("a", "1", `<Filter/>`, "", ""), v2("b", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::dst2</Bucket></Destination>`, "")),
		want: &Config{Role: testRole, Rules: []Rule{{
			ID: "a", Priority: 1, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter: &Filter{}, Destination: Destination{Bucket: "arn:aws:s3:::dst"},
		}, {
			ID: "b", Priority: 1, HasPriority: true, Status: "Enabled", DeleteMarkerReplication: "Disabled",
			Filter: &Filter{}, Destination: Destination{Bucket: "arn:aws:s3:::dst2"},
		}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseGeneratesIDs(t *testing.T) {
	c, err := Parse([]byte(doc(
		`<Rule><Priority>1</Priority><Filter/><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::a</Bucket></Destination><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`,
		`<Rule><ID></ID><Priority>2</Priority><Filter/><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::a</Bucket></Destination><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Rules[0].ID, c.Rules[1].ID
	if a == b || len(a) != 48 || len(b) != 48 {
		t.Fatalf("IDs %q %q: want two distinct 48-character IDs", a, b)
	}
	raw, err := base64.StdEncoding.DecodeString(a)
	if err != nil || len(raw) != 36 || raw[8] != '-' || raw[14] != '4' {
		t.Fatalf("ID %q is not base64 of a v4 UUID string (%q, %v)", a, raw, err)
	}
}

func TestParseErrors(t *testing.T) {
	const (
		dmrOn   = `<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>`
		dest    = `<Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination>`
		v1      = `<Rule><Status>Enabled</Status><Prefix>a</Prefix>` + dest + `</Rule>`
		tagK    = `<Tag><Key>k</Key><Value>v</Value></Tag>`
		metrics = `<Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics>`
		rtc     = `<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>`
		kmsOn   = `<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>`
		guide   = " Please refer to S3 Developer Guide for more information."
	)
	withDest := func(inner string) string {
		return `<Destination><Bucket>arn:aws:s3:::dst</Bucket>` + inner + `</Destination>`
	}
	malformed := s3err.ErrMalformedXML.Message
	cases := []struct {
		name, doc, code, msg string
	}{
		// MalformedXML: not XML, schema violations.
		{"empty body", ``, "MalformedXML", malformed},
		{"not xml", `hello`, "MalformedXML", malformed},
		{"truncated", doc(v1)[:60], "MalformedXML", malformed},
		{"wrong root", `<LifecycleConfiguration><Role>r</Role>` + v1 + `</LifecycleConfiguration>`, "MalformedXML", malformed},
		{"trailing element", doc(v1) + `<x/>`, "MalformedXML", malformed},
		{"trailing text", doc(v1) + `junk`, "MalformedXML", malformed},
		{"missing Role", `<ReplicationConfiguration>` + v1 + `</ReplicationConfiguration>`, "MalformedXML", malformed},
		{"empty Role", `<ReplicationConfiguration><Role></Role>` + v1 + `</ReplicationConfiguration>`, "MalformedXML", malformed},
		{"two Roles", `<ReplicationConfiguration><Role>a</Role><Role>b</Role>` + v1 + `</ReplicationConfiguration>`, "MalformedXML", malformed},
		{"no rules", doc(), "MalformedXML", malformed},
		{"unknown root child", doc(v1, `<Extra/>`), "MalformedXML", malformed},
		{"unknown rule child", doc(`<Rule><Status>Enabled</Status><Prefix>a</Prefix><DeleteReplication/>` + dest + `</Rule>`), "MalformedXML", malformed},
		{"missing Status", doc(`<Rule><Prefix>a</Prefix>` + dest + `</Rule>`), "MalformedXML", malformed},
		{"bad Status", doc(`<Rule><Status>enabled</Status><Prefix>a</Prefix>` + dest + `</Rule>`), "MalformedXML", malformed},
		{"missing Destination", doc(`<Rule><Status>Enabled</Status><Prefix>a</Prefix></Rule>`), "MalformedXML", malformed},
		{"missing Destination/Bucket", doc(`<Rule><Status>Enabled</Status><Prefix>a</Prefix><Destination><Account>1</Account></Destination></Rule>`), "MalformedXML", malformed},
		{"neither Prefix nor Filter", doc(`<Rule><Status>Enabled</Status>` + dest + `</Rule>`), "MalformedXML", malformed},
		{"both Prefix and Filter", doc(`<Rule><Priority>1</Priority><Prefix>a</Prefix><Filter/><Status>Enabled</Status>` + dest + dmrOn + `</Rule>`), "MalformedXML", malformed},
		{"Filter with Prefix and Tag", doc(v2("a", "1", `<Filter><Prefix>p</Prefix>`+tagK+`</Filter>`, "", "")), "MalformedXML", malformed},
		{"Filter with Tag and And", doc(v2("a", "1", `<Filter>`+tagK+`<And><Prefix>p</Prefix>`+tagK+`</And></Filter>`, "", "")), "MalformedXML", malformed},
		{"Filter with two Tags", doc(v2("a", "1", `<Filter>`+tagK+tagK+`</Filter>`, "", "")), "MalformedXML", malformed},
		{"And with one tag", doc(v2("a", "1", `<Filter><And>`+tagK+`</And></Filter>`, "", "")), "MalformedXML", malformed},
		{"And with only a prefix", doc(v2("a", "1", `<Filter><And><Prefix>p</Prefix></And></Filter>`, "", "")), "MalformedXML", malformed},
		{"Tag without Value", doc(v2("a", "1", `<Filter><Tag><Key>k</Key></Tag></Filter>`, "", "")), "MalformedXML", malformed},
		{"Priority not an integer", doc(v2("a", "one", `<Filter/>`, "", "")), "MalformedXML", malformed},
		{"bad DeleteMarkerReplication status", doc(v2("a", "1", `<Filter/>`, "", `<DeleteMarkerReplication><Status>On</Status></DeleteMarkerReplication>`)), "MalformedXML", malformed},
		{"DeleteMarkerReplication without Status", doc(v2("a", "1", `<Filter/>`, "", `<DeleteMarkerReplication></DeleteMarkerReplication>`)), "MalformedXML", malformed},
		{"bad StorageClass", doc(v2("a", "1", `<Filter/>`, withDest(`<StorageClass>COLD</StorageClass>`), "")), "MalformedXML", malformed},
		{"Owner not Destination", doc(v2("a", "1", `<Filter/>`, withDest(`<Account>1</Account><AccessControlTranslation><Owner>Source</Owner></AccessControlTranslation>`), "")), "MalformedXML", malformed},
		{"empty SourceSelectionCriteria", doc(v2("a", "1", `<Filter/>`, "", `<SourceSelectionCriteria/>`)), "MalformedXML", malformed},
		{"ReplicationTime without Time", doc(v2("a", "1", `<Filter/>`, withDest(`<ReplicationTime><Status>Enabled</Status></ReplicationTime>`+metrics), "")), "MalformedXML", malformed},
		{"element inside a leaf", doc(v2("a", "1", `<Filter/>`, withDest(`<Account>1<x/></Account>`), "")), "MalformedXML", malformed},
		{"oversize", doc(v1) + strings.Repeat(" ", MaxDocumentSize), "MalformedXML", malformed},

		// InvalidArgument.
		{"bucket is a name", doc(v2("a", "1", `<Filter/>`, `<Destination><Bucket>dst</Bucket></Destination>`, "")), "InvalidArgument", "Invalid bucket ARN."},
		{"bucket ARN of an object", doc(v2("a", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::dst/key</Bucket></Destination>`, "")), "InvalidArgument", "Invalid bucket ARN."},
		{"bucket ARN without name", doc(v2("a", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::</Bucket></Destination>`, "")), "InvalidArgument", "Invalid bucket ARN."},
		{"duplicate IDs", doc(v2("a", "1", `<Filter/>`, "", ""), v2("a", "2", `<Filter/>`, "", "")), "InvalidArgument", "Rule Id must be unique."},
		{"ID too long", doc(v2(strings.Repeat("i", 256), "1", `<Filter/>`, "", "")), "InvalidArgument", msgIDTooLong},
		{"filter prefix too long", doc(v2("a", "1", `<Filter><Prefix>`+strings.Repeat("p", 1025)+`</Prefix></Filter>`, "", "")), "InvalidArgument", msgPrefixTooLong},
		{"V1 prefix too long", doc(`<Rule><Status>Enabled</Status><Prefix>` + strings.Repeat("p", 1025) + `</Prefix>` + dest + `</Rule>`), "InvalidArgument", msgPrefixTooLong},
		{"event threshold without RTC", doc(v2("a", "1", `<Filter/>`, withDest(metrics), "")), "InvalidArgument", "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled"},
		{"event threshold with RTC disabled", doc(v2("a", "1", `<Filter/>`, withDest(`<ReplicationTime><Status>Disabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>`+metrics), "")), "InvalidArgument", "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled"},

		// InvalidRequest.
		{"V2 without Priority", doc(`<Rule><Filter/><Status>Enabled</Status>` + dest + dmrOn + `</Rule>`), "InvalidRequest",
			"Priority must be specified for this version of Cross Region Replication configuration schema." + guide},
		{"V2 without DeleteMarkerReplication", doc(`<Rule><Priority>1</Priority><Filter/><Status>Enabled</Status>` + dest + `</Rule>`), "InvalidRequest",
			"DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema." + guide},
		{"V1 and V2 mixed", doc(v1, v2("b", "1", `<Filter/>`, "", "")), "InvalidRequest",
			"Priority cannot be used for this version of Cross Region Replication configuration schema." + guide},
		{"V1 with Priority", doc(`<Rule><Priority>1</Priority><Status>Enabled</Status><Prefix>a</Prefix>` + dest + `</Rule>`), "InvalidRequest",
			"Priority cannot be used for this version of Cross Region Replication configuration schema." + guide},
		{"V1 with ReplicaModifications", doc(`<Rule><Status>Enabled</Status><Prefix>a</Prefix><SourceSelectionCriteria><ReplicaModifications><Status>Enabled</Status></ReplicaModifications></SourceSelectionCriteria>` + dest + `</Rule>`), "InvalidRequest",
			"ReplicaModifications cannot be used for this version of Cross Region Replication configuration schema." + guide},
		{"V1 with two destinations", doc(v1, `<Rule><Status>Enabled</Status><Prefix>b</Prefix><Destination><Bucket>arn:aws:s3:::other</Bucket></Destination></Rule>`), "InvalidRequest",
			"Number of distinct destination bucket ARNs cannot exceed 1"},
		{"duplicate priority, same destination", doc(v2("a", "1", `<Filter/>`, "", ""), v2("b", "1", `<Filter><Prefix>x</Prefix></Filter>`, "", "")), "InvalidRequest", "Found duplicate priority 1."},
		{"negative priority", doc(v2("a", "-1", `<Filter/>`, "", "")), "InvalidRequest", msgPriorityRange},
		{"priority above int32", doc(v2("a", "2147483648", `<Filter/>`, "", "")), "InvalidRequest", msgPriorityRange},
		{"duplicate tag keys", doc(v2("a", "1", `<Filter><And>`+tagK+`<Tag><Key>k</Key><Value>w</Value></Tag></And></Filter>`, "", "")), "InvalidRequest", "Duplicate Tag Keys are not allowed."},
		{"tag filter with delete markers", doc(v2("a", "1", `<Filter>`+tagK+`</Filter>`, "", dmrOn)), "InvalidRequest",
			"Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information."},
		{"And tag filter with delete markers", doc(v2("a", "1", `<Filter><And><Prefix>p</Prefix>`+tagK+`</And></Filter>`, "", dmrOn)), "InvalidRequest",
			"Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information."},
		{"too many rules", doc(strings.Repeat(v1, MaxRules+1)), "InvalidRequest", msgTooManyRules},
		{"owner override without account", doc(v2("a", "1", `<Filter/>`, withDest(`<AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>`), "")), "InvalidRequest",
			"Destination Account must be specified when AccessControlTranslation is specified"},
		{"SSE-KMS without key", doc(v2("a", "1", `<Filter/>`, "", kmsOn)), "InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."},
		{"SSE-KMS with empty key", doc(v2("a", "1", `<Filter/>`, withDest(`<EncryptionConfiguration><ReplicaKmsKeyID></ReplicaKmsKeyID></EncryptionConfiguration>`), kmsOn)), "InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."},
		{"key without SSE-KMS criteria", doc(v2("a", "1", `<Filter/>`, withDest(`<EncryptionConfiguration><ReplicaKmsKeyID>k</ReplicaKmsKeyID></EncryptionConfiguration>`), "")), "InvalidRequest", "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present."},
		{"RTC without Metrics", doc(v2("a", "1", `<Filter/>`, withDest(rtc), "")), "InvalidRequest", msgRTCNeedsMetrics},
		{"RTC minutes not 15", doc(v2("a", "1", `<Filter/>`, withDest(`<ReplicationTime><Status>Enabled</Status><Time><Minutes>10</Minutes></Time></ReplicationTime>`+metrics), "")), "InvalidRequest", msgRTCMinutes},
		{"RTC without minutes", doc(v2("a", "1", `<Filter/>`, withDest(`<ReplicationTime><Status>Enabled</Status><Time></Time></ReplicationTime>`+metrics), "")), "InvalidRequest", msgRTCMinutes},
		{"metrics threshold not 15", doc(v2("a", "1", `<Filter/>`, withDest(rtc+`<Metrics><Status>Enabled</Status><EventThreshold><Minutes>30</Minutes></EventThreshold></Metrics>`), "")), "InvalidRequest", msgMetricsMinutes},
		{"RTC enabled, metrics without threshold", doc(v2("a", "1", `<Filter/>`, withDest(rtc+`<Metrics><Status>Enabled</Status></Metrics>`), "")), "InvalidRequest", msgRTCNeedsEvent},

		// InvalidTag.
		{"empty tag key", doc(v2("a", "1", `<Filter><Tag><Key></Key><Value>v</Value></Tag></Filter>`, "", "")), "InvalidTag", msgBadTagKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			var e *s3err.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *s3err.Error", err, err)
			}
			if e.Code != tc.code || e.Message != tc.msg {
				t.Fatalf("got %s %q, want %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if e.Status() != 400 {
				t.Fatalf("status %d, want 400", e.Status())
			}
		})
	}
}

func TestParseInvalidArgumentExtras(t *testing.T) {
	_, err := Parse([]byte(doc(v2("a", "1", `<Filter/>`, `<Destination><Bucket>dst</Bucket></Destination>`, ""))))
	e := s3err.As(err)
	if e.Extra["ArgumentName"] != "Bucket" || e.Extra["ArgumentValue"] != "dst" {
		t.Fatalf("extras %v", e.Extra)
	}
}
