package urlx

import "errors"

var errIPLiteral = errors.New("invalid IP-literal")

// checkIPv6Literal accepts what net/url accepts between brackets: what
// netip.ParseAddr parses, except IPv4 addresses.
func checkIPv6Literal(s string) error {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.', '%':
			return errIPLiteral
		case ':':
			if !parseIPv6(s) {
				return errors.New("invalid host: ParseAddr(" + quote(s) + "): invalid IPv6 address")
			}
			return nil
		}
	}
	return errIPLiteral
}

func quote(s string) string { return "\"" + s + "\"" }

// parseIPv6 is netip's parseIPv6, reporting only whether s is valid.
func parseIPv6(in string) bool {
	s := in
	zone := ""
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			s, zone = s[:i], s[i+1:]
			if zone == "" {
				return false
			}
			break
		}
	}
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return true
		}
	}
	i := 0
	for i < 16 {
		off := 0
		acc := uint32(0)
		for ; off < len(s); off++ {
			c := s[off]
			if c >= '0' && c <= '9' {
				acc = (acc << 4) + uint32(c-'0')
			} else if c >= 'a' && c <= 'f' {
				acc = (acc << 4) + uint32(c-'a'+10)
			} else if c >= 'A' && c <= 'F' {
				acc = (acc << 4) + uint32(c-'A'+10)
			} else {
				break
			}
			if off > 3 || acc > 0xffff {
				return false
			}
		}
		if off == 0 {
			return false
		}
		if off < len(s) && s[off] == '.' {
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return false
			}
			if !ipv4Fields(s) {
				return false
			}
			s = ""
			i += 4
			break
		}
		i += 2
		s = s[off:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return false
	}
	if i < 16 {
		return ellipsis >= 0
	}
	return ellipsis < 0
}

// ipv4Fields is netip's parseIPv4Fields, reporting only whether s is valid.
func ipv4Fields(s string) bool {
	var val, pos, digLen int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digLen == 1 && val == 0 {
				return false
			}
			val = val*10 + int(c) - '0'
			digLen++
			if val > 255 {
				return false
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || pos == 3 {
				return false
			}
			pos++
			val, digLen = 0, 0
		default:
			return false
		}
	}
	return pos == 3
}
