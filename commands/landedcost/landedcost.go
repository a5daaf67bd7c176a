// Package landedcost is the landed-cost command: freight, duty and other costs of purchase
// orders, apportioned to the stock they received.
package landedcost

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/printer"
	"github.com/stockctl/stockctl/orders/purchasing"
)

// NewCmd returns the landed-cost command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "landed-cost",
		Short: "Landed costs of purchase orders: freight, duty, insurance, apportioned to received stock",
		Long: `Landed costs are what it cost to get a PO's goods in besides their price: freight, duty,
insurance and other costs, each in any currency (converted to the base currency at its own
rate), estimated or actual. Posting apportions each cost over the PO's received stock lines by
value (default: received quantity × price at the PO's rate), quantity, weight or volume:
share = cost × basis / total basis, rounded to the base currency's minor unit by the
largest-remainder rule, so the shares add up to the cost exactly.

A line's share raises the unit cost of its stock: the part of its received quantity still on
hand (the latest units received are taken to be the ones left) raises the moving-average cost,
the part already issued goes to cost of goods sold. Both are recorded in the revaluation
ledger (stock_revaluations) with the PO as reference. An actual cost that replaces a posted
estimate posts only the difference on each line.`,
	}
	cmd.AddCommand(newAddCmd(a), newShowCmd(a), newPostCmd(a))
	return cmd
}

// AddOptions are landed-cost add's argument and flags, read into the domain's input.
type AddOptions struct {
	App    *app.App
	PO     string
	Input  purchasing.CostInput
	DryRun bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &AddOptions{App: a}
	in := &opts.Input
	var amount, rate app.DecimalFlag
	var on string
	cmd := &cobra.Command{
		Use:   "add PO --amount X [--currency C] [--kind K] [--method M] [--estimate]",
		Short: "Add a freight, duty, insurance or other cost to a purchase order",
		Long: `Add a landed cost of --amount in --currency (default: the PO's currency) to PO. It is
converted to the base currency at --rate, else at the rate in force on --date (default today),
and that rate is kept with it. --kind is freight (default), duty, insurance or other; --method
says how it is shared over the received lines: value (default), quantity, weight or volume
(weight and volume need the products' --weight/--volume).

--estimate marks an estimate. An actual cost replaces the PO's one unreplaced estimate of the
same kind (or the one --replaces N names; --replaces -1 for none): an estimate never posted is
dropped at once, a posted one is corrected by posting only the difference. Nothing changes
stock until "landed-cost post".`,
		Example: `  stockctl landed-cost add PO-000003 --amount 180 --currency EUR --kind freight
  stockctl landed-cost add PO-000003 --amount 95 --kind duty --method quantity --estimate
  stockctl landed-cost add PO-000003 --amount 101.40 --kind duty --method quantity`,
		Args: app.Args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			if !amount.Given {
				return fault.Usagef("amount", "missing --amount (the cost, in --currency or the PO's currency)")
			}
			in.Amount = amount.Value
			if rate.Given {
				in.Rate = &rate.Value
			}
			var err error
			if in.Date, err = app.OptionalDate("--date", on); err != nil {
				return err
			}
			opts.PO = args[0]
			return runAdd(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.Var(amount.Of(bounds.Money, app.Positive), "amount", "the cost")
	fl.StringVar(&in.Currency, "currency", "", "currency of the amount (default: the PO's)")
	fl.Var(rate.Of(bounds.Rate, app.Positive), "rate", "exchange rate, base units per one unit of the currency (default: the rate on --date)")
	fl.StringVar(&on, "date", "", "date of the cost, for its exchange rate, YYYY-MM-DD (default today)")
	fl.StringVar(&in.Kind, "kind", "freight", "freight, duty, insurance or other")
	fl.StringVar(&in.Method, "method", "value", "how to share it: value, quantity, weight or volume")
	fl.BoolVar(&in.Estimate, "estimate", false, "an estimate, to be replaced by the actual cost")
	app.IntVar(fl, &in.Replaces, "replaces", 0, -1, bounds.MaxWhole, "number of the estimate this actual cost replaces (-1: none)")
	fl.StringVar(&in.Narrative, "narrative", "", "free text kept with the cost")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show the costs without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *AddOptions) error {
	a := opts.App
	var doc purchasing.LandedDoc
	if err := a.Write(ctx, opts.DryRun, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.AddCost(ctx, tx, opts.PO, opts.Input)
		return err
	}); err != nil {
		return err
	}
	last := doc.Costs[len(doc.Costs)-1]
	a.Say("landed cost %d added to %s: %s %s = %s %s; post it with stockctl landed-cost post %s",
		last.No, doc.PO, last.Amount, last.Currency, last.BaseAmount, doc.BaseCurrency, doc.PO)
	return printDoc(a, doc)
}

// POOptions are what show and post take: the purchase order (post: and --dry-run).
type POOptions struct {
	App    *app.App
	PO     string
	DryRun bool
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &POOptions{App: a}
	return &cobra.Command{
		Use:   "show PO",
		Short: "Show a purchase order's landed costs and explain every line's share",
		Long: `Show PO's landed costs (amount, currency, rate, base amount, method, estimate, status) and
each received line's share: its basis and the total basis, the exact share, the share rounded
(and the minor unit the largest-remainder rule added), what a replaced estimate posted, what
was posted, and how that split between stock on hand and COGS, with a sentence that works it
out. Open costs show what posting them now would do. -o json gives one object with costs and
shares; -o csv and --fields print the shares.`,
		Example: "  stockctl landed-cost show PO-000003\n  stockctl landed-cost show PO-000003 -o json",
		Args:    app.Args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.PO = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

func runShow(ctx context.Context, opts *POOptions) error {
	a := opts.App
	d, err := a.DB(ctx)
	if err != nil {
		return err
	}
	doc, err := purchasing.Costs(ctx, d, opts.PO)
	if err != nil {
		return err
	}
	if len(doc.Costs) == 0 {
		a.Say("%s has no landed costs", doc.PO)
	}
	return printDoc(a, doc)
}

func newPostCmd(a *app.App) *cobra.Command {
	opts := &POOptions{App: a}
	cmd := &cobra.Command{
		Use:   "post PO",
		Short: "Post a purchase order's open landed costs to the stock it received",
		Long: `Post every open landed cost of PO over the lines received so far: each line's share raises
the average cost of the part of its stock still on hand and sends the part already issued to
COGS. Post once the goods a cost covers have arrived: stock received later does not share in
a cost already posted. --dry-run shows the shares and their split without posting.`,
		Example: "  stockctl landed-cost post PO-000003\n  stockctl landed-cost post PO-000003 --dry-run",
		Args:    app.Args("PO"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.PO = args[0]
			return runPost(c.Context(), opts)
		},
	}
	app.DryRunFlag(cmd, &opts.DryRun, "show what posting would do without posting")
	return cmd
}

func runPost(ctx context.Context, opts *POOptions) error {
	var doc purchasing.LandedDoc
	if err := opts.App.Write(ctx, opts.DryRun, func(tx *sqlx.Tx) (err error) {
		doc, err = purchasing.PostCosts(ctx, tx, opts.PO)
		return err
	}); err != nil {
		return err
	}
	return printDoc(opts.App, doc)
}

// printDoc prints landed costs: one JSON object; or the costs, the shares and one line of
// explanation per share as text; CSV and --fields print the shares.
func printDoc(a *app.App, doc purchasing.LandedDoc) error {
	p := a.Printer()
	switch {
	case p.Format == printer.JSON:
		return p.One(doc)
	case p.Format == printer.CSV || len(a.Fields) > 0:
		return p.List(doc.Shares)
	}
	if err := p.List(doc.Costs); err != nil {
		return err
	}
	if len(doc.Shares) == 0 {
		return nil
	}
	if _, err := a.Out.Write([]byte("\n")); err != nil {
		return err
	}
	if err := p.List(doc.Shares); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, s := range doc.Shares {
		fmt.Fprintf(&b, "cost %d, line %d (%s): %s\n", s.Cost, s.LineNo, printer.Escape(s.SKU), printer.Escape(s.Explain))
	}
	_, err := a.Out.Write([]byte(b.String()))
	return err
}
