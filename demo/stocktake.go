package demo

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/inventory/stocktake"
)

// loadStocktake opens a stocktake of the Brooklyn store with some counts entered: a drill
// missing, a litre of paint short, the camera found, the screws counted in boxes, the tees
// not counted yet. It is left open to try show, count, scan and post on. A stocktake of the
// store that exists already (open, posted or cancelled) means the demo made it before.
func loadStocktake(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	have, err := stocktake.List(ctx, tx, stocktake.Filter{Location: "STORE"})
	if err != nil || len(have) > 0 {
		return err
	}
	doc, err := stocktake.New(ctx, tx, stocktake.Request{Location: "STORE", Narrative: "quarterly count, Brooklyn store"})
	if err != nil {
		return err
	}
	qty := decimal.RequireFromString
	if _, err := stocktake.Record(ctx, tx, doc.Number, []stocktake.Count{
		{SKU: "DRILL-18V", Qty: qty("8")},
		{SKU: "PAINT-WHITE", Qty: qty("44")},
		{SKU: "SCREW-4X40", Qty: qty("2"), Unit: "box"},
		{SKU: "CAM-X1", Qty: qty("1"), Serial: "CX0002"},
	}); err != nil {
		return err
	}
	s.Stocktakes++
	return nil
}
