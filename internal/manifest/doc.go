// Package manifest reads and writes the files of S3 Batch Operations and S3
// Inventory: CSV job manifests (S3BatchOperations_CSV_20180820), inventory
// reports (gzip CSV data files, manifest.json, manifest.checksum, Hive
// symlink.txt) and their use as job manifests
// (S3InventoryReport_CSV_20161130), and job completion reports
// (Report_CSV_20180820). Everything streams with bounded memory; the only
// I/O is through the io.Reader and io.Writer values the caller supplies.
package manifest

// Manifest and report formats, as named in s3control requests.
const (
	// FormatBatchCSV is a plain CSV job manifest.
	FormatBatchCSV = "S3BatchOperations_CSV_20180820"
	// FormatInventoryCSV is an S3 Inventory report used as a job manifest;
	// the job's manifest object is the report's manifest.json.
	FormatInventoryCSV = "S3InventoryReport_CSV_20161130"
	// FormatGeneratedInventoryCSV is the format of the manifest a
	// ManifestGenerator writes. ferry writes it with the 2016-11-30
	// inventory layout (manifest.json + gzip CSV data files) and the
	// GeneratedManifestSchema columns; AWS documents no difference.
	FormatGeneratedInventoryCSV = "S3InventoryReport_CSV_20211130"
	// FormatReportCSV is the completion report format.
	FormatReportCSV = "Report_CSV_20180820"
)

// GeneratedManifestSchema is the column list ferry uses for manifests it
// generates for a job (ManifestGenerator output).
var GeneratedManifestSchema = []string{ColBucket, ColKey, ColVersionID}
