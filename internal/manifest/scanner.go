package manifest

import (
	"bufio"
	"io"
)

// MaxRecordBytes bounds one CSV row (all its fields), so that reading a
// manifest takes bounded memory whatever its content. A row holds at most a
// bucket name, a key of 1,024 bytes URL-encoded to at most 3 KiB, a version
// ID and, in inventory files, a few dozen short columns plus an ACL.
const MaxRecordBytes = 64 << 10

// scanner reads RFC 4180 records one at a time: fields separated by ',',
// records ended by LF or CRLF, fields optionally in double quotes with ""
// for a quote inside; a quoted field may hold commas and line breaks
// (kept byte for byte). Blank lines are skipped. It reuses its buffers:
// the fields of a record stay valid until the next call.
type scanner struct {
	r       *bufio.Reader
	line    int // line of the next byte, 1-based
	recLine int // line on which the last record started
	buf     []byte
	ends    []int
	fields  []string
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: bufio.NewReaderSize(r, 64<<10), line: 1}
}

// next reads the next record. It returns io.EOF after the last one; other
// errors are *LineError (malformed) or the reader's error.
func (s *scanner) next() ([]string, error) {
	if err := s.skipBlank(); err != nil {
		return nil, err
	}
	s.recLine = s.line
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	for {
		more, err := s.field()
		if err != nil {
			return nil, err
		}
		s.ends = append(s.ends, len(s.buf))
		if !more {
			break
		}
	}
	all := string(s.buf)
	s.fields = s.fields[:0]
	start := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, all[start:end])
		start = end
	}
	return s.fields, nil
}

// skipBlank consumes empty lines before a record.
func (s *scanner) skipBlank() error {
	for {
		b, err := s.r.Peek(2)
		switch {
		case len(b) == 0:
			return err
		case b[0] == '\n':
			_, _ = s.r.Discard(1)
		case b[0] == '\r' && len(b) == 2 && b[1] == '\n':
			_, _ = s.r.Discard(2)
		default:
			return nil
		}
		s.line++
	}
}

// peek reports whether the next byte is c.
func (s *scanner) peek(c byte) bool {
	b, err := s.r.Peek(1)
	return err == nil && b[0] == c
}

func (s *scanner) bad(err error) error { return &LineError{Line: s.recLine, Err: err} }

func (s *scanner) add(c byte) error {
	if len(s.buf) >= MaxRecordBytes {
		return s.bad(ErrRecordTooLong)
	}
	s.buf = append(s.buf, c)
	return nil
}

// field reads one field into buf and reports whether another field of the
// same record follows.
func (s *scanner) field() (more bool, err error) {
	c, err := s.r.ReadByte()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c == '"' {
		return s.quoted()
	}
	for {
		switch {
		case c == ',':
			return true, nil
		case c == '\n':
			s.line++
			return false, nil
		case c == '\r' && s.peek('\n'):
			_, _ = s.r.ReadByte()
			s.line++
			return false, nil
		case c == '"':
			return false, s.bad(ErrBareQuote)
		}
		if err := s.add(c); err != nil {
			return false, err
		}
		if c, err = s.r.ReadByte(); err == io.EOF {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
}

// quoted reads the rest of a field that began with '"'.
func (s *scanner) quoted() (more bool, err error) {
	for {
		c, err := s.r.ReadByte()
		if err == io.EOF {
			return false, s.bad(ErrQuote)
		}
		if err != nil {
			return false, err
		}
		if c == '"' {
			if !s.peek('"') {
				return s.afterQuote()
			}
			_, _ = s.r.ReadByte()
		} else if c == '\n' {
			s.line++
		}
		if err := s.add(c); err != nil {
			return false, err
		}
	}
}

// afterQuote reads what follows a closing quote: a separator, a line end
// or the end of input.
func (s *scanner) afterQuote() (more bool, err error) {
	c, err := s.r.ReadByte()
	switch {
	case err == io.EOF:
		return false, nil
	case err != nil:
		return false, err
	case c == ',':
		return true, nil
	case c == '\n':
		s.line++
		return false, nil
	case c == '\r' && s.peek('\n'):
		_, _ = s.r.ReadByte()
		s.line++
		return false, nil
	}
	return false, s.bad(ErrQuote)
}
