package isolation

import (
	"net/http"
	"testing"
)

// Tag conditions are evaluated from the object's stored tags and from the
// tags a write asks for.
func TestTagConditions(t *testing.T) {
	e := start(t)
	e.must(&e.owner, "PUT", "/tags", nil, nil)
	e.must(&e.owner, "PUT", "/tags/blue", map[string]string{"x-amz-tagging": "team=blue"}, []byte("b"))
	e.must(&e.owner, "PUT", "/tags/red", map[string]string{"x-amz-tagging": "team=red"}, []byte("r"))
	policy := `{"Version":"2012-10-17","Statement":[
{"Sid":"ReadBlue","Effect":"Allow","Principal":{"AWS":"` + e.otherA + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::tags/*",
 "Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"blue"}}},
{"Sid":"WriteBlue","Effect":"Allow","Principal":{"AWS":"` + e.otherA + `"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::tags/inbox/*",
 "Condition":{"StringEquals":{"s3:RequestObjectTag/team":"blue"}}}]}`
	e.must(&e.owner, "PUT", "/tags?policy", nil, []byte(policy))
	for _, c := range []struct {
		method, target string
		hdr            map[string]string
		body           string
		want           int
	}{
		{"GET", "/tags/blue", nil, "", http.StatusOK},
		{"GET", "/tags/red", nil, "", http.StatusForbidden},
		{"PUT", "/tags/inbox/a", map[string]string{"x-amz-tagging": "team=blue"}, "a", http.StatusOK},
		{"PUT", "/tags/inbox/b", map[string]string{"x-amz-tagging": "team=red"}, "b", http.StatusForbidden},
		{"PUT", "/tags/inbox/c", nil, "c", http.StatusForbidden},
	} {
		if r := e.do(&e.other, c.method, c.target, c.hdr, []byte(c.body)); r.status != c.want {
			t.Errorf("%s %s %v: %d, want %d: %s", c.method, c.target, c.hdr, r.status, c.want, r.body)
		}
	}
	// Retagging the object changes the decision.
	e.must(&e.owner, "PUT", "/tags/red?tagging", nil, []byte(`<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>`))
	if r := e.do(&e.other, "GET", "/tags/red", nil, nil); r.status != http.StatusOK {
		t.Errorf("after retagging: %d %s", r.status, r.body)
	}
}
