// Package training is the training command: sessions of training products, registrations,
// seats and the waitlist.
package training

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/stockctl/stockctl/business/bounds"
	"github.com/stockctl/stockctl/commands/app"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/orders/training"
)

// NewCmd returns the training command and its verbs.
func NewCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "training",
		Short: "Training products: sessions, registrations, seats and the waitlist",
		Long: `A training product (type training) is sold as seats in sessions (date, location,
capacity). Registering a customer puts the seats on a sales order line priced by the pricing
engine and never goes beyond the session's capacity, even when registrations race; with
--waitlist seats that do not fit wait (no seat, no order line) until "training promote".`,
	}
	session := &cobra.Command{Use: "session", Short: "Add training sessions"}
	session.AddCommand(newSessionAddCmd(a))
	cmd.AddCommand(session, newSessionsCmd(a), newRegisterCmd(a), newPromoteCmd(a), newRegistrationsCmd(a))
	return cmd
}

func parseTrainingID(name, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Usagef(strings.ToLower(name), "%s %q is not a number (see stockctl training sessions)", name, s)
	}
	return id, nil
}

// SessionAddOptions are training session add's argument and flags, read.
type SessionAddOptions struct {
	App    *app.App
	Input  training.NewSession
	DryRun bool
}

func newSessionAddCmd(a *app.App) *cobra.Command {
	opts := &SessionAddOptions{App: a}
	in := &opts.Input
	var date string
	cmd := &cobra.Command{
		Use:   "add SKU --date D --location L --capacity N",
		Short: "Add a session of a training product",
		Long: `Add a session of training product SKU on --date at stock location --location with
--capacity seats. Registrations sell from that location. The session's number (its id) is
what "training register" takes.`,
		Example: `  stockctl training session add COURSE-SAFETY --date 2026-07-14 --location MAIN --capacity 12`,
		Args:    app.Args("SKU"),
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
			t, err := app.ParseDate("date", date)
			if err != nil {
				return err
			}
			in.Date = t
			return runSessionAdd(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&date, "date", "", "day of the session YYYY-MM-DD")
	fl.StringVar(&in.Location, "location", "", "stock location the session is held at and sold from")
	app.IntVar(fl, &in.Capacity, "capacity", 0, 1, bounds.MaxWhole, "seats")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show without saving")
	return cmd
}

func runSessionAdd(ctx context.Context, opts *SessionAddOptions) error {
	a := opts.App
	s, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (training.Session, error) {
		return training.AddSession(ctx, tx, opts.Input)
	})
	if err != nil {
		return err
	}
	if !opts.DryRun {
		a.Say("session %d of %s added: register with stockctl training register %d CUSTOMER", s.ID, s.SKU, s.ID)
	}
	return a.Printer().One(s)
}

// SessionsOptions are training sessions' argument: a product, or "" for all.
type SessionsOptions struct {
	App *app.App
	SKU string
}

func newSessionsCmd(a *app.App) *cobra.Command {
	opts := &SessionsOptions{App: a}
	return &cobra.Command{
		Use:   "sessions [SKU]",
		Short: "List sessions with capacity, seats taken, free and waitlisted",
		Long:  `List the sessions of training product SKU (all training products without SKU) by date.`,
		Example: `  stockctl training sessions COURSE-SAFETY
  stockctl training sessions -o json`,
		Args: app.OptionalArgs("SKU"),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.SKU = args[0]
			}
			return runSessions(c.Context(), opts)
		},
	}
}

func runSessions(ctx context.Context, opts *SessionsOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]training.Session, error) {
		return training.Sessions(ctx, d, opts.SKU)
	})
}

// RegisterOptions are training register's arguments and flags, read.
type RegisterOptions struct {
	App    *app.App
	Input  training.RegisterInput
	DryRun bool
}

func newRegisterCmd(a *app.App) *cobra.Command {
	opts := &RegisterOptions{App: a}
	in := &opts.Input
	var date string
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
		Args: app.Args("SESSION", "CUSTOMER"),
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
				if in.Date, err = app.ParseDate("date", date); err != nil {
					return err
				}
			}
			return runRegister(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	app.IntVar(fl, &in.Seats, "seats", 1, 0, bounds.MaxWhole, "seats to register")
	fl.BoolVar(&in.Waitlist, "waitlist", false, "waitlist seats that do not fit instead of refusing")
	fl.StringVar(&in.SO, "so", "", "add the line to this draft order of the customer (default: a new order)")
	fl.StringVar(&date, "date", "", "date of a new order YYYY-MM-DD: prices of that day (default today)")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show without saving")
	return cmd
}

func runRegister(ctx context.Context, opts *RegisterOptions) error {
	a := opts.App
	r, err := app.WriteThen(ctx, a, opts.DryRun, func(tx *sqlx.Tx) (training.Registration, error) {
		return training.Register(ctx, tx, opts.Input)
	})
	if err != nil {
		return err
	}
	if r.Status == training.Waitlisted {
		a.Say("registration %d: %d seat(s) for %s waitlisted (no seat, no order line): promote with stockctl training promote %d", r.ID, r.Seats, r.Customer, r.ID)
	} else if r.SO != nil {
		a.Say("registration %d: %d seat(s) for %s on %s line %d", r.ID, r.Seats, r.Customer, *r.SO, *r.SOLine)
	}
	return a.Printer().One(r)
}

// PromoteOptions are training promote's argument and flags, read.
type PromoteOptions struct {
	App          *app.App
	Registration int64
	SO           string
	Date         time.Time // zero: today
	DryRun       bool
}

func newPromoteCmd(a *app.App) *cobra.Command {
	opts := &PromoteOptions{App: a}
	var date string
	cmd := &cobra.Command{
		Use:   "promote REGISTRATION [--so SO]",
		Short: "Move a waitlisted registration onto its session when seats are free",
		Long: `Promote waitlisted REGISTRATION: when its seats are free now they are taken and put on a
priced sales order line (a new draft order, or the customer's draft order --so); otherwise it
is refused (exit 5) and stays on the waitlist.`,
		Example: `  stockctl training promote 4
  stockctl training promote 4 --so SO-000009`,
		Args: app.Args("REGISTRATION"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseTrainingID("REGISTRATION", args[0])
			if err != nil {
				return err
			}
			opts.Registration = id
			if date != "" {
				if opts.Date, err = app.ParseDate("date", date); err != nil {
					return err
				}
			}
			return runPromote(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.SO, "so", "", "add the line to this draft order of the customer (default: a new order)")
	cmd.Flags().StringVar(&date, "date", "", "date of a new order YYYY-MM-DD (default today)")
	app.DryRunFlag(cmd, &opts.DryRun, "check and show without saving")
	return cmd
}

func runPromote(ctx context.Context, opts *PromoteOptions) error {
	return app.WriteThenPrint(ctx, opts.App, opts.DryRun, func(tx *sqlx.Tx) (training.Registration, error) {
		return training.Promote(ctx, tx, opts.Registration, opts.SO, opts.Date)
	})
}

// RegistrationsOptions are training registrations' argument, read.
type RegistrationsOptions struct {
	App     *app.App
	Session int64
}

func newRegistrationsCmd(a *app.App) *cobra.Command {
	opts := &RegistrationsOptions{App: a}
	return &cobra.Command{
		Use:     "registrations SESSION",
		Short:   "List a session's registrations: registered first, then the waitlist",
		Example: "  stockctl training registrations 1\n  stockctl training registrations 1 -o json",
		Args:    app.Args("SESSION"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseTrainingID("SESSION", args[0])
			if err != nil {
				return err
			}
			opts.Session = id
			return runRegistrations(c.Context(), opts)
		},
	}
}

func runRegistrations(ctx context.Context, opts *RegistrationsOptions) error {
	return app.ReadThenList(ctx, opts.App, func(d *sqlx.DB) ([]training.Registration, error) {
		return training.Registrations(ctx, d, opts.Session)
	})
}
