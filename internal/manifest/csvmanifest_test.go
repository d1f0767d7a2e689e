package manifest

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// readAll drains a reader's entries.
func readAll(t *testing.T, next func() (Entry, error)) ([]Entry, error) {
	t.Helper()
	var out []Entry
	for {
		e, err := next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func TestCSVReader(t *testing.T) {
	cases := []struct {
		name   string
		fields []string
		in     string
		want   []Entry
	}{{
		name:   "AWS doc example, spaces and plus",
		fields: []string{"Bucket", "Key"},
		in:     "Examplebucket,objectkey1\nExamplebucket,object%20key%20with%20spaces\r\nExamplebucket,a+b%2Bc\n",
		want:   []Entry{{"Examplebucket", "objectkey1", ""}, {"Examplebucket", "object key with spaces", ""}, {"Examplebucket", "a b+c", ""}},
	}, {
		name:   "versions, null version, quoted fields, blank lines, no final newline",
		fields: []string{"Bucket", "Key", "VersionId"},
		in:     "b,k,v1\n\n\"b\",\"k,%E2%82%AC\",null\r\n\r\nb,dir/x.txt,\"3/L4kqtJl\"",
		want:   []Entry{{"b", "k", "v1"}, {"b", "k,€", "null"}, {"b", "dir/x.txt", "3/L4kqtJl"}},
	}, {
		name:   "Ignore columns and any column order",
		fields: []string{"Ignore", "Key", "Ignore", "Bucket"},
		in:     "x,k1,\"a\"\"b\",b1\n,k2,,b2\n",
		want:   []Entry{{"b1", "k1", ""}, {"b2", "k2", ""}},
	}, {
		name:   "VersionId column empty everywhere",
		fields: []string{"Bucket", "Key", "VersionId"},
		in:     "b,k1,\nb,k2,\n",
		want:   []Entry{{"b", "k1", ""}, {"b", "k2", ""}},
	}, {
		name:   "empty manifest",
		fields: []string{"Bucket", "Key"},
		in:     "\n\r\n",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tc.in), tc.fields)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, r.Next)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCSVReaderErrors(t *testing.T) {
	three := []string{"Bucket", "Key", "VersionId"}
	cases := []struct {
		name   string
		fields []string
		in     string
		line   int
		err    error
	}{
		{"too few columns", three, "b,k,v\nb,k\n", 2, ErrFieldCount},
		{"too many columns", []string{"Bucket", "Key"}, "b,k\n\nb,k,v\n", 3, ErrFieldCount},
		{"bad percent", three, "b,k%zz,v\n", 1, ErrKeyEncoding},
		{"short percent", three, "b,k%2,v\n", 1, ErrKeyEncoding},
		{"invalid utf-8 key", three, "b,k%E2%82,v\n", 1, ErrKeyEncoding},
		{"raw invalid utf-8 key", three, "b,k\xff,v\n", 1, ErrKeyEncoding},
		{"invalid utf-8 bucket", three, "b\xff,k,v\n", 1, ErrEncoding},
		{"invalid utf-8 version", three, "b,k,v\xff\n", 1, ErrEncoding},
		{"mixed, version first", three, "b,k,v\nb,k,\n", 2, ErrMixedVersionIDs},
		{"mixed, none first", three, "b,k,\nb,k,\"\"\nb,k,null\n", 3, ErrMixedVersionIDs},
		{"empty bucket", three, "b,k,v\n,k,v\n", 2, ErrEmptyBucket},
		{"empty key", three, "b,,v\n", 1, ErrEmptyKey},
		{"bare quote", three, "b,k\"x,v\n", 1, ErrBareQuote},
		{"unterminated quote", three, "b,\"k,v\n", 1, ErrQuote},
		{"text after quote", three, "b,\"k\"x,v\n", 1, ErrQuote},
		{"line after multi-line field", three, "b,\"a\nb\",v\nb,k\n", 3, ErrFieldCount},
		{"too long", three, "b," + strings.Repeat("k", MaxRecordBytes) + ",v\n", 1, ErrRecordTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewCSVReader(strings.NewReader(tc.in), tc.fields)
			if err != nil {
				t.Fatal(err)
			}
			_, err = readAll(t, r.Next)
			var le *LineError
			if !errors.As(err, &le) || !errors.Is(err, tc.err) || le.Line != tc.line {
				t.Fatalf("got %v, want line %d: %v", err, tc.line, tc.err)
			}
			if !strings.HasPrefix(err.Error(), "manifest line ") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestValidateFields(t *testing.T) {
	good := [][]string{{"Bucket", "Key"}, {"Key", "Bucket", "VersionId"}, {"Ignore", "Bucket", "Ignore", "Key"}}
	bad := [][]string{nil, {"Bucket"}, {"Key"}, {"Bucket", "Key", "Key"}, {"Bucket", "Key", "VersionId", "VersionId"},
		{"Bucket", "Key", "key"}, {"Bucket", "Bucket", "Key"}}
	for _, f := range good {
		if err := ValidateFields(f); err != nil {
			t.Errorf("%q: %v", f, err)
		}
	}
	for _, f := range bad {
		if err := ValidateFields(f); err != ErrFields {
			t.Errorf("%q: got %v", f, err)
		}
		if _, err := NewCSVReader(strings.NewReader(""), f); err != ErrFields {
			t.Errorf("NewCSVReader %q: got %v", f, err)
		}
	}
}

func TestCSVWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b, true)
	for _, e := range []Entry{{"b", "a b+c/€", "v1"}, {"b,2", "k", "null"}, {`q"`, "k", "x\ny"}} {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	want := "b,a+b%2Bc/%E2%82%AC,v1\n\"b,2\",k,null\n\"q\"\"\",k,\"x\ny\"\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
	if !reflect.DeepEqual(w.Fields(), []string{"Bucket", "Key", "VersionId"}) ||
		!reflect.DeepEqual(NewCSVWriter(nil, false).Fields(), []string{"Bucket", "Key"}) {
		t.Fatal("Fields")
	}
}

func TestKeys(t *testing.T) {
	cases := []struct{ key, enc string }{
		{"plain/key-1_2.3~x", "plain/key-1_2.3~x"},
		{"a b+c", "a+b%2Bc"},
		{"100%,\"é\"\n", "100%25%2C%22%C3%A9%22%0A"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := EncodeKey(tc.key); got != tc.enc {
			t.Errorf("EncodeKey(%q) = %q, want %q", tc.key, got, tc.enc)
		}
		if got, err := DecodeKey(tc.enc); err != nil || got != tc.key {
			t.Errorf("DecodeKey(%q) = %q, %v", tc.enc, got, err)
		}
	}
	// Lower-case hex and unencoded characters are accepted on input.
	if got, err := DecodeKey("a%c3%a9 b,c"); err != nil || got != "aé b,c" {
		t.Errorf("DecodeKey = %q, %v", got, err)
	}
	for _, bad := range []string{"%", "%1", "%g0", "%ff", "\xff"} {
		if _, err := DecodeKey(bad); err != ErrKeyEncoding {
			t.Errorf("DecodeKey(%q): %v", bad, err)
		}
	}
}
