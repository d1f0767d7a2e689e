package s3xml

import (
	"bytes"
	"encoding/xml"
	"testing"
)

func TestAccessControlPolicyWire(t *testing.T) {
	doc := AccessControlPolicy{NS: NS, Owner: &Owner{ID: "111122223333"}, Grants: []Grant{
		{Grantee: &Grantee{Type: "CanonicalUser", ID: "111122223333"}, Permission: "FULL_CONTROL"},
		{Grantee: &Grantee{Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers"}, Permission: "READ"},
	}}
	out, err := xml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>111122223333</ID></Owner>` +
		`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">` +
		`<ID>111122223333</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>` +
		`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">` +
		`<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>` +
		`</AccessControlList></AccessControlPolicy>`
	if string(out) != want {
		t.Errorf("marshal:\n got  %s\n want %s", out, want)
	}
	// What the SDKs send, and the same with another prefix for the
	// schema-instance namespace.
	for _, in := range []string{want, `<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="Group"><URI>u</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList><Owner><ID>o</ID></Owner></AccessControlPolicy>`} {
		var got AccessControlPolicy
		if err := Decode(bytes.NewReader([]byte(in)), "AccessControlPolicy", &got); err != nil {
			t.Fatalf("decode %s: %v", in, err)
		}
		if got.Owner == nil || got.Owner.ID == "" || len(got.Grants) == 0 || got.Grants[len(got.Grants)-1].Grantee.Type != "Group" {
			t.Errorf("decode %s: %+v", in, got)
		}
	}
}
