package manifest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// InventoryVersion is manifest.json's "version" for CSV inventory reports.
const InventoryVersion = "2016-11-30"

// InventoryManifest is an inventory report's manifest.json.
type InventoryManifest struct {
	SourceBucket      string         `json:"sourceBucket"`      // bucket name
	DestinationBucket string         `json:"destinationBucket"` // bucket ARN
	Version           string         `json:"version"`
	CreationTimestamp string         `json:"creationTimestamp"` // epoch milliseconds
	FileFormat        string         `json:"fileFormat"`
	FileSchema        string         `json:"fileSchema"`
	Files             []ManifestFile `json:"files"`
}

// ManifestFile is one data file of an InventoryManifest.
type ManifestFile struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	MD5Checksum string `json:"MD5checksum"`
}

// ManifestJSON renders manifest.json for a CSV inventory report: members in
// AWS's order (sourceBucket, destinationBucket, version, creationTimestamp,
// fileFormat, fileSchema, files), creationTimestamp as epoch milliseconds
// in a string, fileFormat "CSV", fileSchema the written column order.
func ManifestJSON(sourceBucket, destinationBucketARN string, created time.Time, schema []string, files []DataFile) []byte {
	m := InventoryManifest{
		SourceBucket:      sourceBucket,
		DestinationBucket: destinationBucketARN,
		Version:           InventoryVersion,
		CreationTimestamp: strconv.FormatInt(created.UnixMilli(), 10),
		FileFormat:        "CSV",
		FileSchema:        FileSchema(schema),
		Files:             make([]ManifestFile, len(files)),
	}
	for i, f := range files {
		m.Files[i] = ManifestFile{Key: f.Key, Size: f.Size, MD5Checksum: f.MD5}
	}
	return marshalJSON(m)
}

// marshalJSON encodes v compactly without HTML escaping and without a
// trailing newline.
func marshalJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // plain structs of strings and numbers cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// ManifestChecksum is the content of manifest.checksum: the MD5 of
// manifest.json in hex.
func ManifestChecksum(manifestJSON []byte) string {
	sum := md5.Sum(manifestJSON)
	return hex.EncodeToString(sum[:])
}

// Errors of ParseInventoryManifest.
var (
	ErrManifestJSON   = errors.New("inventory manifest is not valid JSON")
	ErrManifestFormat = errors.New("inventory manifest fileFormat is not CSV")
	ErrManifestSchema = errors.New("inventory manifest fileSchema lacks Bucket or Key")
	ErrManifestFiles  = errors.New("inventory manifest lists a file without key")
)

// ParseInventoryManifest reads an inventory manifest.json used as a job
// manifest (S3InventoryReport_CSV_20161130): fileFormat must be CSV and
// fileSchema must name Bucket and Key; unknown members are ignored.
func ParseInventoryManifest(manifestJSON []byte) (*InventoryManifest, error) {
	var m InventoryManifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return nil, ErrManifestJSON
	}
	if m.FileFormat != "CSV" {
		return nil, ErrManifestFormat
	}
	schema := m.Schema()
	if !slices.Contains(schema, ColBucket) || !slices.Contains(schema, ColKey) {
		return nil, ErrManifestSchema
	}
	for _, f := range m.Files {
		if f.Key == "" {
			return nil, ErrManifestFiles
		}
	}
	return &m, nil
}

// Schema is the column list of the data files.
func (m *InventoryManifest) Schema() []string { return ParseFileSchema(m.FileSchema) }

// DestinationBucketName is the name in DestinationBucket's ARN.
func (m *InventoryManifest) DestinationBucketName() string {
	name, _ := strings.CutPrefix(m.DestinationBucket, "arn:aws:s3:::")
	return name
}

// InventoryLayout names the objects of one inventory report in the
// destination bucket:
//
//	<prefix>/<source-bucket>/<config-id>/<YYYY-MM-DDTHH-MMZ>/manifest.json
//	<prefix>/<source-bucket>/<config-id>/<YYYY-MM-DDTHH-MMZ>/manifest.checksum
//	<prefix>/<source-bucket>/<config-id>/hive/dt=<YYYY-MM-DD-HH-MM>/symlink.txt
//	<prefix>/<source-bucket>/<config-id>/data/<uuid>.csv.gz
//
// Without a prefix the keys start at <source-bucket>/.
type InventoryLayout struct {
	DestinationPrefix string
	SourceBucket      string
	ConfigID          string
	Started           time.Time // when the scan started
}

// Base is "<prefix>/<source-bucket>/<config-id>/", the InventoryWriter's
// KeyPrefix. A trailing '/' of the prefix is not doubled [unverified].
func (l InventoryLayout) Base() string {
	base := l.SourceBucket + "/" + l.ConfigID + "/"
	if p := strings.TrimSuffix(l.DestinationPrefix, "/"); p != "" {
		return p + "/" + base
	}
	return base
}

func (l InventoryLayout) dated() string {
	return l.Base() + l.Started.UTC().Format("2006-01-02T15-04Z") + "/"
}

// ManifestKey is the key of manifest.json.
func (l InventoryLayout) ManifestKey() string { return l.dated() + "manifest.json" }

// ChecksumKey is the key of manifest.checksum.
func (l InventoryLayout) ChecksumKey() string { return l.dated() + "manifest.checksum" }

// SymlinkKey is the key of the Hive symlink.txt.
func (l InventoryLayout) SymlinkKey() string {
	return l.Base() + "hive/dt=" + l.Started.UTC().Format("2006-01-02-15-04") + "/symlink.txt"
}

// HiveSymlink renders symlink.txt: one s3://<bucket>/<key> line per data
// file.
func HiveSymlink(destinationBucket string, files []DataFile) []byte {
	var b []byte
	for _, f := range files {
		b = append(b, "s3://"+destinationBucket+"/"+f.Key+"\n"...)
	}
	return b
}
