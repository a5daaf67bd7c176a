// Package pricing holds the rules that turn a product, customer and quantity into a price:
// selling price formulas, quantity price breaks (per price type and sales region), customer
// special prices and the one function every sales document line calls, Quote.
//
// Quote reads the product, customer, location and settings it needs in one set-based query,
// so the package reads those tables with its own SQL. Price types themselves are master
// data, in business/pricetype.
package pricing
