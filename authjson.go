package ciimage

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// jsonKey is one object key in a JSON document: the keys leading to it,
// itself last, and the byte offset where the key starts.
type jsonKey struct {
	components []string
	offset     int64
}

// jsonFrame is one open object or array while walking a JSON document.
type jsonFrame struct {
	object    bool
	key       string
	expectKey bool
	index     int
}

// walkJSON reads the first JSON value in data token by token, as
// json.Decoder.Decode does, and records every object key with its offset.
// It stops at the first syntax error, or after the token that ends at or
// beyond stopAt. It then returns the key path of the value being read
// (such as auths.registry.example.com.auth) and the offset where the last
// token read starts.
func walkJSON(data []byte, stopAt int64) (keys []jsonKey, at string, atOffset int64) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []jsonFrame

	for {
		start := skipJSONSeparators(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return keys, framePath(stack), start
		}
		atOffset = start

		top := len(stack) - 1
		_, isString := tok.(string)
		isKey := isString && top >= 0 && stack[top].object && stack[top].expectKey
		if top >= 0 && !stack[top].object && tok != json.Delim(']') {
			stack[top].index++
		}
		stop := dec.InputOffset() >= stopAt

		switch {
		case isKey:
			key, _ := tok.(string)
			stack[top].key = key
			stack[top].expectKey = false
			keys = append(keys, jsonKey{components: frameKeys(stack), offset: start})
		case tok == json.Delim('{'):
			stack = append(stack, jsonFrame{object: true, expectKey: true})
		case tok == json.Delim('['):
			stack = append(stack, jsonFrame{index: -1})
		case stop:
			// The value that failed to decode: report the path to it.
			return keys, framePath(stack), atOffset
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:top]
			endValue(stack)
		default:
			endValue(stack)
		}

		if stop {
			return keys, framePath(stack), atOffset
		}
		if len(stack) == 0 && !isKey {
			return keys, "", atOffset
		}
	}
}

// endValue marks the value of the innermost open object as read, so the
// next string token in it is a key.
func endValue(stack []jsonFrame) {
	if top := len(stack) - 1; top >= 0 && stack[top].object {
		stack[top].expectKey = true
	}
}

// frameKeys returns the object keys of the open frames, outermost first.
func frameKeys(stack []jsonFrame) []string {
	var keys []string
	for _, f := range stack {
		if f.object {
			keys = append(keys, f.key)
		} else {
			keys = append(keys, "["+strconv.Itoa(f.index)+"]")
		}
	}
	return keys
}

// framePath formats the open frames as a key path: keys joined with ".",
// array indexes as [N].
func framePath(stack []jsonFrame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case !f.object && f.index >= 0:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case f.object && f.key != "" && !f.expectKey:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

// skipJSONSeparators returns the offset of the next token at or after
// offset, skipping white space, commas and colons.
func skipJSONSeparators(data []byte, offset int64) int64 {
	for offset < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[offset]) >= 0 {
		offset++
	}
	return offset
}

// positionAt returns the line and column (both from 1) of the byte at
// offset in data.
func positionAt(file string, data []byte, offset int64) Position {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := 1 + bytes.Count(before, []byte("\n"))
	column := int(offset) - bytes.LastIndexByte(before, '\n')
	return Position{File: file, Line: line, Column: column}
}
