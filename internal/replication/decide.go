package replication

import (
	"encoding/json"

	"github.com/ferrys3/ferry/internal/meta"
)

// task is the payload of one replication: a source version and the
// destination (and rule) it goes to.
type task struct {
	Bucket    string `json:"b"`
	Key       string `json:"k"`
	VersionID string `json:"v"`
	Dest      string `json:"d"`
	Rule      string `json:"r,omitempty"`
	Size      int64  `json:"n,omitempty"`
	// Batch marks a replication requested by a batch job or a retry rather
	// than a live write.
	Batch bool `json:"x,omitempty"`
	// Meta carries a metadata change (tags, ACL) of a version already
	// replicated: the replica is updated, no data moves.
	Meta bool `json:"m,omitempty"`
}

// orderKey makes tasks of one source key and destination run in the order
// their versions were written.
func orderKey(bucket, key, dest string) string { return bucket + "/" + key + "\x00" + dest }

func (t *task) encode() []byte { b, _ := json.Marshal(t); return b }

func decodeTask(p []byte) (*task, error) {
	var t task
	err := json.Unmarshal(p, &t)
	return &t, err
}

// Decide implements object.Replicator: a new version of a bucket with a
// replication configuration is matched against its rules (tags as written
// now); each destination gets one task in this same transaction and the
// version is marked PENDING.
func (s *Service) Decide(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error) {
	cfg := s.bucketConfig(b)
	if cfg == nil || v.ReplicationStatus == meta.ReplicationReplica {
		return false, nil
	}
	targets := cfg.Match(v.Key, v.Tags, v.DeleteMarker)
	if len(targets) == 0 {
		return false, nil
	}
	now := s.clock.Now().UnixNano()
	v.Replication = make([]meta.ReplicaState, 0, len(targets))
	for _, t := range targets {
		v.Replication = append(v.Replication, meta.ReplicaState{Bucket: t.Bucket, Rule: t.Rule.ID, Status: meta.ReplicationPending})
		p := &task{Bucket: v.Bucket, Key: v.Key, VersionID: v.VersionID, Dest: t.Bucket, Rule: t.Rule.ID, Size: v.Size}
		if err := tx.EnqueueTask(&meta.Task{Queue: Queue, Key: orderKey(v.Bucket, v.Key, t.Bucket), Payload: p.encode(),
			NotBefore: now, Created: now}); err != nil {
			return false, err
		}
	}
	v.ReplicationStatus = meta.ReplicationPending
	return true, nil
}

// Changed implements object.Replicator: a tag or ACL change of a version
// that reached some destinations is carried to each of them by a task of
// its own, queued behind the key's other tasks; those destinations are
// PENDING again until it is done. A destination still PENDING gets the
// change with the data; a FAILED one gets it when retried. Replicas send
// nothing back (ReplicaModifications is not supported).
func (s *Service) Changed(tx meta.Tx, b *meta.Bucket, v *meta.Version) (bool, error) {
	if v.ReplicationStatus == meta.ReplicationReplica || v.DeleteMarker || s.bucketConfig(b) == nil {
		return false, nil
	}
	queued := false
	for i := range v.Replication {
		st := &v.Replication[i]
		if st.Status != meta.ReplicationCompleted {
			continue
		}
		if err := s.enqueueMeta(tx, v, st.Bucket, st.Rule); err != nil {
			return false, err
		}
		st.Status, st.Reason = meta.ReplicationPending, ""
		queued = true
	}
	if queued {
		v.ReplicationStatus = meta.DeriveReplicationStatus(v.Replication)
	}
	return queued, nil
}

// enqueueMeta queues a task carrying v's tags and ACL to its replica in
// dest, behind the key's other tasks for dest.
func (s *Service) enqueueMeta(tx meta.Tx, v *meta.Version, dest, rule string) error {
	now := s.clock.Now().UnixNano()
	p := &task{Bucket: v.Bucket, Key: v.Key, VersionID: v.VersionID, Dest: dest, Rule: rule, Meta: true}
	return tx.EnqueueTask(&meta.Task{Queue: Queue, Key: orderKey(v.Bucket, v.Key, dest), Payload: p.encode(),
		NotBefore: now, Created: now})
}
