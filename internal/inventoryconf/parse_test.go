package inventoryconf

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ferrys3/ferry/internal/s3err"
)

// doc builds an InventoryConfiguration as botocore serializes it, with the
// given destination and extra members; empty arguments take defaults.
func doc(id, dest, extra string) string {
	if dest == "" {
		dest = `<S3BucketDestination><Bucket>arn:aws:s3:::inv-dst</Bucket><Format>CSV</Format></S3BucketDestination>`
	}
	if !strings.Contains(extra, "<Schedule>") {
		extra += `<Schedule><Frequency>Daily</Frequency></Schedule>`
	}
	if !strings.Contains(extra, "<IncludedObjectVersions>") {
		extra += `<IncludedObjectVersions>Current</IncludedObjectVersions>`
	}
	if !strings.Contains(extra, "<IsEnabled>") {
		extra += `<IsEnabled>true</IsEnabled>`
	}
	return `<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Destination>` + dest +
		`</Destination><Id>` + id + `</Id>` + extra + `</InventoryConfiguration>`
}

func TestParseValid(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want *Config
	}{{
		// aws s3api put-bucket-inventory-configuration as in the seed guide,
		// in botocore's serialization order.
		name: "full, botocore order",
		doc: `<?xml version="1.0" encoding="UTF-8"?>
<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Destination><S3BucketDestination><AccountId>111122223333</AccountId><Bucket>arn:aws:s3:::inv-dst</Bucket><Encryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:111122223333:key/k</KeyId></SSE-KMS></Encryption><Format>CSV</Format><Prefix>inventory</Prefix></S3BucketDestination></Destination><IsEnabled>true</IsEnabled><Filter><Prefix>Tax/</Prefix></Filter><Id>inv1</Id><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field><Field>ReplicationStatus</Field></OptionalFields><Schedule><Frequency>Weekly</Frequency></Schedule></InventoryConfiguration>`,
		want: &Config{ID: "inv1", IsEnabled: true,
			Destination: Destination{Bucket: "arn:aws:s3:::inv-dst", AccountID: "111122223333", Format: "CSV", Prefix: "inventory",
				Encryption: &Encryption{KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k"}},
			Filter: &Filter{Prefix: "Tax/"}, IncludedObjectVersions: "All",
			OptionalFields: []string{"Size", "ETag", "ReplicationStatus"}, Frequency: "Weekly"},
	}, {
		name: "API reference example order, no namespace, SSE-S3, ORC",
		doc: `<InventoryConfiguration><Id>report1</Id><IsEnabled>false</IsEnabled><Destination><S3BucketDestination>` +
			`<Format>ORC</Format><Bucket>arn:aws:s3:::destination-bucket</Bucket><Encryption><SSE-S3/></Encryption>` +
			`</S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>` +
			`<Filter><Prefix></Prefix></Filter><IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields/></InventoryConfiguration>`,
		want: &Config{ID: "report1", Destination: Destination{Bucket: "arn:aws:s3:::destination-bucket", Format: "ORC",
			Encryption: &Encryption{SSES3: true}}, Filter: &Filter{}, IncludedObjectVersions: "Current", Frequency: "Daily"},
	}, {
		name: "minimal, Parquet, id charset",
		doc:  doc("A-z_0.9", `<S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>Parquet</Format></S3BucketDestination>`, ""),
		want: &Config{ID: "A-z_0.9", IsEnabled: true, Destination: Destination{Bucket: "arn:aws:s3:::d", Format: "Parquet"},
			IncludedObjectVersions: "Current", Frequency: "Daily"},
	}, {
		name: "every optional field, empty Encryption",
		doc: doc(strings.Repeat("x", 64), `<S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>CSV</Format><Encryption/></S3BucketDestination>`,
			`<OptionalFields><Field>`+strings.Join(OptionalFieldNames, "</Field><Field>")+`</Field></OptionalFields>`),
		want: &Config{ID: strings.Repeat("x", 64), IsEnabled: true, Destination: Destination{Bucket: "arn:aws:s3:::d", Format: "CSV"},
			IncludedObjectVersions: "Current", Frequency: "Daily", OptionalFields: OptionalFieldNames},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.doc), tc.want.ID)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(c, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", c, tc.want)
			}
			roundTrip(t, c)
		})
	}
}

func TestParseErrors(t *testing.T) {
	dest := func(inner string) string { return `<S3BucketDestination>` + inner + `</S3BucketDestination>` }
	okDest := `<Bucket>arn:aws:s3:::d</Bucket><Format>CSV</Format>`
	cases := []struct {
		name, doc, id, code, msg string
	}{
		{"not xml", "nope", "a", "MalformedXML", ""},
		{"empty", "", "a", "MalformedXML", ""},
		{"wrong root", `<ReplicationConfiguration/>`, "a", "MalformedXML", ""},
		{"two roots", doc("a", "", "") + doc("a", "", ""), "a", "MalformedXML", ""},
		{"trailing text", doc("a", "", "") + "x", "a", "MalformedXML", ""},
		{"doctype", `<!DOCTYPE x>` + doc("a", "", ""), "a", "MalformedXML", ""},
		{"unknown root element", doc("a", "", "<Bogus/>"), "a", "MalformedXML", ""},
		{"unknown dest element", doc("a", dest(okDest+"<Bogus/>"), ""), "a", "MalformedXML", ""},
		{"child in leaf", doc("a", "", "<IsEnabled>true<x/></IsEnabled>"), "a", "MalformedXML", ""},
		{"repeated Id", doc("a", "", "<Id>a</Id>"), "a", "MalformedXML", ""},
		{"missing Id", strings.Replace(doc("a", "", ""), "<Id>a</Id>", "", 1), "a", "MalformedXML", ""},
		{"empty Id", doc("", "", ""), "", "MalformedXML", ""},
		{"Id with space", doc("a b", "", ""), "a b", "MalformedXML", ""},
		{"Id with slash", doc("a/b", "", ""), "a/b", "MalformedXML", ""},
		{"Id too long", doc(strings.Repeat("x", 65), "", ""), strings.Repeat("x", 65), "MalformedXML", ""},
		{"missing IsEnabled", strings.Replace(doc("a", "", ""), "<IsEnabled>true</IsEnabled>", "", 1), "a", "MalformedXML", ""},
		{"bad IsEnabled", doc("a", "", "<IsEnabled>yes</IsEnabled>"), "a", "MalformedXML", ""},
		{"missing Destination", `<InventoryConfiguration><Id>a</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>`, "a", "MalformedXML", ""},
		{"missing S3BucketDestination", doc("a", "<Bogus/>", ""), "a", "MalformedXML", ""},
		{"missing Bucket", doc("a", dest("<Format>CSV</Format>"), ""), "a", "MalformedXML", ""},
		{"missing Format", doc("a", dest("<Bucket>arn:aws:s3:::d</Bucket>"), ""), "a", "MalformedXML", ""},
		{"bad Format", doc("a", dest("<Bucket>arn:aws:s3:::d</Bucket><Format>csv</Format>"), ""), "a", "MalformedXML", ""},
		{"both encryptions", doc("a", dest(okDest+"<Encryption><SSE-S3/><SSE-KMS><KeyId>k</KeyId></SSE-KMS></Encryption>"), ""), "a", "MalformedXML", ""},
		{"KMS without key", doc("a", dest(okDest+"<Encryption><SSE-KMS></SSE-KMS></Encryption>"), ""), "a", "MalformedXML", ""},
		{"KMS empty key", doc("a", dest(okDest+"<Encryption><SSE-KMS><KeyId></KeyId></SSE-KMS></Encryption>"), ""), "a", "MalformedXML", ""},
		{"SSE-S3 with content", doc("a", dest(okDest+"<Encryption><SSE-S3>x</SSE-S3></Encryption>"), ""), "a", "MalformedXML", ""},
		{"Filter without Prefix", doc("a", "", "<Filter/>"), "a", "MalformedXML", ""},
		{"Filter with Tag", doc("a", "", "<Filter><Prefix>p</Prefix><Tag/></Filter>"), "a", "MalformedXML", ""},
		{"bad versions", doc("a", "", "<IncludedObjectVersions>Latest</IncludedObjectVersions>"), "a", "MalformedXML", ""},
		{"missing Schedule", `<InventoryConfiguration><Id>a</Id><IsEnabled>true</IsEnabled><Destination>` + dest(okDest) + `</Destination><IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>`, "a", "MalformedXML", ""},
		{"bad Frequency", doc("a", "", "<Schedule><Frequency>Hourly</Frequency></Schedule>"), "a", "MalformedXML", ""},
		{"unknown optional field", doc("a", "", "<OptionalFields><Field>Size</Field><Field>Tags</Field></OptionalFields>"), "a", "MalformedXML", ""},
		{"optional field case", doc("a", "", "<OptionalFields><Field>size</Field></OptionalFields>"), "a", "MalformedXML", ""},
		{"id mismatch", doc("a", "", ""), "b", "IdMismatch", "Document ID does not match the specified configuration ID."},
		{"id missing from query", doc("a", "", ""), "", "IdMismatch", ""},
		{"bucket not ARN", doc("a", dest("<Bucket>inv-dst</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", "Invalid bucket ARN."},
		{"bucket ARN with account", doc("a", dest("<Bucket>arn:aws:s3::111122223333:d</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", "Bucket ARN should not specify a namespace."},
		{"bucket ARN with region", doc("a", dest("<Bucket>arn:aws:s3:us-east-1::d</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", ""},
		{"object ARN", doc("a", dest("<Bucket>arn:aws:s3:::d/k</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", ""},
		{"empty bucket name", doc("a", dest("<Bucket>arn:aws:s3:::</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", ""},
		{"other service", doc("a", dest("<Bucket>arn:aws:sqs:::d</Bucket><Format>CSV</Format>"), ""), "a", "InvalidS3DestinationBucket", ""},
		{"too large", doc("a", "", "<!--"+strings.Repeat("x", MaxDocumentSize)+"-->"), "a", "MalformedXML", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), tc.id)
			var e *s3err.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *s3err.Error", err)
			}
			if e.Code != tc.code || e.Status() != 400 {
				t.Fatalf("got %s (%d) %q, want %s", e.Code, e.Status(), e.Message, tc.code)
			}
			if tc.msg != "" && e.Message != tc.msg {
				t.Fatalf("message %q, want %q", e.Message, tc.msg)
			}
		})
	}
}

// The schema is checked before the id: a malformed document with another
// id is MalformedXML; a wrong id wins over a bad bucket ARN.
func TestParseErrorOrder(t *testing.T) {
	_, err := Parse([]byte(doc("a", "", "<Bogus/>")), "b")
	if s3err.As(err).Code != "MalformedXML" {
		t.Fatalf("got %v", err)
	}
	_, err = Parse([]byte(doc("a", `<S3BucketDestination><Bucket>x</Bucket><Format>CSV</Format></S3BucketDestination>`, "")), "b")
	if s3err.As(err).Code != "IdMismatch" {
		t.Fatalf("got %v", err)
	}
}

func TestHelpers(t *testing.T) {
	c, err := Parse([]byte(doc("a", "", `<Filter><Prefix>p/</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>ETag</Field></OptionalFields>`)), "a")
	if err != nil {
		t.Fatal(err)
	}
	if c.Destination.BucketName() != "inv-dst" || !c.AllVersions() || c.FilterPrefix() != "p/" || !c.HasField("ETag") || c.HasField("Size") {
		t.Fatalf("helpers wrong on %+v", c)
	}
	if (Destination{Bucket: "plain"}).BucketName() != "plain" || (&Config{}).FilterPrefix() != "" {
		t.Fatal("helpers wrong on edge values")
	}
}
