package commands

import (
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/training"
)

func (a *App) trainingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "training",
		Short: "Training products: sessions, registrations, seats and the waitlist",
		Long: `A training product (type training) is sold as seats in sessions (date, location,
capacity). Registering a customer puts the seats on a sales order line priced by the pricing
engine and never goes beyond the session's capacity, even when registrations race; with
--waitlist seats that do not fit wait (no seat, no order line) until "training promote".`,
	}
	session := &cobra.Command{Use: "session", Short: "Add training sessions"}
	session.AddCommand(a.trainingSessionAddCmd())
	cmd.AddCommand(session, a.trainingSessionsCmd(), a.trainingRegisterCmd(), a.trainingPromoteCmd(), a.trainingRegistrationsCmd())
	return cmd
}

func parseTrainingID(name, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Usagef(strings.ToLower(name), "%s %q is not a number (see stockctl training sessions)", name, s)
	}
	return id, nil
}

func (a *App) trainingSessionAddCmd() *cobra.Command {
	var in training.NewSession
	var date string
	var dry bool
	cmd := &cobra.Command{
		Use:   "add SKU --date D --location L --capacity N",
		Short: "Add a session of a training product",
		Long: `Add a session of training product SKU on --date at stock location --location with
--capacity seats. Registrations sell from that location. The session's number (its id) is
what "training register" takes.`,
		Example: `  stockctl training session add COURSE-SAFETY --date 2026-07-14 --location MAIN --capacity 12`,
		Args:    args("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			in.SKU = args[0]
			if date == "" {
				return fault.Usagef("date", "missing --date (the session's day, YYYY-MM-DD)")
			}
			if in.Location == "" {
				return fault.Usagef("location", "missing --location (where the session is held)")
			}
			if !c.Flags().Changed("capacity") {
				return fault.Usagef("capacity", "missing --capacity (seats)")
			}
			t, err := parseDate("date", date)
			if err != nil {
				return err
			}
			in.Date = t
			var s training.Session
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				s, err = training.AddSession(c.Context(), tx, in)
				return err
			})
			if err != nil {
				return err
			}
			if !dry {
				a.say("session %d of %s added: register with stockctl training register %d CUSTOMER", s.ID, s.SKU, s.ID)
			}
			return a.Printer().One(s)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&date, "date", "", "day of the session YYYY-MM-DD")
	fl.StringVar(&in.Location, "location", "", "stock location the session is held at and sold from")
	intVar(fl, &in.Capacity, "capacity", 0, 1, bounds.MaxWhole, "seats")
	fl.BoolVar(&dry, "dry-run", false, "check and show without saving")
	return cmd
}

func (a *App) trainingSessionsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sessions [SKU]",
		Short: "List sessions with capacity, seats taken, free and waitlisted",
		Long:  `List the sessions of training product SKU (all training products without SKU) by date.`,
		Example: `  stockctl training sessions COURSE-SAFETY
  stockctl training sessions -o json`,
		Args: optionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			sku := ""
			if len(args) > 0 {
				sku = args[0]
			}
			ss, err := training.Sessions(c.Context(), d, sku)
			if err != nil {
				return err
			}
			return a.Printer().List(ss)
		},
	}
}

func (a *App) trainingRegisterCmd() *cobra.Command {
	var in training.RegisterInput
	var date string
	var dry bool
	cmd := &cobra.Command{
		Use:   "register SESSION CUSTOMER [--seats N] [--waitlist] [--so SO]",
		Short: "Register a customer for seats in a session, on a priced sales order line",
		Long: `Register CUSTOMER for --seats (default 1) in SESSION. The seats go on a sales order line
priced by the pricing engine for the customer and the number of seats: on a new draft order
selling from the session's location (order date --date, default today), or on the customer's
draft order --so. Seats beyond what is free are refused (exit 5) unless --waitlist: then the
registration waits, takes no seat and adds no line until "training promote" when seats free
up. Two registrations at once never take more seats than the session has.`,
		Example: `  stockctl training register 1 ACME --seats 3
  stockctl training register 1 BLUEBIRD --seats 2 --waitlist
  stockctl training register 1 ACME --so SO-000007 -o json`,
		Args: args("SESSION", "CUSTOMER"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseTrainingID("SESSION", args[0])
			if err != nil {
				return err
			}
			in.Session, in.Customer = id, args[1]
			if c.Flags().Changed("seats") && in.Seats <= 0 {
				return fault.Usagef("seats", "--seats must be more than 0, got %d", in.Seats)
			}
			if date != "" {
				if in.Date, err = parseDate("date", date); err != nil {
					return err
				}
			}
			var r training.Registration
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				r, err = training.Register(c.Context(), tx, in)
				return err
			})
			if err != nil {
				return err
			}
			if r.Status == training.Waitlisted {
				a.say("registration %d: %d seat(s) for %s waitlisted (no seat, no order line): promote with stockctl training promote %d", r.ID, r.Seats, r.Customer, r.ID)
			} else if r.SO != nil {
				a.say("registration %d: %d seat(s) for %s on %s line %d", r.ID, r.Seats, r.Customer, *r.SO, *r.SOLine)
			}
			return a.Printer().One(r)
		},
	}
	fl := cmd.Flags()
	intVar(fl, &in.Seats, "seats", 1, 0, bounds.MaxWhole, "seats to register")
	fl.BoolVar(&in.Waitlist, "waitlist", false, "waitlist seats that do not fit instead of refusing")
	fl.StringVar(&in.SO, "so", "", "add the line to this draft order of the customer (default: a new order)")
	fl.StringVar(&date, "date", "", "date of a new order YYYY-MM-DD: prices of that day (default today)")
	fl.BoolVar(&dry, "dry-run", false, "check and show without saving")
	return cmd
}

func (a *App) trainingPromoteCmd() *cobra.Command {
	var so, date string
	var dry bool
	cmd := &cobra.Command{
		Use:   "promote REGISTRATION [--so SO]",
		Short: "Move a waitlisted registration onto its session when seats are free",
		Long: `Promote waitlisted REGISTRATION: when its seats are free now they are taken and put on a
priced sales order line (a new draft order, or the customer's draft order --so); otherwise it
is refused (exit 5) and stays on the waitlist.`,
		Example: `  stockctl training promote 4
  stockctl training promote 4 --so SO-000009`,
		Args: args("REGISTRATION"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseTrainingID("REGISTRATION", args[0])
			if err != nil {
				return err
			}
			var on time.Time
			if date != "" {
				if on, err = parseDate("date", date); err != nil {
					return err
				}
			}
			var r training.Registration
			err = a.write(c, dry, func(tx *sqlx.Tx) (err error) {
				r, err = training.Promote(c.Context(), tx, id, so, on)
				return err
			})
			if err != nil {
				return err
			}
			return a.Printer().One(r)
		},
	}
	cmd.Flags().StringVar(&so, "so", "", "add the line to this draft order of the customer (default: a new order)")
	cmd.Flags().StringVar(&date, "date", "", "date of a new order YYYY-MM-DD (default today)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "check and show without saving")
	return cmd
}

func (a *App) trainingRegistrationsCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "registrations SESSION",
		Short:   "List a session's registrations: registered first, then the waitlist",
		Example: "  stockctl training registrations 1\n  stockctl training registrations 1 -o json",
		Args:    args("SESSION"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseTrainingID("SESSION", args[0])
			if err != nil {
				return err
			}
			d, err := a.DB(c.Context())
			if err != nil {
				return err
			}
			rs, err := training.Registrations(c.Context(), d, id)
			if err != nil {
				return err
			}
			return a.Printer().List(rs)
		},
	}
}
