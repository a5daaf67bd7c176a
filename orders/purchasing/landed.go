package purchasing

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/stockctl/stockctl/business/clock"
	"github.com/stockctl/stockctl/business/currency"
	"github.com/stockctl/stockctl/business/settings"
	"github.com/stockctl/stockctl/db"
	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/inventory/catalog"
	"github.com/stockctl/stockctl/inventory/stock"
)

// Landed cost kinds and apportioning methods (SPEC §5).
var (
	CostKinds = []string{"freight", "duty", "insurance", "other"}
	Methods   = []string{"value", "quantity", "weight", "volume"}
)

// Landed cost statuses: open until posted; an estimate replaced by an actual cost becomes
// replaced (when the actual is added, if the estimate was never posted; else when the actual
// is posted, which posts only the difference).
const (
	CostOpen     = "open"
	CostPosted   = "posted"
	CostReplaced = "replaced"
)

// KindLandedCost is the revaluation kind landed costs post.
const KindLandedCost = "landed_cost"

// CostInput is a landed cost to add to a purchase order.
type CostInput struct {
	Amount   decimal.Decimal
	Currency string           // default: the PO's currency
	Rate     *decimal.Decimal // base units per one unit of Currency; default: the rate on Date
	Date     *time.Time       // default today
	Kind     string           // freight (default), duty, insurance, other
	Method   string           // value (default), quantity, weight, volume
	Estimate bool
	// Replaces is the number of the estimate an actual cost replaces. 0 picks the PO's one
	// estimate of the same kind not yet replaced, if there is exactly one; -1 replaces none.
	Replaces  int
	Narrative string
}

// LandedCost is one landed cost of a purchase order.
type LandedCost struct {
	PO         string          `db:"po" json:"po"`
	No         int             `db:"cost_no" json:"no"`
	Kind       string          `db:"kind" json:"kind"`
	Amount     decimal.Decimal `db:"amount" json:"amount"`
	Currency   string          `db:"currency" json:"currency"`
	Rate       decimal.Decimal `db:"rate" json:"rate"`
	BaseAmount decimal.Decimal `db:"base_amount" json:"base_amount"`
	Method     string          `db:"method" json:"method"`
	Estimate   bool            `db:"estimate" json:"estimate"`
	Replaces   *int            `db:"replaces" json:"replaces"`
	ReplacedBy *int            `db:"replaced_by" json:"replaced_by" print:"wide"`
	Status     string          `db:"status" json:"status"`
	Posted     decimal.Decimal `db:"posted" json:"posted"` // what its posting changed (base currency)
	Narrative  string          `db:"narrative" json:"narrative" print:"wide"`
	PostedAt   *time.Time      `db:"posted_at" json:"posted_at" print:"wide"`
	CreatedAt  time.Time       `db:"created_at" json:"created_at" print:"wide"`
	CreatedBy  string          `db:"created_by" json:"created_by" print:"wide"`

	id         int64
	replacesID *int64
}

// Share is one received PO line's part of a landed cost, with how it was worked out. For a
// cost not yet posted it is what posting would do now (the split between stock on hand and
// COGS is known only when posted).
type Share struct {
	Cost        int              `json:"cost"`
	LineNo      int              `json:"line_no"`
	SKU         string           `json:"sku"`
	Basis       decimal.Decimal  `json:"basis"`
	BasisTotal  decimal.Decimal  `json:"basis_total"`
	Exact       decimal.Decimal  `json:"exact"`      // cost × basis / basis total, to 4 more decimals than the share
	Share       decimal.Decimal  `json:"share"`      // rounded to the minor unit; the shares sum to the cost
	Remainder   decimal.Decimal  `json:"remainder"`  // the minor unit the largest-remainder rule added, or 0
	Previously  decimal.Decimal  `json:"previously"` // what the replaced estimate posted on the line
	Posted      decimal.Decimal  `json:"posted"`     // share − previously
	QtyReceived decimal.Decimal  `json:"qty_received"`
	OnHand      *decimal.Decimal `json:"on_hand"`         // of the received qty, still on hand when posted
	Inventory   *decimal.Decimal `json:"inventory_value"` // raised the average cost
	COGS        *decimal.Decimal `json:"cogs_value"`      // went to cost of goods sold
	Explain     string           `json:"explain" print:"wide"`
}

// LandedDoc is a purchase order's landed costs and their shares.
type LandedDoc struct {
	PO           string       `json:"po"`
	BaseCurrency string       `json:"base_currency"`
	Costs        []LandedCost `json:"costs"`
	Shares       []Share      `json:"shares"`
}

// Apportion splits total over weights in proportion, rounded to places decimals so that the
// parts add up to total exactly (largest-remainder rounding): each part is first rounded
// down, then the minor units left over go one each to the parts that lost the most in
// rounding (ties: the larger weight, then the earlier part). total must not be negative and
// the weights must be non-negative with a positive sum. It also returns each part's exact
// value (to 4 decimals past places) and whether it received a leftover unit.
func Apportion(total decimal.Decimal, weights []decimal.Decimal, places int32) (parts, exact []decimal.Decimal, bumped []bool, err error) {
	if total.IsNegative() {
		return nil, nil, nil, fault.Invalidf("amount", "cannot apportion a negative amount %s", total)
	}
	sum := decimal.Zero
	for _, w := range weights {
		if w.IsNegative() {
			return nil, nil, nil, fault.Invalidf("basis", "cannot apportion over a negative basis %s", w)
		}
		sum = sum.Add(w)
	}
	if !sum.IsPositive() {
		return nil, nil, nil, fault.Invalidf("basis", "nothing to apportion over: the bases add up to %s", sum)
	}
	n := len(weights)
	parts, exact, bumped = make([]decimal.Decimal, n), make([]decimal.Decimal, n), make([]bool, n)
	rest := make([]decimal.Decimal, n)
	unit := decimal.New(1, -places)
	given := decimal.Zero
	for i, w := range weights {
		x := total.Mul(w).DivRound(sum, places+12)
		exact[i] = x.Round(places + 4)
		parts[i] = x.RoundFloor(places)
		rest[i] = x.Sub(parts[i])
		given = given.Add(parts[i])
	}
	left := total.Sub(given).Div(unit).IntPart() // 0 <= left < n
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if c := rest[i].Cmp(rest[j]); c != 0 {
			return c > 0
		}
		return weights[i].GreaterThan(weights[j])
	})
	for k := int64(0); k < left; k++ {
		i := order[k]
		parts[i] = parts[i].Add(unit)
		bumped[i] = true
	}
	return parts, exact, bumped, nil
}

// costLine is a received PO line as landed costs see it.
type costLine struct {
	ID          int64            `db:"id"`
	LineNo      int              `db:"line_no"`
	SKU         string           `db:"sku"`
	ReceivedQty decimal.Decimal  `db:"received_qty"`
	Value       decimal.Decimal  `db:"value"` // received qty × price × the PO's rate, base currency
	Weight      *decimal.Decimal `db:"weight"`
	Volume      *decimal.Decimal `db:"volume"`
}

// bases returns the basis of each received stock line under method, refusing a weight or
// volume method when a received product has none.
func bases(lines []costLine, method string) ([]decimal.Decimal, error) {
	out := make([]decimal.Decimal, len(lines))
	for i, l := range lines {
		switch method {
		case "value":
			out[i] = l.Value
		case "quantity":
			out[i] = l.ReceivedQty
		case "weight", "volume":
			per := l.Weight
			if method == "volume" {
				per = l.Volume
			}
			if per == nil {
				return nil, fault.Invalidf("method", "apportioning by %s needs the %s of every received product: %s has none (stockctl product edit %s --%s N)",
					method, method, l.SKU, l.SKU, method)
			}
			out[i] = l.ReceivedQty.Mul(*per)
		}
	}
	return out, nil
}

// receivedLines reads the PO's stock lines that have received something.
func receivedLines(ctx context.Context, q sqlx.QueryerContext, poID int64, rate decimal.Decimal) ([]costLine, error) {
	var ls []costLine
	err := sqlx.SelectContext(ctx, q, &ls, `SELECT x.id, x.line_no, p.sku, x.received_qty,
		round(x.received_qty * x.unit_price * x.entered_qty / x.qty * $2::numeric, 6) AS value, p.weight, p.volume
		FROM po_lines x JOIN products p ON p.id = x.product_id
		WHERE x.po_id = $1 AND x.received_qty > 0 AND p.track_stock ORDER BY x.line_no`, poID, rate)
	return ls, db.Classify(err)
}

func oneOf(field, v string, choices []string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, c := range choices {
		if v == c {
			return v, nil
		}
	}
	return "", fault.Invalidf(field, "%q: use one of %s", v, strings.Join(choices, ", "))
}

// AddCost adds a landed cost to a purchase order. Its amount is converted to the base
// currency at its own rate (given, or in force on its date), which is kept with it. An
// actual cost replacing an estimate that was never posted makes the estimate replaced at
// once; one replacing a posted estimate posts only the difference when it is posted.
func AddCost(ctx context.Context, q sqlx.ExtContext, number string, in CostInput) (LandedDoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return LandedDoc{}, err
	}
	if h.Status == Cancelled {
		return LandedDoc{}, fault.Invalidf("po", "%s is cancelled: it has no costs to land", h.Number)
	}
	if in.Kind == "" {
		in.Kind = "freight"
	}
	if in.Method == "" {
		in.Method = "value"
	}
	kind, err := oneOf("kind", in.Kind, CostKinds)
	if err != nil {
		return LandedDoc{}, err
	}
	method, err := oneOf("method", in.Method, Methods)
	if err != nil {
		return LandedDoc{}, err
	}
	cur := h.Currency
	if in.Currency != "" {
		if cur, err = currency.Require(ctx, q, "currency", in.Currency); err != nil {
			return LandedDoc{}, err
		}
	}
	places, err := minorUnits(ctx, q, cur)
	if err != nil {
		return LandedDoc{}, err
	}
	if !in.Amount.IsPositive() {
		return LandedDoc{}, fault.Invalidf("amount", "%s: a landed cost must be more than 0, got %s", h.Number, in.Amount)
	}
	if err := checkScale("amount", in.Amount, places, cur+" amount"); err != nil {
		return LandedDoc{}, err
	}
	day := clock.Today()
	if in.Date != nil {
		day = *in.Date
	}
	var rate decimal.Decimal
	if in.Rate != nil {
		if err := checkRate(ctx, q, cur, *in.Rate); err != nil {
			return LandedDoc{}, err
		}
		rate = *in.Rate
	} else if rate, err = currency.RateOn(ctx, q, cur, day); err != nil {
		return LandedDoc{}, err
	}
	base, err := currency.Base(ctx, q)
	if err != nil {
		return LandedDoc{}, err
	}
	basePlaces, err := minorUnits(ctx, q, base)
	if err != nil {
		return LandedDoc{}, err
	}
	baseAmount := in.Amount.Mul(rate).Round(basePlaces)

	costs, err := loadCosts(ctx, q, h)
	if err != nil {
		return LandedDoc{}, err
	}
	var replaces *LandedCost
	switch {
	case in.Estimate && in.Replaces > 0:
		return LandedDoc{}, fault.Invalidf("replaces", "an estimate replaces nothing: leave out --estimate to add the actual cost")
	case in.Estimate || in.Replaces < 0:
	case in.Replaces > 0:
		for i := range costs {
			if costs[i].No == in.Replaces {
				replaces = &costs[i]
			}
		}
		switch {
		case replaces == nil:
			return LandedDoc{}, fault.Invalidf("replaces", "%s has no landed cost %d (see stockctl landed-cost show %s)", h.Number, in.Replaces, h.Number)
		case !replaces.Estimate:
			return LandedDoc{}, fault.Invalidf("replaces", "landed cost %d of %s is not an estimate: only estimates are replaced", in.Replaces, h.Number)
		case replaces.ReplacedBy != nil || replaces.Status == CostReplaced:
			return LandedDoc{}, fault.Invalidf("replaces", "estimate %d of %s is already replaced", in.Replaces, h.Number)
		}
	default:
		var open []int
		for i, c := range costs {
			if c.Estimate && c.Kind == kind && c.ReplacedBy == nil && c.Status != CostReplaced {
				open = append(open, i)
			}
		}
		if len(open) > 1 {
			return LandedDoc{}, fault.Invalidf("replaces", "%s has %d %s estimates: say which this actual cost replaces with --replaces N (or --replaces -1 for none)", h.Number, len(open), kind)
		}
		if len(open) == 1 {
			replaces = &costs[open[0]]
		}
	}
	var replacesID *int64
	if replaces != nil {
		replacesID = &replaces.id
	}
	_, err = q.ExecContext(ctx, `INSERT INTO landed_costs (po_id, cost_no, kind, amount, currency, rate, base_amount, method,
		estimate, replaces_id, narrative)
		VALUES ($1, (SELECT coalesce(max(cost_no), 0) + 1 FROM landed_costs WHERE po_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		h.ID, kind, in.Amount, cur, rate, baseAmount, method, in.Estimate, replacesID, strings.TrimSpace(in.Narrative))
	if err != nil {
		return LandedDoc{}, db.Classify(err)
	}
	if replaces != nil && replaces.Status == CostOpen {
		if _, err := q.ExecContext(ctx, `UPDATE landed_costs SET status = 'replaced' WHERE id = $1`, replaces.id); err != nil {
			return LandedDoc{}, db.Classify(err)
		}
	}
	return Costs(ctx, q, h.Number)
}

func loadCosts(ctx context.Context, q sqlx.QueryerContext, h poHead) ([]LandedCost, error) {
	var rows []struct {
		LandedCost
		ID         int64  `db:"id"`
		ReplacesID *int64 `db:"replaces_id"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT c.id, $2::text AS po, c.cost_no, c.kind, c.amount, c.currency, c.rate,
		c.base_amount, c.method, c.estimate, c.replaces_id, r.cost_no AS replaces, b.cost_no AS replaced_by, c.status,
		coalesce((SELECT sum(s.posted) FROM landed_cost_shares s WHERE s.landed_cost_id = c.id), 0) AS posted,
		c.narrative, c.posted_at, c.created_at, c.created_by
		FROM landed_costs c
		LEFT JOIN landed_costs r ON r.id = c.replaces_id
		LEFT JOIN landed_costs b ON b.replaces_id = c.id
		WHERE c.po_id = $1 ORDER BY c.cost_no`, h.ID, h.Number)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := make([]LandedCost, len(rows))
	for i, r := range rows {
		out[i] = r.LandedCost
		out[i].id, out[i].replacesID = r.ID, r.ReplacesID
	}
	return out, nil
}

// storedShare is a posted share as stored.
type storedShare struct {
	CostID      int64           `db:"landed_cost_id"`
	LineID      int64           `db:"po_line_id"`
	LineNo      int             `db:"line_no"`
	SKU         string          `db:"sku"`
	Basis       decimal.Decimal `db:"basis"`
	Share       decimal.Decimal `db:"share"`
	Posted      decimal.Decimal `db:"posted"`
	QtyReceived decimal.Decimal `db:"qty_received"`
	OnHand      decimal.Decimal `db:"on_hand"`
	Inventory   decimal.Decimal `db:"inventory_value"`
	COGS        decimal.Decimal `db:"cogs_value"`
}

func storedShares(ctx context.Context, q sqlx.QueryerContext, poID int64) (map[int64][]storedShare, error) {
	var rows []storedShare
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT s.landed_cost_id, s.po_line_id, x.line_no, p.sku, s.basis, s.share, s.posted,
		s.qty_received, s.on_hand, s.inventory_value, s.cogs_value
		FROM landed_cost_shares s JOIN landed_costs c ON c.id = s.landed_cost_id
		JOIN po_lines x ON x.id = s.po_line_id JOIN products p ON p.id = x.product_id
		WHERE c.po_id = $1 ORDER BY x.line_no`, poID)
	if err != nil {
		return nil, db.Classify(err)
	}
	out := map[int64][]storedShare{}
	for _, r := range rows {
		out[r.CostID] = append(out[r.CostID], r)
	}
	return out, nil
}

// plan works out a cost's shares over the received lines as they are now, with what a
// replaced estimate posted on each line.
func plan(c LandedCost, lines []costLine, prev map[int64]decimal.Decimal, places int32) ([]Share, []decimal.Decimal, error) {
	bs, err := bases(lines, c.Method)
	if err != nil {
		return nil, nil, err
	}
	parts, exact, bumped, err := Apportion(c.BaseAmount, bs, places)
	if err != nil {
		return nil, nil, fault.Invalidf("method", "landed cost %d (%s by %s): the received lines have no %s to share it by", c.No, c.Kind, c.Method, c.Method)
	}
	total := decimal.Zero
	for _, b := range bs {
		total = total.Add(b)
	}
	unit := decimal.New(1, -places)
	out := make([]Share, len(lines))
	for i, l := range lines {
		s := Share{Cost: c.No, LineNo: l.LineNo, SKU: l.SKU, Basis: normal(bs[i]), BasisTotal: normal(total), Exact: normal(exact[i]),
			Share: parts[i], Remainder: decimal.Zero, Previously: prev[l.ID], QtyReceived: l.ReceivedQty}
		if bumped[i] {
			s.Remainder = unit
		}
		s.Posted = s.Share.Sub(s.Previously)
		out[i] = s
	}
	return out, bs, nil
}

// explain writes out how a share came about; amounts show the base currency's decimals.
func explain(c LandedCost, s Share, base string, places int32) string {
	m := func(d decimal.Decimal) string { return d.StringFixed(places) }
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s × %s %s / %s = %s", m(c.BaseAmount), base, c.Method, s.Basis, s.BasisTotal, s.Exact)
	if s.Remainder.IsPositive() {
		fmt.Fprintf(&b, ", rounded down plus %s (largest remainder) = %s", m(s.Remainder), m(s.Share))
	} else {
		fmt.Fprintf(&b, ", rounded down = %s", m(s.Share))
	}
	if !s.Previously.IsZero() {
		fmt.Fprintf(&b, "; less %s posted by estimate %d = %s to post", m(s.Previously), *c.Replaces, m(s.Posted))
	}
	if s.OnHand != nil {
		fmt.Fprintf(&b, "; %s of %s received still on hand: %s to stock, %s to COGS", s.OnHand, s.QtyReceived, m(*s.Inventory), m(*s.COGS))
	}
	return b.String()
}

// Costs returns a purchase order's landed costs and how each is shared: posted costs as
// they were posted, open ones as posting them now would share them.
func Costs(ctx context.Context, q sqlx.QueryerContext, number string) (LandedDoc, error) {
	var h poHead
	err := sqlx.GetContext(ctx, q, &h, `SELECT o.id, o.number, o.supplier_id, c.code AS supplier, o.location_id, o.currency,
		o.rate, o.status, o.order_date FROM purchase_orders o JOIN companies c ON c.id = o.supplier_id WHERE o.number = $1`,
		strings.TrimSpace(number))
	if err != nil {
		if fault.Is(db.Classify(err), fault.NotFound) {
			return LandedDoc{}, fault.NotFoundf("purchase order %s does not exist (see stockctl po list)", number)
		}
		return LandedDoc{}, db.Classify(err)
	}
	base, err := currency.Base(ctx, q)
	if err != nil {
		return LandedDoc{}, err
	}
	places, err := minorUnits(ctx, q, base)
	if err != nil {
		return LandedDoc{}, err
	}
	doc := LandedDoc{PO: h.Number, BaseCurrency: base, Costs: []LandedCost{}, Shares: []Share{}}
	if doc.Costs, err = loadCosts(ctx, q, h); err != nil {
		return doc, err
	}
	stored, err := storedShares(ctx, q, h.ID)
	if err != nil {
		return doc, err
	}
	var lines []costLine
	if h.Rate != nil {
		if lines, err = receivedLines(ctx, q, h.ID, *h.Rate); err != nil {
			return doc, err
		}
	}
	byID := map[int64]LandedCost{}
	for _, c := range doc.Costs {
		byID[c.id] = c
	}
	for _, c := range doc.Costs {
		if ss, ok := stored[c.id]; ok {
			prev := previously(c, stored)
			for _, st := range ss {
				total := decimal.Zero
				for _, x := range ss {
					total = total.Add(x.Basis)
				}
				s := Share{Cost: c.No, LineNo: st.LineNo, SKU: st.SKU, Basis: normal(st.Basis), BasisTotal: normal(total),
					Exact: normal(c.BaseAmount.Mul(st.Basis).DivRound(total, places+4)), Share: st.Share, Previously: prev[st.LineID],
					Posted: st.Posted, QtyReceived: st.QtyReceived}
				s.Remainder = st.Share.Sub(s.Exact.RoundFloor(places))
				onHand, inv, cogs := st.OnHand, st.Inventory, st.COGS
				s.OnHand, s.Inventory, s.COGS = &onHand, &inv, &cogs
				s.Explain = explain(c, s, base, places)
				doc.Shares = append(doc.Shares, s)
			}
			continue
		}
		if c.Status != CostOpen || len(lines) == 0 {
			continue
		}
		shares, _, err := plan(c, lines, previously(c, stored), places)
		if err != nil {
			continue // show still works; post says what is wrong
		}
		for _, s := range shares {
			s.Explain = explain(c, s, base, places) + " (not posted yet)"
			doc.Shares = append(doc.Shares, s)
		}
	}
	return doc, nil
}

// previously is what the estimate c replaces posted on each line (by PO line id).
func previously(c LandedCost, stored map[int64][]storedShare) map[int64]decimal.Decimal {
	out := map[int64]decimal.Decimal{}
	if c.replacesID == nil {
		return out
	}
	for _, s := range stored[*c.replacesID] {
		out[s.LineID] = s.Share
	}
	return out
}

// PostCosts posts every open landed cost of a purchase order over the lines received so far:
// each line's share raises the unit cost of its stock — the part still on hand raises the
// average cost, the part already issued goes to COGS — through stock.Revalue. An actual cost
// that replaces a posted estimate posts only the difference on each line, and the estimate
// becomes replaced. Post landed costs once the goods they cover have arrived: stock received
// after a cost is posted does not share in it.
func PostCosts(ctx context.Context, q sqlx.ExtContext, number string) (LandedDoc, error) {
	h, err := lockPO(ctx, q, number)
	if err != nil {
		return LandedDoc{}, err
	}
	if h.Status == Draft || h.Status == Cancelled || h.Rate == nil {
		return LandedDoc{}, fault.Invalidf("po", "%s is %s: landed costs are posted over received stock", h.Number, h.Status)
	}
	costs, err := loadCosts(ctx, q, h)
	if err != nil {
		return LandedDoc{}, err
	}
	var open []LandedCost
	for _, c := range costs {
		if c.Status == CostOpen {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return LandedDoc{}, fault.Invalidf("po", "%s has no landed costs to post: add one with stockctl landed-cost add %s --amount X", h.Number, h.Number)
	}
	lines, err := receivedLines(ctx, q, h.ID, *h.Rate)
	if err != nil {
		return LandedDoc{}, err
	}
	if len(lines) == 0 {
		return LandedDoc{}, fault.Invalidf("po", "%s has received no stock yet: receive it first (stockctl po receive %s), then post its landed costs", h.Number, h.Number)
	}
	base, err := currency.Base(ctx, q)
	if err != nil {
		return LandedDoc{}, err
	}
	places, err := minorUnits(ctx, q, base)
	if err != nil {
		return LandedDoc{}, err
	}
	stored, err := storedShares(ctx, q, h.ID)
	if err != nil {
		return LandedDoc{}, err
	}
	gls, err := settings.Values(ctx, q, "gl_inventory", "gl_cogs")
	if err != nil {
		return LandedDoc{}, err
	}
	products := map[string]catalog.Product{}
	for _, l := range lines {
		if _, ok := products[l.SKU]; !ok {
			p, err := catalog.Get(ctx, q, l.SKU)
			if err != nil {
				return LandedDoc{}, err
			}
			products[l.SKU] = p
		}
	}
	for _, c := range open {
		shares, bs, err := plan(c, lines, previously(c, stored), places)
		if err != nil {
			return LandedDoc{}, err
		}
		var revs []stock.Revaluation
		var revLine []int // the share each revaluation belongs to
		for i, s := range shares {
			if s.Posted.IsZero() {
				continue
			}
			p := products[s.SKU]
			r := stock.Revaluation{Product: p, Amount: s.Posted, Qty: lines[i].ReceivedQty, Kind: KindLandedCost, Reference: h.Number,
				GLCode: p.InventoryGL, COGSGLCode: p.COGSGL,
				Narrative: fmt.Sprintf("landed cost %d of %s: %s %s %s, line %d", c.No, h.Number, c.Kind, c.Amount, c.Currency, s.LineNo)}
			if r.GLCode == "" {
				r.GLCode = gls["gl_inventory"]
			}
			if r.COGSGLCode == "" {
				r.COGSGLCode = gls["gl_cogs"]
			}
			revs = append(revs, r)
			revLine = append(revLine, i)
		}
		done, err := stock.Revalue(ctx, q, revs)
		if err != nil {
			return LandedDoc{}, fault.Wrap(fault.KindOf(err), err, "landed cost %d of %s", c.No, h.Number)
		}
		type split struct {
			onHand, inv, cogs decimal.Decimal
			id                *int64
		}
		splits := make([]split, len(shares))
		for k, rv := range done {
			id := rv.ID
			splits[revLine[k]] = split{rv.OnHand, rv.InventoryValue, rv.COGSValue, &id}
		}
		for i, s := range shares {
			sp := splits[i] // zero (nothing posted) when the share did not change
			if _, err := q.ExecContext(ctx, `INSERT INTO landed_cost_shares (landed_cost_id, po_line_id, basis, share, posted,
				qty_received, on_hand, inventory_value, cogs_value, revaluation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				c.id, lines[i].ID, bs[i], s.Share, s.Posted, lines[i].ReceivedQty, sp.onHand, sp.inv, sp.cogs, sp.id); err != nil {
				return LandedDoc{}, db.Classify(err)
			}
		}
		if _, err := q.ExecContext(ctx, `UPDATE landed_costs SET status = 'posted', posted_at = now(), posted_by = stockctl_actor()
			WHERE id = $1`, c.id); err != nil {
			return LandedDoc{}, db.Classify(err)
		}
		if c.replacesID != nil {
			if _, err := q.ExecContext(ctx, `UPDATE landed_costs SET status = 'replaced' WHERE id = $1`, *c.replacesID); err != nil {
				return LandedDoc{}, db.Classify(err)
			}
		}
	}
	return Costs(ctx, q, h.Number)
}
