package logging

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// Stream names in the json-file format.
const (
	stdoutStream = "stdout"
	stderrStream = "stderr"
)

// entry is one line of a json-file log: a whole output line ending in
// "\n", or a partial one (at most 16 KiB of a longer line, or what was left
// without a newline) that the next entry of its stream continues.
type entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// partial reports whether the entry's line continues in a later entry.
func (e *entry) partial() bool { return len(e.Log) == 0 || e.Log[len(e.Log)-1] != '\n' }

func decodeEntry(line []byte, e *entry) error {
	*e = entry{}
	return json.Unmarshal(line, e)
}

// appendEntry appends one json-file line, byte for byte what Docker writes:
// {"log":"...","stream":"stdout","time":"2006-01-02T15:04:05.999999999Z"}\n
// The encoder is hand-written so that the logger does not need reflection;
// it escapes exactly as encoding/json does (tested against it).
func appendEntry(dst, log []byte, stream string, t time.Time) []byte {
	dst = append(dst, `{"log":"`...)
	dst = appendEscaped(dst, log)
	dst = append(dst, `","stream":"`...)
	dst = append(dst, stream...)
	dst = append(dst, `","time":"`...)
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, "\"}\n"...)
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s as the inside of a JSON string: HTML-safe, with
// invalid UTF-8 replaced by U+FFFD, as encoding/json does.
func appendEscaped(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
