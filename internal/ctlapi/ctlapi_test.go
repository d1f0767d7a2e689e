package ctlapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/app"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const (
	key    = "AKIACTLAPITEST000001"
	secret = "ctlapisecretctlapisecretctlapisecret01"
)

func start(t *testing.T) *app.Server {
	t.Helper()
	cfg := &app.ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: "us-east-1", LogLevel: "warn", LogFormat: "text",
		RootAccessKey: key, RootSecretKey: secret, InlineMax: 128 << 10, NoSync: true}
	srv, err := app.StartServer(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(5 * time.Second) })
	return srv
}

type reply struct {
	status int
	body   string
}

// call sends a signed S3 Control request; host, when set, replaces the
// Host header (as the SDKs' account-id label does).
func call(t *testing.T, srv *app.Server, method, path, account, host string, body []byte, sign bool) reply {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if account != "" {
		req.Header.Set("x-amz-account-id", account)
	}
	if sign {
		sum := sha256.Sum256(body)
		sigv4.Sign(req, sigv4.Credentials{AccessKeyID: key, SecretAccessKey: secret}, "us-east-1", "s3", hex.EncodeToString(sum[:]), time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b)}
}

func TestRequestsAndErrors(t *testing.T) {
	srv := start(t)
	account := srv.Bootstrap.AccountID
	wrapped := func(name string, r reply, status int, code string) {
		t.Helper()
		if r.status != status || !strings.Contains(r.body, "<ErrorResponse><Error><Code>"+code+"</Code>") {
			t.Errorf("%s: %d %s, want %d %s in a wrapped error", name, r.status, r.body, status, code)
		}
	}
	if r := call(t, srv, "GET", "/v20180820/jobs", account, "", nil, true); r.status != 200 || !strings.Contains(r.body, "<ListJobsResult") {
		t.Errorf("ListJobs: %d %s", r.status, r.body)
	}
	// The account-id host label the SDKs add is accepted (the signature
	// covers the Host as sent).
	if r := call(t, srv, "GET", "/v20180820/jobs", account, account+"."+strings.TrimPrefix(srv.URL(), "http://"), nil, true); r.status != 200 {
		t.Errorf("ListJobs with the host label: %d %s", r.status, r.body)
	}
	wrapped("missing x-amz-account-id", call(t, srv, "GET", "/v20180820/jobs", "", "", nil, true), 400, "InvalidRequestException")
	wrapped("another account", call(t, srv, "GET", "/v20180820/jobs", "111122223333", "", nil, true), 403, "AccessDenied")
	wrapped("unsigned", call(t, srv, "GET", "/v20180820/jobs", account, "", nil, false), 403, "AccessDenied")
	wrapped("unknown job", call(t, srv, "GET", "/v20180820/jobs/00000000-0000-7000-8000-000000000000", account, "", nil, true), 404, "NotFoundException")
	wrapped("malformed CreateJob", call(t, srv, "POST", "/v20180820/jobs", account, "", []byte("<CreateJobRequest><Priority>x"), true), 400, "BadRequestException")
	wrapped("unsupported operation", call(t, srv, "POST", "/v20180820/jobs", account, "", []byte(`<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">`+
		`<ConfirmationRequired>false</ConfirmationRequired><Operation><LambdaInvoke><FunctionArn>arn:aws:lambda:us-east-1:`+account+`:function:f</FunctionArn></LambdaInvoke></Operation>`+
		`<Report><Enabled>false</Enabled></Report><ClientRequestToken>t1</ClientRequestToken>`+
		`<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>`+
		`<Location><ObjectArn>arn:aws:s3:::b/m.csv</ObjectArn><ETag>e</ETag></Location></Manifest>`+
		`<Priority>1</Priority><RoleArn>arn:aws:iam::`+account+`:role/r</RoleArn></CreateJobRequest>`), true), 400, "BadRequestException")
	wrapped("bad requested status", call(t, srv, "POST", "/v20180820/jobs/x1234/status?requestedJobStatus=Active", account, "", nil, true), 400, "BadRequestException")
}
