package object

import "testing"

// FuzzRange: any Range header parses to nil or a spec whose resolution is
// within the object.
func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=5-", "bytes=-3", "bytes=9-2", "bytes=0-1,2-3", "bytes=-0", "bytes= 1 - 2", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		r := ParseRange(h)
		if r == nil {
			return
		}
		start, n, err := r.Resolve(size)
		if err != nil || n < 0 {
			return
		}
		if start < 0 || n == 0 && size > 0 || start+n > size {
			t.Fatalf("%q on %d bytes: start %d length %d", h, size, start, n)
		}
	})
}
