package ciimage

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Tags that the loader puts on plain scalars, following the types Ruby's
// Psych ScalarScanner (YAML 1.1) gives them in GitLab.
const (
	tagNull   = "!!null"
	tagBool   = "!!bool"
	tagInt    = "!!int"
	tagFloat  = "!!float"
	tagString = "!!str"
	tagMap    = "!!map"
	tagSeq    = "!!seq"
	// tagSymbol marks a plain scalar written as :name, which Psych loads as
	// a Ruby Symbol: not a String, but it prints without the colon.
	tagSymbol = "!ruby/symbol"
	// tagReference is GitLab's custom tag for references into the config.
	tagReference = "!reference"
)

// Patterns of Psych's ScalarScanner (psych 5.x, lib/psych/scalar_scanner.rb).
var (
	psychTime         = regexp.MustCompile(`^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$`)
	psychDate         = regexp.MustCompile(`^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$`)
	psychPosInf       = regexp.MustCompile(`(?i)^\+?\.inf$`)
	psychNegInf       = regexp.MustCompile(`(?i)^-\.inf$`)
	psychNaN          = regexp.MustCompile(`(?i)^\.nan$`)
	psychSexagesimal  = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$`)
	psychSexagesFloat = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$`)
	psychFloat        = regexp.MustCompile(`^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$`)
	psychLoneDot      = regexp.MustCompile(`^[-+]?\.$`)
	psychInteger      = regexp.MustCompile(`^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$`)
)

// plainScalarTag returns the tag Psych's ScalarScanner gives a plain
// (unquoted, untagged) scalar. A date or time returns the name of the Ruby
// class instead, because GitLab loads YAML with only Symbol permitted, so
// such a scalar fails to load.
func plainScalarTag(value string) (tag, disallowedClass string) {
	switch {
	case value == "":
		return tagNull, ""
	case startsLikeWord(value) || strings.Contains(value, "\n"):
		return wordLikeTag(value), ""
	// Each regular expression below runs only when the value passes a
	// check that every match of it passes.
	case startsLikeDate(value) && psychTime.MatchString(value):
		return "", "Time"
	case startsLikeDate(value) && psychDate.MatchString(value):
		return "", "Date"
	case len(value) <= 5 && (psychPosInf.MatchString(value) || psychNegInf.MatchString(value) || psychNaN.MatchString(value)):
		return tagFloat, ""
	case len(value) > 1 && value[0] == ':':
		return tagSymbol, ""
	case strings.IndexByte(value, ':') >= 0 && psychSexagesimal.MatchString(value):
		return tagInt, ""
	case strings.IndexByte(value, ':') >= 0 && psychSexagesFloat.MatchString(value):
		return tagFloat, ""
	case strings.IndexByte(value, '.') >= 0 && psychFloat.MatchString(value):
		if psychLoneDot.MatchString(value) {
			return tagString, ""
		}
		return tagFloat, ""
	case startsLikeNumber(value) && psychInteger.MatchString(value):
		if _, ok := parseRubyInteger(value); ok {
			return tagInt, ""
		}
		return tagString, ""
	}
	return tagString, ""
}

// startsLikeDate reports whether value starts as psychTime and psychDate
// require: an optional '-', four digits, then '-'.
func startsLikeDate(value string) bool {
	value = strings.TrimPrefix(value, "-")
	if len(value) < 5 || value[4] != '-' {
		return false
	}
	for _, b := range []byte(value[:4]) {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

// startsLikeNumber reports whether value starts as psychInteger requires:
// with a sign or a digit.
func startsLikeNumber(value string) bool {
	return value != "" && (value[0] == '-' || value[0] == '+' || (value[0] >= '0' && value[0] <= '9'))
}

// startsLikeWord reports what Psych's first pattern,
// ^[^\d.:-]?[[:alpha:]_\s!@#$%^&*(){}<>|/\\~;=]+, matches: a word
// character first, or one after a first character that is not a digit,
// '.', ':' or '-'.
func startsLikeWord(value string) bool {
	first, size := utf8.DecodeRuneInString(value)
	if isWordRune(first) {
		return true
	}
	if size >= len(value) || unicode.IsDigit(first) || strings.ContainsRune(".:-", first) {
		return false
	}
	second, _ := utf8.DecodeRuneInString(value[size:])
	return isWordRune(second)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsSpace(r) || strings.ContainsRune("_!@#$%^&*(){}<>|/\\~;=", r)
}

// wordLikeTag handles scalars that start like a word: only short ones can
// be null or a boolean. Psych does not treat y and n as booleans.
func wordLikeTag(value string) string {
	if len(value) > 5 {
		return tagString
	}
	// Psych's patterns are /^null$/i and the two in isBoolWord.
	switch {
	case value == "~" || strings.EqualFold(value, "null"):
		return tagNull
	case isBoolWord(value, "yes", "true", "on"), isBoolWord(value, "no", "false", "off"):
		return tagBool
	}
	return tagString
}

// isBoolWord reports whether value is one of words in any case, as
// Psych's patterns /^(yes|true|on)$/i and /^(no|false|off)$/i match them.
func isBoolWord(value string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(value, w) {
			return true
		}
	}
	return false
}

// scalarString returns a scalar's value as GitLab turns it into a string
// with Ruby's to_s. Null is "", and booleans are "true" or "false".
// Integers are in decimal (010 is "8", 1_000 is "1000"), and floats use
// Ruby's float format (3.10 is "3.1", 1.0e+3 is "1000.0"). Strings, quoted scalars and
// values of other tags are returned as written.
func scalarString(n *yaml.Node) string {
	switch n.Tag {
	case tagNull:
		return ""
	case tagBool:
		if isBoolWord(n.Value, "no", "false", "off") {
			return "false"
		}
		return "true"
	case tagInt:
		if i, ok := parseRubyInteger(n.Value); ok {
			return i.String()
		}
	case tagFloat:
		if f, ok := parseRubyFloat(n.Value); ok {
			return formatRubyFloat(f)
		}
	case tagSymbol:
		return strings.TrimPrefix(n.Value, ":")
	}
	return n.Value
}

// parseRubyInteger reads an integer as Psych does: sexagesimal forms, then
// Ruby's Integer() after removing commas and underscores (0x, 0b and a
// leading 0 for octal).
func parseRubyInteger(value string) (*big.Int, bool) {
	if psychSexagesimal.MatchString(value) {
		return big.NewInt(int64(sexagesimal(value))), true
	}
	s := strings.NewReplacer(",", "", "_", "").Replace(value)
	negative := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		negative = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0b"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	i, ok := new(big.Int).SetString(s, base)
	if !ok {
		return nil, false
	}
	if negative {
		i.Neg(i)
	}
	return i, true
}

// sexagesimal computes a base-60 value the way Psych does. Psych weights
// the parts by 60^|index-2|, so a two-part value such as 1:20 is read as
// hours and minutes (4800), and a leading minus sign applies to the first
// part only.
func sexagesimal(value string) float64 {
	var total float64
	for i, part := range strings.Split(value, ":") {
		total += rubyToF(part) * math.Pow(60, math.Abs(float64(i-2)))
	}
	return total
}

// rubyToF converts a leading number as Ruby's to_i and to_f do, ignoring
// underscores between digits and anything after the number.
func rubyToF(s string) float64 {
	s = strings.ReplaceAll(s, "_", "")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && (s[0] == '-' || s[0] == '+'))) {
		end++
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s[:end], "."), 64)
	if err != nil {
		return 0
	}
	return f
}

// parseRubyFloat reads a float scalar as Psych does.
func parseRubyFloat(value string) (float64, bool) {
	switch {
	case psychPosInf.MatchString(value):
		return math.Inf(1), true
	case psychNegInf.MatchString(value):
		return math.Inf(-1), true
	case psychNaN.MatchString(value):
		return math.NaN(), true
	case psychSexagesFloat.MatchString(value):
		return sexagesimal(value), true
	}
	s := strings.NewReplacer(",", "", "_", "").Replace(value)
	s = strings.Replace(s, ".e", "e", 1)
	s = strings.Replace(s, ".E", "E", 1)
	s = strings.TrimSuffix(s, ".")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// formatRubyFloat formats f as Ruby's Float#to_s: the shortest digits that
// read back as f, in fixed notation with at least one decimal when the
// decimal exponent is between -4 and 16, else as d.ddde+XX.
func formatRubyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}

	sign := ""
	if math.Signbit(f) {
		sign = "-"
		f = -f
	}
	if f == 0 {
		return sign + "0.0"
	}

	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	exp, _ := strconv.Atoi(exponent)
	decimalPoint := exp + 1

	switch {
	case decimalPoint > 0 && decimalPoint <= 16:
		if len(digits) <= decimalPoint {
			return sign + digits + strings.Repeat("0", decimalPoint-len(digits)) + ".0"
		}
		return sign + digits[:decimalPoint] + "." + digits[decimalPoint:]
	case decimalPoint <= 0 && decimalPoint > -4:
		return sign + "0." + strings.Repeat("0", -decimalPoint) + digits
	}
	fraction := digits[1:]
	if fraction == "" {
		fraction = "0"
	}
	expSign := "+"
	if exp < 0 {
		expSign = "-"
		exp = -exp
	}
	return sign + digits[:1] + "." + fraction + "e" + expSign + padTwo(exp)
}

func padTwo(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
