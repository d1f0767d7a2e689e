package s3xml

// Strict schema decoding for documents with a published schema
// (replication and inventory configurations, S3 Control job requests). A
// document decodes into a raw struct in which every element is a slice, so
// a repeated element is caught, with an ",any" field of Unknown catching
// elements the schema does not name; a Schema then walks the raw struct.

import (
	"bytes"
	"encoding/xml"
	"io"
)

// Unknown is an element the schema does not name.
type Unknown struct{ XMLName xml.Name }

// Text is a leaf element; child elements are a schema violation.
type Text struct {
	Value string    `xml:",chardata"`
	Any   []Unknown `xml:",any"`
}

// DecodeDocument reads exactly one element named root (any namespace)
// from data into v, allowing only whitespace, comments and processing
// instructions around it: a DOCTYPE, a second root or stray text is
// ErrMalformed, and so is anything encoding/xml rejects.
func DecodeDocument(data []byte, root string, v any) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	seen := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !seen {
				return ErrMalformed
			}
			return nil
		}
		if err != nil {
			return ErrMalformed
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if seen || t.Name.Local != root {
				return ErrMalformed
			}
			if err := d.DecodeElement(v, &t); err != nil {
				return ErrMalformed
			}
			seen = true
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return ErrMalformed
			}
		case xml.Comment, xml.ProcInst:
		default: // a directive (DOCTYPE) or a stray end element
			return ErrMalformed
		}
	}
}

// Schema records violations found while walking a raw document: unknown
// elements, repetitions, missing required elements. Bad means the
// document is MalformedXML.
type Schema struct{ Bad bool }

// None flags unknown elements.
func (s *Schema) None(a []Unknown) {
	if len(a) > 0 {
		s.Bad = true
	}
}

// Text returns a leaf element's content and whether it was present.
func (s *Schema) Text(t []Text) (string, bool) {
	switch len(t) {
	case 0:
		return "", false
	case 1:
		s.None(t[0].Any)
		return t[0].Value, true
	}
	s.Bad = true
	return "", false
}

// One returns the single occurrence of a complex element, or nil.
func One[T any](s *Schema, list []T) *T {
	if len(list) > 1 {
		s.Bad = true
	}
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}
