// Package blob is the object-data contract: immutable blobs written once,
// made durable, then read whole or by range. Implementations (blob/fs, …)
// must pass the suite in blob/blobtest.
package blob

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound is returned for a blob that does not exist.
var ErrNotFound = errors.New("blob: not found")

// Store holds blobs by ID. IDs are chosen by the caller (URL-safe, no '/').
type Store interface {
	// Create starts writing a new blob. Nothing is visible under id until
	// Commit returns nil; Abort (or a crash) leaves nothing behind except
	// temporary files removed by Open/Recover.
	Create(ctx context.Context, id string) (Writer, error)
	// Open returns a reader of length bytes from offset (length < 0: to the end).
	Open(ctx context.Context, id string, offset, length int64) (io.ReadCloser, error)
	Size(ctx context.Context, id string) (int64, error)
	Delete(ctx context.Context, id string) error // missing blobs are not an error
	// Walk visits every committed blob ID (for orphan collection).
	Walk(ctx context.Context, fn func(id string) error) error
}

// Writer receives a blob's bytes.
type Writer interface {
	io.Writer
	// Commit makes the blob durable (fsync of data and directory) and visible.
	Commit() error
	// Abort discards the blob. Safe after Commit (then it does nothing).
	Abort() error
}

// ErrNotLinkable is returned by Link when the store cannot link the blob
// (different file systems, another kind of store): the caller copies it.
var ErrNotLinkable = errors.New("blob: cannot link")

// Linker is implemented by stores that can give a committed blob a second
// ID without copying its bytes. Blobs are immutable, so the two IDs then
// name the same bytes, and deleting one leaves the other.
type Linker interface {
	Link(ctx context.Context, srcID, dstID string) error
}
