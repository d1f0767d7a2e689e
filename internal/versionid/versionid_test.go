package versionid

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
)

// stepClock returns the times in ts in turn, then repeats the last one.
type stepClock struct {
	mu sync.Mutex
	ts []time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.ts[0]
	if len(c.ts) > 1 {
		c.ts = c.ts[1:]
	}
	return t
}

func TestShape(t *testing.T) {
	g := NewGenerator(clock.Real{})
	id, _ := g.New()
	if len(id) != Len {
		t.Fatalf("len(%q) = %d, want %d", id, len(id), Len)
	}
	if url.PathEscape(id) != id || url.QueryEscape(id) != id {
		t.Fatalf("%q is not URL-safe", id)
	}
	if !Valid(id) {
		t.Fatalf("Valid(%q) = false", id)
	}
}

func TestMonotonic(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    clock.Clock
	}{
		{"real", clock.Real{}},
		{"fixed", clock.Fixed{T: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGenerator(tc.c)
			prev, prevT := g.New()
			for i := 0; i < 100_000; i++ {
				id, ts := g.New()
				if id <= prev {
					t.Fatalf("call %d: %q <= previous %q", i, id, prev)
				}
				if ts.Before(prevT) {
					t.Fatalf("call %d: time %v before previous %v", i, ts, prevT)
				}
				prev, prevT = id, ts
			}
		})
	}
}

func TestClockBackwards(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &stepClock{ts: []time.Time{t0, t0.Add(-time.Hour), t0.Add(time.Second)}}
	g := NewGenerator(c)
	a, ta := g.New()
	b, tb := g.New()
	d, td := g.New()
	if !(a < b && b < d) {
		t.Fatalf("not increasing: %q %q %q", a, b, d)
	}
	if !ta.Equal(t0) || !tb.Equal(t0) || !td.Equal(t0.Add(time.Second)) {
		t.Fatalf("times %v %v %v", ta, tb, td)
	}
}

func TestConcurrent(t *testing.T) {
	g := NewGenerator(clock.Real{})
	const workers, per = 8, 2000
	out := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				id, _ := g.New()
				out[w] = append(out[w], id)
			}
		}()
	}
	wg.Wait()
	seen := make(map[string]bool)
	for _, ids := range out {
		for i, id := range ids {
			if seen[id] {
				t.Fatalf("duplicate %q", id)
			}
			seen[id] = true
			if i > 0 && id <= ids[i-1] {
				t.Fatalf("not increasing within a goroutine")
			}
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	for _, want := range []time.Time{
		time.Unix(0, 0).UTC(),
		time.Date(2006, 3, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC), // near the int64 limit
	} {
		id, got := NewGenerator(clock.Fixed{T: want}).New()
		if !got.Equal(want) {
			t.Errorf("New time = %v, want %v", got, want)
		}
		dec, ok := Time(id)
		if !ok || !dec.Equal(want) || dec.Location() != time.UTC {
			t.Errorf("Time(%q) = %v, %v; want %v", id, dec, ok, want)
		}
	}
	// Times before 1970 clamp to the epoch.
	_, got := NewGenerator(clock.Fixed{T: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}).New()
	if !got.Equal(time.Unix(0, 0)) {
		t.Errorf("pre-1970 time = %v", got)
	}
}

func TestOrderAcrossGenerators(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a, _ := NewGenerator(clock.Fixed{T: t0}).New()
	b, _ := NewGenerator(clock.Fixed{T: t0.Add(time.Nanosecond)}).New()
	c, _ := NewGenerator(clock.Fixed{T: t0.Add(100 * 365 * 24 * time.Hour)}).New()
	if !(a < b && b < c) {
		t.Fatalf("not ordered by time: %q %q %q", a, b, c)
	}
}

func TestValidRejects(t *testing.T) {
	id, _ := NewGenerator(clock.Real{}).New()
	bad := []string{
		"",
		"null",
		id[:Len-1],
		id + "0",
		strings.ToLower(id),
		id[:10] + "W" + id[11:],
		id[:10] + "-" + id[11:],
		id[:10] + "\n" + id[11:],
		id[:10] + "=" + id[11:],
		id[:Len-2] + "\r\n",
		"W" + id[1:], // timestamp top bit set
		"V" + id[1:],
		strings.Repeat("V", Len),
		strings.Repeat("é", Len/2),
	}
	for _, s := range bad {
		if Valid(s) {
			t.Errorf("Valid(%q) = true", s)
		}
		if _, ok := Time(s); ok {
			t.Errorf("Time(%q) ok", s)
		}
	}
	for _, s := range []string{strings.Repeat("0", Len), "7" + strings.Repeat("V", Len-1)} {
		if !Valid(s) {
			t.Errorf("Valid(%q) = false", s)
		}
	}
}

func FuzzValid(f *testing.F) {
	g := NewGenerator(clock.Real{})
	for range 4 {
		id, _ := g.New()
		f.Add(id)
	}
	f.Add("null")
	f.Add(strings.Repeat("0", Len))
	f.Add(strings.Repeat("V", Len))
	f.Add(strings.Repeat("0", Len-2) + "\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		v := Valid(s)
		tm, ok := Time(s)
		if v != ok {
			t.Fatalf("Valid=%v but Time ok=%v", v, ok)
		}
		if !v {
			return
		}
		if len(s) != Len {
			t.Fatalf("valid id of length %d", len(s))
		}
		// Canonical: re-encoding the decoded bytes gives s back.
		b, _ := decode(s)
		if enc.EncodeToString(b[:]) != s {
			t.Fatalf("non-canonical id %q", s)
		}
		if tm.UnixNano() < 0 {
			t.Fatalf("negative time %v", tm)
		}
		// An ID generated at that time sorts with the same timestamp prefix.
		id, _ := NewGenerator(clock.Fixed{T: tm}).New()
		if id[:12] != s[:12] {
			t.Fatalf("timestamp prefix differs: %q vs %q", id, s)
		}
	})
}

func BenchmarkNew(b *testing.B) {
	g := NewGenerator(clock.Real{})
	for b.Loop() {
		g.New()
	}
}
