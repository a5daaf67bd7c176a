package demo

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/inventory/pricing"
)

// demoPricing is how one demo product is priced beyond its unit sell price.
type demoPricing struct {
	sku      string
	formula  string
	pct      string
	same     bool
	breaks   []pricing.BreakInput
	specials []pricing.SpecialInput
}

func pricingPlan() []demoPricing {
	q := decimal.RequireFromString
	br := func(sku, typ, region, min, price string) pricing.BreakInput {
		return pricing.BreakInput{SKU: sku, PriceType: typ, Region: region, MinQty: q(min), Price: q(price)}
	}
	jan1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return []demoPricing{
		// Three customers, three prices for one drill sold from MAIN: ACME (retail) 129.00,
		// BLUEBIRD (trade) 112.00, LONESTAR (wholesale) 98.00; the Brooklyn store (NY) sells
		// retail at 134.00, and ACME has a special price from 10 drills on.
		{sku: "DRILL-18V", breaks: []pricing.BreakInput{
			br("DRILL-18V", "retail", "", "5", "124.00"),
			br("DRILL-18V", "retail", "NY", "0", "134.00"),
			br("DRILL-18V", "trade", "", "0", "112.00"),
			br("DRILL-18V", "trade", "", "5", "105.00"),
			br("DRILL-18V", "wholesale", "", "0", "98.00"),
			br("DRILL-18V", "wholesale", "", "10", "92.50"),
		}, specials: []pricing.SpecialInput{
			{Customer: "ACME", SKU: "DRILL-18V", MinQty: q("10"), Price: q("115.00"), From: &jan1},
		}},
		// Rope by the metre: cheaper by the half coil and the coil (100 m).
		{sku: "ROPE-10", breaks: []pricing.BreakInput{
			br("ROPE-10", "retail", "", "50", "2.10"),
			br("ROPE-10", "retail", "", "100", "1.90"),
			br("ROPE-10", "trade", "", "100", "1.60"),
		}},
		// Sell prices from formulas: 6.50 ÷ (1 − 55%) = 14.44 and 0.02 × (1 + 200%) = 0.06.
		{sku: "PAINT-WHITE", formula: pricing.Margin, pct: "55"},
		{sku: "SCREW-4X40", formula: pricing.Markup, pct: "200"},
		// A download costs the same wherever it is sold from.
		{sku: "GUIDE-PDF", same: true},
	}
}

// loadPricing gives the demo products formulas, quantity breaks per price type and region,
// a special price and a same-price-everywhere product. A product whose pricing was already
// set up (break rows, special prices, a formula or the same-price mark) is left as it is, so
// the demo runs twice without change and never undoes what a user changed.
func loadPricing(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	for _, p := range pricingPlan() {
		pp, err := pricing.Show(ctx, tx, p.sku)
		if err != nil {
			return err
		}
		if pp.Breaks > 0 || pp.Specials > 0 || pp.Formula != pricing.Fixed || pp.SamePriceAllLocations {
			continue
		}
		if p.formula != "" {
			pct := decimal.RequireFromString(p.pct)
			if _, err := pricing.SetFormula(ctx, tx, p.sku, p.formula, &pct); err != nil {
				return err
			}
			s.Prices++
		}
		if p.same {
			if _, err := pricing.SetSamePrice(ctx, tx, p.sku, true); err != nil {
				return err
			}
			s.Prices++
		}
		c, err := pricing.SetBreaks(ctx, tx, p.breaks)
		if err != nil {
			return err
		}
		s.Prices += c.Created + c.Updated
		c, err = pricing.SetSpecials(ctx, tx, p.specials)
		if err != nil {
			return err
		}
		s.Prices += c.Created + c.Updated
	}
	return nil
}
