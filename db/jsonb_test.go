package db_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
)

type jsonInner struct {
	Cost  decimal.Decimal  `json:"cost"`
	Extra *decimal.Decimal `json:"extra"`
	hide  int
}

type jsonOuter struct {
	jsonInner
	ID      int64               `json:"-"`
	Name    string              `json:"name"`
	Note    string              `json:"note,omitempty"`
	Qty     decimal.Decimal     `json:"qty"`
	Null    decimal.NullDecimal `json:"null"`
	At      time.Time           `json:"at"`
	Lines   []jsonInner         `json:"lines"`
	None    []string            `json:"none"`
	Tags    map[string]string   `json:"tags"`
	Skipped *jsonInner          `json:"skipped,omitempty"`
	Plain   bool
}

// JSON writes what encoding/json writes, but decimals with their own scale, so that the
// value read back prints exactly as the value written.
func TestJSONKeepsScale(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	extra := d("0.10")
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.FixedZone("x", 3600))
	v := jsonOuter{
		jsonInner: jsonInner{Cost: d("2.50"), Extra: &extra, hide: 3},
		ID:        7, Name: "W", Qty: d("5.000"), Null: decimal.NullDecimal{}, At: at,
		Lines: []jsonInner{{Cost: d("1E+2")}}, Tags: map[string]string{"b": "2", "a": "1"},
	}
	got, err := db.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cost":"2.50","extra":"0.10","name":"W","qty":"5.000","null":null,"at":"2026-11-27T09:30:00+01:00",` +
		`"lines":[{"cost":"100","extra":null}],"none":null,"tags":{"a":"1","b":"2"},"Plain":false}`
	if string(got) != want {
		t.Fatalf("JSON:\n got %s\nwant %s", got, want)
	}
	// Read back and written again: the same bytes; encoding/json's own output differs only
	// in the scale of the decimals.
	var back jsonOuter
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	again, err := db.JSON(back)
	if err != nil || string(again) != want {
		t.Fatalf("round trip: %s %v", again, err)
	}
	std, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if json.Unmarshal(std, &a) != nil || json.Unmarshal(got, &b) != nil || len(a) != len(b) {
		t.Fatalf("keys differ from encoding/json:\n%s\n%s", std, got)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			t.Errorf("key %s missing", k)
		}
	}
	if a["cost"] != "2.5" || b["cost"] != "2.50" || !reflect.DeepEqual(a["tags"], b["tags"]) {
		t.Fatalf("cost %v / %v", a["cost"], b["cost"])
	}
}
