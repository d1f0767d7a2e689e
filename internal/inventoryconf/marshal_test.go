package inventoryconf

import (
	"reflect"
	"testing"
)

// roundTrip checks that c survives Marshal and Parse unchanged.
func roundTrip(t *testing.T, c *Config) {
	t.Helper()
	again, err := Parse(c.Marshal(), c.ID)
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v\n%s", err, c.Marshal())
	}
	if !reflect.DeepEqual(again, c) {
		t.Fatalf("round trip changed the config:\n got  %+v\n want %+v\n%s", again, c, c.Marshal())
	}
}

func TestMarshalGolden(t *testing.T) {
	c := &Config{ID: "inv1", IsEnabled: true,
		Destination: Destination{Bucket: "arn:aws:s3:::inv-dst", AccountID: "111122223333", Format: "CSV", Prefix: "a&b",
			Encryption: &Encryption{KMSKeyID: "k"}},
		Filter: &Filter{Prefix: "Tax/"}, IncludedObjectVersions: "All",
		OptionalFields: []string{"Size", "ETag"}, Frequency: "Weekly"}
	want := `<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Destination><S3BucketDestination><AccountId>111122223333</AccountId><Bucket>arn:aws:s3:::inv-dst</Bucket>` +
		`<Encryption><SSE-KMS><KeyId>k</KeyId></SSE-KMS></Encryption><Format>CSV</Format><Prefix>a&amp;b</Prefix>` +
		`</S3BucketDestination></Destination><IsEnabled>true</IsEnabled><Filter><Prefix>Tax/</Prefix></Filter>` +
		`<Id>inv1</Id><IncludedObjectVersions>All</IncludedObjectVersions>` +
		`<OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>` +
		`<Schedule><Frequency>Weekly</Frequency></Schedule></InventoryConfiguration>`
	if got := string(c.Marshal()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	roundTrip(t, c)

	min := &Config{ID: "m", Destination: Destination{Bucket: "arn:aws:s3:::d", Format: "CSV", Encryption: &Encryption{SSES3: true}},
		IncludedObjectVersions: "Current", Frequency: "Daily"}
	want = `<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Destination><S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Encryption><SSE-S3></SSE-S3></Encryption>` +
		`<Format>CSV</Format></S3BucketDestination></Destination><IsEnabled>false</IsEnabled><Id>m</Id>` +
		`<IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>`
	if got := string(min.Marshal()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	roundTrip(t, min)
}

func TestMarshalList(t *testing.T) {
	a := &Config{ID: "a", Destination: Destination{Bucket: "arn:aws:s3:::d", Format: "CSV"}, IncludedObjectVersions: "All", Frequency: "Daily"}
	item := `<InventoryConfiguration><Destination><S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>CSV</Format>` +
		`</S3BucketDestination></Destination><IsEnabled>false</IsEnabled><Id>a</Id>` +
		`<IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>`
	cases := []struct {
		configs   []*Config
		tok, next string
		truncated bool
		want      string
	}{
		{nil, "", "", false, `<IsTruncated>false</IsTruncated>`},
		{[]*Config{a, a}, "", "n1", true, item + item + `<IsTruncated>true</IsTruncated><NextContinuationToken>n1</NextContinuationToken>`},
		{[]*Config{a}, "n1", "", false, `<ContinuationToken>n1</ContinuationToken>` + item + `<IsTruncated>false</IsTruncated>`},
	}
	for _, tc := range cases {
		want := `<ListInventoryConfigurationsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + tc.want + `</ListInventoryConfigurationsResult>`
		if got := string(MarshalList(tc.configs, tc.tok, tc.next, tc.truncated)); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	}
}
