package object

import (
	"sync"

	"github.com/ferrys3/ferry/internal/policy"
)

// PolicyDocument returns b's bucket policy document, or nil when it has
// none; authorization reads it from the bucket record it already holds.
func PolicyDocument(b *Bucket) []byte { return b.Configs[policyConfig] }

// policyCache keeps parsed bucket policies by document text.
type policyCache struct {
	mu sync.Mutex
	m  map[string]*policy.Policy
}

// ParsedBucketPolicy returns b's parsed bucket policy, or nil when it has none.
// Parsed documents are cached by their text.
func (s *Service) ParsedBucketPolicy(b *Bucket) *policy.Policy {
	doc := PolicyDocument(b)
	if len(doc) == 0 {
		return nil
	}
	c := &s.policies
	c.mu.Lock()
	p, ok := c.m[string(doc)]
	c.mu.Unlock()
	if ok {
		return p
	}
	p, err := policy.Parse(doc, policy.ForBucketPolicy())
	if err != nil {
		// Stored policies were validated; one the parser no longer accepts
		// denies everything rather than nothing.
		p = denyAll
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 1024 {
		c.m = map[string]*policy.Policy{}
	}
	c.m[string(doc)] = p
	c.mu.Unlock()
	return p
}

var denyAll, _ = policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"UnreadablePolicy","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`))
