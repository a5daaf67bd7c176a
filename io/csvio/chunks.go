package csvio

// ChunkRows is how many rows an import that checks its rows in Go (price breaks, special
// prices, stock levels, stock adjustments) reads, checks and writes at a time, all in the
// one transaction: its memory holds one chunk, whatever the file's size. An import takes
// another size from ImportOptions.ChunkRows.
const ChunkRows = 10000

// Chunk is the number of rows the import reads, checks and writes at a time: o.ChunkRows,
// or ChunkRows when that is not positive.
func (o ImportOptions) Chunk() int {
	if o.ChunkRows > 0 {
		return o.ChunkRows
	}
	return ChunkRows
}
