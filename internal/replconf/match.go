package replconf

import "strings"

// Target is one destination an object version replicates to, with the rule
// that won it.
type Target struct {
	Rule   *Rule
	Bucket string // destination bucket name
}

// Match returns the destinations a newly written version replicates to.
// Every Enabled rule whose filter matches (prefix = byte prefix of key; every
// filter tag present in tags with an equal value; an empty filter matches
// all) fans out; per destination bucket only the highest-Priority matching
// rule applies (V1: the first in document order). For a delete marker
// (deleteMarker true; tags are nil) the winning rule decides: V1 rules
// replicate delete markers, V2 rules only when DeleteMarkerReplication is
// Enabled and the rule has no tag filter. The result is ordered by
// destination bucket name; it is nil when nothing matches. Targets point
// into c.Rules. Match allocates only the result slice (and nothing when
// the result is empty, with up to 8 destinations).
func (c *Config) Match(key string, tags map[string]string, deleteMarker bool) []Target {
	var buf [8]Target // winners are gathered here; only the result is allocated
	out := buf[:0]
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Status != Enabled || !r.matches(key, tags) {
			continue
		}
		name := r.Destination.BucketName()
		j := 0
		for j < len(out) && out[j].Bucket < name {
			j++
		}
		if j < len(out) && out[j].Bucket == name {
			if w := out[j].Rule; r.Priority > w.Priority && r.V2() && w.V2() {
				out[j].Rule = r
			}
			continue
		}
		out = append(out, Target{})
		copy(out[j+1:], out[j:])
		out[j] = Target{Rule: r, Bucket: name}
	}
	if deleteMarker {
		kept := out[:0]
		for _, t := range out {
			if t.Rule.replicatesDeleteMarkers() {
				kept = append(kept, t)
			}
		}
		out = kept
	}
	if len(out) == 0 {
		return nil
	}
	return append([]Target(nil), out...)
}

// matches reports whether the rule's filter selects an object version with
// the key and tags.
func (r *Rule) matches(key string, tags map[string]string) bool {
	f := r.Filter
	if f == nil {
		return strings.HasPrefix(key, r.Prefix)
	}
	if !strings.HasPrefix(key, f.Prefix) {
		return false
	}
	for _, t := range f.Tags {
		if v, ok := tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// replicatesDeleteMarkers reports whether a delete marker the rule won is
// replicated.
func (r *Rule) replicatesDeleteMarkers() bool {
	if !r.V2() {
		return true
	}
	return r.DeleteMarkerReplication == Enabled && (r.Filter == nil || len(r.Filter.Tags) == 0)
}
