package sigv4

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Verifier authenticates requests, caching derived signing keys (four
// HMACs per request otherwise) in a small bounded map. It is safe for
// concurrent use.
type Verifier struct {
	lookup CredentialLookup
	keys   keyCache
}

// NewVerifier returns a Verifier that resolves secrets with lookup.
func NewVerifier(lookup Lookup) *Verifier {
	return &Verifier{lookup: func(id string) (Credentials, error) {
		secret, err := lookup(id)
		return Credentials{AccessKeyID: id, SecretAccessKey: secret}, err
	}}
}

// UnknownKeyAs adapts a lookup whose "no such key" error is notFound into a
// Lookup that reports ErrInvalidAccessKeyID for it.
func UnknownKeyAs(notFound error, lookup func(accessKeyID string) (string, error)) Lookup {
	return func(accessKeyID string) (string, error) {
		secret, err := lookup(accessKeyID)
		if errors.Is(err, notFound) {
			return "", fmt.Errorf("%w: %v", ErrInvalidAccessKeyID, err)
		}
		return secret, err
	}
}

// CredentialSource adapts a lookup that returns a key's secret, session
// token ("" for long-term keys) and identity, and whose "no such key" error
// is notFound, into a CredentialLookup.
func CredentialSource(notFound error, lookup func(accessKeyID string) (secret, token string, identity any, err error)) CredentialLookup {
	return func(accessKeyID string) (Credentials, error) {
		secret, token, identity, err := lookup(accessKeyID)
		if errors.Is(err, notFound) {
			return Credentials{}, fmt.Errorf("%w: %v", ErrInvalidAccessKeyID, err)
		}
		return Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret, SessionToken: token, Identity: identity}, err
	}
}

// NewCredentialVerifier returns a Verifier whose lookup also returns a
// session token for temporary credentials, which requests must then carry
// (ErrMissingSecurityToken / ErrInvalidSecurityToken otherwise).
func NewCredentialVerifier(lookup CredentialLookup) *Verifier {
	return &Verifier{lookup: lookup}
}

// Verify is a convenience for NewVerifier(lookup).Verify(r, now), without
// key caching across calls.
func Verify(r *http.Request, lookup Lookup, now time.Time) (*Auth, error) {
	return NewVerifier(lookup).Verify(r, now)
}

// Verify authenticates r by its Authorization header or presigned query
// parameters at time now. It never reads r.Body; the payload is checked by
// the reader that (*Auth).Body returns. It returns ErrMissingAuth when r
// carries no SigV4 authentication at all (anonymous).
//
// The payload hash signed is X-Amz-Content-SHA256 when present. Without it:
// a presigned "s3" request signs UNSIGNED-PAYLOAD, other presigned requests
// the empty-body hash; a header-signed request to a service other than "s3"
// whose body is known to be empty signs the empty-body hash; anything else
// is ErrMissingContentSHA256 (use VerifyWithPayloadHash).
func (v *Verifier) Verify(r *http.Request, now time.Time) (*Auth, error) {
	return v.verify(r, now, "")
}

// VerifyWithPayloadHash is Verify for requests whose payload hash is not
// in X-Amz-Content-SHA256 (the Query and JSON protocols: IAM, STS, KMS...):
// payloadHash is hex(sha256(body)), typically from BufferBody. If the
// request does carry X-Amz-Content-SHA256, that value is used instead.
func (v *Verifier) VerifyWithPayloadHash(r *http.Request, now time.Time, payloadHash string) (*Auth, error) {
	if !isHexSHA256(payloadHash) {
		return nil, fmt.Errorf("%w: supplied payload hash %q", ErrInvalidContentSHA256, payloadHash)
	}
	return v.verify(r, now, strings.ToLower(payloadHash))
}

func (v *Verifier) verify(r *http.Request, now time.Time, supplied string) (*Auth, error) {
	path, rawQuery := rawTarget(r)
	params := parseQuery(rawQuery)
	authz, hasHeader := r.Header["Authorization"]
	presign := false
	for _, p := range params {
		if p.key == "X-Amz-Algorithm" || p.key == "X-Amz-Credential" || p.key == "X-Amz-Signature" {
			presign = true
			break
		}
	}
	var a *Auth
	var err error
	switch {
	case hasHeader && presign:
		return nil, fmt.Errorf("%w: only one auth mechanism allowed (header and query)", ErrMalformedAuth)
	case hasHeader:
		if len(authz) != 1 {
			return nil, fmt.Errorf("%w: %d Authorization headers", ErrMalformedAuth, len(authz))
		}
		if a, err = parseAuthorization(authz[0]); err != nil {
			return nil, err
		}
		if err = headerDate(a, r, now); err != nil {
			return nil, err
		}
		a.SessionToken = r.Header.Get("X-Amz-Security-Token")
	case presign:
		if a, err = parsePresign(params, now); err != nil {
			return nil, err
		}
		if a.SessionToken == "" {
			a.SessionToken = r.Header.Get("X-Amz-Security-Token")
		}
	default:
		if hasParam(params, "AWSAccessKeyId") && hasParam(params, "Signature") {
			return nil, fmt.Errorf("%w: signature version 2 query authentication", ErrUnsupportedAlgorithm)
		}
		return nil, ErrMissingAuth
	}

	if err := payloadHash(a, r, supplied); err != nil {
		return nil, err
	}

	creds, err := v.lookup(a.AccessKeyID)
	if err != nil {
		if errors.Is(err, ErrInvalidAccessKeyID) {
			return nil, fmt.Errorf("%w: %q", ErrInvalidAccessKeyID, a.AccessKeyID)
		}
		return nil, err
	}

	skip := ""
	if a.Presigned {
		skip = "X-Amz-Signature"
	}
	creq := canonicalRequest(r, canonicalURI(path, a.Service), canonicalQuery(params, skip), a.SignedHeaders, a.PayloadHash)
	scope := a.Scope()
	sts := stringToSign(a.AmzDate, scope, creq)
	id := keyID{creds.SecretAccessKey, a.Date, a.Region, a.Service}
	key := v.keys.get(id)
	cached := key != nil
	if !cached {
		key = SigningKey(creds.SecretAccessKey, a.Date, a.Region, a.Service)
	}
	if sig := signHex(key, sts); subtle.ConstantTimeCompare([]byte(sig), []byte(a.Signature)) != 1 {
		return nil, &SignatureMismatchError{
			CanonicalRequest:  string(creq),
			StringToSign:      string(sts),
			SignatureProvided: a.Signature,
			AccessKeyID:       a.AccessKeyID,
		}
	}
	if !cached {
		v.keys.put(id, key)
	}
	if creds.SessionToken != "" {
		if a.SessionToken == "" {
			return nil, ErrMissingSecurityToken
		}
		if subtle.ConstantTimeCompare([]byte(creds.SessionToken), []byte(a.SessionToken)) != 1 {
			return nil, ErrInvalidSecurityToken
		}
	}
	a.key = key
	a.Identity = creds.Identity
	return a, nil
}

func hasParam(ps []queryParam, key string) bool {
	for _, p := range ps {
		if p.key == key {
			return true
		}
	}
	return false
}

// payloadHash decides which payload hash the signature covers.
func payloadHash(a *Auth, r *http.Request, supplied string) error {
	if vs := r.Header.Values("X-Amz-Content-Sha256"); len(vs) > 0 {
		if len(vs) != 1 || !validPayloadHash(vs[0]) {
			return fmt.Errorf("%w: %q", ErrInvalidContentSHA256, strings.Join(vs, ","))
		}
		a.PayloadHash = vs[0]
		return nil
	}
	switch {
	case supplied != "":
		a.PayloadHash, a.payloadTrusted = supplied, true
	case a.Presigned && a.Service == "s3":
		a.PayloadHash = UnsignedPayload
	case a.Presigned:
		a.PayloadHash = EmptySHA256
	case a.Service != "s3" && bodyKnownEmpty(r):
		a.PayloadHash, a.payloadTrusted = EmptySHA256, true
	default:
		return fmt.Errorf("%w (service %q, no payload hash supplied)", ErrMissingContentSHA256, a.Service)
	}
	return nil
}

func bodyKnownEmpty(r *http.Request) bool {
	return r.ContentLength == 0 && len(r.TransferEncoding) == 0 && r.Header.Get("Transfer-Encoding") == ""
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex" (spaces after commas optional, any
// order).
func parseAuthorization(h string) (*Auth, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return nil, fmt.Errorf("%w: empty Authorization header", ErrMalformedAuth)
	}
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		if len(alg) > 32 {
			alg = alg[:32]
		}
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	a := &Auth{}
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%w: component %q", ErrMalformedAuth, clip(part))
		}
		switch k {
		case "Credential":
			if haveCred || !parseCredential(a, val) {
				return nil, fmt.Errorf("%w: Credential %q", ErrMalformedAuth, clip(val))
			}
			haveCred = true
		case "SignedHeaders":
			hs, ok := parseSignedHeaders(val)
			if haveSigned || !ok {
				return nil, fmt.Errorf("%w: SignedHeaders %q (must be unique lower-case names including host)", ErrMalformedAuth, clip(val))
			}
			a.SignedHeaders, haveSigned = hs, true
		case "Signature":
			if haveSig || !isLowerHex64(val) {
				return nil, fmt.Errorf("%w: Signature %q", ErrMalformedAuth, clip(val))
			}
			a.Signature, haveSig = val, true
		default:
			return nil, fmt.Errorf("%w: unknown component %q", ErrMalformedAuth, clip(k))
		}
	}
	if !haveCred || !haveSigned || !haveSig {
		return nil, fmt.Errorf("%w: needs Credential, SignedHeaders and Signature", ErrMalformedAuth)
	}
	return a, nil
}

// headerDate sets the request time from X-Amz-Date (or Date) and checks it
// against the scope date and the clock.
func headerDate(a *Auth, r *http.Request, now time.Time) error {
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		t, err := time.Parse(amzDateFormat, d)
		if err != nil {
			return fmt.Errorf("%w: X-Amz-Date %q", ErrMissingDate, clip(d))
		}
		a.Time, a.AmzDate = t, d
	} else if d := r.Header.Get("Date"); d != "" {
		t, err := http.ParseTime(d)
		if err != nil {
			return fmt.Errorf("%w: Date %q", ErrMissingDate, clip(d))
		}
		a.Time, a.AmzDate = t.UTC(), t.UTC().Format(amzDateFormat)
	} else {
		return ErrMissingDate
	}
	if a.AmzDate[:8] != a.Date {
		return fmt.Errorf("%w: credential date %s is not the request date %s", ErrMalformedAuth, a.Date, a.AmzDate[:8])
	}
	if d := a.Time.Sub(now); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: request time %s, server time %s", ErrRequestTimeTooSkewed,
			a.AmzDate, now.UTC().Format(amzDateFormat))
	}
	return nil
}

// parsePresign reads the X-Amz-* query parameters of a presigned URL.
func parsePresign(ps []queryParam, now time.Time) (*Auth, error) {
	var alg, cred, date, expires, signed, sig, token *string
	for i := range ps {
		var dst **string
		switch ps[i].key {
		case "X-Amz-Algorithm":
			dst = &alg
		case "X-Amz-Credential":
			dst = &cred
		case "X-Amz-Date":
			dst = &date
		case "X-Amz-Expires":
			dst = &expires
		case "X-Amz-SignedHeaders":
			dst = &signed
		case "X-Amz-Signature":
			dst = &sig
		case "X-Amz-Security-Token":
			dst = &token
		default:
			continue
		}
		if *dst != nil {
			return nil, fmt.Errorf("%w: %s given twice", ErrMalformedPresign, ps[i].key)
		}
		*dst = &ps[i].value
	}
	if alg == nil || cred == nil || date == nil || expires == nil || signed == nil || sig == nil {
		return nil, fmt.Errorf("%w: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, "+
			"X-Amz-SignedHeaders and X-Amz-Expires are required", ErrMalformedPresign)
	}
	if *alg != algorithm {
		return nil, fmt.Errorf("%w: X-Amz-Algorithm %q", ErrUnsupportedAlgorithm, clip(*alg))
	}
	a := &Auth{Presigned: true}
	if !parseCredential(a, *cred) {
		return nil, fmt.Errorf("%w: X-Amz-Credential %q", ErrMalformedPresign, clip(*cred))
	}
	hs, ok := parseSignedHeaders(*signed)
	if !ok {
		return nil, fmt.Errorf("%w: X-Amz-SignedHeaders %q", ErrMalformedPresign, clip(*signed))
	}
	a.SignedHeaders = hs
	if !isLowerHex64(*sig) {
		return nil, fmt.Errorf("%w: X-Amz-Signature %q", ErrMalformedPresign, clip(*sig))
	}
	a.Signature = *sig
	if token != nil {
		a.SessionToken = *token
	}
	t, err := time.Parse(amzDateFormat, *date)
	if err != nil {
		return nil, fmt.Errorf("%w: X-Amz-Date %q", ErrMalformedPresign, clip(*date))
	}
	a.Time, a.AmzDate = t, *date
	if a.AmzDate[:8] != a.Date {
		return nil, fmt.Errorf("%w: credential date %s is not X-Amz-Date's %s", ErrMalformedPresign, a.Date, a.AmzDate[:8])
	}
	secs, err := strconv.Atoi(*expires)
	if err != nil || secs < 1 || secs > MaxPresignExpires || strings.TrimLeft(*expires, "0123456789") != "" {
		return nil, fmt.Errorf("%w: X-Amz-Expires %q must be between 1 and %d seconds", ErrMalformedPresign,
			clip(*expires), MaxPresignExpires)
	}
	a.Expires = time.Duration(secs) * time.Second
	if t.Sub(now) > MaxSkew {
		return nil, fmt.Errorf("%w: presigned request dated %s, server time %s", ErrRequestTimeTooSkewed,
			a.AmzDate, now.UTC().Format(amzDateFormat))
	}
	if now.After(t.Add(a.Expires)) {
		return nil, fmt.Errorf("%w: expired at %s, server time %s", ErrExpiredPresign,
			t.Add(a.Expires).Format(amzDateFormat), now.UTC().Format(amzDateFormat))
	}
	return a, nil
}

// clip bounds attacker-controlled text quoted in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
