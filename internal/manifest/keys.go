package manifest

import (
	"strings"
	"unicode/utf8"
)

// EncodeKey URL-encodes an object key the way S3 Inventory writes keys in
// its CSV files: ASCII letters, digits, '-', '_', '.', '~' and '/' stay,
// a space becomes '+', every other byte is %XX (upper-case hex). AWS
// documents only "URL-encoded"; spaces as '+' are what real inventory files
// hold (cloud-custodian#1997), '/' unescaped is seen in real rows.
func EncodeKey(key string) string {
	return string(appendKey(make([]byte, 0, len(key)+8), key))
}

// appendKey appends EncodeKey(key) to b.
func appendKey(b []byte, key string) []byte {
	const hexdigits = "0123456789ABCDEF"
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hexdigits[c>>4], hexdigits[c&15])
		}
	}
	return b
}

// DecodeKey undoes the URL encoding of a manifest or inventory key: %XX is
// the byte XX, '+' is a space (as in S3 Inventory files, which Batch
// Operations reads with the same rules), anything else stands for itself.
// The result must be valid UTF-8.
func DecodeKey(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		if !utf8.ValidString(s) {
			return "", ErrKeyEncoding
		}
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", ErrKeyEncoding
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", ErrKeyEncoding
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return "", ErrKeyEncoding
	}
	return string(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
