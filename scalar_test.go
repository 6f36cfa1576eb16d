package ciimage

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"gopkg.in/yaml.v3"
)

func TestPlainScalarTypes(t *testing.T) {
	tests := []struct {
		value, tag, str string
	}{
		{"on", tagBool, "true"},
		{"Yes", tagBool, "true"},
		{"OFF", tagBool, "false"},
		{"no", tagBool, "false"},
		{"true", tagBool, "true"},
		{"False", tagBool, "false"},
		{"y", tagString, "y"},
		{"n", tagString, "n"},
		{"~", tagNull, ""},
		{"null", tagNull, ""},
		{"NULL", tagNull, ""},
		{"", tagNull, ""},
		{"010", tagInt, "8"},
		{"0x1F", tagInt, "31"},
		{"0b101", tagInt, "5"},
		{"1_000", tagInt, "1000"},
		{"1,000", tagInt, "1000"},
		{"-42", tagInt, "-42"},
		{"08", tagString, "08"},
		{"123456789012345678901234567890", tagInt, "123456789012345678901234567890"},
		{"1:20", tagInt, "4800"},
		{"1:20:30", tagInt, "4830"},
		{"3.10", tagFloat, "3.1"},
		{"1.0", tagFloat, "1.0"},
		{"1.", tagFloat, "1.0"},
		{".5", tagFloat, "0.5"},
		{"1.5e+3", tagFloat, "1500.0"},
		{"1e3", tagString, "1e3"},
		{"1.0e3", tagString, "1.0e3"},
		{".inf", tagFloat, "Infinity"},
		{"-.Inf", tagFloat, "-Infinity"},
		{".NaN", tagFloat, "NaN"},
		{".", tagString, "."},
		{":sym", tagSymbol, "sym"},
		{"ruby:3.3", tagString, "ruby:3.3"},
		{"3.10.1", tagString, "3.10.1"},
		{"yes please", tagString, "yes please"},
		{"$[[ inputs.x ]]", tagString, "$[[ inputs.x ]]"},
	}
	for _, tt := range tests {
		tag, class := plainScalarTag(tt.value)
		assert.Empty(t, class, "plainScalarTag(%q) disallowed class", tt.value)
		assert.Equal(t, tt.tag, tag, "plainScalarTag(%q)", tt.value)
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: tt.value}
		assert.Equal(t, tt.str, scalarString(n), "scalarString(%q)", tt.value)
	}
}

func TestPlainScalarDisallowedClasses(t *testing.T) {
	tests := map[string]string{
		"2024-01-31":                   "Date",
		"2024-1-5":                     "Date",
		"2001-12-14 21:59:43":          "Time",
		"2001-12-14t21:59:43.10-05:00": "Time",
	}
	for value, want := range tests {
		_, class := plainScalarTag(value)
		assert.Equal(t, want, class, "plainScalarTag(%q) class", value)
	}
}

func TestScalarStringQuotedUnchanged(t *testing.T) {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: tagString, Value: "010"}
	assert.Equal(t, "010", scalarString(n), "quoted 010")
}

func TestFormatRubyFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{3.1, "3.1"},
		{1000, "1000.0"},
		{1e15, "1000000000000000.0"},
		{1e16, "1.0e+16"},
		{1.5e20, "1.5e+20"},
		{0.0001, "0.0001"},
		{0.00001, "1.0e-05"},
		{-2.5, "-2.5"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{123456789.125, "123456789.125"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatRubyFloat(tt.f), "formatRubyFloat(%v)", tt.f)
	}
}

// TestWordLikeTagMatchesPsychPatterns checks wordLikeTag against Psych's
// case-insensitive patterns for null and booleans, written as regular
// expressions, on words in mixed case and with Unicode case variants.
func TestWordLikeTagMatchesPsychPatterns(t *testing.T) {
	null := regexp.MustCompile(`(?i)^null$`)
	boolean := regexp.MustCompile(`(?i)^(yes|true|on|no|false|off)$`)
	for _, value := range []string{
		"null", "Null", "nULL", "nul", "nulls", "yes", "YeS", "yeſ", "true", "TRUE", "tru",
		"on", "oN", "one", "no", "No", "nO", "false", "fAlSe", "off", "OFf", "of", "y", "n", "~", "ok",
	} {
		want := tagString
		switch {
		case value == "~" || null.MatchString(value):
			want = tagNull
		case boolean.MatchString(value):
			want = tagBool
		}
		assert.Equal(t, want, wordLikeTag(value), "wordLikeTag(%q)", value)
	}
}

// TestPlainScalarTagGuards checks plainScalarTag against the same Psych
// patterns tried in order without the cheap checks that skip them, on
// values near each pattern's edges.
func TestPlainScalarTagGuards(t *testing.T) {
	unguarded := func(value string) (string, string) {
		switch {
		case value == "":
			return tagNull, ""
		case startsLikeWord(value) || strings.Contains(value, "\n"):
			return wordLikeTag(value), ""
		case psychTime.MatchString(value):
			return "", "Time"
		case psychDate.MatchString(value):
			return "", "Date"
		case psychPosInf.MatchString(value), psychNegInf.MatchString(value), psychNaN.MatchString(value):
			return tagFloat, ""
		case len(value) > 1 && value[0] == ':':
			return tagSymbol, ""
		case psychSexagesimal.MatchString(value):
			return tagInt, ""
		case psychSexagesFloat.MatchString(value):
			return tagFloat, ""
		case psychFloat.MatchString(value):
			if psychLoneDot.MatchString(value) {
				return tagString, ""
			}
			return tagFloat, ""
		case psychInteger.MatchString(value):
			if _, ok := parseRubyInteger(value); ok {
				return tagInt, ""
			}
			return tagString, ""
		}
		return tagString, ""
	}
	values := []string{
		"2024-01-02", "-2024-01-02 10:20:30", "2024-1-2T1:02:03.5Z", "2024-01-02 10:20:30 +01:00",
		"202-01-02", "2024/01/02", "-2024", "20240-1-2", "2024-", "١٢٣٤-01-02",
		".inf", "+.inf", "-.Inf", ".NaN", ".nan ", "+.nan", "-.infinity",
		":sym", ":", "1:20", "-1:20:30", "+1_0:59", "1:60", "1:20.5", "1:20:30.", "12:3a",
		"1.5", "-.5", "+.", ".", "1,000.5e+3", ".e", "1.5e3", ".chain-0-level-01",
		"0", "-0", "+12", "0x1F", "0b101", "017", "09", "1_000", "1,000", "-", "+", "0x", "1e5",
		"-x", "+x", "@x", "%", "...", "--", "-.", "..5",
	}
	for _, value := range values {
		wantTag, wantClass := unguarded(value)
		tag, class := plainScalarTag(value)
		assert.Equal(t, wantTag, tag, "plainScalarTag(%q) tag", value)
		assert.Equal(t, wantClass, class, "plainScalarTag(%q) class", value)
	}
}
