package logging

import (
	"fmt"
	"strconv"
	"strings"
)

// parseDecimalSize reads a size as Docker's json-file max-size does:
// "10m", "10MB", "1.5k", "512"; k is 1000.
func parseDecimalSize(s string) (int64, error) { return parseSize(s, 1000) }

// parseBinarySize reads a size as Docker's local max-size does; k is 1024.
func parseBinarySize(s string) (int64, error) { return parseSize(s, 1024) }

// parseSize accepts a non-negative number, an optional space, and an
// optional unit: b, or one of k m g t p followed by nothing, "b" or "ib",
// in any case. The unit's multiplier is a power of base either way, as in
// Docker's units package.
func parseSize(s string, base int64) (int64, error) {
	i := strings.LastIndexAny(s, "0123456789. ")
	if i < 0 {
		return 0, fmt.Errorf("invalid size: '%s'", s)
	}
	num, unit := s[:i+1], strings.ToLower(s[i+1:])
	num = strings.TrimSuffix(num, " ")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || strings.ContainsAny(num, "+-eEx_ ") {
		return 0, fmt.Errorf("invalid size: '%s'", s)
	}
	if unit == "" || unit == "b" {
		return int64(f), nil
	}
	exp := strings.IndexByte("kmgtp", unit[0]) + 1
	if exp == 0 || !(len(unit) == 1 || unit[1:] == "b" || unit[1:] == "ib") {
		return 0, fmt.Errorf("invalid suffix: '%s'", unit)
	}
	mul := int64(1)
	for range exp {
		mul *= base
	}
	return int64(f * float64(mul)), nil
}
