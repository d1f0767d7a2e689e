package replconf

import (
	"errors"
	"testing"

	"github.com/ferrys3/ferry/internal/s3err"
)

// FuzzParse checks that Parse never panics, fails only with *s3err.Error,
// and that whatever it accepts survives Marshal and Parse unchanged, and
// that Match does not panic on it.
func FuzzParse(f *testing.F) {
	seeds := []string{
		doc(v2("CrossAccountReplicationRule", "1", `<Filter/>`,
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><Account>444455556666</Account><AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation></Destination>`,
			`<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>`)),
		doc(`<Rule><Status>Enabled</Status><Prefix>legacy/</Prefix><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`),
		doc(`<Rule><Status>Enabled</Status><Prefix></Prefix><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`),
		doc(v2("a", "2", `<Filter><And><Prefix>Tax/</Prefix><Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter>`, "", "")),
		doc(v2("a", "1", `<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>`, "", ""), v2("", "2", `<Filter><Prefix></Prefix></Filter>`, "", "")),
		doc(v2("all", "7", `<Filter><Prefix>p</Prefix></Filter>`,
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><StorageClass>STANDARD</StorageClass><EncryptionConfiguration><ReplicaKmsKeyID>k</ReplicaKmsKeyID></EncryptionConfiguration>`+
				`<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime><Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination>`,
			`<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects><ReplicaModifications><Status>Enabled</Status></ReplicaModifications></SourceSelectionCriteria>`+
				`<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>`)),
		`<?xml version="1.0"?><!-- c --><ReplicationConfiguration><Role> r &amp; &#xD; </Role><Rule><Status>Disabled</Status><Prefix>&#x9;a&#xA;</Prefix><Destination><Bucket>arn:aws:s3:::d</Bucket></Destination></Rule></ReplicationConfiguration>`,
		doc(v2("a", "1", `<Filter/>`, "", ""), v2("a", "1", `<Filter/>`, "", "")),
		`<ReplicationConfiguration><Role>r</Role><Rule>`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) || e.Status() != 400 {
				t.Fatalf("error %v is not a 400 *s3err.Error", err)
			}
			return
		}
		roundTrip(t, c)
		c.Match("logs/x", map[string]string{"k": "v"}, false)
		c.Match("", nil, true)
	})
}
