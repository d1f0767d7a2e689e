package bolt

// Durable task queue.

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/ferrys3/ferry/internal/meta"
)

// Assigned task IDs are the tasks bucket's sequence, zero-padded to 20
// decimal digits so that byte order is enqueue order.
const taskIDWidth = 20

func parseTaskID(id string) (uint64, bool) {
	if len(id) != taskIDWidth {
		return 0, false
	}
	n, err := strconv.ParseUint(id, 10, 64)
	return n, err == nil
}

func taskIndexKey(task *meta.Task) []byte {
	k := putSortable(lp(task.Queue), task.NotBefore)
	return append(k, task.ID...)
}

func (t *tx) EnqueueTask(task *meta.Task) error {
	if err := checkKey("queue", task.Queue); err != nil {
		return err
	}
	tb := t.btx.Bucket(bTasks)
	if task.ID == "" {
		t.dirty = true
		seq, err := tb.NextSequence()
		if err != nil {
			return fmt.Errorf("meta/bolt: task sequence: %w", err)
		}
		task.ID = fmt.Sprintf("%0*d", taskIDWidth, seq)
	} else if n, ok := parseTaskID(task.ID); ok && n > tb.Sequence() {
		// A group commit retry reruns fn with the ID the rolled-back run
		// assigned: keep the sequence ahead of it.
		t.dirty = true
		if err := tb.SetSequence(n); err != nil {
			return fmt.Errorf("meta/bolt: task sequence: %w", err)
		}
	}
	if tb.Get([]byte(task.ID)) != nil {
		return fmt.Errorf("%w: task %q", meta.ErrExists, task.ID)
	}
	if err := t.putTask(task); err != nil {
		return err
	}
	return t.addCount(task.Queue, 1)
}

// taskOrderKey is the task's entry in the per-key order index:
// lp(queue) lp(key) id, so the first entry under lp(queue) lp(key) is the
// key's earliest task.
func taskOrderKey(task *meta.Task) []byte {
	return append(taskOrderPrefix(task.Queue, task.Key), task.ID...)
}

func taskOrderPrefix(queue, key string) []byte { return append(lp(queue), lp(key)...) }

// putTask writes the task row and its queue index entry, whose value is
// the lease deadline followed by the ordering key.
func (t *tx) putTask(task *meta.Task) error {
	if err := t.put(t.btx.Bucket(bTasks), []byte(task.ID), encodeTask(task)); err != nil {
		return err
	}
	v := append(putSortable(nil, task.LeaseUntil), task.Key...)
	if err := t.put(t.btx.Bucket(bTaskQueue), taskIndexKey(task), v); err != nil {
		return err
	}
	if task.Key == "" {
		return nil
	}
	return t.put(t.btx.Bucket(bTaskKeys), taskOrderKey(task), nil)
}

// dropTaskIndexes removes the task's index entries.
func (t *tx) dropTaskIndexes(task *meta.Task) error {
	if err := t.del(t.btx.Bucket(bTaskQueue), taskIndexKey(task)); err != nil {
		return err
	}
	if task.Key == "" {
		return nil
	}
	return t.del(t.btx.Bucket(bTaskKeys), taskOrderKey(task))
}

// firstOfKey reports whether id is the earliest task of (queue, key).
func (t *tx) firstOfKey(queue string, key []byte, id []byte) bool {
	prefix := append(lp(queue), lp(string(key))...)
	k, _ := t.btx.Bucket(bTaskKeys).Cursor().Seek(prefix)
	return k != nil && hasPrefix(k, prefix) && string(k[len(prefix):]) == string(id)
}

func (t *tx) addCount(queue string, delta int64) error {
	b := t.btx.Bucket(bTaskCount)
	var n uint64
	if v := b.Get([]byte(queue)); v != nil {
		var k int
		if n, k = binary.Uvarint(v); k <= 0 {
			return fmt.Errorf("meta/bolt: corrupt task count of %q", queue)
		}
	}
	n = uint64(int64(n) + delta)
	if n == 0 {
		return t.del(b, []byte(queue))
	}
	return t.put(b, []byte(queue), binary.AppendUvarint(nil, n))
}

func (t *tx) GetTask(id string) (*meta.Task, error) {
	v := t.btx.Bucket(bTasks).Get([]byte(id))
	if v == nil {
		return nil, notFound("task", id)
	}
	return decodeTask(v)
}

func (t *tx) ClaimTasks(queue string, now, leaseUntil int64, n int) ([]*meta.Task, error) {
	if n <= 0 {
		return nil, nil
	}
	prefix := lp(queue)
	var keys [][]byte
	c := t.btx.Bucket(bTaskQueue).Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix) && len(keys) < n; k, v = c.Next() {
		if len(k) < len(prefix)+8 || len(v) < 8 {
			return nil, fmt.Errorf("meta/bolt: corrupt task index entry %q", k)
		}
		if unsortable(k[len(prefix):]) > now {
			break // ordered by NotBefore: nothing later is ready
		}
		if unsortable(v[:8]) > now {
			continue // leased
		}
		if len(v) > 8 && !t.firstOfKey(queue, v[8:], k[len(prefix)+8:]) {
			continue // an earlier task of the same key is still queued
		}
		keys = append(keys, clone(k))
	}
	tasks := make([]*meta.Task, 0, len(keys))
	for _, k := range keys {
		task, err := t.GetTask(string(k[len(prefix)+8:]))
		if err != nil {
			return nil, fmt.Errorf("meta/bolt: dangling task index entry: %w", err)
		}
		task.LeaseUntil = leaseUntil
		task.Attempts++
		if err := t.putTask(task); err != nil {
			return nil, err
		}
		tasks = append(tasks, task)
	}
	return tasks, nil
}

func (t *tx) UpdateTask(task *meta.Task) error {
	old, err := t.GetTask(task.ID)
	if err != nil {
		return err
	}
	if err := checkKey("queue", task.Queue); err != nil {
		return err
	}
	if err := t.dropTaskIndexes(old); err != nil {
		return err
	}
	if err := t.putTask(task); err != nil {
		return err
	}
	if old.Queue != task.Queue {
		if err := t.addCount(old.Queue, -1); err != nil {
			return err
		}
		return t.addCount(task.Queue, 1)
	}
	return nil
}

func (t *tx) DeleteTask(id string) error {
	old, err := t.GetTask(id)
	if err != nil {
		return err
	}
	if err := t.dropTaskIndexes(old); err != nil {
		return err
	}
	if err := t.del(t.btx.Bucket(bTasks), []byte(id)); err != nil {
		return err
	}
	return t.addCount(old.Queue, -1)
}

func (t *tx) CountTasks(queue string) (int, error) {
	v := t.btx.Bucket(bTaskCount).Get([]byte(queue))
	if v == nil {
		return 0, nil
	}
	n, k := binary.Uvarint(v)
	if k <= 0 {
		return 0, fmt.Errorf("meta/bolt: corrupt task count of %q", queue)
	}
	return int(n), nil
}

func (t *tx) ReleaseLeases(queue string, now int64) (int, error) {
	prefix := lp(queue)
	var ids []string
	c := t.btx.Bucket(bTaskQueue).Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if len(k) < len(prefix)+8 || len(v) < 8 {
			return 0, fmt.Errorf("meta/bolt: corrupt task index entry %q", k)
		}
		if unsortable(v[:8]) > now {
			ids = append(ids, string(k[len(prefix)+8:]))
		}
	}
	for _, id := range ids {
		task, err := t.GetTask(id)
		if err != nil {
			return 0, fmt.Errorf("meta/bolt: dangling task index entry: %w", err)
		}
		task.LeaseUntil = 0
		if err := t.putTask(task); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

func (t *tx) ListTasks(queue string, fn func(*meta.Task) bool) error {
	prefix := lp(queue)
	tasks := t.btx.Bucket(bTasks)
	c := t.btx.Bucket(bTaskQueue).Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < len(prefix)+8 {
			return fmt.Errorf("meta/bolt: corrupt task index entry %q", k)
		}
		v := tasks.Get(k[len(prefix)+8:])
		if v == nil {
			return fmt.Errorf("meta/bolt: dangling task index entry %q", k)
		}
		task, err := decodeTask(v)
		if err != nil {
			return err
		}
		if !fn(task) {
			return nil
		}
	}
	return nil
}
