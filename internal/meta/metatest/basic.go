package metatest

// Accounts, access keys, buckets, inline data and settings.

import (
	"slices"
	"testing"

	"github.com/ferrys3/ferry/internal/meta"
)

func testAccounts(t *testing.T, open Opener) {
	s := newStore(t, open)
	a1 := &meta.Account{ID: "111111111111", Name: "one", Created: base, Operator: true}
	a2 := &meta.Account{ID: "222222222222", Name: "two", Created: at(1)}
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutAccount(a1); err != nil {
			return err
		}
		return tx.PutAccount(a2)
	})
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetAccount(a1.ID)
		wantErr(t, "GetAccount", err, nil)
		equal(t, "GetAccount", got, a1)
		_, err = tx.GetAccount("999999999999")
		wantErr(t, "GetAccount missing", err, meta.ErrNotFound)
		var all []*meta.Account
		wantErr(t, "ListAccounts", tx.ListAccounts(func(a *meta.Account) bool { all = append(all, a); return true }), nil)
		slices.SortFunc(all, func(a, b *meta.Account) int { return compare(a.ID, b.ID) })
		equal(t, "ListAccounts", all, []*meta.Account{a1, a2})
		n := 0
		wantErr(t, "ListAccounts stop", tx.ListAccounts(func(*meta.Account) bool { n++; return false }), nil)
		equal(t, "ListAccounts stop count", n, 1)
		return nil
	})
	// Replace.
	a1b := &meta.Account{ID: a1.ID, Name: "renamed", Created: base}
	update(t, s, func(tx meta.Tx) error { return tx.PutAccount(a1b) })
	update(t, s, func(tx meta.Tx) error { return tx.DeleteAccount(a2.ID) })
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetAccount(a1.ID)
		equal(t, "replaced account", got, a1b)
		_, err := tx.GetAccount(a2.ID)
		wantErr(t, "GetAccount deleted", err, meta.ErrNotFound)
		return nil
	})
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteAccount(a2.ID) })
	wantErr(t, "DeleteAccount missing", err, meta.ErrNotFound)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testAccessKeys(t *testing.T, open Opener) {
	s := newStore(t, open)
	k := func(id, acct, user string) *meta.AccessKey {
		return &meta.AccessKey{ID: id, Secret: "secret-" + id, AccountID: acct, UserName: user, Status: "Active", Created: base}
	}
	ks := []*meta.AccessKey{k("AKIA1", "111111111111", ""), k("AKIA2", "111111111111", "alice"),
		k("AKIA3", "222222222222", ""), k("AKIA0", "111111111111", "bob")}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range ks {
			if err := tx.PutAccessKey(x); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(acct string) []string {
		var ids []string
		view(t, s, func(tx meta.Tx) error {
			return tx.ListAccessKeys(acct, func(k *meta.AccessKey) bool { ids = append(ids, k.ID); return true })
		})
		slices.Sort(ids)
		return ids
	}
	equal(t, "keys of 1111", list("111111111111"), []string{"AKIA0", "AKIA1", "AKIA2"})
	equal(t, "keys of 2222", list("222222222222"), []string{"AKIA3"})
	equal(t, "keys of 3333", list("333333333333"), []string(nil))
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetAccessKey("AKIA2")
		wantErr(t, "GetAccessKey", err, nil)
		equal(t, "GetAccessKey", got, ks[1])
		_, err = tx.GetAccessKey("nope")
		wantErr(t, "GetAccessKey missing", err, meta.ErrNotFound)
		n := 0
		wantErr(t, "ListAccessKeys stop", tx.ListAccessKeys("111111111111", func(*meta.AccessKey) bool { n++; return false }), nil)
		equal(t, "ListAccessKeys stop count", n, 1)
		return nil
	})
	// Replacing a key moves it between accounts and updates its fields.
	moved := k("AKIA2", "222222222222", "alice")
	moved.Status = "Inactive"
	update(t, s, func(tx meta.Tx) error { return tx.PutAccessKey(moved) })
	equal(t, "keys of 1111 after move", list("111111111111"), []string{"AKIA0", "AKIA1"})
	equal(t, "keys of 2222 after move", list("222222222222"), []string{"AKIA2", "AKIA3"})
	update(t, s, func(tx meta.Tx) error { return tx.DeleteAccessKey("AKIA1") })
	equal(t, "keys of 1111 after delete", list("111111111111"), []string{"AKIA0"})
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetAccessKey("AKIA2")
		equal(t, "moved key", got, moved)
		_, err := tx.GetAccessKey("AKIA1")
		wantErr(t, "GetAccessKey deleted", err, meta.ErrNotFound)
		return nil
	})
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteAccessKey("AKIA1") })
	wantErr(t, "DeleteAccessKey missing", err, meta.ErrNotFound)
}

func testBuckets(t *testing.T, open Opener) {
	s := newStore(t, open)
	b := func(name, owner string) *meta.Bucket {
		return &meta.Bucket{Name: name, Owner: owner, Region: "us-east-1", Created: base}
	}
	all := []*meta.Bucket{b("zeta", "111111111111"), b("alpha", "222222222222"), b("beta", "111111111111"),
		b("alpha-2", "111111111111"), b("gamma", "222222222222")}
	update(t, s, func(tx meta.Tx) error {
		for _, x := range all {
			if err := tx.CreateBucket(x); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.CreateBucket(b("beta", "222222222222")) })
	wantErr(t, "CreateBucket taken", err, meta.ErrExists)

	list := func(owner string, limit int) []string {
		names := []string{}
		view(t, s, func(tx meta.Tx) error {
			return tx.ListBuckets(owner, func(b *meta.Bucket) bool {
				names = append(names, b.Name)
				return limit <= 0 || len(names) < limit
			})
		})
		return names
	}
	for _, c := range []struct {
		owner string
		limit int
		want  []string
	}{
		{"", 0, []string{"alpha", "alpha-2", "beta", "gamma", "zeta"}},
		{"111111111111", 0, []string{"alpha-2", "beta", "zeta"}},
		{"222222222222", 0, []string{"alpha", "gamma"}},
		{"333333333333", 0, []string{}},
		{"", 2, []string{"alpha", "alpha-2"}},
		{"111111111111", 1, []string{"alpha-2"}},
	} {
		equal(t, "ListBuckets("+c.owner+")", list(c.owner, c.limit), c.want)
	}

	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetBucket("beta")
		wantErr(t, "GetBucket", err, nil)
		equal(t, "GetBucket", got, all[2])
		_, err = tx.GetBucket("nope")
		wantErr(t, "GetBucket missing", err, meta.ErrNotFound)
		return nil
	})

	// UpdateBucket replaces configuration, versioning and even the owner.
	up := b("beta", "222222222222")
	up.Versioning = meta.VersioningEnabled
	up.Configs = map[string][]byte{"policy": []byte(`{"Version":"2012-10-17"}`), "cors": []byte("<x/>")}
	update(t, s, func(tx meta.Tx) error { return tx.UpdateBucket(up) })
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetBucket("beta")
		equal(t, "updated bucket", got, up)
		return nil
	})
	equal(t, "ListBuckets after owner change", list("111111111111", 0), []string{"alpha-2", "zeta"})
	equal(t, "ListBuckets after owner change", list("222222222222", 0), []string{"alpha", "beta", "gamma"})
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.UpdateBucket(b("nope", "111111111111")) })
	wantErr(t, "UpdateBucket missing", err, meta.ErrNotFound)

	update(t, s, func(tx meta.Tx) error { return tx.DeleteBucket("alpha") })
	equal(t, "ListBuckets after delete", list("", 0), []string{"alpha-2", "beta", "gamma", "zeta"})
	err = s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteBucket("alpha") })
	wantErr(t, "DeleteBucket missing", err, meta.ErrNotFound)

	// A deleted bucket's leftovers do not reappear when the name is reused.
	putVersions(t, s, ver("gamma", "k", "v1", 0, 0))
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutUpload(&meta.Upload{Bucket: "gamma", Key: "k", UploadID: "up1", Initiated: base}); err != nil {
			return err
		}
		return tx.PutPart(&meta.Part{UploadID: "up1", Number: 1, ModTime: base})
	})
	update(t, s, func(tx meta.Tx) error { return tx.DeleteBucket("gamma") })
	mkBucket(t, s, "gamma")
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetPart("up1", 1)
		wantErr(t, "GetPart of a deleted bucket's upload", err, meta.ErrNotFound)
		_, err = tx.GetCurrent("gamma", "k")
		wantErr(t, "GetCurrent in recreated bucket", err, meta.ErrNotFound)
		empty, err := tx.BucketEmpty("gamma")
		wantErr(t, "BucketEmpty recreated", err, nil)
		equal(t, "BucketEmpty recreated", empty, true)
		return nil
	})
}

func testBucketEmpty(t *testing.T, open Opener) {
	for _, c := range []struct {
		name  string
		setup func(tx meta.Tx) error
		empty bool
	}{
		{"new", func(meta.Tx) error { return nil }, true},
		{"version", func(tx meta.Tx) error { return tx.PutVersion(ver("b", "k", "v1", 0, 0)) }, false},
		{"delete marker", func(tx meta.Tx) error {
			return tx.PutVersion(&meta.Version{Bucket: "b", Key: "k", VersionID: "dm", ModTime: base, DeleteMarker: true})
		}, false},
		{"upload", func(tx meta.Tx) error {
			return tx.PutUpload(&meta.Upload{Bucket: "b", Key: "k", UploadID: "u1", Initiated: base})
		}, false},
		{"other bucket's version", func(tx meta.Tx) error { return tx.PutVersion(ver("other", "k", "v1", 0, 0)) }, true},
		{"version deleted", func(tx meta.Tx) error {
			if err := tx.PutVersion(ver("b", "k", "v1", 0, 0)); err != nil {
				return err
			}
			return tx.DeleteVersion("b", "k", "v1")
		}, true},
		{"upload deleted", func(tx meta.Tx) error {
			if err := tx.PutUpload(&meta.Upload{Bucket: "b", Key: "k", UploadID: "u1", Initiated: base}); err != nil {
				return err
			}
			return tx.DeleteUpload("b", "k", "u1")
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, open)
			mkBucket(t, s, "b", "other")
			update(t, s, c.setup)
			view(t, s, func(tx meta.Tx) error {
				empty, err := tx.BucketEmpty("b")
				wantErr(t, "BucketEmpty", err, nil)
				equal(t, "BucketEmpty", empty, c.empty)
				return nil
			})
		})
	}
	s := newStore(t, open)
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.BucketEmpty("missing")
		wantErr(t, "BucketEmpty missing", err, meta.ErrNotFound)
		return nil
	})
}

func testInline(t *testing.T, open Opener) {
	s := newStore(t, open)
	data := []byte("hello inline")
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutInline("i1", data); err != nil {
			return err
		}
		if err := tx.PutInline("empty", nil); err != nil {
			return err
		}
		data[0] = 'J' // the store must have copied
		return tx.PutInline("i2", []byte{0, 1, 2, 255})
	})
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetInline("i1")
		wantErr(t, "GetInline", err, nil)
		equal(t, "GetInline", string(got), "hello inline")
		got, err = tx.GetInline("i2")
		wantErr(t, "GetInline binary", err, nil)
		equal(t, "GetInline binary", got, []byte{0, 1, 2, 255})
		got, err = tx.GetInline("empty")
		wantErr(t, "GetInline empty", err, nil)
		equal(t, "GetInline empty length", len(got), 0)
		_, err = tx.GetInline("nope")
		wantErr(t, "GetInline missing", err, meta.ErrNotFound)
		return nil
	})
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutInline("i1", []byte("replaced")); err != nil {
			return err
		}
		return tx.DeleteInline("i2")
	})
	view(t, s, func(tx meta.Tx) error {
		got, _ := tx.GetInline("i1")
		equal(t, "replaced inline", string(got), "replaced")
		_, err := tx.GetInline("i2")
		wantErr(t, "GetInline deleted", err, meta.ErrNotFound)
		return nil
	})
}

func testSettings(t *testing.T, open Opener) {
	s := newStore(t, open)
	update(t, s, func(tx meta.Tx) error {
		if err := tx.PutSetting("bootstrap", []byte("done")); err != nil {
			return err
		}
		return tx.PutSetting("empty", []byte{})
	})
	update(t, s, func(tx meta.Tx) error { return tx.PutSetting("bootstrap", []byte("v2")) })
	view(t, s, func(tx meta.Tx) error {
		got, err := tx.GetSetting("bootstrap")
		wantErr(t, "GetSetting", err, nil)
		equal(t, "GetSetting", string(got), "v2")
		got, err = tx.GetSetting("empty")
		wantErr(t, "GetSetting empty", err, nil)
		equal(t, "GetSetting empty length", len(got), 0)
		_, err = tx.GetSetting("nope")
		wantErr(t, "GetSetting missing", err, meta.ErrNotFound)
		return nil
	})
}
