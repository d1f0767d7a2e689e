package s3xml

import (
	"errors"
	"testing"
)

type rawDoc struct {
	Name  []Text    `xml:"Name"`
	Items []rawItem `xml:"Item"`
	Any   []Unknown `xml:",any"`
}

type rawItem struct {
	Value []Text    `xml:"Value"`
	Any   []Unknown `xml:",any"`
}

// walk applies the schema: Name required once, Items each with one Value.
func walk(raw *rawDoc) (name string, values []string, bad bool) {
	var s Schema
	s.None(raw.Any)
	name, ok := s.Text(raw.Name)
	if !ok {
		s.Bad = true
	}
	for _, it := range raw.Items {
		s.None(it.Any)
		v, _ := s.Text(it.Value)
		values = append(values, v)
	}
	return name, values, s.Bad
}

func TestDecodeDocument(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		malformed bool // DecodeDocument refuses it
		bad       bool // the schema walk flags it
		want      string
	}{
		{"minimal", `<Doc><Name>n</Name></Doc>`, false, false, "n"},
		{"namespace, prolog, comments", "<?xml version=\"1.0\"?>\n<!-- c --><Doc xmlns=\"urn:x\"><Name>n</Name><Item><Value>1</Value></Item></Doc>\n", false, false, "n"},
		{"wrong root", `<Other><Name>n</Name></Other>`, true, false, ""},
		{"two roots", `<Doc><Name>n</Name></Doc><Doc/>`, true, false, ""},
		{"trailing text", `<Doc><Name>n</Name></Doc>x`, true, false, ""},
		{"doctype", `<!DOCTYPE Doc><Doc><Name>n</Name></Doc>`, true, false, ""},
		{"empty", ``, true, false, ""},
		{"unclosed", `<Doc><Name>n</Name>`, true, false, ""},
		{"unknown element", `<Doc><Name>n</Name><Extra/></Doc>`, false, true, "n"},
		{"repeated leaf", `<Doc><Name>a</Name><Name>b</Name></Doc>`, false, true, ""},
		{"child in a leaf", `<Doc><Name>n<B/></Name></Doc>`, false, true, "n"},
		{"missing required", `<Doc><Item><Value>1</Value></Item></Doc>`, false, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var raw rawDoc
			err := DecodeDocument([]byte(c.doc), "Doc", &raw)
			if c.malformed {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name, _, bad := walk(&raw)
			if bad != c.bad || name != c.want {
				t.Fatalf("name %q bad %v, want %q %v", name, bad, c.want, c.bad)
			}
		})
	}
}

func TestOne(t *testing.T) {
	var s Schema
	if One(&s, []int(nil)) != nil || s.Bad {
		t.Fatal("absent element")
	}
	if p := One(&s, []int{7}); p == nil || *p != 7 || s.Bad {
		t.Fatal("single element")
	}
	if One(&s, []int{1, 2}); !s.Bad {
		t.Fatal("repeated element not flagged")
	}
}

// FuzzDecodeDocument: never panics; an accepted document walks without
// panicking either.
func FuzzDecodeDocument(f *testing.F) {
	addSeeds(f, `<Doc><Name>n</Name><Item><Value>1</Value></Item></Doc>`, `<Doc><Name>a</Name><Name>b</Name></Doc>`)
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw rawDoc
		if err := DecodeDocument(data, "Doc", &raw); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		walk(&raw)
	})
}
