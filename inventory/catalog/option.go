package catalog

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/exactdec"
)

// Configurable products: option groups (Engine, Colour) whose chosen option adjusts the
// product's price. A configured item on a sales order is a custom item built by a work order.

// Option is one option of one of a product's option groups.
type Option struct {
	ID         int64           `db:"id" json:"-"`
	SKU        string          `db:"sku" json:"sku"`
	Group      string          `db:"group_name" json:"group"`
	Required   bool            `db:"required" json:"required"`
	Value      string          `db:"value" json:"value"`
	Adjustment decimal.Decimal `db:"price_adjustment" json:"price_adjustment"`
	Position   int             `db:"position" json:"position" print:"wide"`
}

// AddOption gives product sku the option group (created after its last group, required
// unless optional says otherwise), appends the values it does not have yet, and sets the
// price adjustments named in adjust (value -> amount, may be negative). optional nil leaves
// an existing group's required flag alone. Group names and values match case-insensitively.
// It returns the group's options.
func AddOption(ctx context.Context, q sqlx.ExtContext, sku, group string, values []string,
	adjust map[string]decimal.Decimal, optional *bool) ([]Option, error) {
	group, err := checkText("group", "option group", group, 64, true)
	if err != nil {
		return nil, err
	}
	p, err := get(ctx, q, sku, true)
	if err != nil {
		return nil, err
	}
	if err := requireOwnGroups(p, "options"); err != nil {
		return nil, err
	}
	id, group, found, err := optionGroups.find(ctx, q, p.ID, group)
	if err != nil {
		return nil, err
	}
	if !found {
		if len(values) == 0 {
			return nil, fault.Invalidf("values", "new option group %s of %s needs options: give --values V1,V2,...", group, sku)
		}
		if id, err = optionGroups.create(ctx, q, p.ID, group); err != nil {
			return nil, err
		}
	}
	if optional != nil {
		if _, err := q.ExecContext(ctx, `UPDATE product_option_groups SET required = $2 WHERE id = $1`, id, !*optional); err != nil {
			return nil, db.Classify(err)
		}
	}
	if err := optionGroups.addValues(ctx, q, sku, group, id, values, adjust); err != nil {
		return nil, err
	}
	return options(ctx, q, p.ID, id)
}

// Options lists a product's option groups and their options, in group then option order.
func Options(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Option, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return nil, err
	}
	return options(ctx, q, p.ID, 0)
}

func options(ctx context.Context, q sqlx.QueryerContext, productID, group int64) ([]Option, error) {
	opts := []Option{}
	err := sqlx.SelectContext(ctx, q, &opts, `SELECT o.id, p.sku, g.name AS group_name, g.required, o.value,
		o.price_adjustment, g.position
		FROM product_option_groups g JOIN products p ON p.id = g.product_id
		JOIN product_options o ON o.group_id = g.id
		WHERE g.product_id = $1 AND ($2 = 0 OR g.id = $2)
		ORDER BY g.position, o.position`, productID, group)
	return opts, db.Classify(err)
}

// Choice is the option chosen for one group of a configured product.
type Choice struct {
	Group      string          `json:"group"`
	Value      string          `json:"value"`
	Adjustment decimal.Decimal `json:"price_adjustment"`
	OptionID   int64           `json:"-"` // product_options.id, for documents that record the choice
}

// MarshalJSON writes the adjustment as an exact string ("25.00", not "25"), as the printer
// writes every other amount.
func (c Choice) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Group      string `json:"group"`
		Value      string `json:"value"`
		Adjustment string `json:"price_adjustment"`
	}{c.Group, c.Value, exactdec.String(c.Adjustment)})
}

// Choices are a configuration's choices in group order.
type Choices []Choice

// String shows the choices in one line: Engine=V8 (+2500.00), Colour=Red.
func (cs Choices) String() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Group + "=" + c.Value
		if !c.Adjustment.IsZero() {
			sign := "+"
			if c.Adjustment.IsNegative() {
				sign = ""
			}
			parts[i] += " (" + sign + exactdec.String(c.Adjustment) + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// Configuration is a validated choice of options for a configurable product and its price.
type Configuration struct {
	SKU         string          `json:"sku"`
	Name        string          `json:"name"`
	BasePrice   decimal.Decimal `json:"base_price"`  // the product's unit sell price
	Adjustments decimal.Decimal `json:"adjustments"` // sum of the chosen options' adjustments
	Price       decimal.Decimal `json:"price"`       // base price + adjustments
	Choices     Choices         `json:"choices"`
}

// Configure validates a configuration of product sku (choices: group -> option, both matched
// case-insensitively) and prices it: every required group chosen, optional groups at most
// once, no unknown groups or options; price = the product's sell price + the chosen options'
// adjustments, which may not come out negative. Sales orders call it for configured items.
func Configure(ctx context.Context, q sqlx.QueryerContext, sku string, choices map[string]string) (Configuration, error) {
	p, err := Get(ctx, q, sku)
	if err != nil {
		return Configuration{}, err
	}
	opts, err := options(ctx, q, p.ID, 0)
	if err != nil {
		return Configuration{}, err
	}
	if len(opts) == 0 {
		return Configuration{}, fault.Invalidf("sku", "%s has no option groups to configure: add them with stockctl product option add %s GROUP --values V1,V2", sku, sku)
	}
	var groups []string // in position order
	byGroup := map[string][]Option{}
	for _, o := range opts {
		if _, ok := byGroup[o.Group]; !ok {
			groups = append(groups, o.Group)
		}
		byGroup[o.Group] = append(byGroup[o.Group], o)
	}
	chosen := map[string]Choice{}
	given := map[string]string{} // group -> the spelling the caller used, to report doubles
	for _, k := range sortedValueKeys(choices) {
		g, ok := matchValue(groups, k)
		if !ok {
			return Configuration{}, fault.Invalidf("choose", "%s has no option group %q (groups: %s)", sku, strings.TrimSpace(k), strings.Join(groups, ", "))
		}
		if prev, dup := given[g]; dup {
			return Configuration{}, fault.Invalidf("choose", "option group %s of %s is chosen twice (%s=%s and %s=%s): choose one option per group",
				g, sku, prev, choices[prev], k, choices[k])
		}
		given[g] = k
		var values []string
		for _, o := range byGroup[g] {
			values = append(values, o.Value)
		}
		v, ok := matchValue(values, choices[k])
		if !ok {
			return Configuration{}, fault.Invalidf("choose", "%q is not an option of %s %s (options: %s)", strings.TrimSpace(choices[k]), sku, g, strings.Join(values, ", "))
		}
		for _, o := range byGroup[g] {
			if o.Value == v {
				chosen[g] = Choice{Group: g, Value: v, Adjustment: o.Adjustment, OptionID: o.ID}
			}
		}
	}
	var missing []string
	cfg := Configuration{SKU: p.SKU, Name: p.Name, BasePrice: p.SellPrice, Adjustments: decimal.Zero, Choices: Choices{}}
	for _, g := range groups {
		c, ok := chosen[g]
		if !ok {
			if byGroup[g][0].Required {
				var values []string
				for _, o := range byGroup[g] {
					values = append(values, o.Value)
				}
				missing = append(missing, g+"="+strings.Join(values, "|"))
			}
			continue
		}
		cfg.Choices = append(cfg.Choices, c)
		cfg.Adjustments = cfg.Adjustments.Add(c.Adjustment)
	}
	if len(missing) > 0 {
		return cfg, fault.Invalidf("choose", "%s needs a choice for every required option group: add --choose %s", sku, strings.Join(missing, " --choose "))
	}
	cfg.Price = cfg.BasePrice.Add(cfg.Adjustments)
	if cfg.Price.IsNegative() {
		return cfg, fault.Invalidf("choose", "%s configured as %s costs %s + %s = %s, which is negative: check the option adjustments",
			sku, cfg.Choices, cfg.BasePrice, cfg.Adjustments, cfg.Price)
	}
	return cfg, nil
}
