package manifest

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"testing"
	"time"
)

func TestReportWriterGolden(t *testing.T) {
	var s memStore
	w, err := NewReportWriter(ReportWriterOptions{Prefix: "reports", JobID: "00e123a4", MaxRowsPerFile: 2,
		Create: s.create, NewName: counter("h")})
	if err != nil {
		t.Fatal(err)
	}
	results := []Result{
		{Bucket: "src", Key: "a b", VersionID: "v1", TaskStatus: TaskSucceeded, HTTPStatusCode: 200, ResultMessage: "Successful"},
		{Bucket: "src", Key: "k2", TaskStatus: TaskFailed, HTTPStatusCode: 400, ErrorCode: "DstObjectHardDeleted",
			ResultMessage: `Object "k2", deleted`},
		{Bucket: "src", Key: "k3", TaskStatus: TaskSucceeded, HTTPStatusCode: 200, ResultMessage: "Successful"},
		{Bucket: "src", Key: "k4", TaskStatus: TaskSucceeded, HTTPStatusCode: 200, ResultMessage: "Successful"},
		{Bucket: "src", Key: "k5", TaskStatus: TaskFailed, ErrorCode: "PermanentFailure", ResultMessage: "x\ny"},
	}
	for i := range results {
		if err := w.Write(&results[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(&Result{TaskStatus: "done"}); err != ErrTaskStatus {
		t.Fatalf("bad status: %v", err)
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ status, key, body string }{
		{TaskSucceeded, "reports/job-00e123a4/results/h-1.csv",
			"src,a+b,v1,succeeded,200,,Successful\r\nsrc,k3,,succeeded,200,,Successful\r\n"},
		{TaskSucceeded, "reports/job-00e123a4/results/h-3.csv", "src,k4,,succeeded,200,,Successful\r\n"},
		{TaskFailed, "reports/job-00e123a4/results/h-2.csv",
			"src,k2,,failed,400,DstObjectHardDeleted,\"Object \"\"k2\"\", deleted\"\r\nsrc,k5,,failed,,PermanentFailure,\"x\ny\"\r\n"},
	}
	if len(files) != len(want) || s.closed != 3 {
		t.Fatalf("files %+v", files)
	}
	for i, f := range files {
		body := s.objects[f.Key].Bytes()
		sum := md5.Sum(body)
		if f.TaskExecutionStatus != want[i].status || f.Key != want[i].key || string(body) != want[i].body ||
			f.Size != int64(len(body)) || f.MD5 != hex.EncodeToString(sum[:]) {
			t.Errorf("file %d: %+v\n%q", i, f, body)
		}
	}
	created := time.Date(2019, 4, 5, 17, 48, 39, 725e6, time.UTC)
	got := string(ReportManifestJSON("my-job-reports", created, files[:1]))
	wantJSON := `{"Format":"Report_CSV_20180820","ReportCreationDate":"2019-04-05T17:48:39.725Z","Results":[` +
		`{"TaskExecutionStatus":"succeeded","Bucket":"my-job-reports","MD5Checksum":"` + files[0].MD5 +
		`","Key":"reports/job-00e123a4/results/h-1.csv"}],` +
		`"ReportSchema":"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"}`
	if got != wantJSON {
		t.Fatalf("got  %s\nwant %s", got, wantJSON)
	}
	if ReportManifestKey("", "j") != "job-j/manifest.json" || ReportManifestKey("r/", "j") != "r/job-j/manifest.json" {
		t.Fatal("ReportManifestKey")
	}
}

func TestReportWriterFailedOnly(t *testing.T) {
	var s memStore
	w, _ := NewReportWriter(ReportWriterOptions{JobID: "j", FailedTasksOnly: true, Create: s.create})
	for i := 0; i < 3; i++ {
		st := TaskSucceeded
		if i == 1 {
			st = TaskFailed
		}
		_ = w.Write(&Result{Bucket: "b", Key: "k" + strconv.Itoa(i), TaskStatus: st, HTTPStatusCode: 500, ErrorCode: "InternalError"})
	}
	files, err := w.Close()
	if err != nil || len(files) != 1 || files[0].TaskExecutionStatus != TaskFailed || len(files[0].Key) != len("job-j/results/")+40+len(".csv") {
		t.Fatalf("%+v %v", files, err)
	}
	if got := s.objects[files[0].Key].String(); got != "b,k1,,failed,500,InternalError,\r\n" {
		t.Fatalf("%q", got)
	}
	if _, err := NewReportWriter(ReportWriterOptions{}); err == nil {
		t.Fatal("nil Create accepted")
	}
	s.failKey = "job-j/results/x.csv"
	w, _ = NewReportWriter(ReportWriterOptions{JobID: "j", Create: s.create, NewName: func() string { return "x" }})
	if err := w.Write(&Result{Bucket: "b", Key: "k", TaskStatus: TaskSucceeded}); err == nil {
		t.Fatal("Write after failed Create succeeded")
	}
	if _, err := w.Close(); err == nil {
		t.Fatal("Close after failure succeeded")
	}
}
