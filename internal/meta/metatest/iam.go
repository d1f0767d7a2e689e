package metatest

import (
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/meta"
)

// testSessionKeys checks that role-session credentials keep every field.
func testSessionKeys(t *testing.T, open Opener) {
	s := newStore(t, open)
	k := &meta.AccessKey{ID: "ASIA1", Secret: "s", AccountID: "111111111111", Status: "Active", Created: base,
		RoleName: "repl", SessionName: "s3-replication", SessionToken: "tok", Expires: base.Add(time.Hour),
		AssumedBy: "s3.amazonaws.com", SessionPolicy: `{"Version":"2012-10-17"}`}
	update(t, s, func(tx meta.Tx) error { return tx.PutAccessKey(k) })
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetAccessKey("ASIA1")
		wantErr(t, "GetAccessKey session", err, nil)
		equal(t, "session key", got, k)
		return nil
	})
}

func testIAMEntities(t *testing.T, open Opener) {
	s := newStore(t, open)
	const a, b = "111111111111", "222222222222"
	role := &meta.IAMEntity{AccountID: a, Kind: meta.KindRole, Name: "Repl-Role", Path: "/service-role/", ID: "AROA1",
		Created: base, Description: "d", Tags: []meta.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}},
		Inline: map[string]string{"p": `{"Statement":[]}`}, Attached: []string{"arn:aws:iam::111111111111:policy/x", "arn:aws:iam::aws:policy/y"},
		TrustPolicy: `{"Version":"2012-10-17"}`, MaxSessionDuration: 3600, PermissionsBoundary: "arn:aws:iam::111111111111:policy/b"}
	user := &meta.IAMEntity{AccountID: a, Kind: meta.KindUser, Name: "alice", Path: "/", ID: "AIDA1", Created: base, Groups: []string{"devs"}}
	user2 := &meta.IAMEntity{AccountID: a, Kind: meta.KindUser, Name: "Bob", Path: "/", ID: "AIDA2", Created: base}
	other := &meta.IAMEntity{AccountID: b, Kind: meta.KindUser, Name: "alice", Path: "/", ID: "AIDA3", Created: base}
	group := &meta.IAMEntity{AccountID: a, Kind: meta.KindGroup, Name: "devs", Path: "/", ID: "AGPA1", Created: base}
	update(t, s, func(tx meta.Tx) error {
		for _, e := range []*meta.IAMEntity{role, user, user2, other, group} {
			if err := tx.PutIAMEntity(e); err != nil {
				return err
			}
		}
		return nil
	})
	names := func(acct, kind string) []string {
		var out []string
		view(t, s, func(tx meta.Tx) error {
			return tx.ListIAMEntities(acct, kind, func(e *meta.IAMEntity) bool { out = append(out, e.Name); return true })
		})
		return out
	}
	equal(t, "users of a (case-folded order)", names(a, meta.KindUser), []string{"alice", "Bob"})
	equal(t, "users of b", names(b, meta.KindUser), []string{"alice"})
	equal(t, "roles of a", names(a, meta.KindRole), []string{"Repl-Role"})
	equal(t, "groups of a", names(a, meta.KindGroup), []string{"devs"})
	equal(t, "roles of b", names(b, meta.KindRole), []string(nil))
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetIAMEntity(a, meta.KindRole, "repl-role")
		wantErr(t, "GetIAMEntity case-insensitive", err, nil)
		equal(t, "role", got, role)
		_, err = tx.GetIAMEntity(a, meta.KindUser, "Repl-Role")
		wantErr(t, "GetIAMEntity other kind", err, meta.ErrNotFound)
		_, err = tx.GetIAMEntity(b, meta.KindRole, "Repl-Role")
		wantErr(t, "GetIAMEntity other account", err, meta.ErrNotFound)
		n := 0
		wantErr(t, "ListIAMEntities stop", tx.ListIAMEntities(a, meta.KindUser, func(*meta.IAMEntity) bool { n++; return false }), nil)
		equal(t, "ListIAMEntities stop count", n, 1)
		return nil
	})
	// Replacing under a differently cased name keeps one entity.
	renamed := *user2
	renamed.Name, renamed.Description = "BOB", "x"
	update(t, s, func(tx meta.Tx) error { return tx.PutIAMEntity(&renamed) })
	equal(t, "users after replace", names(a, meta.KindUser), []string{"alice", "BOB"})
	update(t, s, func(tx meta.Tx) error { return tx.DeleteIAMEntity(a, meta.KindUser, "bob") })
	equal(t, "users after delete", names(a, meta.KindUser), []string{"alice"})
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteIAMEntity(a, meta.KindUser, "bob") })
	wantErr(t, "DeleteIAMEntity missing", err, meta.ErrNotFound)
	equal(t, "users of b untouched", names(b, meta.KindUser), []string{"alice"})
}

func testManagedPolicies(t *testing.T, open Opener) {
	s := newStore(t, open)
	const a = "111111111111"
	p := &meta.ManagedPolicy{AccountID: a, Name: "S3Repl", Path: "/", ID: "ANPA1", Created: base, Updated: base.Add(time.Second),
		DefaultVersion: "v2", NextVersion: 3, AttachmentCount: 2,
		Versions: []meta.PolicyVersion{{ID: "v2", Document: "{2}", Created: base.Add(time.Second)}, {ID: "v1", Document: "{1}", Created: base}}}
	q := &meta.ManagedPolicy{AccountID: a, Name: "audit", Path: "/team/", ID: "ANPA2", Created: base, Updated: base,
		DefaultVersion: "v1", NextVersion: 2, Versions: []meta.PolicyVersion{{ID: "v1", Document: "{}", Created: base}}}
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutManagedPolicy(p); err != nil {
			return err
		}
		return tx.PutManagedPolicy(q)
	})
	// A managed policy never shows up as a user, group or role.
	equal(t, "roles", func() (n int) {
		view(t, s, func(tx meta.Tx) error {
			return tx.ListIAMEntities(a, meta.KindRole, func(*meta.IAMEntity) bool { n++; return true })
		})
		return
	}(), 0)
	var got []string
	view(t, s, func(tx meta.Tx) error {
		return tx.ListManagedPolicies(a, func(m *meta.ManagedPolicy) bool { got = append(got, m.Name); return true })
	})
	equal(t, "policies", got, []string{"audit", "S3Repl"})
	view(t, s, func(tx meta.Tx) error {
		m, err := tx.GetManagedPolicy(a, "s3repl")
		wantErr(t, "GetManagedPolicy", err, nil)
		equal(t, "policy", m, p)
		return nil
	})
	update(t, s, func(tx meta.Tx) error { return tx.DeleteManagedPolicy(a, "S3REPL") })
	err := s.View(ctx, func(tx meta.Tx) error { _, err := tx.GetManagedPolicy(a, "S3Repl"); return err })
	wantErr(t, "GetManagedPolicy deleted", err, meta.ErrNotFound)
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteManagedPolicy(a, "S3Repl") })
	wantErr(t, "DeleteManagedPolicy missing", err, meta.ErrNotFound)
}
