package sio

import (
	"math"
	"strconv"

	"github.com/duplexio/duplex/internal/jsonread"
)

// checkPlaceholders verifies, as the reference does when it rebuilds a binary
// packet, that every attachment placeholder in the JSON value d refers to one
// of n attachments. A placeholder is an object whose key "_placeholder" is
// true; its "num" must be an integer in [0, n). The reference does not look
// inside a placeholder, so neither does this.
func checkPlaceholders(d []byte, n int) error {
	_, err := walkValue(d, jsonread.SkipSpace(d, 0), n, nil)
	return err
}

// placeholderRef locates a placeholder: d[start:end] holds its num,
// d[objStart:objEnd] the whole object.
type placeholderRef struct{ start, end, num, objStart, objEnd int }

// findPlaceholders is checkPlaceholders that also returns where the
// placeholders' nums are, in text order (not those inside a placeholder,
// which the reference never sees).
func findPlaceholders(d []byte, n int) ([]placeholderRef, error) {
	var refs []placeholderRef
	_, err := walkValue(d, jsonread.SkipSpace(d, 0), n, &refs)
	return refs, err
}

// walkValue checks the placeholders of the value at d[i] and returns the index
// past it. If refs is not nil, the placeholders found are appended to it.
func walkValue(d []byte, i, n int, refs *[]placeholderRef) (int, error) {
	if i >= len(d) {
		return i, errMalformed
	}
	switch d[i] {
	case '[':
		i = jsonread.SkipSpace(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1, nil
		}
		var inner error // first error inside, returned once the array is walked
		for {
			var err error
			if i, err = walkValue(d, i, n, refs); err == errMalformed {
				return i, err
			} else if err != nil && inner == nil {
				inner = err
			}
			var end, ok bool
			if i, end, ok = jsonread.NextElem(d, i, ']'); !ok {
				return i, errMalformed
			} else if end {
				return i, inner
			}
		}
	case '{':
		return walkObject(d, i, n, refs)
	default:
		end := valueEnd(d, i)
		if end < 0 {
			return i, errMalformed
		}
		return end, nil
	}
}

func walkObject(d []byte, i, n int, refs *[]placeholderRef) (int, error) {
	var (
		placeholder      bool
		numStart, numEnd = -1, -1
		inner            error // first error inside, ignored if this is a placeholder
		nrefs            int   // refs before this object
	)
	if refs != nil {
		nrefs = len(*refs)
	}
	objStart := i
	i = jsonread.SkipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	for {
		kend := -1
		if i < len(d) && d[i] == '"' {
			kend = stringEnd(d, i)
		}
		if kend < 0 {
			return i, errMalformed
		}
		key := d[i:kend]
		i = jsonread.SkipSpace(d, kend)
		if i >= len(d) || d[i] != ':' {
			return i, errMalformed
		}
		i = jsonread.SkipSpace(d, i+1)
		start := i
		end, err := walkValue(d, i, n, refs)
		if err == errMalformed {
			return end, err
		}
		if err != nil && inner == nil {
			inner = err
		}
		switch {
		case equalString(key, "_placeholder"):
			placeholder = string(d[start:end]) == "true"
		case equalString(key, "num"):
			numStart, numEnd = start, end
		}
		var closed, ok bool
		if i, closed, ok = jsonread.NextElem(d, end, '}'); !ok {
			return i, errMalformed
		} else if closed {
			break
		}
	}
	if !placeholder {
		return i, inner
	}
	if numStart < 0 {
		return i, errIllegalPlaceholder("without num", n)
	}
	num := d[numStart:numEnd]
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f < 0 || f >= float64(n) || f != math.Trunc(f) {
		return i, errIllegalPlaceholder(string(num), n)
	}
	if refs != nil {
		// The object is replaced by its attachment: placeholders inside it are gone.
		*refs = append((*refs)[:nrefs], placeholderRef{numStart, numEnd, int(f), objStart, i})
	}
	return i, nil
}
