package commands

import "testing"

// so cancel takes back the draft PO po generate --from-backorders made only for the order:
// its line is removed, the PO cancelled, and stderr says so.
func TestSOCancelTakesBackDraftPO(t *testing.T) {
	t.Parallel()
	url := purchasingSetup(t)
	run(t, url, "supplier", "price", "add", "HOME", "W", "--price", "4", "--pack", "6").wantCode(t, ExitOK)
	run(t, url, "so", "new", "CUST", "--location", "MAIN").wantCode(t, ExitOK)
	run(t, url, "so", "add", "SO-000001", "W", "5", "--price", "9").wantCode(t, ExitOK)
	run(t, url, "so", "confirm", "SO-000001").wantCode(t, ExitOK)
	// 5 W backordered, ordered as one pack of 6 from HOME on PO-000001.
	run(t, url, "po", "generate", "--from-backorders").wantCode(t, ExitOK)
	run(t, url, "so", "cancel", "SO-000001").wantCode(t, ExitOK).wantErr(t,
		"SO-000001 cancelled\nPO-000001 line 1 (6 W, ordered only for SO-000001) removed\nPO-000001 cancelled: nothing else was on it\n")
	var doc poJSON
	run(t, url, "po", "show", "PO-000001", "-o", "json").wantCode(t, ExitOK).json(t, &doc)
	if doc.Status != "cancelled" {
		t.Fatalf("PO-000001 after the cancel: %+v", doc)
	}
	run(t, url, "stock", "check").wantCode(t, ExitOK)
}
