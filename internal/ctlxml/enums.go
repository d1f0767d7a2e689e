package ctlxml

// The OperationName enumeration: the element names of JobOperation's
// members, and the Operation of a ListJobs entry.
const (
	OpLambdaInvoke             = "LambdaInvoke"
	OpS3PutObjectCopy          = "S3PutObjectCopy"
	OpS3PutObjectAcl           = "S3PutObjectAcl"
	OpS3PutObjectTagging       = "S3PutObjectTagging"
	OpS3DeleteObjectTagging    = "S3DeleteObjectTagging"
	OpS3InitiateRestoreObject  = "S3InitiateRestoreObject"
	OpS3PutObjectLegalHold     = "S3PutObjectLegalHold"
	OpS3PutObjectRetention     = "S3PutObjectRetention"
	OpS3ReplicateObject        = "S3ReplicateObject"
	OpS3ComputeObjectChecksum  = "S3ComputeObjectChecksum"
	OpS3UpdateObjectEncryption = "S3UpdateObjectEncryption"
)

// OperationNames is the OperationName enumeration in the model's order.
var OperationNames = []string{OpLambdaInvoke, OpS3PutObjectCopy, OpS3PutObjectAcl,
	OpS3PutObjectTagging, OpS3DeleteObjectTagging, OpS3InitiateRestoreObject,
	OpS3PutObjectLegalHold, OpS3PutObjectRetention, OpS3ReplicateObject,
	OpS3ComputeObjectChecksum, OpS3UpdateObjectEncryption}

// Manifest, report and generated-manifest formats.
const (
	FormatBatchCSV       = "S3BatchOperations_CSV_20180820" // JobManifestFormat
	FormatInventoryCSV   = "S3InventoryReport_CSV_20161130" // JobManifestFormat
	FormatGeneratedCSV   = "S3InventoryReport_CSV_20211130" // GeneratedManifestFormat
	FormatReportCSV      = "Report_CSV_20180820"            // JobReportFormat
	ReportScopeAll       = "AllTasks"                       // JobReportScope
	ReportScopeFailed    = "FailedTasksOnly"                // JobReportScope
	FieldIgnore          = "Ignore"                         // JobManifestFieldName
	FieldBucket          = "Bucket"                         // JobManifestFieldName
	FieldKey             = "Key"                            // JobManifestFieldName
	FieldVersionID       = "VersionId"                      // JobManifestFieldName
	ReplicationCompleted = "COMPLETED"                      // ReplicationStatus
	ReplicationFailed    = "FAILED"                         // ReplicationStatus
	ReplicationReplica   = "REPLICA"                        // ReplicationStatus
	ReplicationNone      = "NONE"                           // ReplicationStatus
)

// The ObjectEncryptionFilter choices of a manifest generator filter, by
// element name.
const (
	EncryptionSSES3   = "SSE-S3"
	EncryptionSSEKMS  = "SSE-KMS"
	EncryptionDSSEKMS = "DSSE-KMS"
	EncryptionSSEC    = "SSE-C"
	EncryptionNotSSE  = "NOT-SSE"
)

// Enumerations used only for validation, in the model's order.
var (
	manifestFormats    = []string{FormatBatchCSV, FormatInventoryCSV}
	manifestFields     = []string{FieldIgnore, FieldBucket, FieldKey, FieldVersionID}
	reportFormats      = []string{FormatReportCSV}
	reportScopes       = []string{ReportScopeAll, ReportScopeFailed}
	generatedFormats   = []string{FormatGeneratedCSV}
	replicationStates  = []string{ReplicationCompleted, ReplicationFailed, ReplicationReplica, ReplicationNone}
	storageClasses     = []string{"STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR"}
	cannedACLs         = []string{"private", "public-read", "public-read-write", "aws-exec-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control"}
	metadataDirectives = []string{"COPY", "REPLACE"}
	legalHoldStatuses  = []string{"OFF", "ON"}
	lockModes          = []string{"COMPLIANCE", "GOVERNANCE"}
	checksumAlgorithms = []string{"CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"}
	sseAlgorithms      = []string{"AES256", "KMS"}
	permissions        = []string{"FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"}
	granteeTypes       = []string{"id", "emailAddress", "uri"}
)
