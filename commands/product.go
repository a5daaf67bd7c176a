package commands

import (
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
)

// productFlags are the product fields add and edit share.
type productFlags struct {
	name, description, typ, uom, purchaseUOM, salesUOM, category, manufacturer, mfrPartNo string
	portalDescription, salesGL, purchaseGL, inventoryGL, cogsGL                           string
	sellable, purchasable, trackStock, serialized, batchTracked, portal                   bool
	cost, listPrice, sellPrice, weight, volume, salesTax, purchaseTax                     decimalFlag
	barcodes                                                                              []string
	dry                                                                                   bool
}

func (f *productFlags) register(c *cobra.Command, add bool) {
	fl := c.Flags()
	fl.StringVar(&f.name, "name", "", "product name")
	fl.StringVar(&f.description, "description", "", "longer description")
	fl.StringVar(&f.typ, "type", "stock", "type: "+strings.Join(catalog.Types, ", "))
	fl.StringVar(&f.uom, "uom", "", "stock unit of measure (default: setting default_uom, h for time products)")
	fl.StringVar(&f.purchaseUOM, "purchase-uom", "", "unit purchases are entered in (default: the stock unit)")
	fl.StringVar(&f.salesUOM, "sales-uom", "", "unit sales are entered in (default: the stock unit)")
	fl.Var(f.cost.Of(bounds.Money, nonNegative), "cost", "cost price in base currency")
	fl.Var(f.listPrice.Of(bounds.Money, nonNegative), "list-price", "list price")
	fl.Var(f.sellPrice.Of(bounds.Money, nonNegative), "sell-price", "unit sell price")
	fl.BoolVar(&f.sellable, "sellable", true, "can be sold (--sellable=false to stop)")
	fl.BoolVar(&f.purchasable, "purchasable", true, "can be bought (default: stock, service and freight products)")
	fl.BoolVar(&f.trackStock, "track-stock", true, "count stock per location (default: stock products only)")
	fl.BoolVar(&f.serialized, "serialized", false, "every unit has a serial number (implies --track-stock)")
	fl.BoolVar(&f.batchTracked, "batch-tracked", false, "stock is kept in batches with expiry dates (implies --track-stock)")
	fl.Var(f.weight.Of(bounds.Quantity, nonNegative), "weight", "weight of one stock unit, kg")
	fl.Var(f.volume.Of(bounds.Quantity, nonNegative), "volume", "volume of one stock unit, l")
	fl.StringVar(&f.category, "category", "", "product category")
	fl.StringVar(&f.manufacturer, "manufacturer", "", "manufacturer company code (\"\" on edit clears it)")
	fl.StringVar(&f.mfrPartNo, "mfr-part-no", "", "manufacturer's part number")
	fl.BoolVar(&f.portal, "portal", false, "show in the web portal catalogue")
	fl.StringVar(&f.portalDescription, "portal-description", "", "description for the portal")
	fl.StringVar(&f.salesGL, "sales-gl", "", "sales GL code (default: setting gl_sales)")
	fl.StringVar(&f.purchaseGL, "purchase-gl", "", "purchase GL code (default: setting gl_purchase)")
	fl.StringVar(&f.inventoryGL, "inventory-gl", "", "inventory asset GL code (default: setting gl_inventory)")
	fl.StringVar(&f.cogsGL, "cogs-gl", "", "cost of goods sold GL code (default: setting gl_cogs)")
	fl.Var(f.salesTax.Of(bounds.Percent, nonNegative), "sales-tax-rate", "selling tax rate, percent (default: setting tax_rate_sales)")
	fl.Var(f.purchaseTax.Of(bounds.Percent, nonNegative), "purchase-tax-rate", "purchasing tax rate, percent (default: setting tax_rate_purchase)")
	if add {
		fl.StringSliceVar(&f.barcodes, "barcode", nil, "barcode(s) to attach (EAN-13, UPC-A, EAN-8, GTIN-14 or free Code 128); repeatable")
	}
	fl.BoolVar(&f.dry, "dry-run", false, "validate and show the result without saving")
}

func decPtr(f decimalFlag) *decimal.Decimal {
	if !f.Given {
		return nil
	}
	d := f.Value
	return &d
}

func (f *productFlags) changes(c *cobra.Command) catalog.Changes {
	return catalog.Changes{
		Name: ptr(c, "name", f.name), Description: ptr(c, "description", f.description), Type: ptr(c, "type", f.typ),
		Sellable: ptr(c, "sellable", f.sellable), Purchasable: ptr(c, "purchasable", f.purchasable),
		TrackStock: ptr(c, "track-stock", f.trackStock), Serialized: ptr(c, "serialized", f.serialized),
		BatchTracked: ptr(c, "batch-tracked", f.batchTracked),
		StockUOM:     ptr(c, "uom", f.uom), PurchaseUOM: ptr(c, "purchase-uom", f.purchaseUOM), SalesUOM: ptr(c, "sales-uom", f.salesUOM),
		CostPrice: decPtr(f.cost), ListPrice: decPtr(f.listPrice), SellPrice: decPtr(f.sellPrice),
		Weight: decPtr(f.weight), Volume: decPtr(f.volume), Category: ptr(c, "category", f.category),
		Manufacturer: ptr(c, "manufacturer", f.manufacturer), MfrPartNo: ptr(c, "mfr-part-no", f.mfrPartNo),
		InPortal: ptr(c, "portal", f.portal), PortalDescription: ptr(c, "portal-description", f.portalDescription),
		SalesGL: ptr(c, "sales-gl", f.salesGL), PurchaseGL: ptr(c, "purchase-gl", f.purchaseGL),
		InventoryGL: ptr(c, "inventory-gl", f.inventoryGL), COGSGL: ptr(c, "cogs-gl", f.cogsGL),
		SalesTaxRate: decPtr(f.salesTax), PurchaseTaxRate: decPtr(f.purchaseTax),
	}
}

func (a *App) productCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "product",
		Short: "The product catalogue: products, units, barcodes, variants, options, bills of materials",
		Long: `The product catalogue. Product types: stock (physical, stock-tracked by default), service,
virtual (never moves stock), time (billed per period), training (seats in sessions), freight
(shipping charges) and system (Freight, Deposit and Service, built in: editable, never deleted).

Only stock products are stock-tracked; serialised or batch-tracked implies tracked.`,
	}
	var addF productFlags
	add := &cobra.Command{
		Use:   "add SKU --name NAME [flags]",
		Short: "Add a product",
		Long: `Add a product. What is not given takes the defaults of its type (stock: sellable, purchasable,
tracked; service and freight: sellable, purchasable; virtual, time and training: sellable), the
default unit, and the accounting defaults from the settings (gl_* and tax_rate_*).`,
		Example: `  stockctl product add DRILL-18V --name "Cordless drill 18V" --cost 52.10 --sell-price 129 --barcode 4006381333931
  stockctl product add INSTALL --name "Installation" --type service --sell-price 85
  stockctl product add ROPE --name "Rope 10mm" --uom m --batch-tracked --category rigging`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var p catalog.Product
			err := a.write(c, addF.dry, func(tx *sqlx.Tx) (err error) {
				p, err = catalog.Add(c.Context(), tx, args[0], addF.changes(c))
				if err != nil {
					return err
				}
				for _, code := range addF.barcodes {
					if _, err := catalog.AddBarcode(c.Context(), tx, p.SKU, code, "", ""); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			return a.Printer().One(p)
		},
	}
	addF.register(add, true)

	var editF productFlags
	edit := &cobra.Command{
		Use:   "edit SKU [flags]",
		Short: "Change a product's fields; only the flags given change",
		Long: `Change a product; only the flags given change. Switching --track-stock off is refused while
the product has stock on hand, allocations or open orders. Switching it on is refused (exit 5,
naming each line) while open sales order lines were taken while it was untracked: they would
never take the goods out of stock; cancel those orders (or invoice them if the goods have gone)
and sell again once it is tracked. Switching serial numbers or batches off is refused once the
product has moved; the stock unit cannot change once it has stock.

An edit takes the product's posting lock before it looks at the stock: it waits for postings
of the product in flight (and then counts their stock, exit 5 when that forbids the change),
and postings that start meanwhile wait for it and are judged by the new tracking, serial,
batch and unit rules. Sales order lines being added wait for it the same way and follow the
new tracking.`,
		Example: "  stockctl product edit DRILL-18V --sell-price 119 --portal\n  stockctl product edit ROPE --track-stock=false",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var p catalog.Product
			err := a.write(c, editF.dry, func(tx *sqlx.Tx) (err error) {
				p, err = catalog.Edit(c.Context(), tx, args[0], editF.changes(c))
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(p)
		},
	}
	editF.register(edit, false)

	show := &cobra.Command{
		Use:     "show SKU",
		Short:   "Show a product with its barcodes, packs, features, variants, options and bill of materials",
		Example: "  stockctl product show DRILL-18V\n  stockctl product show TEE -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			det, err := catalog.Describe(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().One(det)
		},
	}

	var f catalog.Filter
	var all, inactive bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List active products; filter by type, portal, category or search text",
		Long: `List products by SKU. Inactive products are hidden unless --all or --inactive. --search
matches SKU, name, description, category, manufacturer part number and features
(name, value or name=value), case-insensitively.`,
		Example: "  stockctl product list --type service\n  stockctl product list --search colour=red\n  stockctl product list --portal -o csv",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			if all && inactive {
				return fault.Usagef("all", "--all and --inactive: choose one")
			}
			f.Status = "active"
			if all {
				f.Status = "all"
			} else if inactive {
				f.Status = "inactive"
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ps, err := catalog.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			return a.Printer().List(ps)
		},
	}
	list.Flags().StringVar(&f.Type, "type", "", "only this type")
	list.Flags().BoolVar(&all, "all", false, "include inactive products")
	list.Flags().BoolVar(&inactive, "inactive", false, "only inactive products")
	list.Flags().BoolVar(&f.Portal, "portal", false, "only products in the portal")
	list.Flags().StringVar(&f.Search, "search", "", "text to look for")
	list.Flags().StringVar(&f.Category, "category", "", "only this category")
	intVar(list.Flags(), &f.Limit, "limit", 0, 0, bounds.MaxWhole, "at most this many rows (0: all)")

	var force, deDry bool
	deactivate := &cobra.Command{
		Use:   "deactivate SKU [--force]",
		Short: "Hide a product from lists and refuse it on new documents (history, stock and barcodes stay)",
		Long: `Deactivate a product: it is hidden from lists (see --all), refused on new documents, and keeps
its history, stock and barcodes (which stay reserved). A product with stock on hand needs
--force, and the warning says how much is left. The stock is counted under the product's
posting lock, so stock that a posting in flight brings is waited for and counted too.`,
		Example: "  stockctl product deactivate OLD-MODEL\n  stockctl product deactivate OLD-MODEL --force",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var p catalog.Product
			var onHand decimal.Decimal
			err := a.write(c, deDry, func(tx *sqlx.Tx) (err error) {
				p, onHand, err = catalog.SetActive(c.Context(), tx, args[0], false, force)
				return err
			})
			if err != nil {
				return err
			}
			if !onHand.IsZero() {
				a.say("warning: %s deactivated with %s %s still on hand", p.SKU, onHand, p.StockUOM)
			}
			return a.Printer().One(p)
		},
	}
	deactivate.Flags().BoolVar(&force, "force", false, "deactivate although stock is on hand")
	deactivate.Flags().BoolVar(&deDry, "dry-run", false, "check without saving")

	var acDry bool
	activate := &cobra.Command{
		Use:     "activate SKU",
		Short:   "Make an inactive product usable again",
		Example: "  stockctl product activate OLD-MODEL",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var p catalog.Product
			err := a.write(c, acDry, func(tx *sqlx.Tx) (err error) {
				p, _, err = catalog.SetActive(c.Context(), tx, args[0], true, false)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(p)
		},
	}
	activate.Flags().BoolVar(&acDry, "dry-run", false, "check without saving")

	var yes, delDry bool
	del := &cobra.Command{
		Use:   "delete SKU --yes",
		Short: "Delete a product that was never used (else deactivate it)",
		Long: `Delete a product that has no stock history, orders, variants or bills of materials naming
it; anything with history must be deactivated instead so the history stays. System products
(Freight, Deposit, Service) are never deleted. The history is read under the product's posting
lock: a posting in flight is waited for (and then refuses the deletion, exit 5), and one that
starts meanwhile finds the product gone (exit 6).`,
		Example: "  stockctl product delete TYPO-SKU --yes",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if !delDry {
				if err := a.confirm(yes, "delete product "+args[0]+" for good"); err != nil {
					return err
				}
			}
			if err := a.write(c, delDry, func(tx *sqlx.Tx) error {
				return catalog.Delete(c.Context(), tx, args[0])
			}); err != nil {
				return err
			}
			a.say("product %s deleted", args[0])
			return nil
		},
	}
	del.Flags().BoolVar(&yes, "yes", false, "confirm the deletion")
	del.Flags().BoolVar(&delDry, "dry-run", false, "check without deleting")

	check := &cobra.Command{
		Use:   "check",
		Short: "List products missing accounting details their flags require (exit 5 if any)",
		Long: `List active products missing what their flags require: a sellable product needs a sales GL
code and selling tax rate, a purchasable one a purchase GL code and purchasing tax rate, a
stock-tracked one inventory asset and COGS GL codes. Exits 0 when none are missing, 5 when
any are (so a CI job or cron can alert).`,
		Example: "  stockctl product check\n  stockctl product check -o json",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ms, err := catalog.Check(c.Context(), d)
			if err != nil {
				return err
			}
			if err := a.Printer().List(ms); err != nil {
				return err
			}
			if len(ms) > 0 {
				return fault.Invalidf("", "%d product(s) miss accounting details: set them with stockctl product edit SKU --sales-gl ... --sales-tax-rate ...", len(ms))
			}
			a.say("every active product has the accounting details its flags require")
			return nil
		},
	}

	cmd.AddCommand(add, edit, show, list, deactivate, activate, del, check)
	cmd.AddCommand(a.productBarcodeCmds()...)
	cmd.AddCommand(a.productCSVCmds()...)
	cmd.AddCommand(a.productVariantCmds()...)
	return cmd
}
