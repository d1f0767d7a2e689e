package replconf

import (
	"reflect"
	"testing"
)

func TestMarshalExact(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{{
		name: "cross-account guide, empty filter",
		in: doc(`<Rule><DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication><Status>Enabled</Status><Filter/><Priority>1</Priority><ID>CrossAccountReplicationRule</ID>` +
			`<Destination><AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation><Account>444455556666</Account><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`),
		want: `<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Role>` + testRole + `</Role>` +
			`<Rule><ID>CrossAccountReplicationRule</ID><Priority>1</Priority><Filter></Filter><Status>Enabled</Status>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><Account>444455556666</Account><AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation></Destination>` +
			`<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication></Rule></ReplicationConfiguration>`,
	}, {
		name: "empty prefix filter kept as given, V1 rule",
		in:   doc(v2("a", "1", `<Filter><Prefix></Prefix></Filter>`, "", "")),
		want: doc(`<Rule><ID>a</ID><Priority>1</Priority><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`),
	}, {
		name: "V1",
		in:   doc(`<Rule><Status>Enabled</Status><Prefix></Prefix><ID>v1</ID><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`),
		want: doc(`<Rule><ID>v1</ID><Prefix></Prefix><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination></Rule>`),
	}, {
		name: "And, tag, escaping and every member",
		in: doc(v2("a&amp;b", "2", `<Filter><And><Tag><Key>k</Key><Value>&lt;v&gt;</Value></Tag><Prefix>Tax/</Prefix><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter>`,
			`<Destination><Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics><ReplicationTime><Time><Minutes>15</Minutes></Time><Status>Enabled</Status></ReplicationTime>`+
				`<EncryptionConfiguration><ReplicaKmsKeyID>key</ReplicaKmsKeyID></EncryptionConfiguration><StorageClass>STANDARD</StorageClass><Bucket>arn:aws:s3:::dst</Bucket></Destination>`,
			`<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication><SourceSelectionCriteria><ReplicaModifications><Status>Disabled</Status></ReplicaModifications><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>`),
			v2("t", "3", `<Filter><Tag><Key>x</Key><Value>y</Value></Tag></Filter>`, "", "")),
		want: doc(`<Rule><ID>a&amp;b</ID><Priority>2</Priority><Filter><And><Prefix>Tax/</Prefix><Tag><Key>k</Key><Value>&lt;v&gt;</Value></Tag><Tag><Key>k2</Key><Value>v2</Value></Tag></And></Filter><Status>Enabled</Status>` +
			`<SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects><ReplicaModifications><Status>Disabled</Status></ReplicaModifications></SourceSelectionCriteria>` +
			`<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket><StorageClass>STANDARD</StorageClass><EncryptionConfiguration><ReplicaKmsKeyID>key</ReplicaKmsKeyID></EncryptionConfiguration>` +
			`<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime><Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics></Destination>` +
			`<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>` +
			`<Rule><ID>t</ID><Priority>3</Priority><Filter><Tag><Key>x</Key><Value>y</Value></Tag></Filter><Status>Enabled</Status>` +
			`<Destination><Bucket>arn:aws:s3:::dst</Bucket></Destination><DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`),
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(c.Marshal()); got != tc.want {
				t.Fatalf("Marshal:\n got %s\nwant %s", got, tc.want)
			}
			roundTrip(t, c)
		})
	}
}

// roundTrip checks Parse(c.Marshal()) == c.
func roundTrip(t testing.TB, c *Config) {
	t.Helper()
	out := c.Marshal()
	back, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Marshal) failed: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("Parse(Marshal(c)) != c\n got %+v\nwant %+v\n%s", back, c, out)
	}
}

func TestRoundTripConstructed(t *testing.T) {
	c := &Config{Role: testRole, Rules: []Rule{{
		ID: "one", Priority: 5, HasPriority: true, Status: "Enabled",
		Filter:                  &Filter{Prefix: "logs/", HasPrefix: true, And: true, Tags: []Tag{{"a", "1"}}},
		DeleteMarkerReplication: "Disabled",
		Destination:             Destination{Bucket: "arn:aws:s3:::b1", Account: "444455556666", OwnerOverride: true},
	}, {
		ID: "two", Priority: 1, HasPriority: true, Status: "Disabled", Filter: &Filter{},
		DeleteMarkerReplication: "Enabled",
		Destination:             Destination{Bucket: "arn:aws:s3:::b2"},
	}}}
	roundTrip(t, c)
}
