package commands

import (
	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/business/company"
)

// companyFlags are the fields add and edit share.
type companyFlags struct {
	name, currency, priceType, region, email, address string
	customer, supplier, manufacturer, active          bool
	taxRate                                           decimalFlag
	dry                                               bool
}

func (f *companyFlags) register(c *cobra.Command, edit bool) {
	fl := c.Flags()
	fl.StringVar(&f.name, "name", "", "company name")
	fl.BoolVar(&f.customer, "customer", false, "the company buys from us (use --customer=false to remove the role)")
	fl.BoolVar(&f.supplier, "supplier", false, "the company sells to us")
	fl.BoolVar(&f.manufacturer, "manufacturer", false, "the company makes products we stock")
	fl.StringVar(&f.currency, "currency", "", "currency the company trades in (default: the base currency)")
	fl.StringVar(&f.priceType, "price-type", "", "customer's price type (default: setting default_price_type)")
	fl.StringVar(&f.region, "region", "", "sales region code (\"\" on edit clears it)")
	fl.Var(f.taxRate.Of(bounds.Percent, nonNegative), "tax-rate", "tax rate in percent, e.g. 10")
	fl.StringVar(&f.email, "email", "", "contact e-mail")
	fl.StringVar(&f.address, "address", "", "postal address, one line")
	if edit {
		fl.BoolVar(&f.active, "active", true, "--active=false deactivates the company")
	}
	fl.BoolVar(&f.dry, "dry-run", false, "validate and show the result without saving")
}

func (f *companyFlags) changes(c *cobra.Command) company.Changes {
	ch := company.Changes{
		Name:         ptr(c, "name", f.name),
		Customer:     ptr(c, "customer", f.customer),
		Supplier:     ptr(c, "supplier", f.supplier),
		Manufacturer: ptr(c, "manufacturer", f.manufacturer),
		Currency:     ptr(c, "currency", f.currency),
		PriceType:    ptr(c, "price-type", f.priceType),
		Region:       ptr(c, "region", f.region),
		Email:        ptr(c, "email", f.email),
		Address:      ptr(c, "address", f.address),
		Active:       ptr(c, "active", f.active),
	}
	if f.taxRate.Given {
		ch.TaxRate = &f.taxRate.Value
	}
	return ch
}

func (a *App) companyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "company",
		Short: "Customers, suppliers and manufacturers",
	}
	var addF companyFlags
	add := &cobra.Command{
		Use:   "add CODE --name NAME",
		Short: "Add a company with one or more roles",
		Long: `Add a company. A company can be a customer, a supplier and a manufacturer at once.
A customer without --price-type gets the setting default_price_type; a company without
--currency trades in the base currency.`,
		Example: `  stockctl company add ACME --name "Acme Pty Ltd" --customer --region NSW --tax-rate 10
  stockctl company add EUROPARTS --name "Europarts GmbH" --supplier --currency EUR`,
		Args: args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var co company.Company
			err := a.write(c, addF.dry, func(tx *sqlx.Tx) (err error) {
				co, err = company.Add(c.Context(), tx, args[0], addF.changes(c))
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(co)
		},
	}
	addF.register(add, false)

	var editF companyFlags
	edit := &cobra.Command{
		Use:     "edit CODE [flags]",
		Short:   "Change a company's fields; only the flags given change",
		Example: "  stockctl company edit ACME --price-type wholesale --email orders@acme.example\n  stockctl company edit ACME --active=false",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			var co company.Company
			err := a.write(c, editF.dry, func(tx *sqlx.Tx) (err error) {
				co, err = company.Edit(c.Context(), tx, args[0], editF.changes(c))
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(co)
		},
	}
	editF.register(edit, true)

	show := &cobra.Command{
		Use:     "show CODE",
		Short:   "Show one company",
		Example: "  stockctl company show ACME -o json",
		Args:    args("CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			co, err := company.Get(c.Context(), d, args[0])
			if err != nil {
				return err
			}
			return a.Printer().One(co)
		},
	}

	var f company.Filter
	list := &cobra.Command{
		Use:     "list",
		Short:   "List active companies, optionally by role",
		Example: "  stockctl company list --customers\n  stockctl company list --suppliers --fields code,name,currency -o csv",
		Args:    args(),
		RunE: func(c *cobra.Command, _ []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			cs, err := company.List(c.Context(), d, f)
			if err != nil {
				return err
			}
			return a.Printer().List(cs)
		},
	}
	list.Flags().BoolVar(&f.Customers, "customers", false, "customers")
	list.Flags().BoolVar(&f.Suppliers, "suppliers", false, "suppliers")
	list.Flags().BoolVar(&f.Manufacturers, "manufacturers", false, "manufacturers")
	list.Flags().BoolVar(&f.Inactive, "all", false, "include inactive companies")
	cmd.AddCommand(add, edit, show, list)
	return cmd
}
