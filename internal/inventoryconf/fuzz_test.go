package inventoryconf

import (
	"errors"
	"testing"

	"github.com/ferrys3/ferry/internal/s3err"
)

// FuzzParse checks that Parse never panics, fails only with a 400
// *s3err.Error, and that whatever it accepts survives Marshal and Parse
// unchanged.
func FuzzParse(f *testing.F) {
	seeds := []string{
		doc("inv1", `<S3BucketDestination><AccountId>1</AccountId><Bucket>arn:aws:s3:::d</Bucket><Encryption><SSE-KMS><KeyId>k</KeyId></SSE-KMS></Encryption><Format>CSV</Format><Prefix>p</Prefix></S3BucketDestination>`,
			`<Filter><Prefix>a/</Prefix></Filter><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Weekly</Frequency></Schedule>`),
		doc("x.y-z", `<S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>Parquet</Format><Encryption><SSE-S3/></Encryption></S3BucketDestination>`, `<IncludedObjectVersions>All</IncludedObjectVersions>`),
		`<?xml version="1.0"?><!-- c --><InventoryConfiguration><Id>a</Id><IsEnabled> false </IsEnabled><Destination><S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>ORC</Format><Prefix>&#xD;&amp;</Prefix></S3BucketDestination></Destination><IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule><OptionalFields/></InventoryConfiguration>`,
		doc("a", `<S3BucketDestination><Bucket>arn:aws:s3::1:d</Bucket><Format>CSV</Format></S3BucketDestination>`, ""),
		`<InventoryConfiguration><Id>a</Id>`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "a")
	}
	f.Fuzz(func(t *testing.T, data []byte, id string) {
		c, err := Parse(data, id)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) || e.Status() != 400 {
				t.Fatalf("error %v is not a 400 *s3err.Error", err)
			}
			return
		}
		if c.ID != id || !validID(c.ID) {
			t.Fatalf("accepted id %q for query id %q", c.ID, id)
		}
		roundTrip(t, c)
		_ = MarshalList([]*Config{c}, id, id, true)
	})
}
