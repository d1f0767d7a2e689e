package bolt

// Multipart uploads and parts.

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/ferrys3/ferry/internal/meta"
)

func (t *tx) PutUpload(u *meta.Upload) error {
	if err := checkKey("object key", u.Key); err != nil {
		return err
	}
	if u.UploadID == "" {
		return fmt.Errorf("meta/bolt: empty upload ID")
	}
	ob, err := t.objects(u.Bucket, true)
	if err != nil {
		return err
	}
	ik := idxKey(u.Key, u.UploadID)
	if old := ob.ui().Get(ik); old != nil {
		if err := t.del(ob.u(), join(u.Key, old, []byte(u.UploadID))); err != nil {
			return err
		}
	}
	ts := putSortable(nil, nanos(u.Initiated))
	if err := t.put(ob.u(), join(u.Key, ts, []byte(u.UploadID)), encodeUpload(u)); err != nil {
		return err
	}
	return t.put(ob.ui(), ik, ts)
}

func (t *tx) GetUpload(bucket, key, uploadID string) (*meta.Upload, error) {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return nil, err
	}
	var ts []byte
	if ob != nil {
		ts = ob.ui().Get(idxKey(key, uploadID))
	}
	if ts == nil {
		return nil, notFound("upload", uploadID)
	}
	val := ob.u().Get(join(key, ts, []byte(uploadID)))
	if val == nil {
		return nil, fmt.Errorf("meta/bolt: dangling upload index %q %q", key, uploadID)
	}
	return decodeUpload(val, bucket, key)
}

func (t *tx) DeleteUpload(bucket, key, uploadID string) error {
	ob, err := t.objects(bucket, false)
	if err != nil {
		return err
	}
	var ts []byte
	if ob != nil {
		ts = ob.ui().Get(idxKey(key, uploadID))
	}
	if ts == nil {
		return notFound("upload", uploadID)
	}
	if err := t.del(ob.u(), join(key, ts, []byte(uploadID))); err != nil {
		return err
	}
	if err := t.del(ob.ui(), idxKey(key, uploadID)); err != nil {
		return err
	}
	return t.delPrefix(t.btx.Bucket(bParts), lp(uploadID))
}

func (t *tx) ListUploads(bucket string, opt meta.ListOptions, fn func(*meta.Upload) bool) error {
	ob, err := t.objects(bucket, false)
	if err != nil || ob == nil {
		return err
	}
	var from []byte
	if opt.KeyMarker != "" {
		from = afterKey(opt.KeyMarker)
		if opt.UploadIDMarker != "" {
			if ts := ob.ui().Get(idxKey(opt.KeyMarker, opt.UploadIDMarker)); ts != nil {
				from = after(join(opt.KeyMarker, ts, []byte(opt.UploadIDMarker)))
			}
		}
	}
	prefix := []byte(opt.Prefix)
	c := ob.u().Cursor()
	for k, val := c.Seek(lowerBound(opt.Prefix, opt.Start, from)); k != nil && hasPrefix(k, prefix); k, val = c.Next() {
		kb, _, ok := splitKey(k)
		if !ok {
			return fmt.Errorf("meta/bolt: bad upload key %q", k)
		}
		u, err := decodeUpload(val, bucket, string(kb))
		if err != nil {
			return fmt.Errorf("meta/bolt: upload %q: %w", k, err)
		}
		if !fn(u) {
			return nil
		}
	}
	return nil
}

func partKey(uploadID string, number int) []byte {
	return binary.BigEndian.AppendUint32(lp(uploadID), uint32(number))
}

func (t *tx) PutPart(p *meta.Part) error {
	if p.UploadID == "" {
		return fmt.Errorf("meta/bolt: empty upload ID")
	}
	if p.Number < 0 || p.Number > math.MaxUint32 {
		return fmt.Errorf("meta/bolt: part number %d out of range", p.Number)
	}
	return t.put(t.btx.Bucket(bParts), partKey(p.UploadID, p.Number), encodePart(p))
}

func (t *tx) GetPart(uploadID string, number int) (*meta.Part, error) {
	if number < 0 || number > math.MaxUint32 {
		return nil, notFound("part", fmt.Sprint(number))
	}
	val := t.btx.Bucket(bParts).Get(partKey(uploadID, number))
	if val == nil {
		return nil, notFound("part", fmt.Sprintf("%s/%d", uploadID, number))
	}
	return decodePart(val)
}

func (t *tx) ListParts(uploadID string, after int, fn func(*meta.Part) bool) error {
	if after >= math.MaxUint32 {
		return nil
	}
	prefix := lp(uploadID)
	c := t.btx.Bucket(bParts).Cursor()
	for k, val := c.Seek(partKey(uploadID, max(after+1, 0))); k != nil && hasPrefix(k, prefix); k, val = c.Next() {
		p, err := decodePart(val)
		if err != nil {
			return fmt.Errorf("meta/bolt: part %q: %w", k, err)
		}
		if !fn(p) {
			return nil
		}
	}
	return nil
}
