package metatest

// Versions with generated IDs, which encode their creation time. A store
// may use that (bolt finds such versions without its ID index), so the
// suite mixes versions whose ModTime matches their ID with ones whose
// ModTime or Seq does not, and moves versions between the two.

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferrys3/ferry/internal/clock"
	"github.com/ferrys3/ferry/internal/meta"
	"github.com/ferrys3/ferry/internal/versionid"
)

// genID returns a generated version ID and the time it encodes.
func genID(ms int) (string, time.Time) {
	return versionid.NewGenerator(clock.Fixed{T: at(ms)}).New()
}

func testGeneratedIDs(t *testing.T, open Opener) {
	s := newStore(t, open)
	mkBucket(t, s, "b")
	mk := func(key string, idMs, modMs int, seq uint64) *meta.Version {
		id, _ := genID(idMs)
		return ver("b", key, id, modMs, seq)
	}
	matching := mk("k", 100, 100, 0)  // ModTime is the ID's time
	backdated := mk("k", 200, 50, 0)  // older ModTime than its ID
	sequenced := mk("k", 300, 300, 2) // the ID's time, but Seq set
	late := mk("k", 150, 150, 0)      // a replica arriving late
	other := mk("k0", 120, 120, 0)    // a key sorting right after k
	null := ver("b", "k", meta.NullVersion, 250, 0)
	putVersions(t, s, matching, backdated, sequenced, null, other)
	putVersions(t, s, late)

	check := func(label string, newestFirst ...*meta.Version) {
		t.Helper()
		view(t, s, func(tx meta.Tx) error {
			for _, v := range newestFirst {
				got, err := tx.GetVersion("b", v.Key, v.VersionID)
				wantErr(t, label+": GetVersion "+v.VersionID, err, nil)
				equal(t, label+": GetVersion", got, v)
			}
			cur, err := tx.GetCurrent("b", "k")
			wantErr(t, label+": GetCurrent", err, nil)
			equal(t, label+": GetCurrent", cur.VersionID, newestFirst[0].VersionID)
			return nil
		})
		want := append(keyVersions(newestFirst), "k0@"+other.VersionID)
		equal(t, label+": ListVersions", keyVersions(listVersions(t, s, "b", meta.ListOptions{}, 0)), want)
		// Resume after each entry, as ListObjectVersions pages do.
		for i, v := range newestFirst {
			opt := meta.ListOptions{KeyMarker: "k", VersionIDMarker: v.VersionID}
			equal(t, fmt.Sprintf("%s: after %s", label, v.VersionID),
				keyVersions(listVersions(t, s, "b", opt, 0)), want[i+1:])
		}
	}
	check("initial", sequenced, null, late, matching, backdated)

	// Rewrites move versions between "found from the ID" and "indexed".
	movedOut := *matching
	movedOut.ModTime = at(400) // no longer the ID's time: now the newest
	movedIn := *backdated
	movedIn.ModTime = at(200) // now exactly the ID's time
	unseq := *sequenced
	unseq.Seq = 0
	putVersions(t, s, &movedOut, &movedIn, &unseq)
	check("rewritten", &movedOut, &unseq, null, &movedIn, late)

	// Deleting each version leaves no trace of it.
	update(t, s, func(tx meta.Tx) error {
		for _, id := range []string{movedOut.VersionID, late.VersionID} {
			if err := tx.DeleteVersion("b", "k", id); err != nil {
				return err
			}
		}
		return nil
	})
	check("after deletes", &unseq, null, &movedIn)
	view(t, s, func(tx meta.Tx) error {
		_, err := tx.GetVersion("b", "k", late.VersionID)
		wantErr(t, "deleted version", err, meta.ErrNotFound)
		// The same ID under another key is another version.
		_, err = tx.GetVersion("b", "k0", late.VersionID)
		wantErr(t, "ID of another key", err, meta.ErrNotFound)
		return nil
	})
	err := s.Update(ctx, func(tx meta.Tx) error { return tx.DeleteVersion("b", "k", movedOut.VersionID) })
	wantErr(t, "delete twice", err, meta.ErrNotFound)
}
