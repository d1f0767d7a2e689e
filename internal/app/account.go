package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/ferrys3/ferry/internal/adminapi"
	"github.com/ferrys3/ferry/internal/sigv4"
)

const accountUsage = `Usage:
  ferry account create NAME [--json]   create an account; prints its ID and root user keys
  ferry account list [--json]          list accounts
  ferry account delete ACCOUNT_ID      delete an account that owns no buckets

Flags: --endpoint URL (default http://127.0.0.1:9000, env FERRY_ENDPOINT).
The operator keys come from FERRY_ROOT_ACCESS_KEY_ID and FERRY_ROOT_SECRET_ACCESS_KEY.
`

// adminCommand parses the flags every admin subcommand shares (--endpoint,
// --json; before or after the positional arguments) and builds the admin
// client with the operator keys. It returns a nil client and an exit code
// when it cannot.
func adminCommand(name string, args []string, stderr io.Writer) (*adminapi.Client, []string, *bool, int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", env("FERRY_ENDPOINT", "http://127.0.0.1:9000"), "ferry endpoint")
	asJSON := fs.Bool("json", false, "print JSON")
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, nil, nil, 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	c := &adminapi.Client{Endpoint: *endpoint, Credentials: sigv4.Credentials{
		AccessKeyID: os.Getenv("FERRY_ROOT_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("FERRY_ROOT_SECRET_ACCESS_KEY")}}
	if c.Credentials.AccessKeyID == "" || c.Credentials.SecretAccessKey == "" {
		fmt.Fprintln(stderr, name+": set FERRY_ROOT_ACCESS_KEY_ID and FERRY_ROOT_SECRET_ACCESS_KEY to the operator keys")
		return nil, nil, nil, 2
	}
	return c, pos, asJSON, 0
}

// runAccount is `ferry account …`.
func runAccount(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, accountUsage)
		return 2
	}
	verb := args[0]
	c, pos, asJSON, code := adminCommand("ferry account "+verb, args[1:], stderr)
	if c == nil {
		return code
	}
	var err error
	switch {
	case verb == "create" && len(pos) == 1:
		var a *adminapi.Account
		if a, err = c.CreateAccount(ctx, pos[0]); err == nil {
			if *asJSON {
				err = json.NewEncoder(stdout).Encode(a)
			} else {
				fmt.Fprintf(stdout, "AccountId=%s\nName=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", a.AccountID, a.Name, a.AccessKeyID, a.SecretAccessKey)
			}
		}
	case verb == "list" && len(pos) == 0:
		var as []adminapi.Account
		if as, err = c.ListAccounts(ctx); err == nil {
			if *asJSON {
				err = json.NewEncoder(stdout).Encode(map[string]any{"Accounts": as})
			} else {
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ACCOUNT ID\tNAME\tCREATED\tOPERATOR")
				for _, a := range as {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", a.AccountID, a.Name, a.Created.Format("2006-01-02T15:04:05Z"), a.Operator)
				}
				err = tw.Flush()
			}
		}
	case verb == "delete" && len(pos) == 1:
		err = c.DeleteAccount(ctx, pos[0])
	default:
		fmt.Fprint(stderr, accountUsage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "ferry account "+verb+":", err)
		return 1
	}
	return 0
}
