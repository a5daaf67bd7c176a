// Package demo loads a small, realistic business into a database, so a newcomer can try
// every part of stockctl on data that makes sense.
package demo

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Summary counts what Load added; things that already existed are left as they are.
type Summary struct {
	Regions    int `json:"regions"`
	Currencies int `json:"currencies"`
	Rates      int `json:"rates"`
	Companies  int `json:"companies"`
	Settings   int `json:"settings"`
	Products   int `json:"products"`
	Variants   int `json:"variants"`
	Locations  int `json:"locations"`
	Moves      int `json:"moves"`
	Transfers  int `json:"transfers"`
	Stocktakes int `json:"stocktakes"`
	Prices     int `json:"prices"`

	SupplierPrices int `json:"supplier_prices"`
	RFQs           int `json:"rfqs"`
	PurchaseOrders int `json:"purchase_orders"`
	LandedCosts    int `json:"landed_costs"`

	SalesOrders int `json:"sales_orders"`
	Shipments   int `json:"shipments"`
	Invoices    int `json:"invoices"`
	WorkOrders  int `json:"work_orders"`

	TimeEntries      int `json:"time_entries"`
	TimeBills        int `json:"time_bills"`
	TrainingSessions int `json:"training_sessions"`
	Registrations    int `json:"registrations"`
}

// Reset drops the business's schema (stockctl's own, never anything else in the database)
// and migrates it again, leaving only what the migrations create.
func Reset(ctx context.Context, d *sqlx.DB) error {
	schema, err := db.SchemaOf(ctx, d.DB)
	if err != nil {
		return err
	}
	if err := db.DropSchema(ctx, d.DB, schema); err != nil {
		return err
	}
	_, err = db.Migrate(ctx, d.DB)
	return err
}

func str(s string) *string { return &s }
func yes() *bool           { b := true; return &b }
func no() *bool            { b := false; return &b }
func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

// Load adds the demo business in tx. Running it twice adds nothing the second time.
func Load(ctx context.Context, tx *sqlx.Tx) (Summary, error) {
	var s Summary
	base, err := currency.Base(ctx, tx)
	if err != nil {
		return s, err
	}
	if base != "USD" {
		if _, err := currency.SetBase(ctx, tx, "USD"); err != nil {
			return s, fault.Wrap(fault.Invalid, err, "the demo keeps its books in USD (use stockctl demo --reset on a database you can empty)")
		}
	}

	for _, kv := range [][2]string{
		{"location_pricing", "sell_from"},
		{"tax_rate_sales", "8.25"},
		{"tax_rate_purchase", "8.25"},
	} {
		if _, err := settings.Set(ctx, tx, kv[0], kv[1]); err != nil {
			return s, err
		}
		s.Settings++
	}

	for _, r := range [][2]string{{"CA", "California"}, {"NY", "New York"}, {"TX", "Texas"}} {
		if err := region.Require(ctx, tx, "code", r[0]); err == nil {
			continue
		}
		if _, err := region.Add(ctx, tx, r[0], r[1]); err != nil {
			return s, err
		}
		s.Regions++
	}

	for _, c := range [][2]string{{"EUR", "Euro"}, {"GBP", "Pound Sterling"}} {
		if _, err := currency.Get(ctx, tx, c[0]); err == nil {
			continue
		}
		if _, err := currency.Add(ctx, tx, c[0], c[1]); err != nil {
			return s, err
		}
		s.Currencies++
	}
	for _, r := range []struct {
		code, rate, from string
	}{
		{"EUR", "1.0850", "2026-01-01"}, {"EUR", "1.1120", "2026-07-01"},
		{"GBP", "1.2700", "2026-01-01"}, {"GBP", "1.2950", "2026-07-01"},
	} {
		from, _ := time.Parse(time.DateOnly, r.from)
		if have, err := currency.RateOn(ctx, tx, r.code, from); err == nil && have.Equal(decimal.RequireFromString(r.rate)) {
			continue
		}
		if _, err := currency.SetRate(ctx, tx, r.code, decimal.RequireFromString(r.rate), from); err != nil {
			return s, err
		}
		s.Rates++
	}

	companies := []struct {
		code string
		ch   company.Changes
	}{
		{"ACME", company.Changes{Name: str("Acme Hardware Stores"), Customer: yes(), Region: str("CA"),
			TaxRate: dec("8.25"), Email: str("purchasing@acme.example"), Address: str("12 Market St, San Jose CA 95113")}},
		{"BLUEBIRD", company.Changes{Name: str("Bluebird Builders"), Customer: yes(), PriceType: str("trade"),
			Region: str("NY"), TaxRate: dec("8.875"), Email: str("orders@bluebird.example")}},
		{"LONESTAR", company.Changes{Name: str("Lone Star Wholesale"), Customer: yes(), PriceType: str("wholesale"),
			Region: str("TX"), TaxRate: dec("6.25"), Email: str("buying@lonestar.example")}},
		{"EUROTOOL", company.Changes{Name: str("EuroTool GmbH"), Supplier: yes(), Manufacturer: yes(),
			Currency: str("EUR"), Email: str("sales@eurotool.example"), Address: str("Werkstr. 5, 70173 Stuttgart")}},
		{"BRITFIX", company.Changes{Name: str("BritFix Fasteners Ltd"), Supplier: yes(), Currency: str("GBP"),
			Email: str("trade@britfix.example")}},
		{"PACIFIC", company.Changes{Name: str("Pacific Supply Co"), Supplier: yes(), Customer: yes(),
			Region: str("CA"), Email: str("hello@pacific.example")}},
	}
	for _, c := range companies {
		if _, err := company.Get(ctx, tx, c.code); err == nil {
			continue
		}
		if _, err := company.Add(ctx, tx, c.code, c.ch); err != nil {
			return s, err
		}
		s.Companies++
	}
	if err := loadCatalog(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadStock(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadPurchasing(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadStocktake(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadPricing(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadSales(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadTime(ctx, tx, &s); err != nil {
		return s, err
	}
	if err := loadTaxInclusive(ctx, tx, &s); err != nil {
		return s, err
	}
	return s, nil
}

// NextSteps are commands worth trying on the demo data.
var NextSteps = []string{
	"stockctl company list --customers",
	"stockctl company show EUROTOOL -o json",
	"stockctl currency rate list EUR",
	"stockctl product list",
	"stockctl product show DRILL-18V",
	"stockctl product lookup 12000000000012      # the GTIN-14 on a case of 4 drills",
	"stockctl product variants list TEE",
	"stockctl product configure BENCH --choose Top=Oak --choose Vise=Quick-release",
	"stockctl product bom list BENCH",
	"stockctl product label DRILL-18V --out /tmp/drill.png",
	"stockctl uom convert 2.5 lb kg",
	"stockctl stock list",
	"stockctl stock show ROPE-10               # batches at MAIN and in transit",
	"stockctl batch list --expiring 45         # rope batch R2603 expires within the month",
	"stockctl batch trace ROPE-10 R2603        # recall: opening stock, the truck to STORE, Acme's shipment and invoice",
	"stockctl serial list CAM-X1",
	"stockctl transfer list",
	"stockctl transfer receive TR-000002 --qty 50",
	"stockctl stock adjust DRILL-18V --location STORE --qty -1 --reason damaged",
	"stockctl stock moves DRILL-18V",
	"stockctl stock list --below-min",
	"stockctl stock check",
	"stockctl supplier price best DRILL-18V --qty 25      # EUROTOOL's break from 20 in EUR vs PACIFIC in USD",
	"stockctl product lookup EUT-46021                    # a supplier's part number",
	"stockctl rfq compare DRILL-18V                       # two quotes, compared in USD",
	"stockctl po list",
	"stockctl po show PO-000002                           # open, in GBP at July's frozen rate",
	"stockctl landed-cost show PO-000001                  # freight shared over the drills and cameras",
	"stockctl po generate --reorder --dry-run             # white paint is below its minimum at MAIN",
	"stockctl po render PO-000002 --out /tmp/PO-000002.pdf",
	"stockctl stocktake show ST-000001         # a count in progress at STORE: then stocktake scan, close, post",
	"stockctl price break list DRILL-18V",
	"stockctl price quote DRILL-18V --customer BLUEBIRD --qty 6 --location STORE --explain   # then ACME and LONESTAR",
	"stockctl portal export -o json",
	"stockctl backorders list                             # here (green), elsewhere (blue), partial, none",
	"stockctl so release --all --dry-run                  # Acme's two held-back drills can go",
	"stockctl so show SO-000009                           # Pacific's order: prices include tax (invoice list --so SO-000009)",
	"stockctl wo list                                     # Bluebird's oak workbench, ready to build",
	"stockctl wo complete WO-000001 --dry-run",
	"stockctl time list                                   # Acme's June hours billed, Bluebird's July hours not yet",
	"stockctl time bill BLUEBIRD --dry-run",
	"stockctl training sessions COURSE-SAFETY            # 8 seats, 5 taken",
	"stockctl training register 1 BLUEBIRD --seats 4 --waitlist",
	"stockctl settings list",
	"stockctl region list -o csv",
	"stockctl db status",
}
