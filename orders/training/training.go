// Package training sells seats in training sessions: sessions of a training product (date,
// location, capacity) and registrations of customers, each registered one priced on a sales
// order line by pricing.Quote.
//
// Seats never exceed capacity: Register and Promote lock the session row (FOR UPDATE), count
// the free seats under that lock and refuse what does not fit; a trigger keeps the session's
// seats_taken equal to its registered seats and a CHECK refuses seats_taken > capacity, whatever
// code path writes. A waitlisted registration takes no seat and has no order line until
// Promote moves it onto the session when seats are free.
package training

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/company"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
	"github.com/stockctl/stockctl/orders/sales"
)

// Registration statuses. A registration is cancelled with its sales order (orders/cancel):
// it keeps its order line as history and gives its seats back to the session.
const (
	Registered = "registered"
	Waitlisted = "waitlisted"
	Cancelled  = "cancelled"
)

// Session is one date of a training product at a location.
type Session struct {
	ID         int64     `db:"id" json:"id"`
	ProductID  int64     `db:"product_id" json:"-"`
	SKU        string    `db:"sku" json:"sku"`
	Name       string    `db:"name" json:"name" print:"wide"`
	Date       time.Time `db:"session_date" json:"date" print:"date"`
	LocationID int64     `db:"location_id" json:"-"`
	Location   string    `db:"location" json:"location"`
	Capacity   int       `db:"capacity" json:"capacity"`
	Taken      int       `db:"seats_taken" json:"seats_taken"`
	Free       int       `db:"seats_free" json:"seats_free"`
	Waitlisted int       `db:"waitlisted" json:"waitlisted"`
}

const selectSession = `SELECT s.id, s.product_id, p.sku, p.name, s.session_date, s.location_id, l.code AS location,
	s.capacity, s.seats_taken, s.capacity - s.seats_taken AS seats_free,
	coalesce((SELECT sum(r.seats) FROM training_registrations r WHERE r.session_id = s.id AND r.status = 'waitlisted'), 0) AS waitlisted
	FROM training_sessions s JOIN products p ON p.id = s.product_id JOIN locations l ON l.id = s.location_id`

// NewSession is what training session add takes.
type NewSession struct {
	SKU      string
	Date     time.Time
	Location string
	Capacity int
}

// AddSession adds a session of an active training product at an active stock location.
func AddSession(ctx context.Context, q sqlx.ExtContext, in NewSession) (Session, error) {
	p, err := requireProduct(ctx, q, in.SKU)
	if err != nil {
		return Session{}, err
	}
	if in.Date.IsZero() {
		return Session{}, fault.Invalidf("date", "give the session's date with --date YYYY-MM-DD")
	}
	if strings.TrimSpace(in.Location) == "" {
		return Session{}, fault.Invalidf("location", "give the session's location with --location")
	}
	l, err := stock.GetLocation(ctx, q, "location", strings.TrimSpace(in.Location))
	if err != nil {
		return Session{}, err
	}
	if !l.Active {
		return Session{}, fault.Invalidf("location", "location %s is inactive", l.Code)
	}
	if in.Capacity <= 0 {
		return Session{}, fault.Invalidf("capacity", "--capacity is the seats of the session and must be more than 0, got %d", in.Capacity)
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO training_sessions (product_id, session_date, location_id, capacity)
		VALUES ($1, $2::date, $3, $4) RETURNING id`, p.ID, in.Date.Format(time.DateOnly), l.ID, in.Capacity)
	if err != nil {
		return Session{}, db.Classify(err)
	}
	return GetSession(ctx, q, id)
}

// GetSession returns one session.
func GetSession(ctx context.Context, q sqlx.QueryerContext, id int64) (Session, error) {
	var s Session
	err := sqlx.GetContext(ctx, q, &s, selectSession+` WHERE s.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fault.NotFoundf("training session %d does not exist (see stockctl training sessions SKU)", id)
	}
	return s, db.Classify(err)
}

// Sessions returns the sessions of a training product ("": every training product), by date.
func Sessions(ctx context.Context, q sqlx.QueryerContext, sku string) ([]Session, error) {
	sku = strings.TrimSpace(sku)
	if sku != "" {
		if _, err := trainingProduct(ctx, q, sku); err != nil {
			return nil, err
		}
	}
	out := []Session{}
	err := sqlx.SelectContext(ctx, q, &out, selectSession+` WHERE ($1 = '' OR p.sku = $1) ORDER BY s.session_date, s.id`, sku)
	return out, db.Classify(err)
}

// lockSession locks the session row for the rest of the transaction and returns it as it is.
func lockSession(ctx context.Context, q sqlx.ExtContext, id int64) (Session, error) {
	var got int64
	err := sqlx.GetContext(ctx, q, &got, `SELECT id FROM training_sessions WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fault.NotFoundf("training session %d does not exist (see stockctl training sessions SKU)", id)
	}
	if err != nil {
		return Session{}, db.Classify(err)
	}
	return GetSession(ctx, q, id)
}

// Registration is a customer's seats in a session.
type Registration struct {
	ID         int64            `db:"id" json:"id"`
	SessionID  int64            `db:"session_id" json:"session"`
	SKU        string           `db:"sku" json:"sku"`
	Date       time.Time        `db:"session_date" json:"date" print:"date"`
	CustomerID int64            `db:"customer_id" json:"-"`
	Customer   string           `db:"customer" json:"customer"`
	Seats      int              `db:"seats" json:"seats"`
	Status     string           `db:"status" json:"status"`
	SO         *string          `db:"so" json:"so"`
	SOLine     *int             `db:"so_line" json:"so_line"`
	UnitPrice  *decimal.Decimal `db:"unit_price" json:"unit_price"`
	Source     *string          `db:"price_source" json:"price_source" print:"wide"`
	CreatedAt  time.Time        `db:"created_at" json:"created_at" print:"wide"`
}

const selectRegistration = `SELECT r.id, r.session_id, p.sku, s.session_date, r.customer_id, c.code AS customer, r.seats, r.status,
	o.number AS so, l.line_no AS so_line, l.unit_price, l.price_source, r.created_at
	FROM training_registrations r
	JOIN training_sessions s ON s.id = r.session_id
	JOIN products p ON p.id = s.product_id
	JOIN companies c ON c.id = r.customer_id
	LEFT JOIN so_lines l ON l.id = r.so_line_id
	LEFT JOIN sales_orders o ON o.id = l.so_id`

// RegisterInput is what training register takes.
type RegisterInput struct {
	Session  int64
	Customer string
	Seats    int    // 0: 1
	Waitlist bool   // when the seats do not fit, waitlist them instead of refusing
	SO       string // add the line to this draft order of the customer; "": a new order
	Date     time.Time
}

// Register books seats for a customer. Seats that fit are registered and priced on a sales
// order line (a new draft order of the customer selling from the session's location, or the
// draft order SO), priced by pricing.Quote for the customer and the number of seats. Seats
// that do not fit are refused (conflict) unless Waitlist, which records them waitlisted: no
// seat, no line, until Promote.
func Register(ctx context.Context, q sqlx.ExtContext, in RegisterInput) (Registration, error) {
	if in.Seats == 0 {
		in.Seats = 1
	}
	if in.Seats < 0 {
		return Registration{}, fault.Invalidf("seats", "--seats must be more than 0, got %d", in.Seats)
	}
	s, err := lockSession(ctx, q, in.Session)
	if err != nil {
		return Registration{}, err
	}
	c, err := requireCustomer(ctx, q, in.Customer)
	if err != nil {
		return Registration{}, err
	}
	if err := checkOrder(ctx, q, in.SO, c.Code); err != nil {
		return Registration{}, err
	}
	if in.Seats > s.Free {
		if !in.Waitlist {
			return Registration{}, fault.Conflictf("training session %d (%s on %s) has %d of %d seats free, %s asked for %d: register fewer seats or add --waitlist",
				s.ID, s.SKU, s.Date.Format(time.DateOnly), s.Free, s.Capacity, c.Code, in.Seats)
		}
		var id int64
		err := sqlx.GetContext(ctx, q, &id, `INSERT INTO training_registrations (session_id, customer_id, seats, status)
			VALUES ($1, $2, $3, 'waitlisted') RETURNING id`, s.ID, c.ID, in.Seats)
		if err != nil {
			return Registration{}, db.Classify(err)
		}
		return GetRegistration(ctx, q, id)
	}
	lineID, err := addLine(ctx, q, s, c.Code, in.Seats, in.SO, in.Date)
	if err != nil {
		return Registration{}, err
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO training_registrations (session_id, customer_id, seats, status, so_line_id)
		VALUES ($1, $2, $3, 'registered', $4) RETURNING id`, s.ID, c.ID, in.Seats, lineID)
	if err != nil {
		return Registration{}, seatsError(err, s)
	}
	return GetRegistration(ctx, q, id)
}

// Promote moves a waitlisted registration onto its session when its seats are free now,
// adding its priced line (to a new order, or the draft order so).
func Promote(ctx context.Context, q sqlx.ExtContext, id int64, so string, date time.Time) (Registration, error) {
	r, err := GetRegistration(ctx, q, id)
	if err != nil {
		return r, err
	}
	s, err := lockSession(ctx, q, r.SessionID)
	if err != nil {
		return r, err
	}
	if err := sqlx.GetContext(ctx, q, &r.Status, `SELECT status FROM training_registrations WHERE id = $1 FOR UPDATE`, id); err != nil {
		return r, db.Classify(err)
	}
	if r.Status != Waitlisted {
		return r, fault.Invalidf("registration", "registration %d is %s already: only waitlisted registrations are promoted", id, r.Status)
	}
	if r.Seats > s.Free {
		return r, fault.Conflictf("training session %d has %d seats free, registration %d needs %d: it stays on the waitlist", s.ID, s.Free, id, r.Seats)
	}
	lineID, err := addLine(ctx, q, s, r.Customer, r.Seats, so, date)
	if err != nil {
		return r, err
	}
	if _, err := q.ExecContext(ctx, `UPDATE training_registrations SET status = 'registered', so_line_id = $2 WHERE id = $1`, id, lineID); err != nil {
		return r, seatsError(err, s)
	}
	return GetRegistration(ctx, q, id)
}

// addLine puts seats of the session's product on a sales order line and returns the line's id.
func addLine(ctx context.Context, q sqlx.ExtContext, s Session, customer string, seats int, so string, date time.Time) (int64, error) {
	so = strings.TrimSpace(so)
	if so == "" {
		doc, err := sales.New(ctx, q, sales.NewOrder{Customer: customer, Location: s.Location, Date: date,
			Notes: "Training " + s.SKU + " on " + s.Date.Format(time.DateOnly)})
		if err != nil {
			return 0, err
		}
		so = doc.Number
	} else if err := checkOrder(ctx, q, so, customer); err != nil {
		return 0, err
	}
	l, err := sales.AddLine(ctx, q, so, sales.LineInput{SKU: s.SKU, Qty: decimal.NewFromInt(int64(seats))})
	if err != nil {
		return 0, err
	}
	return l.ID, nil
}

// checkOrder refuses a given sales order of another customer ("" is fine: a new order).
func checkOrder(ctx context.Context, q sqlx.QueryerContext, so, customer string) error {
	if strings.TrimSpace(so) == "" {
		return nil
	}
	doc, err := sales.Get(ctx, q, so)
	if err != nil {
		return err
	}
	if doc.Customer != customer {
		return fault.Invalidf("so", "sales order %s is %s's, not %s's", doc.Number, doc.Customer, customer)
	}
	return nil
}

// seatsError explains the database's last line of defence.
func seatsError(err error, s Session) error {
	if db.Constraint(err) == "training_sessions_seats" {
		return fault.Conflictf("training session %d has only %d seats: the registration would go beyond its capacity", s.ID, s.Capacity)
	}
	return db.Classify(err)
}

// GetRegistration returns one registration.
func GetRegistration(ctx context.Context, q sqlx.QueryerContext, id int64) (Registration, error) {
	var r Registration
	err := sqlx.GetContext(ctx, q, &r, selectRegistration+` WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.NotFoundf("registration %d does not exist (see stockctl training registrations SESSION)", id)
	}
	return r, db.Classify(err)
}

// Registrations lists a session's registrations, registered first, then the waitlist, then
// the cancelled ones, each in the order they came.
func Registrations(ctx context.Context, q sqlx.QueryerContext, session int64) ([]Registration, error) {
	if _, err := GetSession(ctx, q, session); err != nil {
		return nil, err
	}
	out := []Registration{}
	err := sqlx.SelectContext(ctx, q, &out, selectRegistration+` WHERE r.session_id = $1 ORDER BY CASE r.status WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.id`, session)
	return out, db.Classify(err)
}

func requireCustomer(ctx context.Context, q sqlx.QueryerContext, code string) (company.Company, error) {
	code = strings.TrimSpace(code)
	c, err := company.Get(ctx, q, code)
	if fault.Is(err, fault.NotFound) || code == "" {
		return c, fault.Unknownf("customer", "unknown customer %q: see stockctl company list --customers", code)
	}
	if err != nil {
		return c, err
	}
	if !c.Customer {
		return c, fault.Invalidf("customer", "company %s is not a customer: make it one with stockctl company edit %s --customer", c.Code, c.Code)
	}
	if !c.Active {
		return c, fault.Invalidf("customer", "customer %s is inactive", c.Code)
	}
	return c, nil
}

func trainingProduct(ctx context.Context, q sqlx.QueryerContext, sku string) (catalog.Product, error) {
	p, err := catalog.Get(ctx, q, sku)
	if err != nil {
		return p, err
	}
	if p.Type != catalog.Training {
		return p, fault.Invalidf("sku", "product %s is a %s product: sessions are for training products (stockctl product list --type training)", p.SKU, p.Type)
	}
	return p, nil
}

func requireProduct(ctx context.Context, q sqlx.QueryerContext, sku string) (catalog.Product, error) {
	p, err := trainingProduct(ctx, q, strings.TrimSpace(sku))
	if err != nil {
		return p, err
	}
	if !p.Active {
		return p, fault.Invalidf("sku", "product %s is inactive: activate it with stockctl product activate %s", p.SKU, p.SKU)
	}
	return p, nil
}

// LockSessionsOf locks, in id order, the sessions holding seats registered on sales order so.
// Cancelling the order takes them before the order's own locks, in the order Register takes
// a session and then the order it adds the line to, so the two never deadlock.
func LockSessionsOf(ctx context.Context, q sqlx.ExtContext, so string) error {
	_, err := q.ExecContext(ctx, `SELECT 1 FROM training_sessions WHERE id IN (
			SELECT r.session_id FROM training_registrations r JOIN so_lines l ON l.id = r.so_line_id
			JOIN sales_orders o ON o.id = l.so_id WHERE o.number = $1 AND r.status = 'registered')
		ORDER BY id FOR UPDATE`, so)
	return db.Classify(err)
}

// Freed is what cancelling an order gave back to one session: the registrations cancelled,
// their seats, the seats free now, and the waitlisted registrations that fit into them (in
// the order they came), each promoted by Promote (stockctl training promote).
type Freed struct {
	Session   int64   `json:"session"`
	SKU       string  `json:"sku"`
	Date      string  `json:"date"`
	Cancelled []int64 `json:"cancelled"`
	Seats     int     `json:"seats"`
	Free      int     `json:"seats_free"`
	Offer     []Offer `json:"offer"`
}

// Offer is a waitlisted registration whose seats are free now.
type Offer struct {
	Registration int64  `db:"id" json:"registration"`
	Customer     string `db:"customer" json:"customer"`
	Seats        int    `db:"seats" json:"seats"`
}

// CancelOrder cancels the registrations registered on cancelled sales order so: they keep
// their line as history and give their seats back (the training_seats trigger), so each
// session's waitlist can be promoted into them. Waitlisted registrations have no line and
// are not touched. It returns per session what was freed and which waitlisted registrations
// now fit, first come first served; promoting stays a decision of its own (it makes a new
// order for another customer). Call LockSessionsOf before the order is locked.
func CancelOrder(ctx context.Context, q sqlx.ExtContext, so string) ([]Freed, error) {
	var rows []struct {
		ID        int64  `db:"id"`
		SessionID int64  `db:"session_id"`
		Seats     int    `db:"seats"`
		SKU       string `db:"sku"`
		Date      string `db:"session_date"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `WITH c AS (
			UPDATE training_registrations r SET status = 'cancelled'
			FROM so_lines l JOIN sales_orders o ON o.id = l.so_id
			WHERE l.id = r.so_line_id AND o.number = $1 AND o.status = 'cancelled' AND r.status = 'registered'
			RETURNING r.id, r.session_id, r.seats)
		SELECT c.id, c.session_id, c.seats, p.sku, to_char(s.session_date, 'YYYY-MM-DD') AS session_date
		FROM c JOIN training_sessions s ON s.id = c.session_id JOIN products p ON p.id = s.product_id
		ORDER BY c.session_id, c.id`, so)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := []Freed{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Session != r.SessionID {
			out = append(out, Freed{Session: r.SessionID, SKU: r.SKU, Date: r.Date, Cancelled: []int64{}, Offer: []Offer{}})
		}
		f := &out[len(out)-1]
		f.Cancelled = append(f.Cancelled, r.ID)
		f.Seats += r.Seats
	}
	for i := range out {
		f := &out[i]
		if err := sqlx.GetContext(ctx, q, &f.Free, `SELECT capacity - seats_taken FROM training_sessions WHERE id = $1`, f.Session); err != nil {
			return nil, db.Classify(err)
		}
		var waiting []Offer
		err := sqlx.SelectContext(ctx, q, &waiting, `SELECT r.id, c.code AS customer, r.seats FROM training_registrations r
			JOIN companies c ON c.id = r.customer_id WHERE r.session_id = $1 AND r.status = 'waitlisted' ORDER BY r.id`, f.Session)
		if err != nil {
			return nil, db.Classify(err)
		}
		left := f.Free
		for _, w := range waiting {
			if w.Seats <= left {
				f.Offer = append(f.Offer, w)
				left -= w.Seats
			}
		}
	}
	return out, nil
}
