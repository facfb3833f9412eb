package opts

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The Dockerfile word rules the -c instructions follow: words are split at
// blanks outside quotes, a backslash escapes the next character, single
// quotes keep everything, and $NAME, ${NAME}, ${NAME:-word} and
// ${NAME:+word} are replaced from the environment built so far, except
// inside single quotes.

// splitWords splits s at blanks outside quotes and escapes, keeping the
// quotes and backslashes for processWord.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			continue
		}
		cur.WriteRune(r)
		inWord = true
	}
	if quote != 0 {
		return nil, unterminated(quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func unterminated(q rune) error {
	if q == '\'' {
		return errors.New("unexpected end of statement while looking for matching single-quote")
	}
	return errors.New("unexpected end of statement while looking for matching double-quote")
}

// processWord removes quotes and escapes from one word and substitutes the
// variables of env ("NAME=value" entries, the last one winning).
func processWord(s string, env []string) (string, error) {
	var out strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\\':
			if i+1 < len(rs) {
				i++
				out.WriteRune(rs[i])
			} else {
				out.WriteRune(r)
			}
		case '\'':
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return "", unterminated('\'')
			}
			out.WriteString(string(rs[i+1 : end]))
			i = end
		case '"':
			end, err := doubleQuoted(rs, i+1, env, &out)
			if err != nil {
				return "", err
			}
			i = end
		case '$':
			n, err := substitute(rs, i, env, &out)
			if err != nil {
				return "", err
			}
			i = n
		default:
			out.WriteRune(r)
		}
	}
	return out.String(), nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// doubleQuoted copies a double-quoted run starting after its quote and
// returns the index of the closing quote.
func doubleQuoted(rs []rune, i int, env []string, out *strings.Builder) (int, error) {
	for ; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '"':
			return i, nil
		case '\\':
			if i+1 < len(rs) && strings.ContainsRune(`"\$`, rs[i+1]) {
				i++
				out.WriteRune(rs[i])
			} else {
				out.WriteRune(r)
			}
		case '$':
			n, err := substitute(rs, i, env, out)
			if err != nil {
				return 0, err
			}
			i = n
		default:
			out.WriteRune(r)
		}
	}
	return 0, unterminated('"')
}

// substitute expands the variable at rs[i] == '$' and returns the index of
// its last character. A "$" not followed by a name stays as it is.
func substitute(rs []rune, i int, env []string, out *strings.Builder) (int, error) {
	if i+1 < len(rs) && rs[i+1] == '{' {
		end := indexRune(rs, i+2, '}')
		if end < 0 {
			return 0, errors.New("missing '}' in substitution")
		}
		expr := string(rs[i+2 : end])
		v, err := braced(expr, env)
		if err != nil {
			return 0, err
		}
		out.WriteString(v)
		return end, nil
	}
	j := i + 1
	for j < len(rs) && isNameRune(rs[j]) {
		j++
	}
	if j == i+1 {
		out.WriteRune('$')
		return i, nil
	}
	v, _ := lookupVar(env, string(rs[i+1:j]))
	out.WriteString(v)
	return j - 1, nil
}

// braced evaluates NAME, NAME:-word or NAME:+word.
func braced(expr string, env []string) (string, error) {
	name := expr
	mod, word := "", ""
	if k := strings.IndexRune(expr, ':'); k >= 0 {
		name, mod = expr[:k], expr[k+1:]
		if mod == "" {
			return "", fmt.Errorf("bad substitution: ${%s}", expr)
		}
		mod, word = mod[:1], mod[1:]
	}
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isNameRune(r) }) >= 0 {
		return "", fmt.Errorf("bad substitution: ${%s}", expr)
	}
	v, _ := lookupVar(env, name)
	switch mod {
	case "":
		return v, nil
	case "-":
		if v == "" {
			return word, nil
		}
		return v, nil
	case "+":
		if v != "" {
			return word, nil
		}
		return "", nil
	}
	return "", fmt.Errorf("unsupported modifier (%s) in substitution: ${%s}", mod, expr)
}

func isNameRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func lookupVar(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(env[i], "="); k == name {
			return v, true
		}
	}
	return "", false
}
