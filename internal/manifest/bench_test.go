package manifest

import (
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/inventoryconf"
)

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

func discardCreate(string) (io.WriteCloser, error) { return discard{}, nil }

// benchRow is a typical All-versions row with every optional field.
func benchRow() InventoryRow {
	t := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	return InventoryRow{Bucket: "example-source-bucket", Key: "logs/2024/05/06/host-17/part 0001.json.gz",
		VersionID: "0123456789ABCDEFGHIJKLMNOPQRSTUV", IsLatest: true, Size: 1234567, LastModified: t,
		ETag: "d0655f3673af1ca741b11b29865be8e1", StorageClass: "STANDARD", ReplicationStatus: "COMPLETED",
		EncryptionStatus: "SSE-S3", BucketKeyStatus: "DISABLED", ChecksumAlgorithm: "CRC32", ObjectOwner: "owner"}
}

// BenchmarkInventoryWriter writes 1,000,000 rows with every column into
// gzip data files of 250,000 rows (discarded), reporting rows/s, the bytes
// allocated per million rows and the live heap after the run.
func BenchmarkInventoryWriter(b *testing.B) {
	const rows = 1_000_000
	schema, _ := InventorySchema(true, inventoryconf.OptionalFieldNames)
	row := benchRow()
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		w, err := NewInventoryWriter(InventoryWriterOptions{Schema: schema, MaxRowsPerFile: 250_000, Create: discardCreate})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < rows; i++ {
			row.Size = int64(i)
			if err := w.Write(&row); err != nil {
				b.Fatal(err)
			}
		}
		if files, err := w.Close(); err != nil || len(files) != 4 {
			b.Fatal(files, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
}
