// Command products writes a products CSV file for the import/export benchmark
// (scripts/bench/run import): --rows products in the product format of docs/csv-formats.md,
// with the columns
//
//	sku,name,type,description,category,cost_price,list_price,sell_price,weight,barcodes,features
//
// and realistic values: SKUs P0000001, P0000002, ... in order; names and descriptions made from
// word lists; one of 50 categories; mostly stock products (some service, virtual and time);
// prices with 2 decimals (list above cost, sell at or below list); a weight with 3 decimals
// for stock products; about 30 % of the rows with one EAN-13 barcode (valid GS1 check digit,
// unique per row); about 20 % with one or two features ("Colour=Blue|Size=M").
//
//	go run ./scripts/bench/products --rows 1000000 --out products.csv [--seed 1]
//
// The same --rows and --seed always give the same file. The file is streamed: memory stays
// constant whatever --rows is.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

var header = []string{"sku", "name", "type", "description", "category", "cost_price", "list_price", "sell_price", "weight", "barcodes", "features"}

var (
	adjectives = []string{"Heavy-Duty", "Compact", "Premium", "Standard", "Industrial", "Mini", "Large", "Small",
		"Professional", "Economy", "Stainless", "Galvanised", "Insulated", "Waterproof", "Cordless", "Adjustable",
		"Reinforced", "Lightweight", "Flexible", "Magnetic", "Folding", "Portable", "Rechargeable", "Universal",
		"Classic", "Crème", "Matte", "Glossy", "Anti-Slip", "Quick-Release"}
	materials = []string{"Steel", "Aluminium", "Brass", "Copper", "Nylon", "PVC", "Oak", "Pine", "Rubber", "Ceramic",
		"Glass", "Cotton", "Polyester", "Leather", "Titanium", "Carbon", "Zinc", "Bamboo", "Silicone", "Acrylic"}
	nouns = []string{"Bracket", "Hinge", "Bolt", "Screw", "Washer", "Nut", "Drill Bit", "Hammer", "Wrench", "Pliers",
		"Clamp", "Hose", "Valve", "Fitting", "Cable", "Connector", "Switch", "Socket", "Lamp", "Bulb", "Filter",
		"Pump", "Gasket", "Seal", "Bearing", "Spring", "Chain", "Rope", "Tape", "Glue", "Brush", "Roller",
		"Bucket", "Ladder", "Shelf", "Cabinet", "Drawer", "Handle", "Lock", "Key Blank", "Battery", "Charger",
		"Adapter", "Fuse", "Relay", "Sensor", "Timer", "Thermostat", "Fan", "Heater"}
	sizes = []string{"6 mm", "8 mm", "10 mm", "12 mm", "16 mm", "20 mm", "25 mm", "40 mm", "50 mm", "100 mm",
		"1/4\"", "3/8\"", "1/2\"", "3/4\"", "1\"", "S", "M", "L", "XL", "250 ml", "500 ml", "1 l", "5 l", "1 m",
		"2 m", "5 m", "10 m", "25 m", "Pack of 10", "Pack of 100"}
	words = []string{"durable", "finish", "for", "indoor", "outdoor", "use", "with", "easy", "installation",
		"suitable", "professional", "and", "home", "workshop", "corrosion", "resistant", "high", "quality",
		"precision", "made", "tested", "to", "standard", "fits", "most", "models", "includes", "mounting",
		"hardware", "long", "life", "low", "maintenance", "the", "a", "compatible", "rated", "load", "kg",
		"temperature", "range", "certified", "replacement", "part", "original", "spare", "set"}
	categories = []string{"Fasteners", "Hand Tools", "Power Tools", "Plumbing", "Electrical", "Lighting",
		"Paint", "Adhesives", "Safety", "Garden", "Hardware", "Storage", "Cleaning", "Automotive", "HVAC",
		"Abrasives", "Cutting Tools", "Measuring", "Welding", "Pneumatics", "Hydraulics", "Bearings",
		"Seals", "Springs", "Chains", "Ropes", "Ladders", "Shelving", "Locks", "Doors", "Windows", "Flooring",
		"Timber", "Sheet Metal", "Pipes", "Valves", "Pumps", "Filters", "Batteries", "Cables", "Switches",
		"Sockets", "Sensors", "Motors", "Heating", "Ventilation", "Workwear", "Packaging", "Office", "Services"}
	features = []struct {
		name   string
		values []string
	}{
		{"Colour", []string{"Black", "White", "Red", "Blue", "Green", "Yellow", "Grey", "Orange", "Silver"}},
		{"Size", []string{"XS", "S", "M", "L", "XL", "XXL"}},
		{"Material", []string{"Steel", "Plastic", "Wood", "Brass", "Rubber"}},
		{"Voltage", []string{"12 V", "24 V", "110 V", "230 V"}},
		{"Finish", []string{"Matte", "Gloss", "Satin", "Brushed", "Chrome"}},
		{"Warranty", []string{"1 year", "2 years", "5 years"}},
	}
)

func main() {
	rows := flag.Int("rows", 1000000, "number of products (rows after the header)")
	out := flag.String("out", "", "file to write (\"-\" for standard output)")
	seed := flag.Uint64("seed", 1, "random seed: the same rows and seed give the same file")
	flag.Parse()
	if *out == "" || *rows < 0 || *rows > 9999999 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: products --rows N --out FILE [--seed S]   (0 <= N <= 9999999)")
		os.Exit(2)
	}
	if err := write(*out, *rows, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "products:", err)
		os.Exit(1)
	}
}

func write(name string, rows int, seed uint64) (err error) {
	f := os.Stdout
	if name != "-" {
		if f, err = os.Create(name); err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(header); err != nil {
		return err
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
	rec := make([]string, len(header))
	for i := 1; i <= rows; i++ {
		g.row(i, rec)
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

type gen struct {
	r  *rand.Rand
	sb strings.Builder
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// row fills rec with product i (1-based).
func (g *gen) row(i int, rec []string) {
	r := g.r
	rec[0] = fmt.Sprintf("P%07d", i)

	g.sb.Reset()
	g.sb.WriteString(g.pick(adjectives))
	g.sb.WriteByte(' ')
	g.sb.WriteString(g.pick(materials))
	g.sb.WriteByte(' ')
	g.sb.WriteString(g.pick(nouns))
	if r.IntN(3) > 0 {
		g.sb.WriteByte(' ')
		g.sb.WriteString(g.pick(sizes))
	}
	rec[1] = g.sb.String()

	typ := "stock"
	switch n := r.IntN(100); {
	case n < 8:
		typ = "service"
	case n < 10:
		typ = "virtual"
	case n < 11:
		typ = "time"
	}
	rec[2] = typ

	rec[3] = ""
	if r.IntN(10) < 8 { // 20 % without a description
		g.sb.Reset()
		n := 6 + r.IntN(20)
		for k := 0; k < n; k++ {
			w := g.pick(words)
			if k == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				g.sb.WriteByte(' ')
			}
			g.sb.WriteString(w)
			if k > 0 && k < n-1 && r.IntN(12) == 0 {
				g.sb.WriteByte(',') // some descriptions need quoting
			}
		}
		g.sb.WriteByte('.')
		rec[3] = g.sb.String()
	}

	if typ == "service" || typ == "time" {
		rec[4] = "Services"
	} else {
		rec[4] = categories[r.IntN(len(categories)-1)]
	}

	cost := 50 + r.IntN(50000) // cents: 0.50 .. 500.49
	list := cost * (130 + r.IntN(120)) / 100
	sell := list
	if r.IntN(4) == 0 {
		sell = list * (80 + r.IntN(20)) / 100
	}
	rec[5], rec[6], rec[7] = cents(cost), cents(list), cents(sell)

	rec[8] = ""
	if typ == "stock" {
		grams := 1 + r.IntN(50000)
		rec[8] = strconv.Itoa(grams/1000) + "." + fmt.Sprintf("%03d", grams%1000)
	}

	rec[9] = ""
	if r.IntN(10) < 3 {
		rec[9] = ean13(i)
	}

	rec[10] = ""
	if r.IntN(10) < 2 {
		a := r.IntN(len(features))
		f := features[a]
		rec[10] = f.name + "=" + g.pick(f.values)
		if r.IntN(2) == 0 {
			b := (a + 1 + r.IntN(len(features)-1)) % len(features)
			f = features[b]
			rec[10] += "|" + f.name + "=" + g.pick(f.values)
		}
	}
}

// cents writes an amount in cents with 2 decimals.
func cents(c int) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// ean13 is a valid EAN-13 unique to row i: GS1 prefix 40, the row number in 10 digits and
// the check digit.
func ean13(i int) string {
	body := fmt.Sprintf("40%010d", i)
	sum := 0
	for k := 0; k < 12; k++ {
		d := int(body[k] - '0')
		if k%2 == 1 { // positions 2, 4, ... of the 12 weigh 3
			d *= 3
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}
