package demo

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// loadStock adds two locations with bays, opening stock at both (including a batch-tracked
// and a serialised product), stock levels, an immediate transfer and a two-step transfer
// still in transit. Refs make every posting happen once however often the demo runs.
func loadStock(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	for _, l := range []struct{ code, name, region string }{
		{"MAIN", "Main warehouse, San Jose", "CA"},
		{"STORE", "Brooklyn store", "NY"},
	} {
		if _, err := stock.GetLocation(ctx, tx, "location", l.code); err == nil {
			continue
		}
		if _, err := stock.AddLocation(ctx, tx, l.code, l.name, l.region, ""); err != nil {
			return err
		}
		s.Locations++
	}
	for _, b := range [][2]string{{"MAIN", "A1"}, {"MAIN", "A2"}, {"MAIN", "COLD"}, {"STORE", "FRONT"}} {
		if _, err := stock.AddBay(ctx, tx, b[0], b[1], ""); err != nil && !fault.Is(err, fault.Conflict) {
			return err
		}
	}
	for _, l := range []struct {
		sku, loc, bay string
		min, max      string
	}{
		{"DRILL-18V", "MAIN", "A1", "10", "40"},
		{"DRILL-18V", "STORE", "FRONT", "4", "12"},
		{"SCREW-4X40", "MAIN", "A2", "2000", "10000"},
		{"PAINT-WHITE", "STORE", "", "20", "60"},
	} {
		min, max := decimal.RequireFromString(l.min), decimal.RequireFromString(l.max)
		ch := stock.LevelChanges{Min: &min, Max: &max}
		if l.bay != "" {
			ch.Bay = &l.bay
		}
		if _, err := stock.SetLevels(ctx, tx, l.sku, l.loc, ch); err != nil {
			return err
		}
	}
	// The rope's batches expire in a month (R2603: near expiry, batch list --expiring 45
	// shows it) and in ten months, counted from the day the demo is first loaded.
	exp1, err := batchExpiry(ctx, tx, "R2603", 30)
	if err != nil {
		return err
	}
	exp2, err := batchExpiry(ctx, tx, "R2609", 300)
	if err != nil {
		return err
	}
	cost := func(v string) *decimal.Decimal { d := decimal.RequireFromString(v); return &d }
	qty := decimal.RequireFromString
	opening := []stock.Adjustment{
		{SKU: "DRILL-18V", Location: "MAIN", Qty: qty("24"), UnitCost: cost("52.10"), Reason: "opening"},
		{SKU: "DRILL-18V", Location: "STORE", Qty: qty("3"), UnitCost: cost("52.10"), Reason: "opening"},
		{SKU: "SCREW-4X40", Location: "MAIN", Qty: qty("6000"), UnitCost: cost("0.02"), Reason: "opening"},
		{SKU: "SCREW-4X40", Location: "STORE", Qty: qty("400"), UnitCost: cost("0.02"), Reason: "opening"},
		{SKU: "ROPE-10", Location: "MAIN", Qty: qty("300"), Batch: "R2603", Expiry: exp1, UnitCost: cost("0.80"), Reason: "opening"},
		{SKU: "ROPE-10", Location: "MAIN", Qty: qty("200"), Batch: "R2609", Expiry: exp2, UnitCost: cost("0.90"), Reason: "opening"},
		{SKU: "CAM-X1", Location: "MAIN", Qty: qty("4"), SerialStart: "CX0001", UnitCost: cost("180"), Reason: "opening"},
		{SKU: "PAINT-WHITE", Location: "STORE", Qty: qty("45"), UnitCost: cost("6.50"), Reason: "opening"},
		{SKU: "TEE-M-NAVY", Location: "STORE", Qty: qty("15"), UnitCost: cost("4.00"), Reason: "opening"},
		{SKU: "BENCH-TOP", Location: "MAIN", Qty: qty("2"), UnitCost: cost("60"), Reason: "opening"},
		{SKU: "BENCH-LEG", Location: "MAIN", Qty: qty("8"), UnitCost: cost("18"), Reason: "opening"},
	}
	moves, applied, err := stock.Adjust(ctx, tx, opening, "demo opening stock")
	if err != nil {
		return err
	}
	if applied {
		s.Moves += len(moves)
	}
	freight := decimal.RequireFromString("24.00")
	for _, t := range []stock.TransferRequest{
		{SKU: "DRILL-18V", From: "MAIN", To: "STORE", Qty: qty("6"), ExtraCost: &freight, Narrative: "weekly store top-up", Ref: "demo transfer drills"},
		{SKU: "ROPE-10", From: "MAIN", To: "STORE", Qty: qty("120"), TwoStep: true, Narrative: "rope for the store, on the truck", Ref: "demo transfer rope"},
		{SKU: "CAM-X1", From: "MAIN", To: "STORE", Serials: []string{"CX0002"}, Ref: "demo transfer camera"},
	} {
		doc, err := stock.Transfer(ctx, tx, t)
		if err != nil {
			return fault.Wrap(fault.KindOf(err), err, "demo transfer of %s", t.SKU)
		}
		if !doc.AlreadyPosted {
			s.Transfers++
		}
	}
	return nil
}

// batchExpiry is the expiry of the demo's rope batch: the one it already has, so a rerun
// posts the same opening stock (its ref compares the expiry), else days after today.
func batchExpiry(ctx context.Context, tx *sqlx.Tx, batch string, days int) (*time.Time, error) {
	p, err := catalog.Get(ctx, tx, "ROPE-10")
	if err != nil {
		return nil, err
	}
	if b, err := stock.FindBatch(ctx, tx, p, batch); err == nil {
		return b.Expiry, nil
	} else if !fault.Is(err, fault.NotFound) {
		return nil, err
	}
	today, err := stock.Today(ctx, tx)
	if err != nil {
		return nil, err
	}
	d := today.AddDate(0, 0, days)
	return &d, nil
}
