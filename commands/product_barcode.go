package commands

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/barcode"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/io/printer"
)

// productBarcodeCmds are the product verbs about codes: barcodes, pack units, lookup and labels.
func (a *App) productBarcodeCmds() []*cobra.Command {
	return []*cobra.Command{a.productBarcodeCmd(), a.productPackCmd(), a.productLookupCmd(), a.productLabelCmd()}
}

// symbologyNames is the --symbology help list.
const symbologyNames = "ean13, upca, ean8, gtin14 or code128"

func (a *App) productBarcodeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "barcode",
		Short: "A product's barcodes: add, list, remove",
		Long: `A product's barcodes. A product can have several (EAN-13, UPC-A, EAN-8, GTIN-14 and free
Code 128), each optionally printed on one of its pack units, so scanning the box barcode means
the box's quantity. A barcode is unique across all products, and stays reserved while its
product is inactive.`,
		Example: "  stockctl product barcode add DRILL-18V 4006381333931\n  stockctl product barcode list DRILL-18V",
	}

	var pack, symbology string
	var addDry bool
	add := &cobra.Command{
		Use:   "add SKU CODE [--pack UNIT] [--symbology S]",
		Short: "Attach a barcode to a product",
		Long: `Attach a barcode to a product. The symbology is inferred unless --symbology is given: 8, 12,
13 or 14 digits are EAN-8, UPC-A, EAN-13 or GTIN-14 and need a correct GS1 check digit (the
error names the right one); anything else of up to 48 printable ASCII characters is Code 128.
Use --symbology code128 for internal all-digit numbers that carry no check digit.

--pack ties the barcode to one of the product's pack units (stockctl product pack add), so a
scan of it counts the pack's quantity.`,
		Example: `  stockctl product barcode add DRILL-18V 4006381333931
  stockctl product barcode add DRILL-18V 14006381333938 --pack box
  stockctl product barcode add DRILL-18V 0012345 --symbology code128`,
		Args: args("SKU", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("symbology") {
				sym, err := barcode.ParseSymbology(symbology)
				if err != nil {
					return fault.Usagef("symbology", "--symbology %q: use %s", symbology, symbologyNames)
				}
				symbology = string(sym)
			}
			var b catalog.Barcode
			err := a.write(c, addDry, func(tx *sqlx.Tx) (err error) {
				b, err = catalog.AddBarcode(c.Context(), tx, args[0], args[1], symbology, strings.TrimSpace(pack))
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(b)
		},
	}
	add.Flags().StringVar(&pack, "pack", "", "pack unit of the product this barcode is printed on (a scan counts its quantity)")
	add.Flags().StringVar(&symbology, "symbology", "", "barcode kind: "+symbologyNames+" (default: inferred from the code)")
	add.Flags().BoolVar(&addDry, "dry-run", false, "validate and show the result without saving")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a product's barcodes in the order they were added",
		Long:    "List a product's barcodes in the order they were added; the first is the one product label prints by default.",
		Example: "  stockctl product barcode list DRILL-18V\n  stockctl product barcode list DRILL-18V -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			bs, err := catalog.Barcodes(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(bs)
		},
	}

	var rmDry bool
	remove := &cobra.Command{
		Use:   "remove SKU CODE",
		Short: "Detach a barcode from a product, freeing the code",
		Long: `Detach a barcode from a product; the code is then free for another product. The product's
history is unaffected (documents store the product, not the code scanned). Nothing else is
removed, so no --yes is asked: add the barcode again to undo.`,
		Example: "  stockctl product barcode remove DRILL-18V 4006381333931\n  stockctl product barcode remove DRILL-18V 4006381333931 --dry-run",
		Args:    args("SKU", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.write(c, rmDry, func(tx *sqlx.Tx) error {
				return catalog.RemoveBarcode(c.Context(), tx, args[0], args[1])
			}); err != nil {
				return err
			}
			if !rmDry {
				a.say("barcode %s removed from %s", barcode.Normalize(args[1]), args[0])
			}
			return nil
		},
	}
	remove.Flags().BoolVar(&rmDry, "dry-run", false, "check without removing")

	cmd.AddCommand(add, list, remove)
	return cmd
}

func (a *App) productPackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pack",
		Short: "A product's own pack units (box = 12 ea): add, list",
		Long: `A product's own pack units: box = 12 ea for this product. Quantities on documents may be
entered in a pack unit and are stored converted to the stock unit; a barcode can stand for a
pack (stockctl product barcode add SKU CODE --pack box). A pack cannot take the name of a unit
of measure, so a unit code means the same thing everywhere.`,
		Example: "  stockctl product pack add DRILL-18V box --qty 12\n  stockctl product pack list DRILL-18V",
	}

	var qty decimalFlag
	var addDry bool
	add := &cobra.Command{
		Use:   "add SKU UNIT --qty N",
		Short: "Give a product a pack unit of N stock units",
		Long: `Give a product a pack unit holding --qty of its stock unit (box = 12 ea, sack = 25 kg).
The unit name is 1 to 32 letters, digits or . _ - starting with a letter, and cannot be a unit
of measure code; --qty must be more than 0 and fit the stock unit's precision.`,
		Example: "  stockctl product pack add DRILL-18V box --qty 12\n  stockctl product pack add FLOUR sack --qty 25",
		Args:    args("SKU", "UNIT"),
		RunE: func(c *cobra.Command, args []string) error {
			if !qty.Given {
				return fault.Usagef("qty", "missing --qty: how many stock units of %s one %s holds", args[0], args[1])
			}
			var k catalog.Pack
			err := a.write(c, addDry, func(tx *sqlx.Tx) (err error) {
				k, err = catalog.AddPack(c.Context(), tx, args[0], args[1], qty.Value)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(k)
		},
	}
	add.Flags().Var(qty.Of(bounds.Quantity, positive), "qty", "stock units in one pack (required)")
	add.Flags().BoolVar(&addDry, "dry-run", false, "validate and show the result without saving")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a product's pack units, smallest first",
		Example: "  stockctl product pack list DRILL-18V\n  stockctl product pack list DRILL-18V -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			ks, err := catalog.Packs(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(ks)
		},
	}

	cmd.AddCommand(add, list)
	return cmd
}

func (a *App) productLookupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lookup CODE",
		Short: "Find the product a barcode, SKU or part number stands for",
		Long: `Find the product a code stands for: a barcode, a SKU, a manufacturer part number or a
supplier part number, matched exactly. matched_by says which; qty is how many stock units one
scan of the code means (a pack's barcode counts the pack's quantity, anything else 1).

When a code matches in several ways, a barcode beats a SKU, which beats a part number. A part
number shared by several products is refused (exit 5) with the products listed. Inactive
products are found too (their barcodes stay reserved); active says so and a note goes to stderr.`,
		Example: `  stockctl product lookup 4006381333931
  stockctl product lookup DRILL-18V -o json
  stockctl product lookup 2607001234 --fields sku,qty`,
		Args: args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			m, err := catalog.Lookup(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			if !m.Active {
				a.say("note: product %s is inactive (activate it with stockctl product activate %s)", m.SKU, m.SKU)
			}
			return a.Printer().One(m)
		},
	}
}

// labelResult is what product label reports with -o json or -o csv.
type labelResult struct {
	SKU       string `json:"sku"`
	Code      string `json:"code"`
	Symbology string `json:"symbology"`
	Format    string `json:"format"`
	File      string `json:"file"`
}

func (a *App) productLabelCmd() *cobra.Command {
	var format, out, code string
	cmd := &cobra.Command{
		Use:   "label SKU [--format png|svg] [--out FILE] [--barcode CODE]",
		Short: "Write a barcode label image (PNG or SVG) for a product",
		Long: `Write a barcode label for a product: the bars, the code, the SKU and the name.

The code printed is --barcode (one of the product's barcodes), else the product's first barcode
(stockctl product barcode list), else the SKU itself as Code 128.

--out defaults to SKU.png or SKU.svg in the current directory ('/' in the SKU becomes '_'); a
directory puts that name in it; '-' writes to stdout (a PNG is refused when stdout is a
terminal). --format defaults to the extension of --out, else png.

The label is written in full under a temporary name in its directory, then renamed into place:
it is never half an image, and a failure leaves no file behind. A symbolic link where the
label goes is replaced by the label (the file it points to is left alone). The new file gets
the permissions the umask gives (0644 under umask 022, 0640 under 027).

Where the label went is said on stderr; with -o json or -o csv it is also printed to stdout.`,
		Example: `  stockctl product label DRILL-18V
  stockctl product label DRILL-18V --format svg --out labels/
  stockctl product label DRILL-18V --barcode 14006381333938 --out box.png
  stockctl product label DRILL-18V --out - | lp -d zebra`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			sku := args[0]
			f, err := labelFormat(c, format, out)
			if err != nil {
				return err
			}
			if out == "-" && f == "png" && a.OutTTY {
				return fault.Usagef("out", "--out -: refusing to write a PNG to the terminal; redirect stdout to a file or give --out FILE")
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			var given *string
			if c.Flags().Changed("barcode") {
				given = &code
			}
			l, err := catalog.Label(c.Context(), d, sku, given)
			if err != nil {
				return err
			}

			var buf bytes.Buffer
			if f == "svg" {
				err = barcode.WriteSVG(&buf, l)
			} else {
				err = barcode.WritePNG(&buf, l)
			}
			if err != nil {
				return err
			}
			if out == "-" {
				_, err := a.Out.Write(buf.Bytes())
				return err
			}
			path, err := labelPath(out, l.SKU, f)
			if err != nil {
				return err
			}
			if err := writeFile(path, "out", func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
				return err
			}
			a.say("label for %s (%s %s) written to %s", l.SKU, l.Symbology, l.Code, path)
			if pf, _ := printer.ParseFormat(a.Output); pf != printer.Table {
				return a.Printer().One(labelResult{SKU: l.SKU, Code: l.Code, Symbology: string(l.Symbology), Format: f, File: path})
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "png or svg (default: the extension of --out, else png)")
	cmd.Flags().StringVar(&out, "out", "", "file or directory to write to, - for stdout (default: SKU.png or SKU.svg here)")
	cmd.Flags().StringVar(&code, "barcode", "", "which of the product's barcodes to print (default: its first, else the SKU as Code 128)")
	return cmd
}

// labelFormat decides png or svg from --format, else from the extension of --out.
func labelFormat(c *cobra.Command, format, out string) (string, error) {
	if c.Flags().Changed("format") {
		switch f := strings.ToLower(strings.TrimSpace(format)); f {
		case "png", "svg":
			return f, nil
		}
		return "", fault.Usagef("format", "--format %q: use png or svg", format)
	}
	if strings.EqualFold(filepath.Ext(out), ".svg") {
		return "svg", nil
	}
	return "png", nil
}

// labelPath is where the label goes: --out, or the SKU's file name in --out when it is a
// directory (or in the current directory when --out is not given).
func labelPath(out, sku, format string) (string, error) {
	name := strings.ReplaceAll(sku, "/", "_") + "." + format
	if out == "" {
		return name, nil
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return filepath.Join(out, name), nil
	}
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		return "", fault.Invalidf("out", "--out %s: no such directory", out)
	}
	return out, nil
}
