package bolt

// Accounts, access keys, buckets, inline data and settings.

import (
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/ferrys3/ferry/internal/meta"
)

func notFound(what, id string) error { return fmt.Errorf("%w: %s %q", meta.ErrNotFound, what, id) }

func (t *tx) PutAccount(a *meta.Account) error {
	if err := checkKey("account ID", a.ID); err != nil {
		return err
	}
	return t.put(t.btx.Bucket(bAccounts), []byte(a.ID), encodeAccount(a))
}

func (t *tx) GetAccount(id string) (*meta.Account, error) {
	v := t.btx.Bucket(bAccounts).Get([]byte(id))
	if v == nil {
		return nil, notFound("account", id)
	}
	return decodeAccount(v)
}

func (t *tx) ListAccounts(fn func(*meta.Account) bool) error {
	c := t.btx.Bucket(bAccounts).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		a, err := decodeAccount(v)
		if err != nil {
			return err
		}
		if !fn(a) {
			return nil
		}
	}
	return nil
}

func (t *tx) DeleteAccount(id string) error {
	b := t.btx.Bucket(bAccounts)
	if b.Get([]byte(id)) == nil {
		return notFound("account", id)
	}
	return t.del(b, []byte(id))
}

func (t *tx) PutAccessKey(k *meta.AccessKey) error {
	if err := checkKey("access key ID", k.ID); err != nil {
		return err
	}
	if err := checkKey("account ID", k.AccountID); err != nil {
		return err
	}
	b, idx := t.btx.Bucket(bKeys), t.btx.Bucket(bKeysByAccount)
	if old := b.Get([]byte(k.ID)); old != nil {
		o, err := decodeAccessKey(old)
		if err != nil {
			return err
		}
		if err := t.del(idx, idxKey(o.AccountID, o.ID)); err != nil {
			return err
		}
	}
	if err := t.put(b, []byte(k.ID), encodeAccessKey(k)); err != nil {
		return err
	}
	return t.put(idx, idxKey(k.AccountID, k.ID), nil)
}

func (t *tx) GetAccessKey(id string) (*meta.AccessKey, error) {
	v := t.btx.Bucket(bKeys).Get([]byte(id))
	if v == nil {
		return nil, notFound("access key", id)
	}
	return decodeAccessKey(v)
}

func (t *tx) ListAccessKeys(accountID string, fn func(*meta.AccessKey) bool) error {
	keys := t.btx.Bucket(bKeys)
	prefix := idxKey(accountID, "")
	c := t.btx.Bucket(bKeysByAccount).Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		v := keys.Get(k[len(prefix):])
		if v == nil {
			return fmt.Errorf("meta/bolt: dangling access key index %q", k)
		}
		ak, err := decodeAccessKey(v)
		if err != nil {
			return err
		}
		if !fn(ak) {
			return nil
		}
	}
	return nil
}

func (t *tx) DeleteAccessKey(id string) error {
	b := t.btx.Bucket(bKeys)
	v := b.Get([]byte(id))
	if v == nil {
		return notFound("access key", id)
	}
	k, err := decodeAccessKey(v)
	if err != nil {
		return err
	}
	if err := t.del(t.btx.Bucket(bKeysByAccount), idxKey(k.AccountID, k.ID)); err != nil {
		return err
	}
	return t.del(b, []byte(id))
}

func (t *tx) CreateBucket(b *meta.Bucket) error {
	if err := checkKey("bucket name", b.Name); err != nil {
		return err
	}
	if t.btx.Bucket(bBuckets).Get([]byte(b.Name)) != nil {
		return fmt.Errorf("%w: bucket %q", meta.ErrExists, b.Name)
	}
	if err := t.putBucket(b); err != nil {
		return err
	}
	_, err := t.objects(b.Name, true)
	return err
}

func (t *tx) putBucket(b *meta.Bucket) error {
	if err := t.put(t.btx.Bucket(bBuckets), []byte(b.Name), encodeBucket(b)); err != nil {
		return err
	}
	return t.put(t.btx.Bucket(bBucketsByOwner), idxKey(b.Owner, b.Name), nil)
}

func (t *tx) GetBucket(name string) (*meta.Bucket, error) {
	v := t.btx.Bucket(bBuckets).Get([]byte(name))
	if v == nil {
		return nil, notFound("bucket", name)
	}
	return decodeBucket(v)
}

func (t *tx) UpdateBucket(b *meta.Bucket) error {
	old, err := t.GetBucket(b.Name)
	if err != nil {
		return err
	}
	if err := t.del(t.btx.Bucket(bBucketsByOwner), idxKey(old.Owner, old.Name)); err != nil {
		return err
	}
	return t.putBucket(b)
}

// DeleteBucket removes the bucket record and whatever objects, uploads and
// parts it still holds (the S3 layer checks BucketEmpty first).
func (t *tx) DeleteBucket(name string) error {
	old, err := t.GetBucket(name)
	if err != nil {
		return err
	}
	if err := t.del(t.btx.Bucket(bBucketsByOwner), idxKey(old.Owner, old.Name)); err != nil {
		return err
	}
	if err := t.del(t.btx.Bucket(bBuckets), []byte(name)); err != nil {
		return err
	}
	ob, err := t.objects(name, false)
	if err != nil || ob == nil {
		return err
	}
	var uploads []string
	c := ob.ui().Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if _, id, ok := splitKey(k); ok {
			uploads = append(uploads, string(id))
		}
	}
	for _, id := range uploads {
		if err := t.delPrefix(t.btx.Bucket(bParts), lp(id)); err != nil {
			return err
		}
	}
	if err := t.btx.Bucket(bObjects).DeleteBucket([]byte(name)); err != nil {
		return fmt.Errorf("meta/bolt: delete bucket %q: %w", name, err)
	}
	return nil
}

func (t *tx) ListBuckets(owner string, fn func(*meta.Bucket) bool) error {
	buckets := t.btx.Bucket(bBuckets)
	var c *bbolt.Cursor
	var prefix []byte
	if owner == "" {
		c = buckets.Cursor()
	} else {
		c = t.btx.Bucket(bBucketsByOwner).Cursor()
		prefix = idxKey(owner, "")
	}
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if owner != "" {
			if v = buckets.Get(k[len(prefix):]); v == nil {
				return fmt.Errorf("meta/bolt: dangling bucket index %q", k)
			}
		}
		b, err := decodeBucket(v)
		if err != nil {
			return err
		}
		if !fn(b) {
			return nil
		}
	}
	return nil
}

func (t *tx) BucketEmpty(name string) (bool, error) {
	if t.btx.Bucket(bBuckets).Get([]byte(name)) == nil {
		return false, notFound("bucket", name)
	}
	ob, err := t.objects(name, false)
	if err != nil || ob == nil {
		return true, err
	}
	if k, _ := ob.v().Cursor().First(); k != nil {
		return false, nil
	}
	if k, _ := ob.u().Cursor().First(); k != nil {
		return false, nil
	}
	return true, nil
}

func (t *tx) PutInline(id string, data []byte) error {
	if err := checkKey("inline ID", id); err != nil {
		return err
	}
	return t.put(t.btx.Bucket(bInline), []byte(id), append([]byte{}, data...))
}

func (t *tx) GetInline(id string) ([]byte, error) {
	v, ok := lookup(t.btx.Bucket(bInline), []byte(id))
	if !ok {
		return nil, notFound("inline data", id)
	}
	return append([]byte{}, v...), nil
}

// DeleteInline is idempotent: deleting missing data is not an error.
func (t *tx) DeleteInline(id string) error {
	b := t.btx.Bucket(bInline)
	if _, ok := lookup(b, []byte(id)); !ok {
		return nil
	}
	return t.del(b, []byte(id))
}

func (t *tx) PutSetting(name string, value []byte) error {
	if err := checkKey("setting name", name); err != nil {
		return err
	}
	return t.put(t.btx.Bucket(bSettings), []byte(name), append([]byte{}, value...))
}

func (t *tx) GetSetting(name string) ([]byte, error) {
	v, ok := lookup(t.btx.Bucket(bSettings), []byte(name))
	if !ok {
		return nil, notFound("setting", name)
	}
	return append([]byte{}, v...), nil
}

// lookup is Get that tells an empty value from a missing key (bbolt's Get
// may return nil for both).
func lookup(b *bbolt.Bucket, key []byte) ([]byte, bool) {
	k, v := b.Cursor().Seek(key)
	if k == nil || string(k) != string(key) {
		return nil, false
	}
	return v, true
}
