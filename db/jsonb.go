package db

import "github.com/stockctl/stockctl/io/exactjson"

// JSON encodes v for a jsonb column as encoding/json does, except that decimals keep their
// own scale: 2.50 is written "2.50", where decimal's MarshalJSON would write "2.5". So what
// json.Unmarshal reads back from the column prints exactly as v did (a posting's result
// kept with its ref, shown again when the ref is reused). See exactjson.Marshal.
func JSON(v any) ([]byte, error) {
	return exactjson.Marshal(v, true)
}
