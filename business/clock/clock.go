// Package clock is stockctl's Go-side calendar: the day documents and defaults take when
// none is given.
//
// Code that needs "today" calls Today; code that tests need to run on another day takes
// the day as an argument or an input field and falls back to Today when it is zero, so no
// test changes a global. The database judges expiry on a day of its own, which a session
// may set (inventory/stock's TodaySQL and Today(ctx, q), which read stockctl.today); this
// one is the process's clock and ignores that setting.
package clock

import "time"

// Today is the current date in UTC, at midnight.
func Today() time.Time { return Day(time.Now()) }

// Day is t's date in UTC, at midnight.
func Day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
