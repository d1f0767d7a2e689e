package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/adminapi"
	"github.com/ferrys3/ferry/internal/sigv4"
)

// TestAccountCommands drives `ferry account create/list/delete` against a
// server and checks that accounts are isolated from each other.
func TestAccountCommands(t *testing.T) {
	cfg := &ServerConfig{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Region: "us-east-1", RootAccessKey: benchKey,
		RootSecretKey: benchSecret, InlineMax: 1024, NoSync: true}
	s, err := StartServer(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(time.Second)
	t.Setenv("FERRY_ROOT_ACCESS_KEY_ID", benchKey)
	t.Setenv("FERRY_ROOT_SECRET_ACCESS_KEY", benchSecret)
	run := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := Main(context.Background(), append(append([]string{"account"}, args...), "--endpoint", s.URL()), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	create := func(name string) adminapi.Account {
		code, out, errOut := run("create", name, "--json")
		var a adminapi.Account
		if code != 0 || json.Unmarshal([]byte(out), &a) != nil || len(a.AccountID) != 12 || !strings.HasPrefix(a.AccessKeyID, "AKIA") ||
			a.SecretAccessKey == "" || a.Name != name {
			t.Fatalf("create %s: %d %q %q", name, code, out, errOut)
		}
		return a
	}
	a, b := create("team-a"), create("team-b")
	s3 := func(acct adminapi.Account, method, path string) (int, string) {
		req, _ := http.NewRequest(method, s.URL()+path, nil)
		sigv4.Sign(req, sigv4.Credentials{AccessKeyID: acct.AccessKeyID, SecretAccessKey: acct.SecretAccessKey}, "us-east-1", "s3", sigv4.EmptySHA256, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := s3(a, http.MethodPut, "/team-a-bucket"); code != 200 {
		t.Fatalf("team-a creates its bucket: %d %s", code, body)
	}
	if code, body := s3(b, http.MethodGet, "/team-a-bucket?list-type=2"); code != 403 || !strings.Contains(body, "AccessDenied") {
		t.Fatalf("team-b lists team-a's bucket: %d %s", code, body)
	}
	if code, body := s3(b, http.MethodPut, "/team-a-bucket"); code != 409 || !strings.Contains(body, "BucketAlreadyExists") {
		t.Fatalf("bucket names are global: %d %s", code, body)
	}
	if _, body := s3(b, http.MethodGet, "/"); strings.Contains(body, "team-a-bucket") {
		t.Fatalf("team-b sees team-a's bucket in ListBuckets: %s", body)
	}
	// STS GetCallerIdentity names the account behind the key.
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sigv4.Sign(req, sigv4.Credentials{AccessKeyID: b.AccessKeyID, SecretAccessKey: b.SecretAccessKey}, "eu-west-1", "sts", sha256hex(body), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ident, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(ident), "<Arn>arn:aws:iam::"+b.AccountID+":root</Arn>") ||
		!strings.Contains(string(ident), "<Account>"+b.AccountID+"</Account>") {
		t.Fatalf("GetCallerIdentity: %d %s", resp.StatusCode, ident)
	}
	// Only operators may use the admin API.
	t.Setenv("FERRY_ROOT_ACCESS_KEY_ID", a.AccessKeyID)
	t.Setenv("FERRY_ROOT_SECRET_ACCESS_KEY", a.SecretAccessKey)
	if code, _, errOut := run("list"); code != 1 || !strings.Contains(errOut, "AccessDenied") {
		t.Fatalf("non-operator list: %d %s", code, errOut)
	}
	t.Setenv("FERRY_ROOT_ACCESS_KEY_ID", benchKey)
	t.Setenv("FERRY_ROOT_SECRET_ACCESS_KEY", benchSecret)
	code, out, _ := run("list", "--json")
	var l struct{ Accounts []adminapi.Account }
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Accounts) != 3 {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, errOut := run("delete", a.AccountID); code != 1 || !strings.Contains(errOut, "AccountNotEmpty") {
		t.Fatalf("deleting an account that owns a bucket: %d %s", code, errOut)
	}
	if code, _, errOut := run("delete", b.AccountID); code != 0 {
		t.Fatalf("delete team-b: %s", errOut)
	}
	if code, body := s3(b, http.MethodGet, "/"); code != 403 || !strings.Contains(body, "InvalidAccessKeyId") {
		t.Fatalf("a deleted account's keys must stop working: %d %s", code, body)
	}
	if code, _, errOut := run("create", " ", "--json"); code != 1 || !strings.Contains(errOut, "InvalidAccountName") {
		t.Fatalf("blank name: %d %s", code, errOut)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
