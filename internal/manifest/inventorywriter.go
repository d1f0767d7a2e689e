package manifest

import (
	"bufio"
	"compress/gzip"
	"errors"
)

// DefaultMaxRowsPerFile is the number of rows per inventory data file when
// the options give none.
const DefaultMaxRowsPerFile = 1_000_000

// DataFile is one written data file of an inventory report, as listed in
// manifest.json.
type DataFile struct {
	Key  string // KeyPrefix + "data/<uuid>.csv.gz"
	Size int64  // bytes of the gzip object
	MD5  string // hex MD5 of the gzip object
}

// InventoryWriterOptions configures an InventoryWriter.
type InventoryWriterOptions struct {
	// Schema is the column list (see InventorySchema).
	Schema []string
	// MaxRowsPerFile caps the rows of one data file; 0 means
	// DefaultMaxRowsPerFile.
	MaxRowsPerFile int
	// KeyPrefix comes before "data/<uuid>.csv.gz" in every key, normally
	// InventoryLayout.Base().
	KeyPrefix string
	// Create opens each data file.
	Create CreateFunc
	// NewName names data files; nil means a random UUID.
	NewName func() string
}

// InventoryWriter writes inventory rows as AWS does: gzip-compressed CSV
// data files (see rowEncoder for the quoting) of at most MaxRowsPerFile
// rows each. It holds one row at a time; memory does not grow with the
// number of rows.
type InventoryWriter struct {
	opts  InventoryWriterOptions
	enc   rowEncoder
	buf   *bufio.Writer
	gz    *gzip.Writer
	cur   *output
	line  []byte
	files []DataFile
	rows  int64
	err   error
}

var errClosed = errors.New("manifest: writer is closed")

// NewInventoryWriter checks the options and returns a writer. No file is
// created before the first row.
func NewInventoryWriter(opts InventoryWriterOptions) (*InventoryWriter, error) {
	enc, err := newRowEncoder(opts.Schema)
	if err != nil {
		return nil, err
	}
	if opts.Create == nil {
		return nil, errors.New("manifest: InventoryWriterOptions.Create is nil")
	}
	if opts.MaxRowsPerFile <= 0 {
		opts.MaxRowsPerFile = DefaultMaxRowsPerFile
	}
	if opts.NewName == nil {
		opts.NewName = newUUID
	}
	buf := newBuffer()
	return &InventoryWriter{opts: opts, enc: enc, buf: buf, gz: gzip.NewWriter(buf)}, nil
}

// Write adds one row. After an error the writer stays failed; Close still
// releases the open file.
func (w *InventoryWriter) Write(r *InventoryRow) error {
	if w.err != nil {
		return w.err
	}
	if w.cur == nil {
		o, err := open(w.opts.Create, w.opts.KeyPrefix+"data/"+w.opts.NewName()+".csv.gz", w.buf)
		if err != nil {
			w.err = err
			return err
		}
		w.cur = o
		w.gz.Reset(w.buf)
	}
	w.line = w.enc.append(w.line[:0], r)
	if _, err := w.gz.Write(w.line); err != nil {
		w.err = err
		return err
	}
	w.rows++
	w.cur.rows++
	if w.cur.rows >= w.opts.MaxRowsPerFile {
		return w.finish()
	}
	return nil
}

// finish completes the open data file.
func (w *InventoryWriter) finish() error {
	if err := w.gz.Close(); err != nil {
		w.err = err
		return err
	}
	size, sum, err := w.cur.finish()
	if err != nil {
		w.cur = nil
		w.err = err
		return err
	}
	w.files = append(w.files, DataFile{Key: w.cur.key, Size: size, MD5: sum})
	w.cur = nil
	return nil
}

// Rows is the number of rows written so far.
func (w *InventoryWriter) Rows() int64 { return w.rows }

// Close completes the last data file and returns every file written, in
// order (none when no row was written).
func (w *InventoryWriter) Close() ([]DataFile, error) {
	if w.err == nil && w.cur != nil {
		_ = w.finish()
	}
	if w.cur != nil {
		w.cur.abandon()
		w.cur = nil
	}
	if w.err != nil {
		return nil, w.err
	}
	w.err = errClosed
	return w.files, nil
}
