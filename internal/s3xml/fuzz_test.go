package s3xml

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// The fuzz targets feed arbitrary bytes to Decode for each request document
// ferry accepts. Decode must never panic, must honour MaxBody, and whatever
// it accepts must marshal again and decode back to the same content (the
// server echoes these values in responses and stores them).

func addSeeds(f *testing.F, seeds ...string) {
	f.Helper()
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// Generic malformed and hostile inputs, for every target.
	for _, s := range []string{
		"", " ", "<", "<>", "</x>", "<?xml version=\"1.0\"?>", "<!-- only a comment -->",
		"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
		"<x><y>&amp;&lt;&#x41;&#0;</y></x>",
		"\xef\xbb\xbf<x/>", "<x>\xff\xfe</x>", "<x:y xmlns:x=\"urn:a\"/>", "<x/><x/>", "<x/>trailing",
		"<x><![CDATA[<not markup>]]></x>",
		strings.Repeat("<x>", 200) + strings.Repeat("</x>", 200),
	} {
		f.Add([]byte(s))
	}
}

// roundTrip marshals v and decodes the result into fresh (a new value of
// v's type) under root, failing t if either step fails.
func roundTrip(t *testing.T, root string, v any, fresh any) {
	t.Helper()
	out, err := xml.Marshal(v)
	if err != nil {
		t.Fatalf("re-marshal of an accepted document failed: %v (value %#v)", err, v)
	}
	if err := Decode(bytes.NewReader(out), root, fresh); err != nil {
		t.Fatalf("Decode rejects its own re-marshalled document %q: %v", out, err)
	}
}

// checkLimit asserts that oversize input is never accepted.
func checkLimit(t *testing.T, data []byte, err error) {
	t.Helper()
	if err == nil && len(data) > MaxBody {
		t.Fatalf("accepted a %d-byte document (MaxBody %d)", len(data), MaxBody)
	}
	if err != nil && err != ErrMalformed {
		t.Fatalf("Decode returned %v, want ErrMalformed", err)
	}
}

func FuzzDecodeDelete(f *testing.F) {
	addSeeds(f,
		`<Delete><Object><Key>a</Key></Object></Delete>`,
		`<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>
  <Object><Key>dir/a b+c</Key><VersionId>3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId></Object>
  <Object><Key>&lt;k&gt;&amp;</Key></Object>
</Delete>`,
		`<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>`,
		`<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>`,
		`<Delete><Object></Object></Delete>`,
		`<Delete><Object><Key>a</Key></Object></Delete><!-- c --> `,
		`<Remove><Object><Key>a</Key></Object></Remove>`,
		`<Delete><Object><Key>a&#x0;b</Key></Object></Delete>`,
		`<Delete><Object><Key>line&#xD;&#xA;end</Key></Object></Delete>`,
	)
	// Over MaxBody (padding in a comment): must be refused.
	f.Add([]byte("<Delete><Object><Key>a</Key></Object><!--" + strings.Repeat("p", MaxBody) + "--></Delete>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Delete
		err := Decode(bytes.NewReader(data), "Delete", &d)
		checkLimit(t, data, err)
		if err != nil {
			return
		}
		var again Delete
		roundTrip(t, "Delete", d, &again)
		if !reflect.DeepEqual(d, again) {
			t.Fatalf("round trip changed the document:\n%#v\n%#v", d, again)
		}
	})
}

func FuzzDecodeComplete(f *testing.F) {
	addSeeds(f,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Part><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;</ETag><PartNumber>2</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
  <Part><PartNumber>3</PartNumber><ETag>x</ETag><ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256></Part>
</CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>abc</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>99999999999999999999</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber> 7 </PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part>`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		var c CompleteMultipartUpload
		err := Decode(bytes.NewReader(data), "CompleteMultipartUpload", &c)
		checkLimit(t, data, err)
		if err != nil {
			return
		}
		var again CompleteMultipartUpload
		roundTrip(t, "CompleteMultipartUpload", c, &again)
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("round trip changed the document:\n%#v\n%#v", c, again)
		}
	})
}

func FuzzDecodeTagging(f *testing.F) {
	addSeeds(f,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>
<Tag><Key>project</Key><Value>ferry</Value></Tag><Tag><Key>empty</Key><Value></Value></Tag></TagSet></Tagging>`,
		`<Tagging><TagSet></TagSet></Tagging>`,
		`<Tagging/>`,
		`<Tagging><TagSet><Tag><Key>a</Key></Tag><Tag><Key>a</Key></Tag></TagSet></Tagging>`,
		`<t:Tagging xmlns:t="urn:x"><t:TagSet><t:Tag><t:Key>k</t:Key></t:Tag></t:TagSet></t:Tagging>`,
		`<Tagging xmlns="a" xmlns="b"><TagSet/></Tagging>`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		var tg Tagging
		err := Decode(bytes.NewReader(data), "Tagging", &tg)
		checkLimit(t, data, err)
		if err != nil {
			return
		}
		// The server answers GetObjectTagging with this type.
		resp := Tagging{NS: NS, TagSet: tg.TagSet}
		var again Tagging
		roundTrip(t, "Tagging", resp, &again)
		if !reflect.DeepEqual(tg.TagSet, again.TagSet) && (len(tg.TagSet) != 0 || len(again.TagSet) != 0) {
			t.Fatalf("round trip changed the tags:\n%#v\n%#v", tg.TagSet, again.TagSet)
		}
		// Re-marshalling the decoded value as is must work too.
		if _, err := xml.Marshal(tg); err != nil {
			t.Fatalf("re-marshal of the decoded value failed: %v (%#v)", err, tg)
		}
	})
}

func FuzzDecodeCreateBucket(f *testing.F) {
	addSeeds(f,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint></LocationConstraint></CreateBucketConfiguration>`,
		`<CreateBucketConfiguration/>`,
		`<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint><LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>`,
		`<CreateBucketConfiguration><Bucket><Type>Directory</Type></Bucket></CreateBucketConfiguration>`,
		`<CreateBucketConfiguration><LocationConstraint>`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		var c CreateBucketConfiguration
		err := Decode(bytes.NewReader(data), "CreateBucketConfiguration", &c)
		checkLimit(t, data, err)
		if err != nil {
			return
		}
		var again CreateBucketConfiguration
		roundTrip(t, "CreateBucketConfiguration", c, &again)
		if c != again {
			t.Fatalf("round trip changed the document: %#v -> %#v", c, again)
		}
		// GetBucketLocation answers with the constraint as chardata.
		var loc LocationConstraint
		roundTrip(t, "LocationConstraint", LocationConstraint{NS: NS, Value: c.LocationConstraint}, &loc)
		if loc.Value != c.LocationConstraint {
			t.Fatalf("LocationConstraint round trip: %q -> %q", c.LocationConstraint, loc.Value)
		}
	})
}
