package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// rawTarget returns the escaped path and raw query exactly as the client
// sent them. For server requests that is r.RequestURI (origin or absolute
// form), which survives any later rewriting of r.URL and keeps bytes that
// url.URL.EscapedPath would re-encode; for client requests (RequestURI
// empty) it is r.URL's escaped path and RawQuery.
func rawTarget(r *http.Request) (path, query string) {
	if t := r.RequestURI; t != "" && t != "*" {
		if t[0] != '/' {
			// absolute form: scheme://authority/path?query
			if i := strings.Index(t, "://"); i >= 0 {
				t = t[i+3:]
				j := strings.IndexAny(t, "/?")
				if j < 0 {
					t = ""
				} else {
					t = t[j:]
				}
			}
		}
		if i := strings.IndexByte(t, '#'); i >= 0 {
			t = t[:i]
		}
		path, query, _ = strings.Cut(t, "?")
		return path, query
	}
	u := r.URL
	if u == nil {
		return "/", ""
	}
	if u.Opaque != "" {
		path = u.Opaque
		if strings.HasPrefix(path, "//") {
			path = path[2:]
			if i := strings.IndexByte(path, '/'); i >= 0 {
				path = path[i:]
			} else {
				path = ""
			}
		}
	} else {
		path = u.EscapedPath()
	}
	return path, u.RawQuery
}

// canonicalURI returns the canonical URI for service. S3 (and S3 Control,
// which signs as "s3") uses the path exactly as sent; every other service
// URI-encodes the already-encoded path once more, as the AWS SDKs do (for
// "/", the only path those services use, both rules give "/").
func canonicalURI(path, service string) string {
	if path == "" {
		return "/"
	}
	if service == "s3" {
		return path
	}
	return uriEncode(path, false)
}

// isUnreserved reports RFC 3986 unreserved characters.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

const upperhex = "0123456789ABCDEF"

// uriEncode percent-encodes every byte outside the unreserved set (and '/'
// unless encodeSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isUnreserved(c) && (encodeSlash || c != '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (!encodeSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// queryUnescape decodes a query component like url.ParseQuery does ('+' is
// a space, %XX a byte), except that an invalid escape is kept literally
// instead of failing.
func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 < len(s) {
				h, ok1 := unhex(s[i+1])
				l, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					b = append(b, h<<4|l)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// queryParam is one decoded query pair.
type queryParam struct{ key, value string }

// parseQuery splits a raw query into decoded pairs, keeping order and
// duplicates; a bare key ("uploads") has an empty value. Empty segments
// ("a=1&&b=2") are skipped.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	ps := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		ps = append(ps, queryParam{queryUnescape(k), queryUnescape(v)})
	}
	return ps
}

// canonicalQuery re-encodes the pairs (RFC 3986), sorts them by key then
// value and joins them; bare keys become "key=". The pair named skip (if
// not "") is left out: X-Amz-Signature for presigned requests.
func canonicalQuery(ps []queryParam, skip string) string {
	if len(ps) == 0 {
		return ""
	}
	enc := make([]queryParam, 0, len(ps))
	size := 0
	for _, p := range ps {
		if skip != "" && p.key == skip {
			continue
		}
		e := queryParam{uriEncode(p.key, true), uriEncode(p.value, true)}
		size += len(e.key) + len(e.value) + 2
		enc = append(enc, e)
	}
	slices.SortFunc(enc, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	var sb strings.Builder
	sb.Grow(size)
	for i, e := range enc {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(e.key)
		sb.WriteByte('=')
		sb.WriteString(e.value)
	}
	return sb.String()
}

// appendHeaderValue appends v trimmed, with inner runs of spaces and tabs
// collapsed to one space.
func appendHeaderValue(b []byte, v string) []byte {
	v = strings.Trim(v, " \t\r\n")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// headerValues returns the values of the (lower-case) header name as the
// client sent them. Go's server moves Host into r.Host and Transfer-Encoding
// into r.TransferEncoding, and may leave Content-Length only in
// r.ContentLength; those are rebuilt.
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "host":
		if r.Host != "" {
			return []string{r.Host}
		}
		if r.URL != nil {
			return []string{r.URL.Host}
		}
		return nil
	case "transfer-encoding":
		if v := r.Header.Values("Transfer-Encoding"); len(v) > 0 {
			return v
		}
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
		return nil
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 && len(r.TransferEncoding) == 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	}
	return r.Header.Values(name)
}

// canonicalRequest builds the SigV4 canonical request:
// method \n uri \n query \n headers (name:value\n each) \n signed \n payload.
func canonicalRequest(r *http.Request, uri, query string, signed []string, payloadHash string) []byte {
	b := make([]byte, 0, 512+len(uri)+len(query))
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	for _, h := range signed {
		b = append(b, h...)
		b = append(b, ':')
		for i, v := range headerValues(r, h) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, h := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	b = append(b, '\n')
	b = append(b, payloadHash...)
	return b
}

// stringToSign builds the SigV4 string to sign for a canonical request.
func stringToSign(amzDate, scope string, creq []byte) []byte {
	sum := sha256.Sum256(creq)
	b := make([]byte, 0, len(algorithm)+len(amzDate)+len(scope)+3+64)
	b = append(b, algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	return hex.AppendEncode(b, sum[:])
}
