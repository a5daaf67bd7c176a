package demo

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/barcode"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// gtin makes a valid demo barcode from the GS1 in-store range 20-29, which never collides
// with codes printed on real retail goods.
func gtin(body string) string {
	d, err := barcode.CheckDigit(body)
	if err != nil {
		panic(err) // bodies below are constants
	}
	return fmt.Sprintf("%s%d", body, d)
}

type demoProduct struct {
	sku string
	ch  catalog.Changes
	// barcodes maps a code to the pack it is printed on ("" for a single unit).
	barcodes [][2]string
	packs    map[string]string
	features [][2]string
}

func products() []demoProduct {
	return []demoProduct{
		{sku: "DRILL-18V", ch: catalog.Changes{Name: str("Cordless drill 18V, 2 batteries"), Category: str("tools"),
			CostPrice: dec("52.10"), ListPrice: dec("149.00"), SellPrice: dec("129.00"), Weight: dec("1.6"),
			Manufacturer: str("EUROTOOL"), MfrPartNo: str("ET-GSR18"), InPortal: yes(),
			PortalDescription: str("Compact 18V drill driver with two 2Ah batteries and charger")},
			packs:    map[string]string{"case": "4"},
			barcodes: [][2]string{{gtin("200000000001"), ""}, {gtin("1200000000001"), "case"}},
			features: [][2]string{{"voltage", "18V"}, {"colour", "blue"}}},
		{sku: "SCREW-4X40", ch: catalog.Changes{Name: str("Wood screw 4x40 zinc"), Category: str("fasteners"),
			CostPrice: dec("0.02"), SellPrice: dec("0.06"), InPortal: yes()},
			packs:    map[string]string{"box": "200"},
			barcodes: [][2]string{{gtin("200000000002"), ""}, {gtin("200000000003"), "box"}},
			features: [][2]string{{"material", "zinc-plated steel"}}},
		{sku: "ROPE-10", ch: catalog.Changes{Name: str("Polyester rope 10 mm"), Category: str("rigging"),
			StockUOM: str("m"), SalesUOM: str("m"), CostPrice: dec("0.85"), SellPrice: dec("2.40"), BatchTracked: yes()},
			packs: map[string]string{"coil": "100"}},
		{sku: "CAM-X1", ch: catalog.Changes{Name: str("Inspection camera X1"), Category: str("tools"),
			CostPrice: dec("180.00"), SellPrice: dec("349.00"), Serialized: yes()},
			barcodes: [][2]string{{gtin("200000000004"), ""}}},
		{sku: "PAINT-WHITE", ch: catalog.Changes{Name: str("Interior paint white"), Category: str("paint"),
			StockUOM: str("l"), CostPrice: dec("6.50"), SellPrice: dec("14.90"), InPortal: yes()}},
		{sku: "INSTALL", ch: catalog.Changes{Name: str("Installation labour"), Type: str("service"), StockUOM: str("h"),
			SellPrice: dec("85.00")}},
		{sku: "GUIDE-PDF", ch: catalog.Changes{Name: str("Workshop safety guide (PDF)"), Type: str("virtual"),
			SellPrice: dec("9.99"), InPortal: yes()}},
		{sku: "CONSULT", ch: catalog.Changes{Name: str("Consulting"), Type: str("time"), SellPrice: dec("120.00")}},
		{sku: "COURSE-SAFETY", ch: catalog.Changes{Name: str("Power tool safety course"), Type: str("training"),
			SellPrice: dec("250.00")}},
		{sku: "SHIP-STD", ch: catalog.Changes{Name: str("Standard shipping"), Type: str("freight"), SellPrice: dec("15.00")}},
		{sku: "TEE", ch: catalog.Changes{Name: str("Work tee"), Category: str("apparel"), CostPrice: dec("4.00"),
			SellPrice: dec("19.00"), InPortal: yes()}},
		{sku: "BENCH", ch: catalog.Changes{Name: str("Workbench, made to order"), Category: str("furniture"),
			CostPrice: dec("210.00"), SellPrice: dec("590.00")}},
		{sku: "BENCH-TOP", ch: catalog.Changes{Name: str("Bench top, pine"), Category: str("components"),
			CostPrice: dec("60.00"), Sellable: no()}},
		{sku: "BENCH-LEG", ch: catalog.Changes{Name: str("Bench leg, steel"), Category: str("components"),
			CostPrice: dec("18.00"), Sellable: no()}},
	}
}

// loadCatalog adds the demo products (each type, packs, barcodes, features), the variable
// product TEE with its variants, and the configurable BENCH with options and a bill of
// materials. Products that exist are left as they are.
func loadCatalog(ctx context.Context, tx *sqlx.Tx, s *Summary) error {
	for _, p := range products() {
		if _, err := catalog.Get(ctx, tx, p.sku); err == nil {
			continue
		} else if !fault.Is(err, fault.NotFound) {
			return err
		}
		if _, err := catalog.Add(ctx, tx, p.sku, p.ch); err != nil {
			return fmt.Errorf("demo product %s: %w", p.sku, err)
		}
		s.Products++
		for code, qty := range p.packs {
			if _, err := catalog.AddPack(ctx, tx, p.sku, code, decimal.RequireFromString(qty)); err != nil {
				return err
			}
		}
		for _, bc := range p.barcodes {
			if _, err := catalog.AddBarcode(ctx, tx, p.sku, bc[0], "", bc[1]); err != nil {
				return err
			}
		}
		for _, f := range p.features {
			if _, err := catalog.SetFeature(ctx, tx, p.sku, f[0], f[1]); err != nil {
				return err
			}
		}
		switch p.sku {
		case "TEE":
			if _, err := catalog.AddAttribute(ctx, tx, "TEE", "Size", []string{"S", "M", "L", "XL"},
				map[string]decimal.Decimal{"XL": *dec("2.00")}); err != nil {
				return err
			}
			if _, err := catalog.AddAttribute(ctx, tx, "TEE", "Colour", []string{"Navy", "Orange"}, nil); err != nil {
				return err
			}
		case "BENCH":
			if _, err := catalog.AddOption(ctx, tx, "BENCH", "Top", []string{"Pine", "Oak"},
				map[string]decimal.Decimal{"Oak": *dec("180.00")}, nil); err != nil {
				return err
			}
			optional := true
			if _, err := catalog.AddOption(ctx, tx, "BENCH", "Vise", []string{"Standard", "Quick-release"},
				map[string]decimal.Decimal{"Quick-release": *dec("45.00")}, &optional); err != nil {
				return err
			}
		}
	}
	variants, _, err := catalog.GenerateVariants(ctx, tx, "TEE")
	if err != nil {
		return err
	}
	s.Variants += len(variants)
	for _, c := range []struct{ sku, qty string }{{"BENCH-TOP", "1"}, {"BENCH-LEG", "4"}, {"SCREW-4X40", "24"}} {
		if _, _, err := catalog.AddComponent(ctx, tx, "BENCH", c.sku, decimal.RequireFromString(c.qty)); err != nil {
			return err
		}
	}
	return nil
}
