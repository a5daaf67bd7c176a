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

// productVariantCmds are the product verbs for features, variable products (attributes and
// variants), configurable products (options, configure) and bills of materials.
func (a *App) productVariantCmds() []*cobra.Command {
	return []*cobra.Command{a.featureCmd(), a.attributeCmd(), a.variantsCmd(), a.optionCmd(), a.configureCmd(), a.bomCmd()}
}

// amounts parses repeatable VALUE=AMOUNT flags (--extra, --adjust) into value -> amount. The
// amount follows the last "=", so a value may itself contain one. A missing "=" or a number
// that does not parse is a usage error naming the flag, one out of bounds.Money's range
// invalid.
func amounts(flag string, given []string) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	seen := map[string]string{}
	for _, g := range given {
		i := strings.LastIndex(g, "=")
		if i <= 0 {
			return nil, fault.Usagef(flag, "--%s %q: write VALUE=AMOUNT, e.g. --%s XL=1.50", flag, g, flag)
		}
		v, s := strings.TrimSpace(g[:i]), strings.TrimSpace(g[i+1:])
		d, err := bounds.Money.Parse(s)
		if err != nil {
			return nil, numberError("--"+flag, g, err)
		}
		if prev, ok := seen[strings.ToLower(v)]; ok {
			return nil, fault.Usagef(flag, "--%s names %s twice (%s and %s): give one amount per value", flag, v, prev, g)
		}
		seen[strings.ToLower(v)] = g
		out[v] = d
	}
	return out, nil
}

func (a *App) featureCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feature",
		Short: "Free name/value features of a product (colour=red, voltage=240V), found by product list --search",
	}
	var setDry bool
	set := &cobra.Command{
		Use:   "set SKU NAME VALUE",
		Short: "Set a feature of a product, replacing its value if the product has it",
		Long: `Set the feature NAME of a product to VALUE; a feature the product has already gets the new
value. Names match case-insensitively (Colour and colour are one feature) and cannot contain
"="; product list --search finds products by feature name, value or name=value.`,
		Example: "  stockctl product feature set LAMP-01 colour red\n  stockctl product feature set DRILL-18V voltage 18V",
		Args:    args("SKU", "NAME", "VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			var f catalog.Feature
			err := a.write(c, setDry, func(tx *sqlx.Tx) (err error) {
				f, err = catalog.SetFeature(c.Context(), tx, args[0], args[1], args[2])
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(f)
		},
	}
	set.Flags().BoolVar(&setDry, "dry-run", false, "validate without saving")

	var rmDry bool
	remove := &cobra.Command{
		Use:     "remove SKU NAME",
		Short:   "Remove a feature from a product",
		Example: "  stockctl product feature remove LAMP-01 colour",
		Args:    args("SKU", "NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.write(c, rmDry, func(tx *sqlx.Tx) error {
				return catalog.RemoveFeature(c.Context(), tx, args[0], args[1])
			}); err != nil {
				return err
			}
			a.say("feature %s removed from %s", args[1], args[0])
			return nil
		},
	}
	remove.Flags().BoolVar(&rmDry, "dry-run", false, "check without removing")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a product's features",
		Example: "  stockctl product feature list LAMP-01\n  stockctl product feature list LAMP-01 -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			fs, err := catalog.Features(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(fs)
		},
	}
	cmd.AddCommand(set, remove, list)
	return cmd
}

func (a *App) attributeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attribute",
		Short: "Attributes of a template product (Size: S,M,L) from which variants are generated",
	}
	var values, extras []string
	var dry bool
	add := &cobra.Command{
		Use:   "add SKU NAME --values V1,V2 [--extra V2=1.50 ...]",
		Short: "Add an attribute with values to a template product, or values to its attribute",
		Long: `Add the attribute NAME with --values to the template product SKU. For an attribute the
product has already, values it lacks are appended in the order given (values it has are left
alone), so the command can be rerun.

--extra VALUE=AMOUNT sets a value's price extra (negative for a cheaper value); a variant's sell
price is the template's sell price plus the extras of its values. --extra may name new or
existing values, is repeatable or comma-separated, and a value the attribute does not have is
an error. Changing an extra does not reprice variants generated before.

Each value becomes part of the variants' SKUs (TEE-S-RED): upper-case letters and digits, any
other run of characters one "-". So a value needs a letter or digit, and two values of one
attribute cannot give the same code ("X L" and "x-l"). Names and values match
case-insensitively. A variant cannot have attributes, and a template that already has variants
cannot get a new attribute (its variants would have no value for it): add values instead.`,
		Example: `  stockctl product attribute add TEE Size --values S,M,L,XL --extra XL=2.00
  stockctl product attribute add TEE Colour --values Red,Navy --extra Navy=-1.50
  stockctl product attribute add TEE Size --values XXL --extra XXL=3`,
		Args: args("SKU", "NAME"),
		RunE: func(c *cobra.Command, args []string) error {
			ex, err := amounts("extra", extras)
			if err != nil {
				return err
			}
			var vs []catalog.AttributeValue
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				vs, err = catalog.AddAttribute(c.Context(), tx, args[0], args[1], values, ex)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().List(vs)
		},
	}
	add.Flags().StringSliceVar(&values, "values", nil, "values, comma-separated or repeated (required for a new attribute)")
	add.Flags().StringSliceVar(&extras, "extra", nil, "price extra of a value, VALUE=AMOUNT; repeatable")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate and show the result without saving")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a template's attributes and values with their price extras and SKU codes",
		Example: "  stockctl product attribute list TEE\n  stockctl product attribute list TEE -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			vs, err := catalog.Attributes(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(vs)
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}

func (a *App) variantsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "variants",
		Short: "Variants of a template product: one real product per combination of attribute values",
	}
	var dry bool
	generate := &cobra.Command{
		Use:   "generate SKU [--dry-run]",
		Short: "Create the missing variants of a template product",
		Long: `Create one product for every combination of the template's attribute values (attributes in
the order they were added) that has no variant yet, and print the ones created; stderr says how
many were created and how many existed. A combination is recognised by its values, not its SKU,
so rerunning after adding values creates only the new combinations.

Each variant is a new product made by the rules of product add (type defaults, accounting
defaults from the settings) with:
  SKU         template SKU + "-" + each value's code: TEE-S-RED
  name        template name + " (S, Red)"
  sell price  template sell price + the values' price extras, and it follows the template
              (see product variants follow)
  copied      type, units, tracking flags, category, cost, list price, manufacturer
  no barcode  (add its own with product barcode add)
A template's own pack unit used as its purchase or sales unit becomes the variant's stock unit.

Refused, with nothing created: a template without attributes, a variant as template, an
inactive template, a derived SKU that already belongs to another product (it is named), or a
variant whose price would be negative. Concurrent runs are safe: they take turns on the
template, so no combination is made twice.`,
		Example: "  stockctl product variants generate TEE --dry-run\n  stockctl product variants generate TEE -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			var vs []catalog.Variant
			var existed int
			err := a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				vs, existed, err = catalog.GenerateVariants(c.Context(), tx, args[0])
				return err
			})
			if err != nil {
				return err
			}
			verb := "created"
			if dry {
				verb = "would be created"
			}
			a.say("%s: %d variants %s, %d existed", args[0], len(vs), verb, existed)
			return a.Printer().List(vs)
		},
	}
	generate.Flags().BoolVar(&dry, "dry-run", false, "show the variants that would be created without saving")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a template's variants with their values and sell prices",
		Example: "  stockctl product variants list TEE\n  stockctl product variants list TEE -o csv",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			vs, err := catalog.Variants(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(vs)
		},
	}
	var dryFollow bool
	follow := &cobra.Command{
		Use:   "follow VARIANT... [--dry-run]",
		Short: "Put variants back on their template's price",
		Long: `A variant follows its template unless its price was set on the variant itself:
  sell price      the template's sell price + the price extras of its values, moved by every
                  change of either (product edit, price break set, imports, attribute add --extra)
  breaks, special the template's quantity breaks and customer special prices, each plus the
  prices          variant's extras, where the variant has no rows of its own for the same set
                  (special prices of the customer; breaks of one price type and region)
Setting a variant's sell price in any way (product edit --sell-price, price break set of its
first row, product import) gives it its own price: from then on only its own rows price it,
like any other product. Variants made before stockctl had this rule have their own prices.

follow puts the variants named back on their template's price and prints them (own_price
false). A variant priced by a formula (price formula markup, margin ...) is refused: make its
price fixed first.

A template with variants is never stocked or sold itself: sales and purchase order lines,
RFQ lines, work orders and stock coming into a location (adjustments, receipts, transfers,
stock import) are refused, naming its variants. Stock it held before it had variants can
still be written off (stock adjust with a negative quantity).`,
		Example: "  stockctl product variants follow TEE-S-RED TEE-M-RED\n  stockctl product variants list TEE --wide",
		Args: func(c *cobra.Command, got []string) error {
			if len(got) == 0 {
				return fault.Usagef("variant", "missing VARIANT")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			var vs []catalog.Variant
			if err := a.write(c, dryFollow, func(tx *sqlx.Tx) (err error) {
				vs, err = catalog.Follow(c.Context(), tx, args)
				return err
			}); err != nil {
				return err
			}
			return a.Printer().List(vs)
		},
	}
	follow.Flags().BoolVar(&dryFollow, "dry-run", false, "show the prices the variants would get without saving")
	cmd.AddCommand(generate, list, follow)
	return cmd
}

func (a *App) optionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "option",
		Short: "Option groups of a configurable product (Frame: S,M,L) whose choices adjust its price",
	}
	var values, adjust []string
	var optional, dry bool
	add := &cobra.Command{
		Use:   "add SKU GROUP --values V1,V2 [--adjust V2=25.00 ...] [--optional]",
		Short: "Add an option group with options to a product, or options to its group",
		Long: `Add the option group GROUP with the options --values to product SKU. For a group the product
has already, options it lacks are appended in the order given, so the command can be rerun.

--adjust OPTION=AMOUNT sets the price adjustment of an option (negative for a cheaper one); a
configuration's price is the product's sell price plus the adjustments of the chosen options.
--adjust is repeatable or comma-separated; an option the group does not have is an error.

A group is required (every configuration chooses one of its options) unless --optional;
--optional=false makes an optional group required again. Names and options match
case-insensitively. See product configure.`,
		Example: `  stockctl product option add BIKE Frame --values S,M,L --adjust L=25.00
  stockctl product option add BIKE Lights --values Dynamo,Battery --adjust Dynamo=60 --optional`,
		Args: args("SKU", "GROUP"),
		RunE: func(c *cobra.Command, args []string) error {
			adj, err := amounts("adjust", adjust)
			if err != nil {
				return err
			}
			var os []catalog.Option
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				os, err = catalog.AddOption(c.Context(), tx, args[0], args[1], values, adj, ptr(c, "optional", optional))
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().List(os)
		},
	}
	add.Flags().StringSliceVar(&values, "values", nil, "options, comma-separated or repeated (required for a new group)")
	add.Flags().StringSliceVar(&adjust, "adjust", nil, "price adjustment of an option, OPTION=AMOUNT; repeatable")
	add.Flags().BoolVar(&optional, "optional", false, "a configuration may leave the group out")
	add.Flags().BoolVar(&dry, "dry-run", false, "validate and show the result without saving")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List a product's option groups and options with their price adjustments",
		Example: "  stockctl product option list BIKE\n  stockctl product option list BIKE -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			os, err := catalog.Options(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(os)
		},
	}
	cmd.AddCommand(add, list, a.optionComponentCmd())
	return cmd
}

func (a *App) optionComponentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "component",
		Short: "Components an option puts into the bill of materials when it is chosen",
		Long: `An option of a configurable product may name components. When a sales order line (or wo new
--choose) chooses the option, the work order that builds it consumes the product's bill of
materials with them applied: a component set with --replaces takes the place of that bill of
materials component (the line is left out), one without is added (quantities of a component
that is there already add up). wo show lists what the work order will consume.`,
	}
	var qty decimalFlag
	var replaces string
	var setDry bool
	set := &cobra.Command{
		Use:   "set SKU GROUP OPTION COMPONENT [--qty N] [--replaces BOM-COMPONENT] [--dry-run]",
		Short: "Make an option put a component into the bill of materials",
		Long: `When OPTION of GROUP is chosen for SKU, the work order consumes --qty of COMPONENT (in its stock
unit, per stock unit of SKU). With --replaces, COMPONENT takes the place of that component of
SKU's bill of materials, and --qty defaults to the replaced line's quantity; without, it is
added and --qty is required. Setting the same option and component again changes its quantity
and what it replaces.

COMPONENT must be an active stock or service product that does not contain SKU (the loop is
shown); --replaces must be in SKU's bill of materials. Group and option match
case-insensitively. These are master data: history product SKU shows their changes.`,
		Example: `  stockctl product option component set BENCH Top Oak BENCH-TOP-OAK --replaces BENCH-TOP
  stockctl product option component set BENCH Vise Quick-release VISE-QR --qty 1`,
		Args: args("SKU", "GROUP", "OPTION", "COMPONENT"),
		RunE: func(c *cobra.Command, args []string) error {
			var n *decimal.Decimal
			if qty.Given {
				n = &qty.Value
			}
			var l catalog.OptionComponent
			var replaced bool
			if err := a.write(c, setDry, func(tx *sqlx.Tx) (err error) {
				l, replaced, err = catalog.SetOptionComponent(c.Context(), tx, args[0], args[1], args[2], args[3], n, replaces)
				return err
			}); err != nil {
				return err
			}
			if replaced {
				a.say("%s %s=%s: %s changed", l.SKU, l.Group, l.Option, l.Component)
			}
			return a.Printer().One(l)
		},
	}
	set.Flags().Var(qty.Of(bounds.Quantity, positive), "qty", "quantity of the component per unit of the product, in its stock unit (default with --replaces: the replaced line's)")
	set.Flags().StringVar(&replaces, "replaces", "", "the bill-of-materials component the option takes the place of")
	set.Flags().BoolVar(&setDry, "dry-run", false, "validate and show the line without saving")

	var rmDry bool
	remove := &cobra.Command{
		Use:     "remove SKU GROUP OPTION COMPONENT",
		Short:   "Take a component off an option",
		Example: "  stockctl product option component remove BENCH Top Oak BENCH-TOP-OAK",
		Args:    args("SKU", "GROUP", "OPTION", "COMPONENT"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.write(c, rmDry, func(tx *sqlx.Tx) error {
				return catalog.RemoveOptionComponent(c.Context(), tx, args[0], args[1], args[2], args[3])
			}); err != nil {
				return err
			}
			a.say("%s %s=%s: %s removed", args[0], args[1], args[2], args[3])
			return nil
		},
	}
	remove.Flags().BoolVar(&rmDry, "dry-run", false, "check without removing")

	list := &cobra.Command{
		Use:     "list SKU",
		Short:   "List the components a product's options put into its bill of materials",
		Example: "  stockctl product option component list BENCH\n  stockctl product option component list BENCH -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cs, err := catalog.OptionComponents(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().List(cs)
		},
	}
	cmd.AddCommand(set, remove, list)
	return cmd
}

func (a *App) configureCmd() *cobra.Command {
	var choose []string
	cmd := &cobra.Command{
		Use:   "configure SKU --choose GROUP=OPTION ...",
		Short: "Validate a configuration of a configurable product and show its price",
		Long: `Check a configuration of product SKU and print its price: the product's sell price plus the
price adjustments of the chosen options, with each choice listed. Every required option group
must be chosen exactly once, optional groups at most once, and every group and option must
exist (matched case-insensitively); the error lists what is missing or valid. Nothing is
written: sales orders price configured items the same way.`,
		Example: `  stockctl product configure BIKE --choose Frame=L --choose Colour=Red
  stockctl product configure BIKE --choose Frame=M --choose Colour=Black --choose Lights=Dynamo -o json`,
		Args: args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			choices, err := parseChoices(choose)
			if err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cfg, err := catalog.Configure(c.Context(), d, args[0], choices)
			if err != nil {
				return err
			}
			return a.Printer().One(cfg)
		},
	}
	cmd.Flags().StringArrayVar(&choose, "choose", nil, "GROUP=OPTION: the option chosen for a group; repeat for each group")
	return cmd
}

func (a *App) bomCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bom",
		Short: "Bills of materials: the components and quantities a product is built from",
	}
	var qty decimalFlag
	var addDry bool
	add := &cobra.Command{
		Use:   "add SKU COMPONENT --qty N [--dry-run]",
		Short: "Put a component into a product's bill of materials, or change its quantity",
		Long: `Put --qty of COMPONENT into the bill of materials of SKU: the quantity, in the component's
stock unit, that one stock unit of SKU takes (more than 0, within the unit's decimals). Adding
a component that is there already replaces its quantity.

Components must be active products of type stock (parts, materials) or service (labour,
machining); virtual, time, training, freight and system products are refused. System products
cannot have a bill of materials.

A product can contain itself neither directly nor through other bills of materials: an add
that would close a loop is refused and the error shows the loop (A -> B -> A). Bill of
materials changes take turns, so two concurrent adds cannot create a loop between them.`,
		Example: `  stockctl product bom add BIKE-KIT WHEEL-26 --qty 2
  stockctl product bom add BIKE-KIT BRAKE-CABLE --qty 1.5 --dry-run`,
		Args: args("SKU", "COMPONENT"),
		RunE: func(c *cobra.Command, args []string) error {
			if !qty.Given {
				return fault.Usagef("qty", "missing --qty: how many %s (in its stock unit) one %s takes", args[1], args[0])
			}
			var l catalog.BOMLine
			var replaced bool
			err := a.write(c, addDry, func(tx *sqlx.Tx) (err error) {
				l, replaced, err = catalog.AddComponent(c.Context(), tx, args[0], args[1], qty.Value)
				return err
			})
			if err != nil {
				return err
			}
			if replaced {
				a.say("%s: quantity of %s replaced", args[0], l.Component)
			}
			return a.Printer().One(l)
		},
	}
	add.Flags().Var(qty.Of(bounds.Quantity, positive), "qty", "quantity of the component per unit of the product, in the component's stock unit (required)")
	add.Flags().BoolVar(&addDry, "dry-run", false, "validate and show the line without saving")

	var rmDry bool
	remove := &cobra.Command{
		Use:     "remove SKU COMPONENT",
		Short:   "Take a component out of a product's bill of materials",
		Example: "  stockctl product bom remove BIKE-KIT BRAKE-CABLE",
		Args:    args("SKU", "COMPONENT"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := a.write(c, rmDry, func(tx *sqlx.Tx) error {
				return catalog.RemoveComponent(c.Context(), tx, args[0], args[1])
			}); err != nil {
				return err
			}
			a.say("%s removed from the bill of materials of %s", args[1], args[0])
			return nil
		},
	}
	remove.Flags().BoolVar(&rmDry, "dry-run", false, "check without removing")

	list := &cobra.Command{
		Use:   "list SKU",
		Short: "List a product's components with their cost, and the total on stderr",
		Long: `List the bill of materials of SKU by component: quantity and unit, the component's cost price,
the line cost (quantity × cost) and, on stderr, the total cost of the components of one unit.`,
		Example: "  stockctl product bom list BIKE-KIT\n  stockctl product bom list BIKE-KIT -o json",
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			b, err := catalog.BOM(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			if err := a.Printer().List(b.Lines); err != nil {
				return err
			}
			a.say("%s: %d components, total cost %s per %s", b.SKU, len(b.Lines), b.Total, b.Unit)
			return nil
		},
	}
	cmd.AddCommand(add, remove, list)
	return cmd
}
