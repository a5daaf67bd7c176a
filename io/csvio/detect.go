package csvio

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"unicode/utf8"
)

// peekSize is how much of a stream that cannot be rewound is looked at to detect its
// encoding, and the size of the buffers the header line is looked at in.
const peekSize = 64 << 10

var bom = []byte{0xEF, 0xBB, 0xBF}

// countingReader counts the bytes read through it; the count may be read concurrently
// (by a progress bar).
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// regularFile returns r as a file that can be scanned and rewound, if it is one.
func regularFile(r io.Reader) (*os.File, bool) {
	f, ok := r.(*os.File)
	if !ok || f == nil {
		return nil, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false
	}
	return f, true
}

// scanFile reports whether the rest of f, from its current offset, is UTF-8 (a leading
// BOM settles it without reading further), and seeks back to where it started.
func scanFile(f *os.File) (isUTF8 bool, seekable bool, err error) {
	start, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, false, nil // not seekable after all: treat it as a stream
	}
	isUTF8, err = scanUTF8(f)
	if _, serr := f.Seek(start, io.SeekStart); serr != nil && err == nil {
		err = serr
	}
	return isUTF8, true, err
}

// scanUTF8 reads r to its end and reports whether it is valid UTF-8, in constant memory.
// A rune cut at a chunk boundary is carried over to the next chunk.
func scanUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, peekSize)
	carry, first := 0, true
	for {
		n, err := io.ReadFull(r, buf[carry:])
		n += carry
		if first && bytes.HasPrefix(buf[:n], bom) {
			return true, nil
		}
		first = false
		end := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !end {
			return false, err
		}
		cut := 0
		if !end {
			cut = incompleteTail(buf[:n])
		}
		if !utf8.Valid(buf[:n-cut]) {
			return false, nil
		}
		if end {
			return true, nil
		}
		carry = copy(buf, buf[n-cut:n])
	}
}

// incompleteTail is the length of a rune at the end of p that has begun but not ended
// (0 to 3 bytes); it may complete when more bytes come.
func incompleteTail(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if utf8.FullRune(p[i:]) {
				return 0
			}
			return len(p) - i
		}
	}
	return 0
}

// peekUTF8 reports whether the first peekSize bytes of br are UTF-8 without consuming
// them; a rune cut by the peek limit does not count against it.
func peekUTF8(br *bufio.Reader) (bool, error) {
	p, err := br.Peek(peekSize)
	switch {
	case err == nil:
		p = p[:len(p)-incompleteTail(p)]
	case errors.Is(err, io.EOF):
		// the whole stream is in p
	default:
		return false, err
	}
	return utf8.Valid(p), nil
}

// stripBOM drops a UTF-8 byte order mark at the start of br and reports whether there was one.
func stripBOM(br *bufio.Reader) (bool, error) {
	p, err := br.Peek(len(bom))
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if bytes.Equal(p, bom) {
		_, _ = br.Discard(len(bom))
		return true, nil
	}
	return false, nil
}

// detectDelimiter picks the most frequent of ',', ';' and '\t' outside quotes on the first
// line of br that is not blank, without consuming anything. Ties, and a line with none of
// them, give ','. At most peekSize bytes are looked at.
func detectDelimiter(br *bufio.Reader) (rune, error) {
	for n := 512; ; n *= 2 {
		if n > peekSize {
			n = peekSize
		}
		p, err := br.Peek(n)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return 0, err
		}
		d, done := countDelimiters(p)
		if done || err != nil || n == peekSize {
			return d, nil
		}
	}
}

// countDelimiters scans p for the header line; done says whether the line ended in p.
func countDelimiters(p []byte) (d rune, done bool) {
	var comma, semi, tab int
	inQuote, blank := false, true
	for _, c := range p {
		if c == '"' {
			inQuote = !inQuote
			blank = false
			continue
		}
		if inQuote {
			continue
		}
		switch c {
		case ',':
			comma++
		case ';':
			semi++
		case '\t':
			tab++
		case '\n':
			if blank {
				continue // a blank line before the header
			}
			return pick(comma, semi, tab), true
		case ' ', '\r':
			continue
		}
		blank = false
	}
	return pick(comma, semi, tab), false
}

func pick(comma, semi, tab int) rune {
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	}
	return ','
}
