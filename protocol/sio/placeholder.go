package sio

import (
	"math"
	"strconv"
)

// checkPlaceholders verifies, as the reference does when it rebuilds a binary
// packet, that every attachment placeholder in the JSON value d refers to one
// of n attachments. A placeholder is an object whose key "_placeholder" is
// true; its "num" must be an integer in [0, n). The reference does not look
// inside a placeholder, so neither does this.
func checkPlaceholders(d []byte, n int) error {
	_, err := walkValue(d, skipSpace(d, 0), n)
	return err
}

// walkValue checks the placeholders of the value at d[i] and returns the index
// past it.
func walkValue(d []byte, i, n int) (int, error) {
	if i >= len(d) {
		return i, errMalformed
	}
	switch d[i] {
	case '[':
		i = skipSpace(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1, nil
		}
		var inner error // first error inside, returned once the array is walked
		for {
			var err error
			if i, err = walkValue(d, i, n); err == errMalformed {
				return i, err
			} else if err != nil && inner == nil {
				inner = err
			}
			i = skipSpace(d, i)
			if i >= len(d) {
				return i, errMalformed
			}
			switch d[i] {
			case ',':
				i = skipSpace(d, i+1)
			case ']':
				return i + 1, inner
			default:
				return i, errMalformed
			}
		}
	case '{':
		return walkObject(d, i, n)
	default:
		end := valueEnd(d, i)
		if end < 0 {
			return i, errMalformed
		}
		return end, nil
	}
}

func walkObject(d []byte, i, n int) (int, error) {
	var (
		placeholder bool
		num         []byte
		inner       error // first error inside, ignored if this is a placeholder
	)
	i = skipSpace(d, i+1)
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
		i = skipSpace(d, kend)
		if i >= len(d) || d[i] != ':' {
			return i, errMalformed
		}
		i = skipSpace(d, i+1)
		start := i
		end, err := walkValue(d, i, n)
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
			num = d[start:end]
		}
		i = skipSpace(d, end)
		if i >= len(d) {
			return i, errMalformed
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
			continue
		case '}':
		default:
			return i, errMalformed
		}
		i++
		break
	}
	if !placeholder {
		return i, inner
	}
	if num == nil {
		return i, errIllegalPlaceholder("without num", n)
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f < 0 || f >= float64(n) || f != math.Trunc(f) {
		return i, errIllegalPlaceholder(string(num), n)
	}
	return i, nil
}
