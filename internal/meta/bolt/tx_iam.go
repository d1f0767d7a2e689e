package bolt

// IAM users, groups, roles and customer managed policies. These records are
// small and read through the iam service, so they are stored as JSON; the
// key is lp(account) lp(kind) case-folded name, which gives the
// case-insensitive uniqueness IAM requires and name-ordered listings.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ferrys3/ferry/internal/meta"
)

const kindPolicy = "policy"

func iamKey(accountID, kind, name string) []byte {
	k := append(lp(accountID), lp(kind)...)
	return append(k, strings.ToLower(name)...)
}

func (t *tx) putIAM(accountID, kind, name string, v any) error {
	if err := checkKey("account ID", accountID); err != nil {
		return err
	}
	if err := checkKey("IAM name", name); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("meta/bolt: encode %s: %w", kind, err)
	}
	return t.put(t.btx.Bucket(bIAM), iamKey(accountID, kind, name), b)
}

func (t *tx) getIAM(accountID, kind, name string, v any) error {
	b := t.btx.Bucket(bIAM).Get(iamKey(accountID, kind, name))
	if b == nil {
		return notFound(kind, name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errCorrupt
	}
	return nil
}

func (t *tx) listIAM(accountID, kind string, fn func([]byte) (bool, error)) error {
	prefix := iamKey(accountID, kind, "")
	c := t.btx.Bucket(bIAM).Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		more, err := fn(v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t *tx) deleteIAM(accountID, kind, name string) error {
	b, k := t.btx.Bucket(bIAM), iamKey(accountID, kind, name)
	if b.Get(k) == nil {
		return notFound(kind, name)
	}
	return t.del(b, k)
}

func checkKind(kind string) error {
	switch kind {
	case meta.KindUser, meta.KindGroup, meta.KindRole:
		return nil
	}
	return fmt.Errorf("meta/bolt: unknown IAM kind %q", kind)
}

func (t *tx) PutIAMEntity(e *meta.IAMEntity) error {
	if err := checkKind(e.Kind); err != nil {
		return err
	}
	return t.putIAM(e.AccountID, e.Kind, e.Name, e)
}

func (t *tx) GetIAMEntity(accountID, kind, name string) (*meta.IAMEntity, error) {
	e := &meta.IAMEntity{}
	if err := t.getIAM(accountID, kind, name, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (t *tx) ListIAMEntities(accountID, kind string, fn func(*meta.IAMEntity) bool) error {
	return t.listIAM(accountID, kind, func(v []byte) (bool, error) {
		e := &meta.IAMEntity{}
		if err := json.Unmarshal(v, e); err != nil {
			return false, errCorrupt
		}
		return fn(e), nil
	})
}

func (t *tx) DeleteIAMEntity(accountID, kind, name string) error {
	return t.deleteIAM(accountID, kind, name)
}

func (t *tx) PutManagedPolicy(p *meta.ManagedPolicy) error {
	return t.putIAM(p.AccountID, kindPolicy, p.Name, p)
}

func (t *tx) GetManagedPolicy(accountID, name string) (*meta.ManagedPolicy, error) {
	p := &meta.ManagedPolicy{}
	if err := t.getIAM(accountID, kindPolicy, name, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (t *tx) ListManagedPolicies(accountID string, fn func(*meta.ManagedPolicy) bool) error {
	return t.listIAM(accountID, kindPolicy, func(v []byte) (bool, error) {
		p := &meta.ManagedPolicy{}
		if err := json.Unmarshal(v, p); err != nil {
			return false, errCorrupt
		}
		return fn(p), nil
	})
}

func (t *tx) DeleteManagedPolicy(accountID, name string) error {
	return t.deleteIAM(accountID, kindPolicy, name)
}
