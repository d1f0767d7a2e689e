package s3xml

import "encoding/xml"

// XSINS is the XML Schema instance namespace of a Grantee's xsi:type.
const XSINS = "http://www.w3.org/2001/XMLSchema-instance"

// AccessControlPolicy is the ACL document of GetBucketAcl / GetObjectAcl
// and the body of PutBucketAcl / PutObjectAcl.
type AccessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Owner   *Owner   `xml:"Owner"`
	Grants  []Grant  `xml:"AccessControlList>Grant"`
}

// Grant is one grant of an access control list.
type Grant struct {
	Grantee    *Grantee `xml:"Grantee"`
	Permission string   `xml:"Permission"`
}

// Grantee is who a grant is for; Type is its xsi:type (CanonicalUser,
// Group or AmazonCustomerByEmail).
type Grantee struct {
	Type         string
	ID           string
	DisplayName  string
	URI          string
	EmailAddress string
}

type granteeElems struct {
	ID           string `xml:"ID,omitempty"`
	DisplayName  string `xml:"DisplayName,omitempty"`
	URI          string `xml:"URI,omitempty"`
	EmailAddress string `xml:"EmailAddress,omitempty"`
}

// MarshalXML writes the grantee with its xsi:type, as S3 does:
// <Grantee xmlns:xsi="…" xsi:type="CanonicalUser"><ID>…</ID></Grantee>.
func (g Grantee) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns:xsi"}, Value: XSINS}, {Name: xml.Name{Local: "xsi:type"}, Value: g.Type}}
	return e.EncodeElement(granteeElems{ID: g.ID, DisplayName: g.DisplayName, URI: g.URI, EmailAddress: g.EmailAddress}, start)
}

// UnmarshalXML reads a grantee; the type attribute is accepted with any
// namespace prefix.
func (g *Grantee) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for _, a := range start.Attr {
		if a.Name.Local == "type" {
			g.Type = a.Value
		}
	}
	var el granteeElems
	if err := d.DecodeElement(&el, &start); err != nil {
		return err
	}
	g.ID, g.DisplayName, g.URI, g.EmailAddress = el.ID, el.DisplayName, el.URI, el.EmailAddress
	return nil
}

// PublicAccessBlockConfiguration is the S3 Block Public Access document;
// a missing element is false.
type PublicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	NS                    string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// OwnershipControls is the Object Ownership document.
type OwnershipControls struct {
	XMLName xml.Name                `xml:"OwnershipControls"`
	NS      string                  `xml:"xmlns,attr,omitempty"`
	Rules   []OwnershipControlsRule `xml:"Rule"`
}

// OwnershipControlsRule is the one rule of OwnershipControls.
type OwnershipControlsRule struct {
	ObjectOwnership string `xml:"ObjectOwnership"`
}

// PolicyStatus is the GetBucketPolicyStatus response.
type PolicyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	NS       string   `xml:"xmlns,attr,omitempty"`
	IsPublic bool     `xml:"IsPublic"`
}
