package commands

import (
	"os"
	"strings"
	"testing"

	"github.com/stockctl/stockctl/db/dbtest"
)

type poJSON struct {
	Number       string  `json:"number"`
	Supplier     string  `json:"supplier"`
	Location     string  `json:"location"`
	Status       string  `json:"status"`
	Currency     string  `json:"currency"`
	Rate         *string `json:"rate"`
	RateFrozen   bool    `json:"rate_frozen"`
	OrderDate    *string `json:"order_date"`
	ExpectedDate *string `json:"expected_date"`
	Subtotal     string  `json:"subtotal"`
	Tax          string  `json:"tax"`
	Total        string  `json:"total"`
	BaseCurrency string  `json:"base_currency"`
	BaseTotal    *string `json:"base_total"`
	ReceivedQty  string  `json:"received_qty"`
	Outstanding  string  `json:"outstanding"`
	Origin       string  `json:"origin"`
	Lines        []struct {
		LineNo      int     `json:"line_no"`
		SKU         string  `json:"sku"`
		SupplierSKU string  `json:"supplier_sku"`
		Qty         string  `json:"qty"`
		UnitPrice   string  `json:"unit_price"`
		PriceSource string  `json:"price_source"`
		Amount      string  `json:"amount"`
		UnitCost    *string `json:"unit_cost"`
		ReceivedQty string  `json:"received_qty"`
		Outstanding string  `json:"outstanding"`
	} `json:"lines"`
	Receipts []struct {
		Receipt  int     `json:"receipt"`
		Ref      string  `json:"ref"`
		LineNo   int     `json:"line_no"`
		Qty      string  `json:"qty"`
		UnitCost string  `json:"unit_cost"`
		Batch    *string `json:"batch"`
		Bay      *string `json:"bay"`
		Serials  string  `json:"serials"`
	} `json:"receipts"`
}

func TestPurchaseOrderCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "supplier", "price", "add", "BRIT", "W", "--price", "8", "--supplier-sku", "BW-8", "--lead-days", "10").wantCode(t, ExitOK)
	run(t, url, "supplier", "price", "add", "BRIT", "W", "--price", "7.50", "--min-qty", "20").wantCode(t, ExitOK)
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "5", "--max", "40").wantCode(t, ExitOK)

	var po poJSON
	r := run(t, url, "po", "new", "BRIT", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).wantErr(t, "PO-000001 created as a draft")
	r.json(t, &po)
	if po.Number != "PO-000001" || po.Status != "draft" || po.Currency != "GBP" || po.RateFrozen {
		t.Fatalf("new: %+v", po)
	}
	run(t, url, "po", "add", "PO-000001", "W", "24", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	run(t, url, "po", "add", "PO-000001", "LOT", "10", "--price", "3.333", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	run(t, url, "po", "add", "PO-000001", "SER", "2", "--price", "150", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	l := po.Lines[0]
	// 24 W take the break from 20: 7.50 GBP; amount 180.00; LOT 10 × 3.333 = 33.33; SER 300.
	if l.UnitPrice != "7.5" || l.SupplierSKU != "BW-8" || l.PriceSource != "supplier price" || l.Amount != "180.00" || po.Lines[1].Amount != "33.33" {
		t.Fatalf("lines: %+v", po.Lines)
	}
	if po.Total != "513.33" {
		t.Fatalf("total: %+v", po)
	}
	// Usage and rule errors.
	run(t, url, "po", "new", "BRIT").wantCode(t, ExitUsage).wantErr(t, "--location")
	run(t, url, "po", "new", "CUST", "--location", "MAIN").wantCode(t, ExitInvalid).wantErr(t, "not a supplier")
	run(t, url, "po", "new", "BRIT", "--location", "NOWHERE").wantCode(t, ExitNotFound).wantErr(t, "NOWHERE")
	run(t, url, "po", "add", "PO-000001", "W", "ten").wantCode(t, ExitUsage).wantErr(t, "QTY")
	run(t, url, "po", "add", "PO-000001", "BOLT", "1").wantCode(t, ExitInvalid).wantErr(t, "BRIT has no price for BOLT")
	run(t, url, "po", "add", "PO-000009", "W", "1").wantCode(t, ExitNotFound)
	run(t, url, "po", "receive", "PO-000001", "--all").wantCode(t, ExitInvalid).wantErr(t, "po order PO-000001")
	run(t, url, "po", "receive", "PO-000001").wantCode(t, ExitUsage).wantErr(t, "--all")
	run(t, url, "po", "order", "PO-000001", "--dry-run").wantCode(t, ExitOK).wantErr(t, "dry run")

	// Ordered: GBP frozen at 1.25; W on order.
	run(t, url, "po", "order", "PO-000001", "--date", "2026-04-01", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	if po.Status != "ordered" || *po.Rate != "1.25" || !po.RateFrozen || *po.ExpectedDate != "2026-04-11" || *po.BaseTotal != "641.66" {
		t.Fatalf("ordered: %+v", po)
	}
	run(t, url, "currency", "rate", "set", "GBP", "2.00", "--date", "2026-04-02").wantCode(t, ExitOK)
	var rows []struct {
		Location string `json:"location"`
		OnOrder  string `json:"on_order"`
	}
	run(t, url, "stock", "list", "--below-min", "-o", "json").wantCode(t, ExitOK).json(t, &rows)
	if len(rows) != 0 {
		t.Fatalf("24 on order covers the minimum: %+v", rows)
	}

	// Partial receipt of line 1 into bay R1, then the batch line, then the serials.
	run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "10", "--bay", "R1", "-o", "json").
		wantCode(t, ExitOK).wantErr(t, "partially_received").json(t, &po)
	if po.Lines[0].ReceivedQty != "10" || po.Receipts[0].UnitCost != "9.375" || *po.Receipts[0].Bay != "R1" {
		t.Fatalf("receipt 1: %+v", po)
	}
	run(t, url, "po", "receive", "PO-000001", "--line", "2").wantCode(t, ExitInvalid).wantErr(t, "line 2 (LOT)", "--batch")
	run(t, url, "po", "receive", "PO-000001", "--line", "2", "--batch", "L7", "--expiry", "2099-01-31").wantCode(t, ExitOK)
	run(t, url, "po", "receive", "PO-000001", "--line", "3", "--serial", "S1").wantCode(t, ExitOK)
	run(t, url, "po", "receive", "PO-000001", "--line", "3", "--serial-start", "S2", "--qty", "2").
		wantCode(t, ExitInvalid).wantErr(t, "would make 3 received of 2 ordered")
	run(t, url, "po", "receive", "PO-000001", "--line", "3", "--serial", "S2", "--ref", "DN-1", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	if po.Status != "partially_received" || po.Outstanding != "14" {
		t.Fatalf("after serials: %+v", po)
	}
	run(t, url, "po", "receive", "PO-000001", "--all", "--ref", "DN-1").wantCode(t, ExitInvalid).
		wantErr(t, "PO-000001: ref DN-1 was posted with all no; this run asks yes")
	run(t, url, "po", "receive", "PO-000001", "--all", "--ref", "DN-2", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	if po.Status != "received" || len(po.Receipts) != 5 {
		t.Fatalf("received: %+v", po)
	}
	run(t, url, "po", "receive", "PO-000001", "--all").wantCode(t, ExitInvalid).wantErr(t, "received in full")
	run(t, url, "po", "receive", "PO-000001", "--line", "1", "--qty", "1", "--allow-over").wantCode(t, ExitOK)

	// Stock: 25 W at 7.50 × 1.25 = 9.375, whatever the later rate.
	var s struct {
		OnHand  string `json:"on_hand"`
		AvgCost string `json:"avg_cost"`
	}
	run(t, url, "stock", "show", "W", "-o", "json").wantCode(t, ExitOK).json(t, &s)
	if s.OnHand != "25" || s.AvgCost != "9.375" {
		t.Fatalf("stock: %+v", s)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)

	// Table output: the header, the lines, the receipts.
	r = run(t, url, "po", "show", "PO-000001").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "number\tPO-000001\n") || !strings.Contains(r.out, "\n\n1\tW\t") || strings.Count(r.out, "\n\n") != 2 {
		t.Fatalf("table:\n%s", r.out)
	}
	r = run(t, url, "po", "show", "PO-000001", "-o", "csv").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "po,line_no,sku,") {
		t.Fatalf("csv:\n%s", r.out)
	}

	// List and cancel.
	run(t, url, "po", "new", "HOME", "--location", "MAIN").wantCode(t, ExitOK)
	var list []poJSON
	run(t, url, "po", "list", "--status", "open", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 1 || list[0].Number != "PO-000002" || list[0].Rate == nil || *list[0].Rate != "1" {
		t.Fatalf("open: %+v", list)
	}
	run(t, url, "po", "cancel", "PO-000002", "-o", "json").wantCode(t, ExitOK).json(t, &po)
	if po.Status != "cancelled" {
		t.Fatalf("cancel: %+v", po)
	}
	run(t, url, "po", "cancel", "PO-000001").wantCode(t, ExitInvalid).wantErr(t, "cannot be cancelled")
	run(t, url, "po", "list", "--status", "bogus").wantCode(t, ExitInvalid).wantErr(t, "unknown status")
	if r := run(t, url, "po", "list", "--supplier", "EURO").wantCode(t, ExitOK); !strings.Contains(r.err, "no purchase orders") {
		t.Fatalf("empty list: %q", r.err)
	}
	// Documents exist now: the base currency is fixed.
	run(t, url, "settings", "set", "base_currency", "EUR").wantCode(t, ExitInvalid).wantErr(t, "documents")
}

func TestPoGenerateReorder(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "supplier", "price", "add", "EURO", "W", "--price", "10", "--pack", "6").wantCode(t, ExitOK)
	run(t, url, "supplier", "price", "add", "BRIT", "W", "--price", "9.50", "--priority", "2").wantCode(t, ExitOK)
	run(t, url, "stock", "levels", "set", "W", "--location", "MAIN", "--min", "5", "--max", "20").wantCode(t, ExitOK)
	run(t, url, "stock", "levels", "set", "LOT", "--location", "MAIN", "--min", "5", "--max", "20").wantCode(t, ExitOK)

	run(t, url, "po", "generate").wantCode(t, ExitUsage).wantErr(t, "--reorder")
	r := run(t, url, "po", "generate", "--reorder", "--dry-run").wantCode(t, ExitOK).
		wantErr(t, "warning: LOT at MAIN short 20", "would order 1 line(s)", "dry run")
	// Piped table: po, supplier, location, line, sku, wanted, qty, price, currency.
	if !strings.Contains(r.out, "EURO\tMAIN\t1\tW\t20\t24\t10\tEUR") {
		t.Fatalf("dry run: %q", r.out)
	}
	var list []poJSON
	run(t, url, "po", "list", "-o", "json").wantCode(t, ExitOK).json(t, &list)
	if len(list) != 0 {
		t.Fatalf("dry run wrote: %+v", list)
	}
	// EURO has the better priority (1 < 2) though BRIT is cheaper; 20 → 24 in packs of 6.
	var res struct {
		POs   []string `json:"pos"`
		Lines []struct {
			PO       string `json:"po"`
			Supplier string `json:"supplier"`
			Qty      string `json:"qty"`
		} `json:"lines"`
		Warnings []struct {
			SKU string `json:"sku"`
		} `json:"warnings"`
	}
	run(t, url, "po", "generate", "--reorder", "--location", "MAIN", "-o", "json").wantCode(t, ExitOK).json(t, &res)
	if len(res.POs) != 1 || len(res.Lines) != 1 || res.Lines[0].Supplier != "EURO" || res.Lines[0].Qty != "24" || len(res.Warnings) != 1 {
		t.Fatalf("generated: %+v", res)
	}
	var po poJSON
	run(t, url, "po", "show", res.POs[0], "-o", "json").wantCode(t, ExitOK).json(t, &po)
	if po.Status != "draft" || po.Origin != "reorder" || po.Total != "240.00" {
		t.Fatalf("draft: %+v", po)
	}
	run(t, url, "po", "generate", "--reorder").wantCode(t, ExitOK).wantErr(t, "nothing to order")
	run(t, url, "po", "generate", "--reorder", "--location", "NOPE").wantCode(t, ExitNotFound)
}

func TestRenderCommands(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "po", "new", "EURO", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "po", "add", "PO-000001", "W", "3", "--price", "12.5").wantCode(t, ExitOK)
	dir := t.TempDir()

	r := run(t, url, "po", "render", "PO-000001").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "<title>Purchase order (draft) PO-000001</title>") || !strings.Contains(r.out, "Euro supplies (EURO)") {
		t.Fatalf("html:\n%s", r.out)
	}
	pdf := dir + "/po.pdf"
	run(t, url, "po", "render", "PO-000001", "--out", pdf).wantCode(t, ExitOK).wantErr(t, "written to", "(pdf,", "built-in po.html")
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("pdf file: %v %.20q", err, b)
	}
	run(t, url, "po", "render", "PO-000001", "--format", "rtf").wantCode(t, ExitUsage).wantErr(t, "--format")
	run(t, url, "po", "render", "PO-000009").wantCode(t, ExitNotFound)

	// A user template per call, then stored for the supplier; a broken one names its line.
	mine := dir + "/mine.html"
	os.WriteFile(mine, []byte("<p>{{.Number}} {{.Supplier.Name}} {{money .Total}} {{.Currency}}</p>\n"), 0o644)
	r = run(t, url, "po", "render", "PO-000001", "--template", mine).wantCode(t, ExitOK)
	if r.out != "<p>PO-000001 Euro supplies 37.50 EUR</p>\n" {
		t.Fatalf("user template: %q", r.out)
	}
	broken := dir + "/broken.html"
	os.WriteFile(broken, []byte("<p>\n{{.Number}\n</p>\n"), 0o644)
	run(t, url, "po", "render", "PO-000001", "--template", broken).wantCode(t, ExitInvalid).wantErr(t, "broken.html:2")
	run(t, url, "po", "template", "set", broken).wantCode(t, ExitInvalid).wantErr(t, "broken.html:2")
	run(t, url, "po", "render", "PO-000001", "--template", dir+"/none.html").wantCode(t, ExitInvalid).wantErr(t, "cannot read template")
	run(t, url, "po", "template", "set", mine, "--supplier", "EURO").wantCode(t, ExitOK)
	var ts []struct {
		Supplier *string `json:"supplier"`
		Source   string  `json:"source"`
	}
	run(t, url, "po", "template", "list", "-o", "json").wantCode(t, ExitOK).json(t, &ts)
	if len(ts) != 1 || *ts[0].Supplier != "EURO" || ts[0].Source != "mine.html" {
		t.Fatalf("templates: %+v", ts)
	}
	r = run(t, url, "po", "render", "PO-000001").wantCode(t, ExitOK)
	if !strings.HasPrefix(r.out, "<p>PO-000001 Euro supplies") {
		t.Fatalf("supplier template: %q", r.out)
	}
	run(t, url, "po", "template", "show", "--supplier", "EURO").wantCode(t, ExitOK).wantErr(t, "EURO's po template (mine.html)")
	r = run(t, url, "po", "template", "show").wantCode(t, ExitOK).wantErr(t, "built-in po.html")
	if !strings.Contains(r.out, "range .Lines") {
		t.Fatalf("built-in template: %.100q", r.out)
	}
	run(t, url, "po", "template", "reset", "--supplier", "EURO").wantCode(t, ExitOK)
	run(t, url, "po", "template", "reset", "--supplier", "EURO").wantCode(t, ExitNotFound)

	// RFQs render the same way.
	run(t, url, "rfq", "new", "BRIT", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "rfq", "add", "RFQ-000001", "BOLT", "2", "--unit", "box").wantCode(t, ExitOK)
	// The line in its own unit: 2 box of 100 ea = 200 ea.
	r = run(t, url, "rfq", "render", "RFQ-000001").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "Request for quotation RFQ-000001") || !strings.Contains(r.out, `<td class="num">2</td><td>box (200 ea)</td>`) {
		t.Fatalf("rfq html:\n%s", r.out)
	}
	run(t, url, "rfq", "render", "RFQ-000001", "--format", "pdf", "--out", dir+"/rfq.pdf").wantCode(t, ExitOK)
	run(t, url, "rfq", "template", "set", mine).wantCode(t, ExitOK)
	if r := run(t, url, "rfq", "render", "RFQ-000001").wantCode(t, ExitOK); !strings.HasPrefix(r.out, "<p>RFQ-000001 Brit supplies") {
		t.Fatalf("rfq system template: %q", r.out)
	}
}

// The demo's purchasing: price lists in three currencies, two RFQs to compare, a received
// EUR PO with its freight posted, an open GBP PO, and a reorder proposal; all once.
func TestDemoPurchasing(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	var sum map[string]float64
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["supplier_prices"] != 9 || sum["rfqs"] != 2 || sum["purchase_orders"] != 2 || sum["landed_costs"] != 1 {
		t.Fatalf("first load: %v", sum)
	}
	run(t, url, "demo", "--yes", "-o", "json").wantCode(t, ExitOK).json(t, &sum)
	if sum["supplier_prices"] != 0 || sum["rfqs"] != 0 || sum["purchase_orders"] != 0 || sum["landed_costs"] != 0 {
		t.Fatalf("second load: %v", sum)
	}
	var pos []poJSON
	run(t, url, "po", "list", "-o", "json").wantCode(t, ExitOK).json(t, &pos)
	if len(pos) != 2 || pos[0].Status != "ordered" || pos[0].Currency != "GBP" || *pos[0].Rate != "1.295" ||
		pos[1].Status != "received" || pos[1].Currency != "EUR" || *pos[1].Rate != "1.085" {
		t.Fatalf("demo POs: %+v", pos)
	}
	var lc landedJSON
	run(t, url, "landed-cost", "show", "PO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &lc)
	// 120 EUR at 1.085 = 130.20 USD over drills (954.80) and cameras (325.50): 97.10 and 33.10.
	if len(lc.Shares) != 2 || lc.Shares[0].Share != "97.1" || lc.Shares[1].Share != "33.1" || lc.Costs[0].Status != "posted" {
		t.Fatalf("demo landed cost: %+v", lc)
	}
	var cmp []struct {
		RFQ  string `json:"rfq"`
		Best bool   `json:"best"`
	}
	run(t, url, "rfq", "compare", "DRILL-18V", "--date", "2026-11-25", "-o", "json").wantCode(t, ExitOK).json(t, &cmp)
	if len(cmp) != 2 || !cmp[0].Best {
		t.Fatalf("demo compare: %+v", cmp)
	}
	r := run(t, url, "po", "generate", "--reorder", "--dry-run").wantCode(t, ExitOK)
	if !strings.Contains(r.out, "PACIFIC\tMAIN\t1\tPAINT-WHITE\t40\t40\t6.1") {
		t.Fatalf("demo reorder: %q", r.out)
	}
	run(t, url, "product", "lookup", "EUT-46021").wantCode(t, ExitOK)
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
