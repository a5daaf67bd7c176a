package clock

import (
	"testing"
	"time"
)

func TestDay(t *testing.T) {
	t.Parallel()
	// 23:30 on 7 December in New York is already 8 December in UTC.
	ny := time.FixedZone("EST", -5*3600)
	got := Day(time.Date(2026, 12, 7, 23, 30, 0, 0, ny))
	if want := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Day = %v, want %v", got, want)
	}
	if d := Today(); d.Hour() != 0 || d.Minute() != 0 || d.Location() != time.UTC {
		t.Fatalf("Today = %v, want midnight UTC", d)
	}
}
