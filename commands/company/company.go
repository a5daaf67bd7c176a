// Package company is the company command: customers, suppliers and manufacturers.
package company

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/commands/app"
)

// NewCmd returns the company command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "company",
		Short: "Customers, suppliers and manufacturers",
	}
	cmd.AddCommand(newAddCmd(a), newEditCmd(a), newShowCmd(a), newListCmd(a))
	return cmd
}

// fieldFlags are the fields add and edit share, as flags.
type fieldFlags struct {
	name, currency, priceType, region, email, address string
	customer, supplier, manufacturer, active          bool
	taxRate                                           app.DecimalFlag
}

func (f *fieldFlags) register(c *cobra.Command, edit bool) {
	fl := c.Flags()
	fl.StringVar(&f.name, "name", "", "company name")
	fl.BoolVar(&f.customer, "customer", false, "the company buys from us (use --customer=false to remove the role)")
	fl.BoolVar(&f.supplier, "supplier", false, "the company sells to us")
	fl.BoolVar(&f.manufacturer, "manufacturer", false, "the company makes products we stock")
	fl.StringVar(&f.currency, "currency", "", "currency the company trades in (default: the base currency)")
	fl.StringVar(&f.priceType, "price-type", "", "customer's price type (default: setting default_price_type)")
	fl.StringVar(&f.region, "region", "", "sales region code (\"\" on edit clears it)")
	fl.Var(f.taxRate.Of(bounds.Percent, app.NonNegative), "tax-rate", "tax rate in percent, e.g. 10")
	fl.StringVar(&f.email, "email", "", "contact e-mail")
	fl.StringVar(&f.address, "address", "", "postal address, one line")
	if edit {
		fl.BoolVar(&f.active, "active", true, "--active=false deactivates the company")
	}
}

// changes are the fields whose flags were given.
func (f *fieldFlags) changes(c *cobra.Command) company.Changes {
	ch := company.Changes{
		Name:         app.Ptr(c, "name", f.name),
		Customer:     app.Ptr(c, "customer", f.customer),
		Supplier:     app.Ptr(c, "supplier", f.supplier),
		Manufacturer: app.Ptr(c, "manufacturer", f.manufacturer),
		Currency:     app.Ptr(c, "currency", f.currency),
		PriceType:    app.Ptr(c, "price-type", f.priceType),
		Region:       app.Ptr(c, "region", f.region),
		Email:        app.Ptr(c, "email", f.email),
		Address:      app.Ptr(c, "address", f.address),
		Active:       app.Ptr(c, "active", f.active),
	}
	if f.taxRate.Given {
		ch.TaxRate = &f.taxRate.Value
	}
	return ch
}

// WriteOptions are company add's and company edit's: the code and the fields given.
type WriteOptions struct {
	App     *app.App
	Code    string
	Changes company.Changes
	DryRun  bool
}

func newAddCmd(a *app.App) *cobra.Command {
	opts := &WriteOptions{App: a}
	var f fieldFlags
	cmd := &cobra.Command{
		Use:   "add CODE --name NAME",
		Short: "Add a company with one or more roles",
		Long: `Add a company. A company can be a customer, a supplier and a manufacturer at once.
A customer without --price-type gets the setting default_price_type; a company without
--currency trades in the base currency.`,
		Example: `  stockctl company add ACME --name "Acme Pty Ltd" --customer --region NSW --tax-rate 10
  stockctl company add EUROPARTS --name "Europarts GmbH" --supplier --currency EUR`,
		Args: app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code, opts.Changes = args[0], f.changes(c)
			return runAdd(c.Context(), opts)
		},
	}
	f.register(cmd, false)
	app.DryRunFlag(cmd, &opts.DryRun, "validate and show the result without saving")
	return cmd
}

func runAdd(ctx context.Context, opts *WriteOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (company.Company, error) {
		return company.Add(ctx, tx, opts.Code, opts.Changes)
	})
}

func newEditCmd(a *app.App) *cobra.Command {
	opts := &WriteOptions{App: a}
	var f fieldFlags
	cmd := &cobra.Command{
		Use:     "edit CODE [flags]",
		Short:   "Change a company's fields; only the flags given change",
		Example: "  stockctl company edit ACME --price-type wholesale --email orders@acme.example\n  stockctl company edit ACME --active=false",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code, opts.Changes = args[0], f.changes(c)
			return runEdit(c.Context(), opts)
		},
	}
	f.register(cmd, true)
	app.DryRunFlag(cmd, &opts.DryRun, "validate and show the result without saving")
	return cmd
}

func runEdit(ctx context.Context, opts *WriteOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (company.Company, error) {
		return company.Edit(ctx, tx, opts.Code, opts.Changes)
	})
}

// ShowOptions are company show's argument.
type ShowOptions struct {
	App  *app.App
	Code string
}

func newShowCmd(a *app.App) *cobra.Command {
	opts := &ShowOptions{App: a}
	return &cobra.Command{
		Use:     "show CODE",
		Short:   "Show one company",
		Example: "  stockctl company show ACME -o json",
		Args:    app.Args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Code = args[0]
			return runShow(c.Context(), opts)
		},
	}
}

func runShow(ctx context.Context, opts *ShowOptions) error {
	d, err := opts.App.DB(ctx)
	if err != nil {
		return err
	}
	co, err := company.Get(ctx, d, opts.Code)
	if err != nil {
		return err
	}
	return opts.App.Printer().One(co)
}

// ListOptions are company list's flags.
type ListOptions struct {
	App    *app.App
	Filter company.Filter
}

func newListCmd(a *app.App) *cobra.Command {
	opts := &ListOptions{App: a}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List active companies, optionally by role",
		Example: "  stockctl company list --customers\n  stockctl company list --suppliers --fields code,name,currency -o csv",
		Args:    app.Args(),
		RunE: func(c *cobra.Command, _ []string) error {
			return runList(c.Context(), opts)
		},
	}
	f := &opts.Filter
	cmd.Flags().BoolVar(&f.Customers, "customers", false, "customers")
	cmd.Flags().BoolVar(&f.Suppliers, "suppliers", false, "suppliers")
	cmd.Flags().BoolVar(&f.Manufacturers, "manufacturers", false, "manufacturers")
	cmd.Flags().BoolVar(&f.Inactive, "all", false, "include inactive companies")
	return cmd
}

func runList(ctx context.Context, opts *ListOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]company.Company, error) {
		return company.List(ctx, d, opts.Filter)
	})
}
