package object

// PolicyDocument returns b's bucket policy document, or nil when it has
// none; authorization reads it from the bucket record it already holds.
func PolicyDocument(b *Bucket) []byte { return b.Configs[policyConfig] }
