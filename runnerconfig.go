package ciimage

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// dockerExecutors are the executor names that run jobs in Docker containers.
var dockerExecutors = []string{"docker", "docker+machine", "docker-autoscaler", "docker-windows"}

// RunnerConfig is a GitLab Runner config.toml reduced to the settings that
// decide which containers a job gets.
type RunnerConfig struct {
	// File is the path of the config.toml, as the caller named it.
	File string
	// Runners are the [[runners]] entries in file order.
	Runners []*Runner
}

// Runner is one [[runners]] entry, or the runner with default settings that
// DefaultRunner returns.
type Runner struct {
	Name     string
	Executor string
	// Environment is the runner's environment list as written, K=V each.
	Environment []string
	Docker      DockerSettings
	// Index is the entry's position in [[runners]], starting at 0, or -1
	// for DefaultRunner.
	Index int
	// Default marks the runner from DefaultRunner. Its settings are
	// assumptions, so findings that depend on them are warnings.
	Default bool

	file      string
	positions map[string]Position
}

// DockerSettings are the [runners.docker] settings that affect images,
// services, allow-lists, pull policies and the build container's user.
type DockerSettings struct {
	// Image is the default image as written, before variable expansion.
	Image    string
	Services []RunnerService
	// ServicesLimit is nil when unset, which means no limit. A negative
	// value also means no limit.
	ServicesLimit       *int
	AllowedImages       []string
	AllowedServices     []string
	PullPolicy          []string
	AllowedPullPolicies []string
	// DisableEntrypointOverwrite makes the runner ignore every image and
	// service entrypoint that a job sets.
	DisableEntrypointOverwrite bool
	// User is the user the build container runs as, as written. When set,
	// it takes precedence over the job image's docker.user.
	User string
	// AllowedUsers lists the users the build container may run as. When
	// empty, only User is allowed if it is set, and any user otherwise.
	AllowedUsers []string
}

// RunnerService is one [[runners.docker.services]] entry. The runner starts
// these services for every job, before the job's own services.
type RunnerService struct {
	// Name and Alias are as written, before variable expansion.
	Name  string
	Alias string
	// Command and Entrypoint are nil when not set.
	Command    []string
	Entrypoint []string
	// Environment is the list as written, K=V each.
	Environment []string
}

// RunnerNotFoundError reports that config.toml has no [[runners]] entry
// with the requested name, or no entry with a Docker executor when no name
// was given.
type RunnerNotFoundError struct {
	File string
	// Name is the requested name. It is empty when any Docker runner would do.
	Name string
	// Runners lists the name and executor of every entry in the file.
	Runners []string
}

// Error names the request and lists the entries there are.
func (e *RunnerNotFoundError) Error() string {
	available := "the file has no [[runners]] entries"
	if len(e.Runners) > 0 {
		available = "the entries are: " + strings.Join(e.Runners, ", ")
	}
	if e.Name == "" {
		return fmt.Sprintf("%s: no [[runners]] entry with a Docker executor (%s); %s",
			e.File, strings.Join(dockerExecutors, ", "), available)
	}
	return fmt.Sprintf("%s: no [[runners]] entry named %q; %s", e.File, e.Name, available)
}

// ParseRunnerConfig reads a config.toml the way GitLab Runner loads it.
// A TOML syntax error returns a nil config and one error diagnostic with
// its line and column. A value of the wrong type is an error diagnostic in
// the runner's words, and the value stays at its zero value. The rest of
// the file is still read. Keys that do not affect containers are ignored.
//
// The optional limits bound the input (Limits.MaxRunnerConfigBytes). Input
// over a limit returns a nil config and one error diagnostic of Kind
// ErrLimit.
func ParseRunnerConfig(file string, data []byte, limits ...Limits) (*RunnerConfig, Diagnostics) {
	if diags := sizeDiagnostic(file, len(data), "MaxRunnerConfigBytes", firstLimits(limits).MaxRunnerConfigBytes); diags != nil {
		return nil, diags
	}
	var document map[string]any
	if err := toml.Unmarshal(data, &document); err != nil {
		return nil, Diagnostics{tomlSyntaxDiagnostic(file, err)}
	}

	decoder := &tomlDecoder{file: file, positions: indexTOML(file, data)}
	config := &RunnerConfig{File: file}
	for i, entry := range decoder.decodeTables(document, "runners", "", "common.RunnerConfig") {
		config.Runners = append(config.Runners, decoder.decodeRunner(i, entry))
	}
	return config, decoder.diagnostics
}

// tomlSyntaxDiagnostic turns a go-toml error into an error diagnostic.
func tomlSyntaxDiagnostic(file string, err error) Diagnostic {
	position := Position{File: file}
	var decodeErr *toml.DecodeError
	if errors.As(err, &decodeErr) {
		position.Line, position.Column = decodeErr.Position()
	}
	return Diagnostic{Severity: SeverityError, Position: position, Message: err.Error(), Kind: ErrSyntax}
}

// Runner returns the [[runners]] entry called name. With an empty name it
// returns the first entry with a Docker executor. It does not check the
// executor of an entry selected by name, so callers check IsDocker. The
// error is a *RunnerNotFoundError.
func (c *RunnerConfig) Runner(name string) (*Runner, error) {
	for _, r := range c.Runners {
		if name == "" && r.IsDocker() || name != "" && r.Name == name {
			return r, nil
		}
	}

	var available []string
	for _, r := range c.Runners {
		available = append(available, fmt.Sprintf("%q (%s)", r.Name, r.Executor))
	}
	return nil, &RunnerNotFoundError{File: c.File, Name: name, Runners: available}
}

// Position returns where the value at the TOML key path, such as
// runners[1].docker.allowed_images[0], is defined. For a key path that is
// not in the file it returns the position of the nearest enclosing key,
// or the file alone.
func (c *RunnerConfig) Position(keyPath string) Position {
	if len(c.Runners) == 0 {
		return Position{File: c.File}
	}
	return lookupPosition(c.File, c.Runners[0].positions, keyPath)
}

// DefaultRunner returns a Docker runner with default settings: no image,
// no services, no allow-lists and no services limit. Its pull_policy and
// allowed_pull_policies are unset, so both take the runner's default,
// [always].
func DefaultRunner() *Runner {
	return &Runner{Name: "", Executor: "docker", Index: -1, Default: true}
}

// IsDocker reports whether the runner's executor runs jobs in Docker
// containers.
func (r *Runner) IsDocker() bool {
	for _, name := range dockerExecutors {
		if r.Executor == name {
			return true
		}
	}
	return false
}

// Location returns the full TOML key path of keyPath, which is relative to
// the runner entry: docker.allowed_images becomes
// runners[1].docker.allowed_images. It returns "" for DefaultRunner.
func (r *Runner) Location(keyPath string) string {
	if r.Default || r.Index < 0 {
		return ""
	}
	location := fmt.Sprintf("runners[%d]", r.Index)
	if keyPath != "" {
		location += "." + keyPath
	}
	return location
}

// Position returns where the value at keyPath, relative to the runner
// entry (docker.services[0].alias), is defined. A key that is not in the
// file gives the position of the nearest enclosing key. DefaultRunner has
// no positions, so it returns the zero Position.
func (r *Runner) Position(keyPath string) Position {
	if r.Default || r.Index < 0 {
		return Position{}
	}
	return lookupPosition(r.file, r.positions, r.Location(keyPath))
}

// settingFinding returns a finding about one of the runner's settings at
// keyPath. On DefaultRunner the finding is a warning, because the real
// runner's settings are unknown.
func (r *Runner) settingFinding(keyPath string, kind error, message string) Diagnostic {
	if r.Default {
		return Diagnostic{
			Severity: SeverityWarning,
			Message:  "on a runner with default settings, " + message,
			Kind:     kind,
		}
	}
	return Diagnostic{
		Severity: SeverityError,
		Position: r.Position(keyPath),
		Location: r.Location(keyPath),
		Message:  message,
		Kind:     kind,
	}
}

// lookupPosition returns the position of keyPath, or of its nearest
// enclosing key that has one.
func lookupPosition(file string, positions map[string]Position, keyPath string) Position {
	// Positions are recorded under lowercase key paths, because the runner
	// matches config.toml keys without regard to case.
	for path := strings.ToLower(keyPath); path != ""; path = parentKeyPath(path) {
		if position, ok := positions[path]; ok {
			return position
		}
	}
	return Position{File: file}
}

// parentKeyPath strips the last key or index from a key path:
// a.b[2] becomes a.b, and a.b becomes a.
func parentKeyPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// tomlDecoder turns the generic go-toml document into runner settings,
// with the type checks of the runner's TOML library (BurntSushi/toml).
type tomlDecoder struct {
	file        string
	positions   map[string]Position
	diagnostics Diagnostics
}

// decodeRunner decodes the [[runners]] entry at index.
func (d *tomlDecoder) decodeRunner(index int, entry map[string]any) *Runner {
	path := fmt.Sprintf("runners[%d]", index)
	r := &Runner{Index: index, file: d.file, positions: d.positions}
	r.Name = d.decodeString(entry, "name", path)
	r.Executor = d.decodeString(entry, "executor", path)
	r.Environment = d.decodeStrings(entry, "environment", path)

	docker := d.decodeTable(entry, "docker", path, "common.DockerConfig")
	if docker == nil {
		return r
	}

	dockerPath := path + ".docker"
	r.Docker = DockerSettings{
		Image:                      d.decodeString(docker, "image", dockerPath),
		Services:                   d.decodeServices(docker, dockerPath),
		ServicesLimit:              d.decodeIntPointer(docker, "services_limit", dockerPath),
		AllowedImages:              d.decodeStrings(docker, "allowed_images", dockerPath),
		AllowedServices:            d.decodeStrings(docker, "allowed_services", dockerPath),
		PullPolicy:                 d.decodeStringOrArray(docker, "pull_policy", dockerPath),
		AllowedPullPolicies:        d.decodeStrings(docker, "allowed_pull_policies", dockerPath),
		DisableEntrypointOverwrite: d.decodeBool(docker, "disable_entrypoint_overwrite", dockerPath),
		User:                       d.decodeString(docker, "user", dockerPath),
		AllowedUsers:               d.decodeStrings(docker, "allowed_users", dockerPath),
	}
	d.unknownDockerKeys(docker, dockerPath)
	return r
}

// decodeServices decodes [[runners.docker.services]]. The string-array form that
// GitLab Runner 13.0 removed is an error with the table form to use.
func (d *tomlDecoder) decodeServices(docker map[string]any, dockerPath string) []RunnerService {
	key, value, ok := lookupKey(docker, "services")
	if !ok {
		return nil
	}

	path := dockerPath + "." + tomlKey(key)
	if names := stringElements(value); len(names) > 0 {
		var example strings.Builder
		for _, name := range names {
			fmt.Fprintf(&example, " [[runners.docker.services]] name = %q", name)
		}
		d.typeError(path, fmt.Sprintf(
			"type mismatch for common.Service: expected table but found string; "+
				"the string list form of services was removed in GitLab Runner 13.0, "+
				"so write each service as a table:%s", example.String()))
		return nil
	}

	var services []RunnerService
	for i, entry := range d.decodeTableList(value, path, "common.Service") {
		servicePath := fmt.Sprintf("%s[%d]", path, i)
		services = append(services, RunnerService{
			Name:        d.decodeString(entry, "name", servicePath),
			Alias:       d.decodeString(entry, "alias", servicePath),
			Command:     d.decodeStrings(entry, "command", servicePath),
			Entrypoint:  d.decodeStrings(entry, "entrypoint", servicePath),
			Environment: d.decodeStrings(entry, "environment", servicePath),
		})
	}
	return services
}

// stringElements returns the strings of a TOML array that has any string
// element, or nil.
func stringElements(value any) []string {
	list, ok := value.([]any)
	if !ok {
		return nil
	}
	var names []string
	for _, element := range list {
		if name, ok := element.(string); ok {
			names = append(names, name)
		}
	}
	return names
}

// decodeTables decodes the array of tables under key, such as [[runners]].
func (d *tomlDecoder) decodeTables(parent map[string]any, key, parentPath, goType string) []map[string]any {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return nil
	}
	return d.decodeTableList(value, joinKeyPath(parentPath, tomlKey(actualKey)), goType)
}

// decodeTableList decodes a list whose elements must be tables. An element of
// another type is an error, and the elements after it are still decoded.
func (d *tomlDecoder) decodeTableList(value any, path, goType string) []map[string]any {
	list, ok := value.([]any)
	if !ok {
		d.typeError(path, badType("slice", value))
		return nil
	}

	tables := make([]map[string]any, 0, len(list))
	for i, element := range list {
		table, ok := element.(map[string]any)
		if !ok {
			d.typeError(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf(
				"type mismatch for %s: expected table but found %s", goType, burntType(element)))
			table = map[string]any{}
		}
		tables = append(tables, table)
	}
	return tables
}

// decodeTable returns the table under key, or nil when the key is missing or
// holds another type.
func (d *tomlDecoder) decodeTable(parent map[string]any, key, parentPath, goType string) map[string]any {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return nil
	}
	table, ok := value.(map[string]any)
	if !ok {
		d.typeError(joinKeyPath(parentPath, tomlKey(actualKey)), fmt.Sprintf(
			"type mismatch for %s: expected table but found %s", goType, burntType(value)))
		return nil
	}
	return table
}

func (d *tomlDecoder) decodeString(parent map[string]any, key, parentPath string) string {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return ""
	}
	s, ok := value.(string)
	if !ok {
		d.typeError(joinKeyPath(parentPath, tomlKey(actualKey)), badType("string", value))
	}
	return s
}

func (d *tomlDecoder) decodeBool(parent map[string]any, key, parentPath string) bool {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return false
	}
	b, ok := value.(bool)
	if !ok {
		d.typeError(joinKeyPath(parentPath, tomlKey(actualKey)), badType("boolean", value))
	}
	return b
}

func (d *tomlDecoder) decodeIntPointer(parent map[string]any, key, parentPath string) *int {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return nil
	}
	n, ok := value.(int64)
	if !ok {
		d.typeError(joinKeyPath(parentPath, tomlKey(actualKey)), badType("integer", value))
		return nil
	}
	limit := int(n)
	return &limit
}

// decodeStrings decodes a string array. Like the runner's TOML library, it
// stops at the first element that is not a string.
func (d *tomlDecoder) decodeStrings(parent map[string]any, key, parentPath string) []string {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return nil
	}

	path := joinKeyPath(parentPath, tomlKey(actualKey))
	list, ok := value.([]any)
	if !ok {
		d.typeError(path, badType("slice", value))
		return nil
	}

	values := make([]string, 0, len(list))
	for i, element := range list {
		s, ok := element.(string)
		if !ok {
			d.typeError(fmt.Sprintf("%s[%d]", path, i), badType("string", element))
			return nil
		}
		values = append(values, s)
	}
	return values
}

// decodeStringOrArray decodes a value that may be one string or a string array,
// like the runner's StringOrArray type for pull_policy.
func (d *tomlDecoder) decodeStringOrArray(parent map[string]any, key, parentPath string) []string {
	actualKey, value, ok := lookupKey(parent, key)
	if !ok {
		return nil
	}

	path := joinKeyPath(parentPath, tomlKey(actualKey))
	switch v := value.(type) {
	case string:
		return []string{v}
	case []any:
		values := make([]string, 0, len(v))
		for i, element := range v {
			s, ok := element.(string)
			if !ok {
				d.typeError(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf(
					"cannot load value of type %s into a StringOrArray", goTypeName(element)))
				return nil
			}
			values = append(values, s)
		}
		return values
	default:
		d.typeError(path, fmt.Sprintf("cannot load value of type %s into a StringOrArray", goTypeName(value)))
		return nil
	}
}

// typeError records a type mismatch at path in the format of the runner's
// TOML library: toml: line N (last key "a.b"): message.
func (d *tomlDecoder) typeError(path, message string) {
	position := lookupPosition(d.file, d.positions, path)
	d.diagnostics = append(d.diagnostics, Diagnostic{
		Severity: SeverityError,
		Position: position,
		Location: path,
		Message:  fmt.Sprintf("toml: line %d (last key %q): %s", position.Line, lastKey(path), message),
		Kind:     ErrInvalidConfig,
	})
}

// lookupKey finds key in a table the way BurntSushi/toml matches struct
// fields: an exact match first, else a case-insensitive one.
func lookupKey(table map[string]any, key string) (string, any, bool) {
	if value, ok := table[key]; ok {
		return key, value, true
	}
	var folded []string
	for k := range table {
		if strings.EqualFold(k, key) {
			folded = append(folded, k)
		}
	}
	if len(folded) == 0 {
		return "", nil, false
	}

	// BurntSushi/toml picks among several case variants in map order. The
	// first in sorted order keeps this result stable.
	slices.Sort(folded)
	return folded[0], table[folded[0]], true
}

// lastKey turns a key path into the runner's "last key" form, which has no
// array indexes: runners[0].docker.image becomes runners.docker.image.
func lastKey(path string) string {
	var b strings.Builder
	inIndex := false
	for _, r := range path {
		switch {
		case r == '[':
			inIndex = true
		case r == ']':
			inIndex = false
		case !inIndex:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// badType is the runner's TOML library message for a value of the wrong type.
func badType(destination string, value any) string {
	return fmt.Sprintf("incompatible types: TOML value has type %s; destination has type %s",
		burntType(value), destination)
}

// burntType names the Go type that BurntSushi/toml decodes a value into,
// as its messages print it.
func burntType(value any) string {
	return strings.ReplaceAll(goTypeName(value), "interface {}", "any")
}

// goTypeName names the Go type that BurntSushi/toml decodes a value into,
// as %T prints it. go-toml decodes dates and times into its own types where
// BurntSushi/toml uses time.Time.
func goTypeName(value any) string {
	switch value.(type) {
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return "time.Time"
	}
	return fmt.Sprintf("%T", value)
}

// tomlIndex maps the key paths of a TOML document to where their values
// are defined.
type tomlIndex struct {
	lines     lineIndex
	file      string
	positions map[string]Position
	// arrays counts the [[...]] headers seen per resolved key path.
	arrays map[string]int
}

// indexTOML records the position of every key, table and array element in
// a document that go-toml has already accepted. Paths use indexes for
// arrays: runners[1].docker.services[0].alias.
func indexTOML(file string, data []byte) map[string]Position {
	index := &tomlIndex{
		lines:     newLineIndex(data),
		file:      file,
		positions: map[string]Position{},
		arrays:    map[string]int{},
	}

	var parser unstable.Parser
	parser.Reset(data)
	table := ""
	for parser.NextExpression() {
		expression := parser.Expression()
		switch expression.Kind {
		case unstable.Table:
			keys, position := index.keyParts(expression.Key())
			table = index.resolve(keys, position)
		case unstable.ArrayTable:
			keys, position := index.keyParts(expression.Key())
			base := joinKeyPath(index.resolve(keys[:len(keys)-1], position), keys[len(keys)-1])
			n := index.arrays[base]
			index.arrays[base] = n + 1
			table = fmt.Sprintf("%s[%d]", base, n)
			index.record(base, position)
			index.record(table, position)
		case unstable.KeyValue:
			index.keyValue(table, expression)
		}
	}
	return index.positions
}

// keyParts returns the formatted parts of a dotted key and the position of
// its first part.
func (x *tomlIndex) keyParts(it unstable.Iterator) ([]string, Position) {
	var parts []string
	var position Position
	for it.Next() {
		node := it.Node()
		if parts == nil {
			position = x.nodePosition(node, Position{File: x.file})
		}
		parts = append(parts, tomlKey(string(node.Data)))
	}
	return parts, position
}

// resolve turns table header keys into a key path, choosing the last
// element of each array of tables on the way, as TOML does. Tables that
// the header defines implicitly get the header's position.
func (x *tomlIndex) resolve(keys []string, position Position) string {
	path := ""
	for _, key := range keys {
		path = joinKeyPath(path, key)
		if n := x.arrays[path]; n > 0 {
			path = fmt.Sprintf("%s[%d]", path, n-1)
		}
		x.record(path, position)
	}
	return path
}

// keyValue records a key = value line under table, and the elements of
// its value.
func (x *tomlIndex) keyValue(table string, node *unstable.Node) {
	keys, position := x.keyParts(node.Key())
	path := table
	for _, key := range keys {
		path = joinKeyPath(path, key)
		x.record(path, position)
	}
	x.value(path, node.Value(), position)
}

// value records the elements of arrays and inline tables.
func (x *tomlIndex) value(path string, node *unstable.Node, fallback Position) {
	switch node.Kind {
	case unstable.Array:
		i := 0
		for it := node.Children(); it.Next(); {
			child := it.Node()
			if child.Kind == unstable.Comment {
				continue
			}
			elementPath := fmt.Sprintf("%s[%d]", path, i)
			position := x.nodePosition(child, fallback)
			x.record(elementPath, position)
			x.value(elementPath, child, position)
			i++
		}
	case unstable.InlineTable:
		for it := node.Children(); it.Next(); {
			if child := it.Node(); child.Kind == unstable.KeyValue {
				x.keyValue(path, child)
			}
		}
	}
}

// nodePosition returns where a node starts. go-toml leaves arrays without
// a range, so they get the fallback.
func (x *tomlIndex) nodePosition(node *unstable.Node, fallback Position) Position {
	if node.Raw.Length == 0 {
		return fallback
	}
	return x.lines.position(x.file, int(node.Raw.Offset))
}

// record keeps the first position seen for a path.
func (x *tomlIndex) record(path string, position Position) {
	path = strings.ToLower(path)
	if _, ok := x.positions[path]; !ok {
		x.positions[path] = position
	}
}

// tomlKey formats one key for a key path: bare when TOML allows it bare,
// else quoted.
func tomlKey(key string) string {
	if key == "" {
		return `""`
	}
	for _, r := range key {
		bare := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !bare {
			return strconv.Quote(key)
		}
	}
	return key
}

// joinKeyPath appends key to a key path.
func joinKeyPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineIndex holds the byte offset at which each line of a document starts.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	lines := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// position converts a byte offset into a line and a byte column, both
// starting at 1.
func (lines lineIndex) position(file string, offset int) Position {
	line := sort.Search(len(lines), func(i int) bool { return lines[i] > offset }) - 1
	if line < 0 {
		line = 0
	}
	return Position{File: file, Line: line + 1, Column: offset - lines[line] + 1}
}
