package ctlxml

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
)

// writer builds XML text; values are escaped, names are trusted constants.
type writer struct{ buf bytes.Buffer }

func (w *writer) open(name string)  { w.buf.WriteString("<" + name + ">") }
func (w *writer) close(name string) { w.buf.WriteString("</" + name + ">") }

// leaf writes <name>value</name>.
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

// root opens a document: XML declaration and root element with the
// namespace.
func (w *writer) root(name string) {
	w.buf.WriteString(xml.Header)
	w.buf.WriteString("<" + name + ` xmlns="` + Namespace + `">`)
}

// boolean writes a leaf with true or false.
func (w *writer) boolean(name string, v bool) { w.leaf(name, strconv.FormatBool(v)) }

// optBool writes a leaf when v is set.
func (w *writer) optBool(name string, v *bool) {
	if v != nil {
		w.boolean(name, *v)
	}
}

// integer writes a leaf with a decimal number.
func (w *writer) integer(name string, v int64) { w.leaf(name, strconv.FormatInt(v, 10)) }

// optInt writes a leaf when v is set.
func (w *writer) optInt(name string, v *int64) {
	if v != nil {
		w.integer(name, *v)
	}
}

// optTime writes a timestamp leaf when t is set.
func (w *writer) optTime(name string, t *time.Time) {
	if t != nil {
		w.leaf(name, FormatTime(*t))
	}
}

// nonZeroTime writes a timestamp leaf unless t is the zero time.
func (w *writer) nonZeroTime(name string, t time.Time) {
	if !t.IsZero() {
		w.leaf(name, FormatTime(t))
	}
}

// members writes a <member> list; nothing when values is empty.
func (w *writer) members(name string, values []string) {
	if len(values) == 0 {
		return
	}
	w.open(name)
	for _, v := range values {
		w.leaf("member", v)
	}
	w.close(name)
}

// empty writes an element with no content, <name/>.
func (w *writer) empty(name string) { w.buf.WriteString("<" + name + "/>") }

// tags writes an S3TagSet; nothing when tags is empty.
func (w *writer) tags(name string, tags []Tag) {
	if len(tags) == 0 {
		return
	}
	w.open(name)
	for _, t := range tags {
		w.open("member")
		w.leaf("Key", t.Key)
		w.leaf("Value", t.Value)
		w.close("member")
	}
	w.close(name)
}
