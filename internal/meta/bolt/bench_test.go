package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/versionid"
)

var benchCleanup []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range benchCleanup {
		f()
	}
	os.Exit(code)
}

func smallVersion(bucket, key string, mod time.Time) *meta.Version {
	return &meta.Version{Bucket: bucket, Key: key, VersionID: meta.NullVersion, ModTime: mod,
		Size: 1234, ETag: "d41d8cd98f00b204e9800998ecf8427e", Owner: "111111111111", StorageClass: "STANDARD",
		ContentType: "application/octet-stream",
		Data:        []meta.Segment{{BlobID: "01HZXJ6N4W4YH3K7Q2ZJ3M9V8B", Size: 1234}}}
}

// BenchmarkUpdateParallel: one PutVersion per Update from 32 goroutines,
// fsync on, on the disk under os.TempDir (set TMPDIR to measure another).
func BenchmarkUpdateParallel(b *testing.B) { benchUpdate(b, 32) }

// BenchmarkUpdateSerial is the same from one goroutine: one commit per op.
func BenchmarkUpdateSerial(b *testing.B) { benchUpdate(b, 1) }

func benchUpdate(b *testing.B, goroutines int) {
	s, err := Open(filepath.Join(b.TempDir(), "meta.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx meta.Tx) error { return tx.CreateBucket(&meta.Bucket{Name: "b", Owner: "o"}) }); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	base := time.Now()
	c0, u0 := s.commits.Load(), s.committed.Load()
	put := func() error {
		i := n.Add(1)
		v := smallVersion("b", fmt.Sprintf("obj/%010d", i), base.Add(time.Duration(i)))
		return s.Update(ctx, func(tx meta.Tx) error { return tx.PutVersion(v) })
	}
	b.ResetTimer()
	if goroutines == 1 {
		for b.Loop() {
			if err := put(); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		// RunParallel starts GOMAXPROCS*p goroutines.
		b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := put(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	commits := float64(s.commits.Load() - c0)
	b.ReportMetric(float64(b.N)/secs, "ops/s")
	b.ReportMetric(commits/secs, "commits/s")
	if commits > 0 {
		b.ReportMetric(float64(s.committed.Load()-u0)/commits, "updates/commit")
	}
}

var (
	bigOnce  sync.Once
	bigStore *Store
	bigErr   error
)

const bigN = 1_000_000

func bigKey(i int) string { return fmt.Sprintf("data/%03d/%08d.bin", i%1000, i) }

// openBig builds (once per test binary) a store holding 1,000,000 keys in
// one bucket, written in 10 transactions of 100,000.
func openBig(b *testing.B) *Store {
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bolt-bench-")
		if err != nil {
			bigErr = err
			return
		}
		benchCleanup = append(benchCleanup, func() { os.RemoveAll(dir) })
		s, err := Open(filepath.Join(dir, "meta.db"), Options{})
		if err != nil {
			bigErr = err
			return
		}
		benchCleanup = append(benchCleanup, func() { s.Close() })
		start := time.Now()
		ctx := context.Background()
		bigErr = s.Update(ctx, func(tx meta.Tx) error { return tx.CreateBucket(&meta.Bucket{Name: "big", Owner: "o"}) })
		// In key order: bbolt splits nodes only at commit, so random inserts
		// into one huge node of a fresh bucket would be quadratic.
		const per = bigN / 10
		for t := 0; t < 10 && bigErr == nil; t++ {
			bigErr = s.Update(ctx, func(tx meta.Tx) error {
				for j := t * per; j < (t+1)*per; j++ {
					i := j%1000*1000 + j/1000 // bigKey(i) is the j-th key in byte order
					if err := tx.PutVersion(smallVersion("big", bigKey(i), start)); err != nil {
						return err
					}
				}
				return nil
			})
		}
		bigStore = s
		if fi, err := os.Stat(filepath.Join(dir, "meta.db")); err == nil {
			fmt.Fprintf(os.Stderr, "populated %d keys in %v, file %d MiB\n", bigN, time.Since(start).Round(time.Millisecond), fi.Size()>>20)
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigStore
}

// BenchmarkListCurrent1M times pages of 1000 ListCurrent entries starting
// at random keys of a 1,000,000-key bucket; one op is one page.
func BenchmarkListCurrent1M(b *testing.B) {
	s := openBig(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		i := rng.IntN(bigN)
		if i%1000 == 999 { // keep at least the last directory's 1000 keys ahead
			i--
		}
		start := bigKey(i)
		n := 0
		err := s.View(ctx, func(tx meta.Tx) error {
			return tx.ListCurrent("big", meta.ListOptions{Start: start}, func(*meta.Version) bool {
				n++
				return n < 1000
			})
		})
		if err != nil || n != 1000 {
			b.Fatalf("page of %d: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
}

// BenchmarkPutOverwrite mirrors the metadata side of a 4 KiB PUT (inline
// data + version) from 32 goroutines over 1,000 keys, fsync on: into an
// unversioned bucket (replace the null version, drop its data) and into a
// versioned one (add a version). Pages written per op is what a group
// commit costs; the two should stay close (docs/performance.md).
func BenchmarkPutOverwrite(b *testing.B) {
	for _, versioned := range []bool{false, true} {
		name := "unversioned"
		if versioned {
			name = "versioned"
		}
		b.Run(name, func(b *testing.B) { benchPutOverwrite(b, versioned) })
	}
}

func benchPutOverwrite(b *testing.B, versioned bool) {
	s, err := Open(filepath.Join(b.TempDir(), "meta.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx meta.Tx) error { return tx.CreateBucket(&meta.Bucket{Name: "b", Owner: "o"}) }); err != nil {
		b.Fatal(err)
	}
	gen := versionid.NewGenerator(nil)
	data := make([]byte, 4096)
	var seq atomic.Uint64
	put := func(key string) error {
		id, at := gen.New()
		v := smallVersion("b", key, at)
		inlineID := fmt.Sprintf("%016x%016x", at.UnixNano(), seq.Add(1))
		v.Data = []meta.Segment{{BlobID: inlineID, Size: 4096, Inline: true}}
		if versioned {
			v.VersionID = id
		}
		return s.Update(ctx, func(tx meta.Tx) error {
			if !versioned {
				old, err := tx.GetVersion("b", key, meta.NullVersion)
				if err == nil {
					if err := tx.DeleteInline(old.Data[0].BlobID); err != nil {
						return err
					}
				}
			}
			if err := tx.PutInline(inlineID, data); err != nil {
				return err
			}
			return tx.PutVersion(v)
		})
	}
	const keys = 1000
	for i := range keys {
		if err := put(fmt.Sprintf("bench/%08d", i)); err != nil {
			b.Fatal(err)
		}
	}
	st0 := s.db.Stats()
	c0 := s.commits.Load()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		for pb.Next() {
			if err := put(fmt.Sprintf("bench/%08d", r.IntN(keys))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st := s.db.Stats()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/secs, "ops/s")
	b.ReportMetric(float64(st.TxStats.GetWrite()-st0.TxStats.GetWrite())/float64(b.N), "pages/op")
	if n := s.commits.Load() - c0; n > 0 {
		b.ReportMetric(float64(b.N)/float64(n), "updates/commit")
	}
}

// BenchmarkGetCurrent: the metadata read of a GET or HEAD (bucket record,
// current version) in one read transaction, from 2 goroutines per CPU.
func BenchmarkGetCurrent(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "meta.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Update(ctx, func(tx meta.Tx) error {
		if err := tx.CreateBucket(&meta.Bucket{Name: "b", Owner: "o"}); err != nil {
			return err
		}
		for i := range 1000 {
			if err := tx.PutVersion(smallVersion("b", fmt.Sprintf("k%04d", i), time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		for pb.Next() {
			err := s.View(ctx, func(tx meta.Tx) error {
				if _, err := tx.GetBucket("b"); err != nil {
					return err
				}
				_, err := tx.GetCurrent("b", fmt.Sprintf("k%04d", r.IntN(1000)))
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
