package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The latency histogram is a log-linear ("HDR-like") bucket histogram over
// nanoseconds. Values below 128 ns get one bucket each; above that every
// power-of-two range is split into 64 equal sub-buckets, so a bucket is never
// wider than 1/64 of its lower bound. Percentiles report the bucket midpoint,
// which bounds the relative error by 1/128 (< 0.8 %).
//
// Buckets are updated with atomic adds, so all workers of a run share one
// histogram per operation type (18 KiB each) and no locking is needed.
const (
	histSubBits  = 7
	histSub      = 1 << histSubBits // 128: exact values below this
	histHalf     = histSub / 2      // 64 sub-buckets per power of two
	histMaxBits  = 42               // values are clamped below 2^42 ns (~73 min)
	histMaxShift = histMaxBits - histSubBits
	histBuckets  = histSub + histMaxShift*histHalf
	histMaxValue = 1<<histMaxBits - 1
)

type histogram struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	sumNs   atomic.Uint64
	minNs   atomic.Int64 // 0 means unset; stored as value+1
	maxNs   atomic.Int64
}

func histIndex(v uint64) int {
	if v > histMaxValue {
		v = histMaxValue
	}
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits // >= 1
	top := v >> uint(shift)              // in [64, 128)
	return histSub + (shift-1)*histHalf + int(top-histHalf)
}

// histBounds returns the lower bound and width of bucket idx.
func histBounds(idx int) (lower, width uint64) {
	if idx < histSub {
		return uint64(idx), 1
	}
	i := idx - histSub
	shift := uint(i/histHalf + 1)
	top := uint64(i%histHalf + histHalf)
	return top << shift, 1 << shift
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.buckets[histIndex(uint64(v))].Add(1)
	h.count.Add(1)
	h.sumNs.Add(uint64(v))
	for {
		cur := h.maxNs.Load()
		if v <= cur || h.maxNs.CompareAndSwap(cur, v) {
			break
		}
	}
	for {
		cur := h.minNs.Load()
		if (cur != 0 && v+1 >= cur) || h.minNs.CompareAndSwap(cur, v+1) {
			break
		}
	}
}

// histSnapshot is a plain copy of a histogram, used for reporting and merging.
type histSnapshot struct {
	buckets []uint64
	count   uint64
	sumNs   uint64
	minNs   int64
	maxNs   int64
}

func (h *histogram) snapshot() *histSnapshot {
	s := &histSnapshot{buckets: make([]uint64, histBuckets)}
	for i := range h.buckets {
		s.buckets[i] = h.buckets[i].Load()
		s.count += s.buckets[i]
	}
	s.sumNs = h.sumNs.Load()
	if m := h.minNs.Load(); m > 0 {
		s.minNs = m - 1
	}
	s.maxNs = h.maxNs.Load()
	return s
}

// since returns the values recorded between prev (nil: none) and s. Its
// min and max are the bounds of the lowest and highest non-empty bucket.
func (s *histSnapshot) since(prev *histSnapshot) *histSnapshot {
	d := &histSnapshot{buckets: make([]uint64, histBuckets)}
	lo, hi := -1, -1
	for i, n := range s.buckets {
		if prev != nil {
			n -= prev.buckets[i]
		}
		if n == 0 {
			continue
		}
		d.buckets[i] = n
		d.count += n
		if lo < 0 {
			lo = i
		}
		hi = i
	}
	if prev != nil {
		d.sumNs = s.sumNs - prev.sumNs
	} else {
		d.sumNs = s.sumNs
	}
	if lo >= 0 {
		lower, _ := histBounds(lo)
		d.minNs = max(int64(lower), s.minNs)
		lower, width := histBounds(hi)
		d.maxNs = min(int64(lower+width-1), s.maxNs)
	}
	return d
}

func (s *histSnapshot) merge(o *histSnapshot) {
	if s.buckets == nil {
		s.buckets = make([]uint64, histBuckets)
	}
	if o.count == 0 {
		return
	}
	for i, n := range o.buckets {
		s.buckets[i] += n
	}
	if s.count == 0 || o.minNs < s.minNs {
		s.minNs = o.minNs
	}
	if o.maxNs > s.maxNs {
		s.maxNs = o.maxNs
	}
	s.count += o.count
	s.sumNs += o.sumNs
}

// quantile returns the value at quantile q (0..1), accurate to < 1 %.
func (s *histSnapshot) quantile(q float64) time.Duration {
	if s.count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(s.count)))
	if rank < 1 {
		rank = 1
	}
	if rank >= s.count {
		return time.Duration(s.maxNs)
	}
	var cum uint64
	for i, n := range s.buckets {
		cum += n
		if cum >= rank {
			lower, width := histBounds(i)
			v := int64(lower + width/2)
			if width == 1 {
				v = int64(lower)
			}
			if v > s.maxNs {
				v = s.maxNs
			}
			if v < s.minNs {
				v = s.minNs
			}
			return time.Duration(v)
		}
	}
	return time.Duration(s.maxNs)
}

func (s *histSnapshot) mean() time.Duration {
	if s.count == 0 {
		return 0
	}
	return time.Duration(s.sumNs / s.count)
}

func (s *histSnapshot) latency() Latency {
	return Latency{
		Min:  time.Duration(s.minNs),
		Mean: s.mean(),
		P50:  s.quantile(0.50),
		P90:  s.quantile(0.90),
		P99:  s.quantile(0.99),
		Max:  time.Duration(s.maxNs),
	}
}
