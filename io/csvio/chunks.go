package csvio

// ChunkRows is how many rows an import that checks its rows in Go (price breaks, special
// prices, stock levels, stock adjustments) reads, checks and writes at a time, all in the
// one transaction: its memory holds one chunk, whatever the file's size.
var ChunkRows = 10000
