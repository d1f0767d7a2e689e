package inventoryconf

import (
	"bytes"
	"encoding/xml"
)

// namespace is the S3 XML namespace of the root element.
const namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Marshal renders the configuration as GetBucketInventoryConfiguration
// returns it, without the XML declaration: root <InventoryConfiguration
// xmlns=…> with the members in botocore's (and the API reference's response
// syntax) order: Destination/S3BucketDestination (AccountId, Bucket,
// Encryption, Format, Prefix), IsEnabled, Filter, Id, IncludedObjectVersions,
// OptionalFields, Schedule. Empty AccountId, Prefix and OptionalFields are
// omitted. For any c returned by Parse, Parse(c.Marshal(), c.ID) equals c.
func (c *Config) Marshal() []byte {
	var w writer
	w.buf.WriteString(`<InventoryConfiguration xmlns="` + namespace + `">`)
	w.config(c)
	w.buf.WriteString("</InventoryConfiguration>")
	return w.buf.Bytes()
}

// MarshalList renders a ListBucketInventoryConfigurations answer:
// <ListInventoryConfigurationsResult xmlns=…> with ContinuationToken (the
// request's token, when given), one <InventoryConfiguration> per config,
// IsTruncated and NextContinuationToken (when not empty), in botocore's
// member order.
func MarshalList(configs []*Config, continuationToken, next string, truncated bool) []byte {
	var w writer
	w.buf.WriteString(`<ListInventoryConfigurationsResult xmlns="` + namespace + `">`)
	w.optional("ContinuationToken", continuationToken)
	for _, c := range configs {
		w.open("InventoryConfiguration")
		w.config(c)
		w.close("InventoryConfiguration")
	}
	w.leaf("IsTruncated", boolText(truncated))
	w.optional("NextContinuationToken", next)
	w.buf.WriteString("</ListInventoryConfigurationsResult>")
	return w.buf.Bytes()
}

type writer struct{ buf bytes.Buffer }

func (w *writer) open(name string)  { w.buf.WriteString("<" + name + ">") }
func (w *writer) close(name string) { w.buf.WriteString("</" + name + ">") }

func (w *writer) leaf(name, value string) {
	w.open(name)
	_ = xml.EscapeText(&w.buf, []byte(value))
	w.close(name)
}

// optional writes a leaf only when value is not empty.
func (w *writer) optional(name, value string) {
	if value != "" {
		w.leaf(name, value)
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// config writes the members of an InventoryConfiguration.
func (w *writer) config(c *Config) {
	d := &c.Destination
	w.open("Destination")
	w.open("S3BucketDestination")
	w.optional("AccountId", d.AccountID)
	w.leaf("Bucket", d.Bucket)
	if e := d.Encryption; e != nil {
		w.open("Encryption")
		if e.SSES3 {
			w.buf.WriteString("<SSE-S3></SSE-S3>")
		} else {
			w.open("SSE-KMS")
			w.leaf("KeyId", e.KMSKeyID)
			w.close("SSE-KMS")
		}
		w.close("Encryption")
	}
	w.leaf("Format", d.Format)
	w.optional("Prefix", d.Prefix)
	w.close("S3BucketDestination")
	w.close("Destination")
	w.leaf("IsEnabled", boolText(c.IsEnabled))
	if c.Filter != nil {
		w.open("Filter")
		w.leaf("Prefix", c.Filter.Prefix)
		w.close("Filter")
	}
	w.leaf("Id", c.ID)
	w.leaf("IncludedObjectVersions", c.IncludedObjectVersions)
	if len(c.OptionalFields) > 0 {
		w.open("OptionalFields")
		for _, f := range c.OptionalFields {
			w.leaf("Field", f)
		}
		w.close("OptionalFields")
	}
	w.open("Schedule")
	w.leaf("Frequency", c.Frequency)
	w.close("Schedule")
}
