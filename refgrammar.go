package ciimage

import "strings"

// This file matches image references against the grammar of
// reference.ReferenceRegexp in github.com/distribution/reference v0.6.0
// without the regexp package. FuzzReferenceGrammar checks that
// matchReference returns the same capture groups as
// ReferenceRegexp.FindStringSubmatch.
//
// The grammar, anchored at both ends:
//
//	reference      := name [":" tag] ["@" digest]
//	name           := [domain-and-port "/"] path-component ("/" path-component)*
//	domain-and-port:= (domain-name | "[" [a-fA-F0-9:]+ "]") [":" [0-9]+]
//	domain-name    := label ("." label)*
//	label          := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//	path-component := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
//	tag            := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//	digest         := algorithm ":" [0-9a-fA-F]{32,}
//	algorithm      := [A-Za-z][A-Za-z0-9]* ([-_+.] [A-Za-z][A-Za-z0-9]*)*
//
// Every character the grammar accepts is ASCII, so matching bytes gives the
// regexp's result on any string, including invalid UTF-8.

// Character classes of referenceCharClass, one bit each.
const (
	classLowerAlnum = 1 << iota // [a-z0-9]
	classAlnum                  // [a-zA-Z0-9]
	classWord                   // [a-zA-Z0-9_]
	classHex                    // [0-9a-fA-F]
	classDigit                  // [0-9]
	classLetter                 // [a-zA-Z]
)

// referenceCharClass holds the classes of each byte value.
var referenceCharClass = func() (table [256]uint8) {
	for c := 0; c < 256; c++ {
		lower := c >= 'a' && c <= 'z'
		upper := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		var class uint8
		if lower || digit {
			class |= classLowerAlnum
		}
		if lower || upper || digit {
			class |= classAlnum | classWord
		}
		if c == '_' {
			class |= classWord
		}
		if digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			class |= classHex
		}
		if digit {
			class |= classDigit
		}
		if lower || upper {
			class |= classLetter
		}
		table[c] = class
	}
	return table
}()

// maxTagLength is the longest tag the grammar accepts.
const maxTagLength = 128

// minDigestHexLength is the fewest hexadecimal characters the grammar
// accepts after the algorithm of a digest.
const minDigestHexLength = 32

// matchReference reports whether s matches reference.ReferenceRegexp and
// returns its capture groups: the name, the tag without its ":" and the
// digest without its "@", each "" when absent. It does not allocate.
//
// The grammar allows only one split. "@" occurs only before the digest,
// and neither a path component nor a tag contains ":" or "/". So the tag
// starts at the first ":" after the last "/" before the "@".
func matchReference(s string) (name, tag, digest string, ok bool) {
	rest := s
	if at := strings.IndexByte(s, '@'); at >= 0 {
		digest = s[at+1:]
		if !isDigest(digest) {
			return "", "", "", false
		}
		rest = s[:at]
	}

	lastSlash := strings.LastIndexByte(rest, '/')
	if colon := strings.IndexByte(rest[lastSlash+1:], ':'); colon >= 0 {
		colon += lastSlash + 1
		tag = rest[colon+1:]
		if !isTag(tag) {
			return "", "", "", false
		}
		rest = rest[:colon]
	}

	if !isReferenceName(rest) {
		return "", "", "", false
	}
	return rest, tag, digest, true
}

// isReferenceName matches the name production. A domain contains no "/",
// so when there is a domain it is everything before the first "/".
func isReferenceName(name string) bool {
	if slash := strings.IndexByte(name, '/'); slash >= 0 &&
		isDomainAndPort(name[:slash]) && isRemoteName(name[slash+1:]) {
		return true
	}
	return isRemoteName(name)
}

// isRemoteName matches path components separated by single "/".
func isRemoteName(remote string) bool {
	for {
		slash := strings.IndexByte(remote, '/')
		if slash < 0 {
			return isPathComponent(remote)
		}
		if !isPathComponent(remote[:slash]) {
			return false
		}
		remote = remote[slash+1:]
	}
}

// isPathComponent matches runs of [a-z0-9] joined by ".", "_", "__" or
// one or more "-".
func isPathComponent(component string) bool {
	i := 0
	for {
		start := i
		for i < len(component) && referenceCharClass[component[i]]&classLowerAlnum != 0 {
			i++
		}
		if i == start {
			return false
		}
		if i == len(component) {
			return true
		}

		switch component[i] {
		case '.':
			i++
		case '_':
			i++
			if i < len(component) && component[i] == '_' {
				i++
			}
		case '-':
			for i < len(component) && component[i] == '-' {
				i++
			}
		default:
			return false
		}
	}
}

// isDomainAndPort matches a domain name or a bracketed IPv6 address,
// followed by an optional port.
func isDomainAndPort(domain string) bool {
	var port string
	if strings.HasPrefix(domain, "[") {
		end := strings.IndexByte(domain, ']')
		if end < 0 || !isIPv6Content(domain[1:end]) {
			return false
		}
		port = domain[end+1:]
	} else {
		host := domain
		if colon := strings.IndexByte(domain, ':'); colon >= 0 {
			host, port = domain[:colon], domain[colon:]
		}
		if !isDomainName(host) {
			return false
		}
	}

	if port == "" {
		return true
	}
	return port[0] == ':' && isDigits(port[1:])
}

// isIPv6Content matches [a-fA-F0-9:]+, the text between the brackets of an
// IPv6 address.
func isIPv6Content(address string) bool {
	if address == "" {
		return false
	}
	for i := 0; i < len(address); i++ {
		if referenceCharClass[address[i]]&classHex == 0 && address[i] != ':' {
			return false
		}
	}
	return true
}

// isDomainName matches labels of [a-zA-Z0-9-] that start and end with
// [a-zA-Z0-9], joined by single ".".
func isDomainName(host string) bool {
	for {
		dot := strings.IndexByte(host, '.')
		label := host
		if dot >= 0 {
			label = host[:dot]
		}
		if !isDomainLabel(label) {
			return false
		}
		if dot < 0 {
			return true
		}
		host = host[dot+1:]
	}
}

func isDomainLabel(label string) bool {
	if label == "" ||
		referenceCharClass[label[0]]&classAlnum == 0 ||
		referenceCharClass[label[len(label)-1]]&classAlnum == 0 {
		return false
	}
	for i := 1; i < len(label)-1; i++ {
		if referenceCharClass[label[i]]&classAlnum == 0 && label[i] != '-' {
			return false
		}
	}
	return true
}

// isDigits matches [0-9]+.
func isDigits(digits string) bool {
	if digits == "" {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if referenceCharClass[digits[i]]&classDigit == 0 {
			return false
		}
	}
	return true
}

// isTag matches a word character followed by at most 127 word characters,
// "." or "-".
func isTag(tag string) bool {
	if tag == "" || len(tag) > maxTagLength || referenceCharClass[tag[0]]&classWord == 0 {
		return false
	}
	for i := 1; i < len(tag); i++ {
		if referenceCharClass[tag[i]]&classWord == 0 && tag[i] != '.' && tag[i] != '-' {
			return false
		}
	}
	return true
}

// isDigest matches an algorithm, ":" and at least 32 hexadecimal
// characters. The algorithm contains no ":", so the first ":" ends it.
func isDigest(digest string) bool {
	colon := strings.IndexByte(digest, ':')
	if colon < 0 || !isDigestAlgorithm(digest[:colon]) {
		return false
	}

	encoded := digest[colon+1:]
	if len(encoded) < minDigestHexLength {
		return false
	}
	for i := 0; i < len(encoded); i++ {
		if referenceCharClass[encoded[i]]&classHex == 0 {
			return false
		}
	}
	return true
}

// isDigestAlgorithm matches components of a letter followed by letters and
// digits, joined by single "-", "_", "+" or ".".
func isDigestAlgorithm(algorithm string) bool {
	i := 0
	for {
		if i == len(algorithm) || referenceCharClass[algorithm[i]]&classLetter == 0 {
			return false
		}
		i++
		for i < len(algorithm) && referenceCharClass[algorithm[i]]&classAlnum != 0 {
			i++
		}
		if i == len(algorithm) {
			return true
		}

		switch algorithm[i] {
		case '-', '_', '+', '.':
			i++
		default:
			return false
		}
	}
}
