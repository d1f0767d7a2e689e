package replconf

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
)

// rule2 builds a parsed-looking V2 rule.
func rule2(id string, prio int, filter *Filter, dest, dmr string) Rule {
	return Rule{ID: id, Priority: prio, HasPriority: true, Status: "Enabled", Filter: filter,
		DeleteMarkerReplication: dmr, Destination: Destination{Bucket: "arn:aws:s3:::" + dest}}
}

func TestMatch(t *testing.T) {
	all := &Filter{}
	prefix := func(p string) *Filter { return &Filter{Prefix: p, HasPrefix: true} }
	tag := &Filter{Tags: []Tag{{"class", "gold"}}}
	and := &Filter{Prefix: "docs/", HasPrefix: true, And: true, Tags: []Tag{{"class", "gold"}, {"team", "a"}}}
	disabled := rule2("off", 9, all, "zzz", "Enabled")
	disabled.Status = "Disabled"

	cases := []struct {
		name   string
		rules  []Rule
		key    string
		tags   map[string]string
		marker bool
		want   []string // "bucket=ruleID", ordered
	}{
		{"fan-out to two destinations, sorted by bucket",
			[]Rule{rule2("r1", 1, all, "west", "Disabled"), rule2("r2", 2, all, "east", "Disabled")},
			"k", nil, false, []string{"east=r2", "west=r1"}},
		{"priority wins for one destination",
			[]Rule{rule2("low", 1, all, "d", "Disabled"), rule2("high", 5, prefix("a/"), "d", "Disabled"), rule2("mid", 3, all, "d", "Disabled")},
			"a/x", nil, false, []string{"d=high"}},
		{"lower priority applies when the higher does not match",
			[]Rule{rule2("low", 1, all, "d", "Disabled"), rule2("high", 5, prefix("a/"), "d", "Disabled")},
			"b/x", nil, false, []string{"d=low"}},
		{"prefix is a byte prefix",
			[]Rule{rule2("p", 1, prefix("Tax"), "d", "Disabled")},
			"Taxes/2024", nil, false, []string{"d=p"}},
		{"prefix mismatch", []Rule{rule2("p", 1, prefix("tax"), "d", "Disabled")}, "Tax/1", nil, false, nil},
		{"tag filter matches", []Rule{rule2("t", 1, tag, "d", "Disabled")}, "k", map[string]string{"class": "gold", "x": "y"}, false, []string{"d=t"}},
		{"tag filter value differs", []Rule{rule2("t", 1, tag, "d", "Disabled")}, "k", map[string]string{"class": "silver"}, false, nil},
		{"tag filter without tags", []Rule{rule2("t", 1, tag, "d", "Disabled")}, "k", nil, false, nil},
		{"And needs prefix and every tag", []Rule{rule2("a", 1, and, "d", "Disabled")}, "docs/1", map[string]string{"class": "gold", "team": "a"}, false, []string{"d=a"}},
		{"And missing one tag", []Rule{rule2("a", 1, and, "d", "Disabled")}, "docs/1", map[string]string{"class": "gold"}, false, nil},
		{"And wrong prefix", []Rule{rule2("a", 1, and, "d", "Disabled")}, "img/1", map[string]string{"class": "gold", "team": "a"}, false, nil},
		{"disabled rules ignored", []Rule{disabled, rule2("on", 1, all, "d", "Disabled")}, "k", nil, false, []string{"d=on"}},
		{"disabled higher priority rule does not win", []Rule{rule2("on", 1, all, "d", "Disabled"), func() Rule { r := disabled; r.Destination.Bucket = "arn:aws:s3:::d"; return r }()},
			"k", nil, false, []string{"d=on"}},
		{"V1: first rule in document order",
			[]Rule{{ID: "first", Status: "Enabled", Prefix: "", Destination: Destination{Bucket: "arn:aws:s3:::d"}},
				{ID: "second", Status: "Enabled", Prefix: "a", Destination: Destination{Bucket: "arn:aws:s3:::d"}}},
			"abc", nil, false, []string{"d=first"}},
		{"V1 replicates delete markers",
			[]Rule{{ID: "v1", Status: "Enabled", Prefix: "a", Destination: Destination{Bucket: "arn:aws:s3:::d"}}},
			"abc", nil, true, []string{"d=v1"}},
		{"V2 delete markers only when enabled",
			[]Rule{rule2("on", 1, all, "a", "Enabled"), rule2("off", 1, all, "b", "Disabled")},
			"k", nil, true, []string{"a=on"}},
		{"V2 delete marker: the winning rule decides",
			[]Rule{rule2("low", 1, all, "d", "Enabled"), rule2("high", 2, prefix("k"), "d", "Disabled")},
			"k1", nil, true, nil},
		{"V2 delete marker: winner enabled over a disabled lower rule",
			[]Rule{rule2("low", 1, all, "d", "Disabled"), rule2("high", 2, prefix("k"), "d", "Enabled")},
			"k1", nil, true, []string{"d=high"}},
		{"tag rules never replicate delete markers",
			[]Rule{rule2("t", 1, tag, "d", "Enabled")},
			"k", map[string]string{"class": "gold"}, true, nil},
		{"delete marker: tag rule does not match, prefix rule wins",
			[]Rule{rule2("t", 5, tag, "d", "Disabled"), rule2("p", 1, all, "d", "Enabled")},
			"k", nil, true, []string{"d=p"}},
		{"no rules", nil, "k", nil, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{Role: testRole, Rules: tc.rules}
			var got []string
			for _, tg := range c.Match(tc.key, tc.tags, tc.marker) {
				got = append(got, tg.Bucket+"="+tg.Rule.ID)
				if tg.Rule != c.RuleByID(tg.Rule.ID) {
					t.Errorf("target rule does not point into c.Rules")
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	c, err := Parse([]byte(doc(v2("a", "1", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::west</Bucket></Destination>`, ""),
		v2("b", "2", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::east</Bucket></Destination>`, ""),
		v2("c", "3", `<Filter/>`, `<Destination><Bucket>arn:aws:s3:::west</Bucket></Destination>`, ""))))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Destinations(); !reflect.DeepEqual(got, []string{"east", "west"}) {
		t.Fatalf("Destinations = %v", got)
	}
	if r := c.RuleByID("b"); r == nil || r.Destination.BucketName() != "east" {
		t.Fatalf("RuleByID(b) = %+v", r)
	}
	if c.RuleByID("nope") != nil {
		t.Fatal("RuleByID(nope) != nil")
	}
	if !c.V2() || !c.Rules[0].V2() || !c.Rules[0].Enabled() {
		t.Fatal("V2/Enabled")
	}
	v1 := &Config{Rules: []Rule{{Status: "Disabled", Prefix: "x", Destination: Destination{Bucket: "arn:aws:s3:::d"}}}}
	if v1.V2() || v1.Rules[0].Enabled() {
		t.Fatal("V1 config reported V2 or enabled")
	}
	if (Destination{Bucket: "plain"}).BucketName() != "plain" {
		t.Fatal("BucketName of a non-ARN")
	}
}

// benchConfig is 10 V2 rules over 4 destinations: prefixes, tag and And
// filters, and one disabled rule.
func benchConfig(tb testing.TB) *Config {
	var rules []string
	for i := range 10 {
		var filter string
		switch i % 3 {
		case 0:
			filter = `<Filter><Prefix>logs/` + strconv.Itoa(i) + `</Prefix></Filter>`
		case 1:
			filter = `<Filter><Tag><Key>class</Key><Value>gold</Value></Tag></Filter>`
		default:
			filter = `<Filter><And><Prefix>logs/</Prefix><Tag><Key>team</Key><Value>a</Value></Tag><Tag><Key>class</Key><Value>gold</Value></Tag></And></Filter>`
		}
		status := "Enabled"
		if i == 9 {
			status = "Disabled"
		}
		rules = append(rules, fmt.Sprintf(`<Rule><ID>r%d</ID><Priority>%d</Priority>%s<Status>%s</Status>`+
			`<Destination><Bucket>arn:aws:s3:::dest-%d</Bucket></Destination>`+
			`<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication></Rule>`, i, i, filter, status, i%4))
	}
	c, err := Parse([]byte(doc(rules...)))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func BenchmarkMatch(b *testing.B) {
	c := benchConfig(b)
	tags := map[string]string{"class": "gold", "team": "a", "env": "prod"}
	b.Run("fan-out", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(c.Match("logs/0/2024/01/01/app.log", tags, false)) == 0 {
				b.Fatal("no match")
			}
		}
	})
	b.Run("no-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c.Match("images/cat.png", nil, false) != nil {
				b.Fatal("match")
			}
		}
	})
	b.Run("delete-marker", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Match("logs/0/x", nil, true)
		}
	})
}
