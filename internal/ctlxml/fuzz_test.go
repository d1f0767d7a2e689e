package ctlxml

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeCreateJob checks that DecodeCreateJob never panics, fails only
// with a 400 BadRequestException *Error, and that whatever it accepts
// re-encodes to a body that decodes to the same request and encodes the
// same way again; the response encoders must not panic on it either.
func FuzzDecodeCreateJob(f *testing.F) {
	for _, dir := range []string{"cli", "sdk"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		job(opReplicate, manifestXML),
		job(opReplicate, generatorXML, tagsXML(2)),
		genFilter(`<CreatedAfter>2024-01-01T00:00:00.123456789+05:30</CreatedAfter><KeyNameConstraint><MatchAnyPrefix><member>&#xD;&lt;</member></MatchAnyPrefix></KeyNameConstraint>`),
		copyOp(`<TargetResource>arn:aws:s3:::dst</TargetResource><NewObjectMetadata><UserMetadata><entry><key>k</key><value/></entry></UserMetadata></NewObjectMetadata>`),
		job(`<Operation><LambdaInvoke><FunctionArn>f</FunctionArn></LambdaInvoke></Operation>`, manifestXML),
		`<CreateJobRequest><Priority>1</Priority>`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeCreateJob(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadRequest || e.Status != 400 {
				t.Fatalf("error %v is not a 400 BadRequestException", err)
			}
			return
		}
		body := MarshalCreateJobRequest(r)
		r2, err := DecodeCreateJob(body)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", body, err)
		}
		if again := MarshalCreateJobRequest(r2); !bytes.Equal(again, body) {
			t.Fatalf("encoding not stable:\n%s\n%s", body, again)
		}
		MarshalDescribeJob(&JobDescriptor{JobID: "j", Manifest: r.Manifest, Operation: &r.Operation, Report: &r.Report,
			ManifestGenerator: r.ManifestGenerator, Description: r.Description, RoleArn: r.RoleArn, Priority: r.Priority})
		MarshalListJobs([]JobListDescriptor{{JobID: "j", Operation: r.Operation.Name(), Description: r.Description}}, r.ClientRequestToken)
	})
}
