package csvio_test

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stockctl/stockctl/io/csvio"
)

func TestZZBig(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := []byte("sku,name;\t\"\n\r '=\xe9\xc3\xa9a")
	for _, n := range []int{1 << 16, 1 << 20} {
		for k := 0; k < 3; k++ {
			b := make([]byte, n)
			for i := range b {
				if k == 0 {
					b[i] = byte(rng.Intn(256))
				} else {
					b[i] = alpha[rng.Intn(len(alpha)-k*3)]
				}
			}
			copy(b, "sku,name\n")
			for _, opt := range fuzzOptions {
				start := time.Now()
				r, err := csvio.NewReader(asPipe(b), cols, nil, opt)
				if err == nil {
					for {
						if _, err := r.Next(); err != nil && err.Error()[:3] != "row" {
							break
						}
					}
				}
				if d := time.Since(start); d > 200*time.Millisecond {
					t.Errorf("n=%d k=%d %+v: %v", n, k, opt, d)
				}
			}
		}
	}
}
