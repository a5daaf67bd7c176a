// Package company holds companies: the customers, suppliers and manufacturers a business
// deals with (one company may be all three).
package company

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/pricetype"
	"github.com/stockctl/stockctl/business/region"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
)

// Company is a customer, supplier or manufacturer.
type Company struct {
	ID           int64            `db:"id" json:"-"`
	Code         string           `db:"code" json:"code"`
	Name         string           `db:"name" json:"name"`
	Customer     bool             `db:"is_customer" json:"customer"`
	Supplier     bool             `db:"is_supplier" json:"supplier"`
	Manufacturer bool             `db:"is_manufacturer" json:"manufacturer"`
	Currency     string           `db:"currency" json:"currency"`
	PriceType    *string          `db:"price_type" json:"price_type"`
	Region       *string          `db:"region" json:"region"`
	TaxRate      *decimal.Decimal `db:"tax_rate" json:"tax_rate"`
	Email        string           `db:"email" json:"email" print:"wide"`
	Address      string           `db:"address" json:"address" print:"wide"`
	Active       bool             `db:"active" json:"active"`
	CreatedAt    time.Time        `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy    string           `db:"created_by" json:"created_by" print:"wide"`
	UpdatedAt    time.Time        `db:"updated_at" json:"updated_at" print:"wide"`
	UpdatedBy    string           `db:"updated_by" json:"updated_by" print:"wide"`
}

// Changes are the fields to set on add or edit; nil means "leave as it is" (or the default
// on add).
type Changes struct {
	Name         *string
	Customer     *bool
	Supplier     *bool
	Manufacturer *bool
	Currency     *string
	PriceType    *string
	Region       *string // "" clears it
	TaxRate      *decimal.Decimal
	Email        *string
	Address      *string
	Active       *bool
}

// Filter narrows List to companies with any of the chosen roles; none chosen lists all.
type Filter struct {
	Customers, Suppliers, Manufacturers bool
	Inactive                            bool // include inactive companies
}

var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$`)

const selectCompany = `SELECT id, code, name, is_customer, is_supplier, is_manufacturer, currency, price_type,
	region, tax_rate, email, address, active, created_at, created_by, updated_at, updated_by FROM companies`

// Add creates a company. A new customer without a price type gets the default customer price
// type; a company without a currency trades in the base currency.
func Add(ctx context.Context, q sqlx.ExtContext, code string, ch Changes) (Company, error) {
	code = strings.TrimSpace(code)
	if !codeRe.MatchString(code) {
		return Company{}, fault.Invalidf("code", "company code %q: use 1 to 32 letters, digits or . _ / - starting with a letter or digit", code)
	}
	if ch.Name == nil || strings.TrimSpace(*ch.Name) == "" {
		return Company{}, fault.Invalidf("name", "company %s needs a name: give --name", code)
	}
	var exists bool
	if err := sqlx.GetContext(ctx, q, &exists, `SELECT EXISTS (SELECT 1 FROM companies WHERE code = $1)`, code); err != nil {
		return Company{}, db.Classify(err)
	}
	if exists {
		return Company{}, fault.Conflictf("company %s already exists: change it with stockctl company edit %s", code, code)
	}
	c := Company{Code: code, Active: true}
	if ch.Currency == nil {
		base, err := currency.Base(ctx, q)
		if err != nil {
			return c, err
		}
		c.Currency = base
	}
	if err := apply(ctx, q, &c, ch); err != nil {
		return c, err
	}
	err := sqlx.GetContext(ctx, q, &c.ID, `INSERT INTO companies (code, name, is_customer, is_supplier, is_manufacturer,
		currency, price_type, region, tax_rate, email, address, active)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		c.Code, c.Name, c.Customer, c.Supplier, c.Manufacturer, c.Currency, c.PriceType, c.Region, c.TaxRate,
		c.Email, c.Address, c.Active)
	if err != nil {
		return c, db.Classify(err)
	}
	return Get(ctx, q, code)
}

// Edit changes the given fields of a company.
func Edit(ctx context.Context, q sqlx.ExtContext, code string, ch Changes) (Company, error) {
	c, err := getForUpdate(ctx, q, code)
	if err != nil {
		return c, err
	}
	if err := apply(ctx, q, &c, ch); err != nil {
		return c, err
	}
	_, err = q.ExecContext(ctx, `UPDATE companies SET name = $2, is_customer = $3, is_supplier = $4, is_manufacturer = $5,
		currency = $6, price_type = $7, region = $8, tax_rate = $9, email = $10, address = $11, active = $12
		WHERE id = $1`,
		c.ID, c.Name, c.Customer, c.Supplier, c.Manufacturer, c.Currency, c.PriceType, c.Region, c.TaxRate,
		c.Email, c.Address, c.Active)
	if err != nil {
		return c, db.Classify(err)
	}
	return Get(ctx, q, code)
}

// apply validates the changes and copies them onto c.
func apply(ctx context.Context, q sqlx.ExtContext, c *Company, ch Changes) error {
	if ch.Name != nil {
		n := strings.TrimSpace(*ch.Name)
		if n == "" {
			return fault.Invalidf("name", "company %s: the name cannot be empty", c.Code)
		}
		c.Name = n
	}
	if ch.Customer != nil {
		c.Customer = *ch.Customer
	}
	if ch.Supplier != nil {
		c.Supplier = *ch.Supplier
	}
	if ch.Manufacturer != nil {
		c.Manufacturer = *ch.Manufacturer
	}
	if ch.Currency != nil {
		cur, err := currency.Require(ctx, q, "currency", *ch.Currency)
		if err != nil {
			return err
		}
		c.Currency = cur
	}
	if ch.PriceType != nil {
		if !c.Customer {
			return fault.Invalidf("price-type", "company %s: a price type applies to customers only; add --customer", c.Code)
		}
		pt, err := pricetype.RequireType(ctx, q, "price-type", *ch.PriceType)
		if err != nil {
			return err
		}
		c.PriceType = &pt.Code
	}
	if !c.Customer {
		c.PriceType = nil
	} else if c.PriceType == nil {
		// A customer always has a price type: the default one unless given.
		pt, err := settings.Value(ctx, q, "default_price_type")
		if err != nil {
			return err
		}
		c.PriceType = &pt
	}
	if ch.Region != nil {
		if *ch.Region == "" {
			c.Region = nil
		} else {
			if err := region.Require(ctx, q, "region", *ch.Region); err != nil {
				return err
			}
			r := *ch.Region
			c.Region = &r
		}
	}
	if ch.TaxRate != nil {
		t := *ch.TaxRate
		if t.IsNegative() || t.GreaterThan(decimal.NewFromInt(100)) || t.Exponent() < -4 {
			return fault.Invalidf("tax-rate", "tax rate %s: give a percentage from 0 to 100 with at most 4 decimals", t)
		}
		c.TaxRate = &t
	}
	if ch.Email != nil {
		e := strings.TrimSpace(*ch.Email)
		if e != "" {
			a, err := mail.ParseAddress(e)
			if err != nil || a.Address != e {
				return fault.Invalidf("email", "e-mail %q is not an address like orders@example.com", e)
			}
		}
		c.Email = e
	}
	if ch.Address != nil {
		c.Address = strings.TrimSpace(*ch.Address)
	}
	if ch.Active != nil {
		c.Active = *ch.Active
	}
	return nil
}

// Get returns one company by code.
func Get(ctx context.Context, q sqlx.QueryerContext, code string) (Company, error) {
	var c Company
	err := sqlx.GetContext(ctx, q, &c, selectCompany+` WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fault.NotFoundf("company %s does not exist (see stockctl company list)", code)
	}
	return c, db.Classify(err)
}

func getForUpdate(ctx context.Context, q sqlx.QueryerContext, code string) (Company, error) {
	var c Company
	err := sqlx.GetContext(ctx, q, &c, selectCompany+` WHERE code = $1 FOR UPDATE`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fault.NotFoundf("company %s does not exist (see stockctl company list)", code)
	}
	return c, db.Classify(err)
}

// List returns the companies that match f, by code.
func List(ctx context.Context, q sqlx.QueryerContext, f Filter) ([]Company, error) {
	var cs []Company
	err := sqlx.SelectContext(ctx, q, &cs, selectCompany+`
		WHERE ($1 OR active)
		  AND (NOT ($2 OR $3 OR $4) OR ($2 AND is_customer) OR ($3 AND is_supplier) OR ($4 AND is_manufacturer))
		ORDER BY code`, f.Inactive, f.Customers, f.Suppliers, f.Manufacturers)
	return cs, db.Classify(err)
}
