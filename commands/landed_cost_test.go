package commands

import (
	"strings"
	"testing"
)

type landedJSON struct {
	PO           string `json:"po"`
	BaseCurrency string `json:"base_currency"`
	Costs        []struct {
		No         int    `json:"no"`
		Kind       string `json:"kind"`
		Amount     string `json:"amount"`
		Currency   string `json:"currency"`
		Rate       string `json:"rate"`
		BaseAmount string `json:"base_amount"`
		Method     string `json:"method"`
		Estimate   bool   `json:"estimate"`
		Replaces   *int   `json:"replaces"`
		Status     string `json:"status"`
		Posted     string `json:"posted"`
	} `json:"costs"`
	Shares []struct {
		Cost      int     `json:"cost"`
		LineNo    int     `json:"line_no"`
		SKU       string  `json:"sku"`
		Basis     string  `json:"basis"`
		Share     string  `json:"share"`
		Remainder string  `json:"remainder"`
		Posted    string  `json:"posted"`
		OnHand    *string `json:"on_hand"`
		Inventory *string `json:"inventory_value"`
		COGS      *string `json:"cogs_value"`
		Explain   string  `json:"explain"`
	} `json:"shares"`
}

// Freight of 36.00 EUR (at 1.10 = 39.60 USD) on a GBP PO of W 10 × 8 and BOLT 1000 × 0.02
// (value 100.00 and 25.00 USD at 1.25): W 31.68, BOLT 7.92. Half the W are sold first, so
// 15.84 raises W's average and 15.84 goes to COGS.
func TestLandedCostCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "po", "new", "BRIT", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "po", "add", "PO-000001", "W", "10", "--price", "8").wantCode(t, ExitOK)
	// 10 box of 100 at 2.00 per box: 1000 ea at 0.02, 20.00 GBP.
	run(t, url, "po", "add", "PO-000001", "BOLT", "10", "--uom", "box", "--price", "2").wantCode(t, ExitOK)
	run(t, url, "po", "order", "PO-000001", "--date", "2026-04-01").wantCode(t, ExitOK)
	run(t, url, "po", "receive", "PO-000001", "--all").wantCode(t, ExitOK)
	run(t, url, "stock", "adjust", "W", "--location", "MAIN", "--qty", "-5", "--reason", "sold").wantCode(t, ExitOK)

	var doc landedJSON
	run(t, url, "landed-cost", "add", "PO-000001", "--amount", "36", "--currency", "EUR", "--date", "2026-04-02", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "landed cost 1 added to PO-000001: 36 EUR = 39.6 USD").json(t, &doc)
	if len(doc.Costs) != 1 || doc.Costs[0].Status != "open" || doc.Costs[0].Method != "value" || doc.Costs[0].Kind != "freight" || len(doc.Shares) != 2 {
		t.Fatalf("added: %+v", doc)
	}
	run(t, url, "landed-cost", "post", "PO-000001", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")
	run(t, url, "landed-cost", "post", "PO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	w, bolt := doc.Shares[0], doc.Shares[1]
	if w.Share != "31.68" || bolt.Share != "7.92" || *w.OnHand != "5" || *w.Inventory != "15.84" || *w.COGS != "15.84" || *bolt.COGS != "0" {
		t.Fatalf("shares: %+v", doc.Shares)
	}
	var s struct {
		AvgCost string `json:"avg_cost"`
	}
	// W came in at 8 GBP × 1.25 = 10.00; (5 × 10 + 15.84) / 5 = 13.168.
	run(t, url, "stock", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &s)
	if s.AvgCost != "13.168" {
		t.Fatalf("W average: %s", s.AvgCost)
	}

	// The table explains every share in a sentence.
	r := run(t, url, "landed-cost", "show", "PO-000001").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "cost 1, line 1 (W): 39.60 USD × value 100 / 125 = 31.68, rounded down = 31.68; 5 of 10 received still on hand: 15.84 to stock, 15.84 to COGS") {
		t.Fatalf("show:\n%s", r.out)
	}
	r = run(t, url, "landed-cost", "show", "PO-000001", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "cost,line_no,sku,basis,") {
		t.Fatalf("csv:\n%s", r.out)
	}

	// Estimate, then actual: only the difference is posted.
	run(t, url, "landed-cost", "add", "PO-000001", "--amount", "10", "--kind", "duty", "--method", "quantity", "--estimate").wantCode(t, ExitOK)
	run(t, url, "landed-cost", "post", "PO-000001").wantCode(t, ExitOK)
	run(t, url, "landed-cost", "add", "PO-000001", "--amount", "12", "--kind", "duty", "--method", "quantity", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Costs[2].Replaces == nil || *doc.Costs[2].Replaces != 2 {
		t.Fatalf("actual: %+v", doc.Costs)
	}
	run(t, url, "landed-cost", "post", "PO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	// Duty by quantity over 10 W and 1000 BOLT. Estimate 10 GBP at 1.25 = 12.50 USD: W
	// 0.1238 → 0.12, BOLT 12.3762 → 12.37 + the cent left = 12.38. Actual 12 GBP = 15.00 USD:
	// W 0.1485 → 0.14 + the cent left = 0.15, BOLT 14.8515 → 14.85. Posted: the differences
	// 0.03 and 2.47: 2.50, shown in cents now that the nested costs keep their scale.
	if doc.Costs[1].Status != "replaced" || doc.Costs[2].Posted != "2.50" {
		t.Fatalf("after actual: %+v", doc.Costs)
	}
	for _, sh := range doc.Shares {
		if sh.Cost != 3 {
			continue
		}
		if (sh.SKU == "W" && (sh.Share != "0.15" || sh.Posted != "0.03" || sh.Remainder != "0.01")) ||
			(sh.SKU == "BOLT" && (sh.Share != "14.85" || sh.Posted != "2.47")) {
			t.Fatalf("actual share: %+v", sh)
		}
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)

	// Errors.
	run(t, url, "landed-cost", "add", "PO-000001").wantCode(t, ExitUsage).wantErr(t, "--amount")
	run(t, url, "landed-cost", "add", "PO-000001", "--amount", "5", "--kind", "tips").wantCode(t, ExitInvalid).wantErr(t, "freight, duty, insurance, other")
	run(t, url, "landed-cost", "add", "PO-000009", "--amount", "5").wantCode(t, ExitNotFound)
	run(t, url, "landed-cost", "post", "PO-000001").wantCode(t, ExitInvalid).wantErr(t, "no landed costs to post")
	run(t, url, "landed-cost", "show", "PO-000009").wantCode(t, ExitNotFound)
}
