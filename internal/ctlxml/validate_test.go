package ctlxml

import (
	"errors"
	"strings"
	"testing"
)

// v is AWS's wording for a model constraint violation.
func v(value, path, constraint string) string {
	return "1 validation error detected: Value " + value + " at '" + path +
		"' failed to satisfy constraint: Member must " + constraint
}

func null(path string) string { return v("null", path, "not be null") }

func TestDecodeMalformed(t *testing.T) {
	cases := map[string]string{
		"empty":                  ``,
		"not XML":                `{"Priority":1}`,
		"unclosed":               `<CreateJobRequest><Priority>1</Priority>`,
		"wrong root":             strings.Replace(job(opReplicate, manifestXML), "CreateJobRequest", "CreateJob", 2),
		"two roots":              job(opReplicate, manifestXML) + job(opReplicate, manifestXML),
		"trailing text":          job(opReplicate, manifestXML) + "x",
		"doctype":                `<!DOCTYPE x>` + job(opReplicate, manifestXML),
		"oversize":               job(opReplicate, manifestXML, "<!--"+strings.Repeat("x", MaxDocumentSize)+"-->"),
		"unknown member":         job(opReplicate, manifestXML, `<AccountId>111122223333</AccountId>`),
		"repeated member":        job(opReplicate, manifestXML, `<Priority>2</Priority>`),
		"element in leaf":        with(map[string]string{"Priority": `<Priority><x/>1</Priority>`}),
		"priority not a number":  with(map[string]string{"Priority": `<Priority>ten</Priority>`}),
		"priority over int64":    with(map[string]string{"Priority": `<Priority>99999999999999999999</Priority>`}),
		"boolean 1":              with(map[string]string{"ConfirmationRequired": `<ConfirmationRequired>1</ConfirmationRequired>`}),
		"boolean True":           report(`<Enabled>True</Enabled>`),
		"unknown operation":      job(`<Operation><S3Frobnicate/></Operation>`, manifestXML),
		"content in replicate":   job(`<Operation><S3ReplicateObject><Bucket/></S3ReplicateObject></Operation>`, manifestXML),
		"content in delete tags": job(`<Operation><S3DeleteObjectTagging><X/></S3DeleteObjectTagging></Operation>`, manifestXML),
		"repeated operation":     job(`<Operation><S3ReplicateObject/><S3ReplicateObject/></Operation>`, manifestXML),
		"unknown in report":      report(`<Enabled>false</Enabled><Scope>x</Scope>`),
		"unknown in spec":        spec(`<Format>S3InventoryReport_CSV_20161130</Format><Extra/>`),
		"unknown in fields":      spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><field>Key</field></Fields>`),
		"unknown in location":    loc(`<ObjectArn>arn:aws:s3:::b/k</ObjectArn><ETag>e</ETag><Size>1</Size>`),
		"unknown in generator":   gen(`<SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput><Prefix>x</Prefix>`),
		"unknown generator kind": with(map[string]string{"Manifest": "", "ManifestGenerator": `<ManifestGenerator><Other/></ManifestGenerator>`}),
		"unknown in filter":      genFilter(`<Prefix>a</Prefix>`),
		"unknown in key names":   genFilter(`<KeyNameConstraint><MatchAllPrefix><member>a</member></MatchAllPrefix></KeyNameConstraint>`),
		"bad created after":      genFilter(`<CreatedAfter>yesterday</CreatedAfter>`),
		"date without time":      genFilter(`<CreatedBefore>2024-01-01</CreatedBefore>`),
		"year out of range":      genFilter(`<CreatedBefore>0000-01-01T00:00:00+01:00</CreatedBefore>`),
		"size not a number":      genFilter(`<ObjectSizeLessThanBytes>1MB</ObjectSizeLessThanBytes>`),
		"DSSE-KMS bucket key":    genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><DSSE-KMS><BucketKeyEnabled>true</BucketKeyEnabled></DSSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>`),
		"encryption member name": genFilter(`<MatchAnyObjectEncryption><member><SSE-S3/></member></MatchAnyObjectEncryption>`),
		"unknown in copy":        copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><Bucket>x</Bucket>`),
		"unknown in metadata":    copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><Expires>x</Expires></NewObjectMetadata>`),
		"metadata without key":   copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><UserMetadata><entry><value>v</value></entry></UserMetadata></NewObjectMetadata>`),
		"metadata duplicate key": copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><UserMetadata><entry><key>a</key><value>1</value></entry><entry><key>a</key><value>2</value></entry></UserMetadata></NewObjectMetadata>`),
		"unknown in tag":         with(map[string]string{"Tags": `<Tags><member><Key>k</Key><Value>v</Value><Type>x</Type></member></Tags>`}),
		"tag not in member":      with(map[string]string{"Tags": `<Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags>`}),
		"unknown in tagging":     with(map[string]string{"Operation": `<Operation><S3PutObjectTagging><Tags/></S3PutObjectTagging></Operation>`}),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeCreateJob([]byte(body))
			wantError(t, err, msgMalformed)
		})
	}
}

func wantError(t *testing.T, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error %q", err, msg)
	}
	if e.Code != CodeBadRequest || e.Status != 400 || e.Message != msg {
		t.Errorf("error = %d %s %q\nwant 400 BadRequestException %q", e.Status, e.Code, e.Message, msg)
	}
}

func TestDecodeValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	const gp = "manifestGenerator.s3JobManifestGenerator"
	const cp = "operation.s3PutObjectCopy"
	validGen := `<SourceBucket>arn:aws:s3:::src</SourceBucket>`
	cases := []struct {
		name, body, msg string
	}{
		// Operation
		{"no operation", with(map[string]string{"Operation": ""}), null("operation")},
		{"empty operation", with(map[string]string{"Operation": `<Operation/>`}), msgOneOperation},
		{"two operations", with(map[string]string{"Operation": `<Operation><S3ReplicateObject/><S3DeleteObjectTagging/></Operation>`}), msgOneOperation},
		{"supported and unsupported", with(map[string]string{"Operation": `<Operation><LambdaInvoke/><S3ReplicateObject/></Operation>`}), msgOneOperation},
		// Report
		{"no report", with(map[string]string{"Report": ""}), null("report")},
		{"report without Enabled", report(``), null("report.enabled")},
		{"enabled report without bucket", report(`<Enabled>true</Enabled><Format>Report_CSV_20180820</Format><ReportScope>AllTasks</ReportScope>`), msgReportBucket},
		{"enabled report without format", report(`<Bucket>arn:aws:s3:::rb</Bucket><Enabled>true</Enabled><ReportScope>AllTasks</ReportScope>`), msgReportFormat},
		{"enabled report without scope", report(`<Bucket>arn:aws:s3:::rb</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled>`), msgReportScope},
		{"report bucket not an ARN", report(`<Bucket>rb</Bucket><Enabled>false</Enabled>`), v("'rb'", "report.bucket", `satisfy regular expression pattern: arn:[^:]+:s3:.*`)},
		{"report bucket too long", report(`<Bucket>arn:aws:s3:::` + long(120) + `</Bucket><Enabled>false</Enabled>`), v("'arn:aws:s3:::"+long(120)+"'", "report.bucket", "have length less than or equal to 128")},
		{"report format", report(`<Format>Report_CSV</Format><Enabled>false</Enabled>`), v("'Report_CSV'", "report.format", "satisfy enum value set: [Report_CSV_20180820]")},
		{"report scope", report(`<Enabled>false</Enabled><ReportScope>All</ReportScope>`), v("'All'", "report.reportScope", "satisfy enum value set: [AllTasks, FailedTasksOnly]")},
		{"report empty prefix", report(`<Enabled>false</Enabled><Prefix></Prefix>`), v("''", "report.prefix", "have length greater than or equal to 1")},
		{"report prefix too long", report(`<Enabled>false</Enabled><Prefix>` + long(513) + `</Prefix>`), v("'"+long(513)+"'", "report.prefix", "have length less than or equal to 512")},
		{"report owner", report(`<Enabled>false</Enabled><ExpectedBucketOwner>1234</ExpectedBucketOwner>`), v("'1234'", "report.expectedBucketOwner", `satisfy regular expression pattern: ^\d{12}$`)},
		// ClientRequestToken
		{"no token", with(map[string]string{"ClientRequestToken": ""}), null("clientRequestToken")},
		{"empty token", with(map[string]string{"ClientRequestToken": `<ClientRequestToken/>`}), v("''", "clientRequestToken", "have length greater than or equal to 1")},
		{"token too long", with(map[string]string{"ClientRequestToken": `<ClientRequestToken>` + long(65) + `</ClientRequestToken>`}), v("'"+long(65)+"'", "clientRequestToken", "have length less than or equal to 64")},
		// Manifest
		{"no manifest or generator", with(map[string]string{"Manifest": ""}), msgManifestChoice},
		{"manifest and generator", with(map[string]string{"ManifestGenerator": generatorXML}), msgManifestChoice},
		{"manifest without spec", with(map[string]string{"Manifest": `<Manifest><Location><ObjectArn>arn:aws:s3:::b/k</ObjectArn><ETag>e</ETag></Location></Manifest>`}), null("manifest.spec")},
		{"manifest without location", with(map[string]string{"Manifest": `<Manifest><Spec><Format>S3InventoryReport_CSV_20161130</Format></Spec></Manifest>`}), null("manifest.location")},
		{"spec without format", spec(`<Fields><member>Bucket</member><member>Key</member></Fields>`), null("manifest.spec.format")},
		{"manifest format", spec(`<Format>CSV</Format>`), v("'CSV'", "manifest.spec.format", "satisfy enum value set: [S3BatchOperations_CSV_20180820, S3InventoryReport_CSV_20161130]")},
		{"CSV without fields", spec(`<Format>S3BatchOperations_CSV_20180820</Format>`), msgFieldsRequired},
		{"CSV with empty fields", spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields/>`), msgFieldsRequired},
		{"CSV without Key", spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>VersionId</member></Fields>`), msgFieldsBucketKey},
		{"CSV without Bucket", spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Ignore</member><member>Key</member></Fields>`), msgFieldsBucketKey},
		{"CSV field name", spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member><member>ETag</member></Fields>`), v("'ETag'", "manifest.spec.fields.3.member", "satisfy enum value set: [Ignore, Bucket, Key, VersionId]")},
		{"CSV field repeated", spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member><member>Key</member></Fields>`), msgFieldRepeated},
		{"inventory with fields", spec(`<Format>S3InventoryReport_CSV_20161130</Format><Fields><member>Bucket</member><member>Key</member></Fields>`), msgFieldsNotAllowed},
		{"location without ETag", loc(`<ObjectArn>arn:aws:s3:::b/k</ObjectArn>`), null("manifest.location.eTag")},
		{"empty ETag", loc(`<ObjectArn>arn:aws:s3:::b/k</ObjectArn><ETag></ETag>`), v("''", "manifest.location.eTag", "have length greater than or equal to 1")},
		{"location without object", loc(`<ETag>e</ETag>`), null("manifest.location.objectArn")},
		{"object not an S3 ARN", loc(`<ObjectArn>s3://b/k</ObjectArn><ETag>e</ETag>`), v("'s3://b/k'", "manifest.location.objectArn", `satisfy regular expression pattern: arn:[^:]+:s3:.*`)},
		{"empty object version", loc(`<ObjectArn>arn:aws:s3:::b/k</ObjectArn><ObjectVersionId/><ETag>e</ETag>`), v("''", "manifest.location.objectVersionId", "have length greater than or equal to 1")},
		// Description, Priority, RoleArn
		{"empty description", with(map[string]string{"Description": `<Description></Description>`}), v("''", "description", "have length greater than or equal to 1")},
		{"description too long", with(map[string]string{"Description": `<Description>` + strings.Repeat("é", 257) + `</Description>`}), v("'"+strings.Repeat("é", 257)+"'", "description", "have length less than or equal to 256")},
		{"no priority", with(map[string]string{"Priority": ""}), null("priority")},
		{"negative priority", with(map[string]string{"Priority": `<Priority>-1</Priority>`}), v("'-1'", "priority", "have value greater than or equal to 0")},
		{"priority over int32", with(map[string]string{"Priority": `<Priority>2147483648</Priority>`}), v("'2147483648'", "priority", "have value less than or equal to 2147483647")},
		{"no role", with(map[string]string{"RoleArn": ""}), null("roleArn")},
		{"empty role", with(map[string]string{"RoleArn": `<RoleArn/>`}), v("''", "roleArn", "have length greater than or equal to 1")},
		{"role account", with(map[string]string{"RoleArn": `<RoleArn>arn:aws:iam::1111:role/r</RoleArn>`}), v("'arn:aws:iam::1111:role/r'", "roleArn", `satisfy regular expression pattern: arn:[^:]+:iam::\d{12}:role/.*`)},
		{"user not role", with(map[string]string{"RoleArn": `<RoleArn>arn:aws:iam::111122223333:user/u</RoleArn>`}), v("'arn:aws:iam::111122223333:user/u'", "roleArn", `satisfy regular expression pattern: arn:[^:]+:iam::\d{12}:role/.*`)},
		{"role with suffix garbage", with(map[string]string{"RoleArn": "<RoleArn>arn:aws:iam::111122223333:role/r\nx</RoleArn>"}), v("'arn:aws:iam::111122223333:role/r\nx'", "roleArn", `satisfy regular expression pattern: arn:[^:]+:iam::\d{12}:role/.*`)},
		{"role too long", with(map[string]string{"RoleArn": `<RoleArn>arn:aws:iam::111122223333:role/` + long(2048) + `</RoleArn>`}), v("'arn:aws:iam::111122223333:role/"+long(2048)+"'", "roleArn", "have length less than or equal to 2048")},
		// Tags
		{"51 tags", with(map[string]string{"Tags": tagsXML(51)}), msgTooManyTags},
		{"empty tag key", with(map[string]string{"Tags": `<Tags><member><Key></Key><Value>v</Value></member></Tags>`}), v("''", "tags.1.member.key", "have length greater than or equal to 1")},
		{"tag key characters", with(map[string]string{"Tags": `<Tags><member><Key>k</Key><Value>v</Value></member><member><Key>a*b</Key><Value>v</Value></member></Tags>`}), v("'a*b'", "tags.2.member.key", `satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)},
		{"tag key too long", with(map[string]string{"Tags": `<Tags><member><Key>` + long(129) + `</Key><Value>v</Value></member></Tags>`}), v("'"+long(129)+"'", "tags.1.member.key", "have length less than or equal to 128")},
		{"tag without value", with(map[string]string{"Tags": `<Tags><member><Key>k</Key></member></Tags>`}), null("tags.1.member.value")},
		{"tag value too long", with(map[string]string{"Tags": `<Tags><member><Key>k</Key><Value>` + long(257) + `</Value></member></Tags>`}), v("'"+long(257)+"'", "tags.1.member.value", "have length less than or equal to 256")},
		// ManifestGenerator
		{"empty generator", with(map[string]string{"Manifest": "", "ManifestGenerator": `<ManifestGenerator/>`}), null(gp)},
		{"generator without source", gen(`<EnableManifestOutput>false</EnableManifestOutput>`), null(gp + ".sourceBucket")},
		{"generator source not an ARN", gen(`<SourceBucket>src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput>`), v("'src'", gp+".sourceBucket", `satisfy regular expression pattern: arn:[^:]+:s3:.*`)},
		{"generator owner", gen(`<ExpectedBucketOwner>me</ExpectedBucketOwner>` + validGen + `<EnableManifestOutput>false</EnableManifestOutput>`), v("'me'", gp+".expectedBucketOwner", `satisfy regular expression pattern: ^\d{12}$`)},
		{"generator without EnableManifestOutput", gen(validGen), null(gp + ".enableManifestOutput")},
		{"manifest output without location", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput>`), msgOutputLocation},
		{"output location without bucket", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), null(gp + ".manifestOutputLocation.bucket")},
		{"output location without format", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket></ManifestOutputLocation>`), null(gp + ".manifestOutputLocation.manifestFormat")},
		{"output format", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestFormat>S3InventoryReport_CSV_20161130</ManifestFormat></ManifestOutputLocation>`), v("'S3InventoryReport_CSV_20161130'", gp+".manifestOutputLocation.manifestFormat", "satisfy enum value set: [S3InventoryReport_CSV_20211130]")},
		{"output empty prefix", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestPrefix/><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), v("''", gp+".manifestOutputLocation.manifestPrefix", "have length greater than or equal to 1")},
		{"output owner", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><ExpectedManifestBucketOwner>x</ExpectedManifestBucketOwner><Bucket>arn:aws:s3:::mb</Bucket><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), v("'x'", gp+".manifestOutputLocation.expectedManifestBucketOwner", `satisfy regular expression pattern: ^\d{12}$`)},
		{"output encryption empty", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestEncryption/><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), msgOneEncryption},
		{"output encryption both", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestEncryption><SSE-S3/><SSE-KMS><KeyId>k</KeyId></SSE-KMS></ManifestEncryption><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), msgOneEncryption},
		{"output SSE-KMS without key", gen(validGen + `<EnableManifestOutput>true</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestEncryption><SSE-KMS/></ManifestEncryption><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`), null(gp + ".manifestOutputLocation.manifestEncryption.sSEKMS.keyId")},
		// Filter
		{"replication status", genFilter(`<ObjectReplicationStatuses><member>NONE</member><member>PENDING</member></ObjectReplicationStatuses>`), v("'PENDING'", gp+".filter.objectReplicationStatuses.2.member", "satisfy enum value set: [COMPLETED, FAILED, REPLICA, NONE]")},
		{"storage class", genFilter(`<MatchAnyStorageClass><member>REDUCED_REDUNDANCY</member></MatchAnyStorageClass>`), v("'REDUCED_REDUNDANCY'", gp+".filter.matchAnyStorageClass.1.member", "satisfy enum value set: [STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR]")},
		{"empty prefix constraint", genFilter(`<KeyNameConstraint><MatchAnyPrefix><member></member></MatchAnyPrefix></KeyNameConstraint>`), v("''", gp+".filter.keyNameConstraint.matchAnyPrefix.1.member", "have length greater than or equal to 1")},
		{"suffix constraint too long", genFilter(`<KeyNameConstraint><MatchAnySuffix><member>` + long(1025) + `</member></MatchAnySuffix></KeyNameConstraint>`), v("'"+long(1025)+"'", gp+".filter.keyNameConstraint.matchAnySuffix.1.member", "have length less than or equal to 1024")},
		{"no object encryption", genFilter(`<MatchAnyObjectEncryption/>`), v("'0 items'", gp+".filter.matchAnyObjectEncryption", "have length greater than or equal to 1")},
		{"two object encryptions", genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><SSE-S3/></ObjectEncryption><ObjectEncryption><NOT-SSE/></ObjectEncryption></MatchAnyObjectEncryption>`), v("'2 items'", gp+".filter.matchAnyObjectEncryption", "have length less than or equal to 1")},
		{"encryption filter with two choices", genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><SSE-S3/><SSE-C/></ObjectEncryption></MatchAnyObjectEncryption>`), msgOneEncryption},
		{"empty encryption filter", genFilter(`<MatchAnyObjectEncryption><ObjectEncryption/></MatchAnyObjectEncryption>`), msgOneEncryption},
		{"encryption filter key ARN", genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS><KmsKeyArn>arn:aws:kms:us-east-1:111122223333:alias/a</KmsKeyArn></SSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>`), v("'arn:aws:kms:us-east-1:111122223333:alias/a'", gp+".filter.matchAnyObjectEncryption.1.member.SSE-KMS.kmsKeyArn", "satisfy regular expression pattern: arn:aws[a-zA-Z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+")},
		{"encryption filter short key ARN", genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><DSSE-KMS><KmsKeyArn>arn:aws:kms</KmsKeyArn></DSSE-KMS></ObjectEncryption></MatchAnyObjectEncryption>`), v("'arn:aws:kms'", gp+".filter.matchAnyObjectEncryption.1.member.DSSE-KMS.kmsKeyArn", "have length greater than or equal to 20")},
		// S3PutObjectTagging
		{"tag set value characters", with(map[string]string{"Operation": `<Operation><S3PutObjectTagging><TagSet><member><Key>k</Key><Value>a;b</Value></member></TagSet></S3PutObjectTagging></Operation>`}), v("'a;b'", "operation.s3PutObjectTagging.tagSet.1.member.value", `satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)},
		// S3PutObjectCopy
		{"copy without target", copyOp(`<StorageClass>STANDARD</StorageClass>`), msgCopyTarget},
		{"copy target", copyOp(`<TargetResource>arn:aws:iam::111122223333:role/r</TargetResource>`), v("'arn:aws:iam::111122223333:role/r'", cp+".targetResource", "satisfy regular expression pattern: arn:[^:]+:(s3|s3express):.*")},
		{"copy ACL", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><CannedAccessControlList>log-delivery-write</CannedAccessControlList>`), v("'log-delivery-write'", cp+".cannedAccessControlList", "satisfy enum value set: [private, public-read, public-read-write, aws-exec-read, authenticated-read, bucket-owner-read, bucket-owner-full-control]")},
		{"copy grant permission", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><AccessControlGrants><member><Permission>ALL</Permission></member></AccessControlGrants>`), v("'ALL'", cp+".accessControlGrants.1.member.permission", "satisfy enum value set: [FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP]")},
		{"copy grantee type", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><AccessControlGrants><member><Grantee><TypeIdentifier>group</TypeIdentifier></Grantee></member></AccessControlGrants>`), v("'group'", cp+".accessControlGrants.1.member.grantee.typeIdentifier", "satisfy enum value set: [id, emailAddress, uri]")},
		{"copy directive", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><MetadataDirective>MERGE</MetadataDirective>`), v("'MERGE'", cp+".metadataDirective", "satisfy enum value set: [COPY, REPLACE]")},
		{"copy storage class", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><StorageClass>EXPRESS_ONEZONE</StorageClass>`), v("'EXPRESS_ONEZONE'", cp+".storageClass", "satisfy enum value set: [STANDARD, STANDARD_IA, ONEZONE_IA, GLACIER, INTELLIGENT_TIERING, DEEP_ARCHIVE, GLACIER_IR]")},
		{"copy empty prefix", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><TargetKeyPrefix/>`), v("''", cp+".targetKeyPrefix", "have length greater than or equal to 1")},
		{"copy lock mode", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><ObjectLockMode>STRICT</ObjectLockMode>`), v("'STRICT'", cp+".objectLockMode", "satisfy enum value set: [COMPLIANCE, GOVERNANCE]")},
		{"copy legal hold", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><ObjectLockLegalHoldStatus>YES</ObjectLockLegalHoldStatus>`), v("'YES'", cp+".objectLockLegalHoldStatus", "satisfy enum value set: [OFF, ON]")},
		{"copy checksum", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><ChecksumAlgorithm>MD4</ChecksumAlgorithm>`), v("'MD4'", cp+".checksumAlgorithm", "satisfy enum value set: [CRC32, CRC32C, SHA1, SHA256, CRC64NVME, SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]")},
		{"copy SSE algorithm", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><SSEAlgorithm>aws:kms</SSEAlgorithm></NewObjectMetadata>`), v("'aws:kms'", cp+".newObjectMetadata.sSEAlgorithm", "satisfy enum value set: [AES256, KMS]")},
		{"copy negative length", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><ContentLength>-1</ContentLength></NewObjectMetadata>`), v("'-1'", cp+".newObjectMetadata.contentLength", "have value greater than or equal to 0")},
		{"copy empty content type", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><ContentType/></NewObjectMetadata>`), v("''", cp+".newObjectMetadata.contentType", "have length greater than or equal to 1")},
		{"copy empty metadata key", copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><UserMetadata><entry><key></key><value>v</value></entry></UserMetadata></NewObjectMetadata>`), v("''", cp+".newObjectMetadata.userMetadata.key", "have length greater than or equal to 1")},
		// Order: the first problem in model order wins.
		{"report before token", with(map[string]string{"Report": "", "ClientRequestToken": ""}), null("report")},
		{"priority before role", with(map[string]string{"Priority": `<Priority>-5</Priority>`, "RoleArn": ""}), v("'-5'", "priority", "have value greater than or equal to 0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCreateJob([]byte(tc.body))
			wantError(t, err, tc.msg)
		})
	}
}

// The limits themselves are accepted.
func TestDecodeAtLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	bodies := []string{
		with(map[string]string{"Tags": tagsXML(50)}),
		with(map[string]string{"Priority": `<Priority>0</Priority>`}),
		with(map[string]string{"Priority": `<Priority>2147483647</Priority>`}),
		with(map[string]string{"ClientRequestToken": `<ClientRequestToken>` + long(64) + `</ClientRequestToken>`}),
		with(map[string]string{"Description": `<Description>` + strings.Repeat("é", 256) + `</Description>`}),
		with(map[string]string{"RoleArn": `<RoleArn>arn:aws-cn:iam::111122223333:role/path/to/` + long(10) + `</RoleArn>`}),
		with(map[string]string{"Tags": `<Tags><member><Key>ü é_.:/=+-@ 1</Key><Value></Value></member></Tags>`}),
		report(`<Bucket>arn:aws:s3:::rb</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><ReportScope>FailedTasksOnly</ReportScope>`),
		report(`<Enabled>false</Enabled><Prefix>` + long(512) + `</Prefix>`),
		spec(`<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Ignore</member><member>Bucket</member><member>Ignore</member><member>Key</member><member>VersionId</member></Fields>`),
		genFilter(``),
		genFilter(`<MatchAnyObjectEncryption><ObjectEncryption><NOT-SSE/></ObjectEncryption></MatchAnyObjectEncryption>`),
		gen(`<SourceBucket>arn:aws:s3:::src</SourceBucket><EnableManifestOutput>false</EnableManifestOutput><ManifestOutputLocation><Bucket>arn:aws:s3:::mb</Bucket><ManifestFormat>S3InventoryReport_CSV_20211130</ManifestFormat></ManifestOutputLocation>`),
		copyOp(`<TargetResource>arn:aws:s3express:us-east-1:111122223333:bucket/b--use1-az4--x-s3</TargetResource>`),
	}
	for i, b := range bodies {
		if _, err := DecodeCreateJob([]byte(b)); err != nil {
			t.Errorf("%d: %v\n%s", i, err, b)
		}
	}
}
