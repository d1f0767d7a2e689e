package replconf

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// namespace is the S3 XML namespace of the root element.
const namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Marshal renders the configuration as GetBucketReplication returns it,
// without the XML declaration: root <ReplicationConfiguration xmlns=…>, Role,
// then each Rule with its members in botocore's order (ID, Priority, Prefix
// for V1 or Filter for V2, Status, SourceSelectionCriteria,
// ExistingObjectReplication, Destination, DeleteMarkerReplication). For any c
// returned by Parse, Parse(c.Marshal()) equals c.
func (c *Config) Marshal() []byte {
	w := writer{}
	w.buf.Grow(256 + 512*len(c.Rules))
	w.buf.WriteString(`<ReplicationConfiguration xmlns="` + namespace + `">`)
	w.leaf("Role", c.Role)
	for i := range c.Rules {
		w.rule(&c.Rules[i])
	}
	w.buf.WriteString("</ReplicationConfiguration>")
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

// status writes <name><Status>v</Status></name> when v is set.
func (w *writer) status(name, v string) {
	if v == "" {
		return
	}
	w.open(name)
	w.leaf("Status", v)
	w.close(name)
}

func (w *writer) rule(r *Rule) {
	w.open("Rule")
	w.optional("ID", r.ID)
	if r.HasPriority {
		w.leaf("Priority", strconv.Itoa(r.Priority))
	}
	if r.Filter == nil {
		w.leaf("Prefix", r.Prefix)
	} else {
		w.filter(r.Filter)
	}
	w.leaf("Status", r.Status)
	if r.SseKmsEncryptedObjects != "" || r.ReplicaModifications != "" {
		w.open("SourceSelectionCriteria")
		w.status("SseKmsEncryptedObjects", r.SseKmsEncryptedObjects)
		w.status("ReplicaModifications", r.ReplicaModifications)
		w.close("SourceSelectionCriteria")
	}
	w.status("ExistingObjectReplication", r.ExistingObjectReplication)
	w.destination(&r.Destination)
	w.status("DeleteMarkerReplication", r.DeleteMarkerReplication)
	w.close("Rule")
}

func (w *writer) filter(f *Filter) {
	hasPrefix := f.HasPrefix || f.Prefix != ""
	w.open("Filter")
	switch {
	case f.And || len(f.Tags) > 1 || len(f.Tags) == 1 && hasPrefix:
		w.open("And")
		if hasPrefix {
			w.leaf("Prefix", f.Prefix)
		}
		for _, t := range f.Tags {
			w.tag(t)
		}
		w.close("And")
	case len(f.Tags) == 1:
		w.tag(f.Tags[0])
	case hasPrefix:
		w.leaf("Prefix", f.Prefix)
	}
	w.close("Filter")
}

func (w *writer) tag(t Tag) {
	w.open("Tag")
	w.leaf("Key", t.Key)
	w.leaf("Value", t.Value)
	w.close("Tag")
}

func (w *writer) destination(d *Destination) {
	w.open("Destination")
	w.leaf("Bucket", d.Bucket)
	w.optional("Account", d.Account)
	w.optional("StorageClass", d.StorageClass)
	if d.OwnerOverride {
		w.open("AccessControlTranslation")
		w.leaf("Owner", "Destination")
		w.close("AccessControlTranslation")
	}
	if d.ReplicaKmsKeyID != "" {
		w.open("EncryptionConfiguration")
		w.leaf("ReplicaKmsKeyID", d.ReplicaKmsKeyID)
		w.close("EncryptionConfiguration")
	}
	if t := d.ReplicationTime; t != nil {
		w.open("ReplicationTime")
		w.leaf("Status", t.Status)
		w.open("Time")
		if t.HasMinutes {
			w.leaf("Minutes", strconv.Itoa(t.Minutes))
		}
		w.close("Time")
		w.close("ReplicationTime")
	}
	if t := d.Metrics; t != nil {
		w.open("Metrics")
		w.leaf("Status", t.Status)
		if t.HasMinutes {
			w.open("EventThreshold")
			w.leaf("Minutes", strconv.Itoa(t.Minutes))
			w.close("EventThreshold")
		}
		w.close("Metrics")
	}
	w.close("Destination")
}
