package csvio_test

import (
	"errors"
	"testing"

	"github.com/stockctl/stockctl/fault"
	"github.com/stockctl/stockctl/io/csvio"
)

func TestRowErrorsGroupedAndRefused(t *testing.T) {
	t.Parallel()
	errs := csvio.RowErrors{
		{Row: 5, Column: "qty", Value: "x", Reason: "not a number"},
		{Row: 3, Column: "sku", Reason: "missing", Kind: fault.NotFound},
		{Row: 5, Column: "bay", Value: "Z9", Reason: "no such bay"},
	}
	if got := errs.Error(); got != "row 5: not a number; row 3: missing; row 5: no such bay" {
		t.Fatalf("Error() = %q", got)
	}
	if errs.Rows() != 2 { // rows 5 and 3
		t.Fatalf("Rows() = %d", errs.Rows())
	}
	// One input refused: its own error, with its kind (invalid when none) and field.
	if err := errs[1].Err(); !fault.Is(err, fault.NotFound) || fault.FieldOf(err) != "sku" || err.Error() != "missing" {
		t.Fatalf("Err() = %v", err)
	}
	if err := errs[0].Err(); !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "qty" {
		t.Fatalf("Err() without a kind = %v", err)
	}

	// Grouped per row in order of first appearance, then refused in row order.
	rejects := csvio.Reject(errs, func(row int) []string { return []string{"cells of", string(rune('0' + row))} })
	if len(rejects) != 2 || rejects[0].Row != 5 || len(rejects[0].Errors) != 2 || rejects[1].Row != 3 || rejects[0].Values[1] != "5" {
		t.Fatalf("Reject: %+v", rejects)
	}
	err := csvio.Refuse(rejects, "counted")
	if !fault.Is(err, fault.Invalid) || fault.FieldOf(err) != "file" || err.Error() != "2 rows are invalid, nothing counted: row 3, column sku: missing; row 5, column qty: not a number: \"x\"; row 5, column bay: no such bay: \"Z9\"" {
		t.Fatalf("Refuse: %v", err)
	}
	var re *csvio.RowsError
	if !errors.As(err, &re) || re.Rejects[0].Row != 3 || re.Rejects[1].Row != 5 {
		t.Fatalf("RowsError: %+v", re)
	}
	if err := csvio.Refuse(rejects[:1], "posted"); err.Error()[:29] != "1 row is invalid, nothing pos" {
		t.Fatalf("one row: %v", err)
	}
}
