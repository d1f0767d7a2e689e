package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestRegisterMeta(t *testing.T) {
	reg := prometheus.NewRegistry()
	st := MetaStats{Commits: 3, Updates: 40, PagesWritten: 100, WriteTime: 1500 * time.Millisecond}
	RegisterMeta(reg, func() MetaStats { return st })
	gather := func() map[string]float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			out[mf.GetName()] = mf.GetMetric()[0].GetCounter().GetValue()
		}
		return out
	}
	want := map[string]float64{"ferry_meta_commits_total": 3, "ferry_meta_updates_total": 40,
		"ferry_meta_pages_written_total": 100, "ferry_meta_write_seconds_total": 1.5}
	got := gather()
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
	st.Commits = 4 // read at each scrape
	if got := gather()["ferry_meta_commits_total"]; got != 4 {
		t.Errorf("commits after update %v, want 4", got)
	}
}
