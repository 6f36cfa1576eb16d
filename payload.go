package ciimage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Payload is the part of a job payload, the JSON GitLab sends the runner
// for one job, that decides the job's containers.
type Payload struct {
	// File is the path of the payload, as the caller named it.
	File    string
	JobName string
	// Image is nil when the payload has no image or a null one. An image
	// with an empty Name means the runner uses its config.toml image.
	Image    *Image
	Services []Service
	// ImagePorts and ServicePorts hold the ports entries of the image and
	// of Services[i]. The Docker executor does not use them.
	ImagePorts   []Port
	ServicePorts [][]Port
	// Variables are the job's variables in payload order. GitLab has put
	// them in precedence order, so the last definition of a key wins.
	Variables   Variables
	Credentials []RegistryCredential
}

// Port is one ports entry of a payload image or service.
type Port struct {
	Number   int
	Protocol string
	Name     string
}

// Executor options the runner accepts in a payload's executor_opts.
var (
	supportedExecutorOptions   = []string{"docker", "kubernetes"}
	supportedDockerOptions     = []string{"platform", "user"}
	supportedKubernetesOptions = []string{"user"}
)

// ParsePayload reads a job payload. Invalid JSON returns a nil payload and
// one error diagnostic with its line and column. A field this package
// reads that has the wrong JSON type is an error diagnostic, because
// the runner fails to decode such a payload. The field keeps its zero
// value and the rest is still read. An unknown executor_opts key is an
// error with the runner's message. Other fields are ignored.
//
// The optional limits bound the input: a payload over
// Limits.MaxPayloadBytes returns a nil payload, and services beyond
// Limits.MaxServices are left out. Each gives an error diagnostic of Kind
// ErrLimit.
func ParsePayload(file string, data []byte, limits ...Limits) (*Payload, Diagnostics) {
	limit := firstLimits(limits)
	if diags := sizeDiagnostic(file, len(data), "MaxPayloadBytes", limit.MaxPayloadBytes); diags != nil {
		return nil, diags
	}
	root, err := parseJSONTree(data)
	if err != nil {
		return nil, Diagnostics{jsonSyntaxDiagnostic(file, data, err)}
	}

	d := &payloadDecoder{file: file, lines: newLineIndex(data)}
	payload := &Payload{File: file}
	if root.kind != jsonObject {
		if root.kind != jsonNull {
			d.diagnostics = append(d.diagnostics, Diagnostic{
				Severity: SeverityError,
				Position: d.position(root),
				Message:  fmt.Sprintf("json: cannot unmarshal %s into a job payload, which is a JSON object", root.kind),
				Kind:     ErrInvalidConfig,
			})
		}
		return payload, d.diagnostics
	}

	if jobInfo := d.readObject(root.member("job_info"), "job_info"); jobInfo != nil {
		payload.JobName = d.readString(jobInfo.member("name"), "job_info.name")
	}

	if image := d.readObject(root.member("image"), "image"); image != nil {
		service := d.readImage(image, "image")
		payload.Image = &service.Image
		payload.ImagePorts = d.readPorts(image.member("ports"), "image.ports")
	}

	for i, node := range d.readArray(root.member("services"), "services") {
		path := fmt.Sprintf("services[%d]", i)
		if i == limit.MaxServices {
			d.diagnostics = append(d.diagnostics, limitDiagnostic(d.position(node), path, "the number of services", "MaxServices", int64(limit.MaxServices), ""))
			break
		}
		object := d.readObject(node, path)
		if object == nil {
			continue
		}
		payload.Services = append(payload.Services, d.readImage(object, path))
		payload.ServicePorts = append(payload.ServicePorts, d.readPorts(object.member("ports"), path+".ports"))
	}

	payload.Variables = d.readVariables(root.member("variables"), "variables")
	payload.Credentials = d.readCredentials(root.member("credentials"), "credentials")
	return payload, d.diagnostics
}

// jsonSyntaxDiagnostic turns a JSON syntax error into an error diagnostic.
func jsonSyntaxDiagnostic(file string, data []byte, err error) Diagnostic {
	offset := len(data)
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		offset = int(syntaxErr.Offset)
	}
	message := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		message = "unexpected end of JSON input"
	}
	return Diagnostic{
		Severity: SeverityError,
		Position: newLineIndex(data).position(file, offset),
		Message:  message,
		Kind:     ErrSyntax,
	}
}

// payloadDecoder reads payload fields out of a JSON tree with the type
// rules of encoding/json, which the runner uses.
type payloadDecoder struct {
	file        string
	lines       lineIndex
	diagnostics Diagnostics
}

// readImage reads the fields of a payload image or service.
func (d *payloadDecoder) readImage(node *jsonNode, path string) Service {
	var service Service
	service.Name = d.readString(node.member("name"), path+".name")
	service.Alias = d.readString(node.member("alias"), path+".alias")
	service.Command = d.readStrings(node.member("command"), path+".command")
	service.Entrypoint = d.readStrings(node.member("entrypoint"), path+".entrypoint")
	service.PullPolicy = d.readStrings(node.member("pull_policy"), path+".pull_policy")
	service.Variables = d.readVariables(node.member("variables"), path+".variables")
	service.Docker, service.Kubernetes = d.readExecutorOptions(node.member("executor_opts"), path+".executor_opts")
	service.Pos = d.position(node)
	service.Location = path
	return service
}

// readExecutorOptions reads executor_opts and reports keys the runner rejects.
func (d *payloadDecoder) readExecutorOptions(node *jsonNode, path string) (DockerOptions, KubernetesOptions) {
	var docker DockerOptions
	var kubernetes KubernetesOptions
	options := d.readObject(node, path)
	if options == nil {
		return docker, kubernetes
	}
	d.checkOptionKeys(options, path, supportedExecutorOptions, "executor_opts")

	if dockerNode := d.readObject(options.member("docker"), path+".docker"); dockerNode != nil {
		d.checkOptionKeys(dockerNode, path+".docker", supportedDockerOptions, "docker executor")
		docker.Platform = d.readString(dockerNode.member("platform"), path+".docker.platform")
		docker.User = d.readStringOrInt(dockerNode.member("user"), path+".docker.user")
	}
	if kubernetesNode := d.readObject(options.member("kubernetes"), path+".kubernetes"); kubernetesNode != nil {
		d.checkOptionKeys(kubernetesNode, path+".kubernetes", supportedKubernetesOptions, "kubernetes executor")
		kubernetes.User = d.readStringOrInt(kubernetesNode.member("user"), path+".kubernetes.user")
	}
	return docker, kubernetes
}

// checkOptionKeys reports the keys of an options object that the runner
// does not support, in its words. The runner lists them in map order, and
// here they are in document order.
func (d *payloadDecoder) checkOptionKeys(node *jsonNode, path string, supported []string, executor string) {
	var unsupported []string
	var first *jsonNode
	for _, m := range node.members {
		if slices.Contains(supported, m.key) || slices.Contains(unsupported, m.key) {
			continue
		}
		if first == nil {
			first = m.value
		}
		unsupported = append(unsupported, m.key)
	}
	if len(unsupported) == 0 {
		return
	}

	location := path + "." + unsupported[0]
	message := fmt.Sprintf("Unsupported %q options %s for %q; supported options are %s",
		"image", formatList(unsupported), executor, formatList(supported))
	d.diagnostics = append(d.diagnostics, Diagnostic{
		Severity: SeverityError, Position: d.position(first), Location: location, Message: message, Kind: ErrInvalidConfig,
	})
}

// readObjectList reads a JSON array of objects, turning each element that
// is an object into a T with read. Elements of another type are reported
// by readObject and left out.
func readObjectList[T any](d *payloadDecoder, node *jsonNode, path string, read func(object *jsonNode, path string) T) []T {
	var list []T
	for i, element := range d.readArray(node, path) {
		elementPath := fmt.Sprintf("%s[%d]", path, i)
		if object := d.readObject(element, elementPath); object != nil {
			list = append(list, read(object, elementPath))
		}
	}
	return list
}

// readVariables reads a list of {key, value, public, file, masked, raw}.
func (d *payloadDecoder) readVariables(node *jsonNode, path string) Variables {
	return readObjectList(d, node, path, func(object *jsonNode, elementPath string) Variable {
		return Variable{
			Key:    d.readString(object.member("key"), elementPath+".key"),
			Value:  d.readString(object.member("value"), elementPath+".value"),
			Public: d.readBool(object.member("public"), elementPath+".public"),
			File:   d.readBool(object.member("file"), elementPath+".file"),
			Masked: d.readBool(object.member("masked"), elementPath+".masked"),
			Raw:    d.readBool(object.member("raw"), elementPath+".raw"),
		}
	})
}

// readCredentials reads a list of {type, url, username, password}.
func (d *payloadDecoder) readCredentials(node *jsonNode, path string) []RegistryCredential {
	return readObjectList(d, node, path, func(object *jsonNode, elementPath string) RegistryCredential {
		return RegistryCredential{
			Type:     d.readString(object.member("type"), elementPath+".type"),
			URL:      d.readString(object.member("url"), elementPath+".url"),
			Username: d.readString(object.member("username"), elementPath+".username"),
			Password: NewSecret(d.readString(object.member("password"), elementPath+".password")),
		}
	})
}

// readPorts reads a list of {number, protocol, name}.
func (d *payloadDecoder) readPorts(node *jsonNode, path string) []Port {
	return readObjectList(d, node, path, func(object *jsonNode, elementPath string) Port {
		return Port{
			Number:   d.readInt(object.member("number"), elementPath+".number"),
			Protocol: d.readString(object.member("protocol"), elementPath+".protocol"),
			Name:     d.readString(object.member("name"), elementPath+".name"),
		}
	})
}

// readObject returns node when it is an object, and nil when it is missing,
// null or of another type. Another type is an error.
func (d *payloadDecoder) readObject(node *jsonNode, path string) *jsonNode {
	if node == nil || node.kind == jsonNull {
		return nil
	}
	if node.kind != jsonObject {
		d.typeError(node, path, "object")
		return nil
	}
	return node
}

// readArray returns the elements of an array node, and nil when it is missing,
// null or of another type. Another type is an error.
func (d *payloadDecoder) readArray(node *jsonNode, path string) []*jsonNode {
	if node == nil || node.kind == jsonNull {
		return nil
	}
	if node.kind != jsonArray {
		d.typeError(node, path, "array")
		return nil
	}
	return node.elements
}

// readStrings reads a string array. encoding/json keeps null apart from [],
// so the result is nil for null and an empty slice for [].
func (d *payloadDecoder) readStrings(node *jsonNode, path string) []string {
	if node == nil || node.kind == jsonNull {
		return nil
	}
	if node.kind != jsonArray {
		d.typeError(node, path, "[]string")
		return nil
	}
	values := make([]string, 0, len(node.elements))
	for i, element := range node.elements {
		values = append(values, d.readString(element, fmt.Sprintf("%s[%d]", path, i)))
	}
	return values
}

func (d *payloadDecoder) readString(node *jsonNode, path string) string {
	if node == nil || node.kind == jsonNull {
		return ""
	}
	if node.kind != jsonString {
		d.typeError(node, path, "string")
		return ""
	}
	return node.text
}

func (d *payloadDecoder) readBool(node *jsonNode, path string) bool {
	if node == nil || node.kind == jsonNull {
		return false
	}
	if node.kind != jsonBool {
		d.typeError(node, path, "bool")
		return false
	}
	return node.text == "true"
}

func (d *payloadDecoder) readInt(node *jsonNode, path string) int {
	if node == nil || node.kind == jsonNull {
		return 0
	}
	n, err := strconv.Atoi(node.text)
	if node.kind != jsonNumber || err != nil {
		d.typeError(node, path, "int")
		return 0
	}
	return n
}

// readStringOrInt reads a value that may be a string or an integer, like the
// runner's StringOrInt64 for user: 1000 becomes "1000".
func (d *payloadDecoder) readStringOrInt(node *jsonNode, path string) string {
	if node == nil || node.kind == jsonNull {
		return ""
	}
	if node.kind == jsonString {
		return node.text
	}
	if n, err := strconv.ParseInt(node.text, 10, 64); node.kind == jsonNumber && err == nil {
		return strconv.FormatInt(n, 10)
	}
	d.diagnostics = append(d.diagnostics, Diagnostic{
		Severity: SeverityError, Position: d.position(node), Location: path,
		Message: "StringOrInt: input not string or integer", Kind: ErrInvalidConfig,
	})
	return ""
}

// typeError reports a value that encoding/json cannot decode into the
// runner's field type.
func (d *payloadDecoder) typeError(node *jsonNode, path, goType string) {
	d.diagnostics = append(d.diagnostics, Diagnostic{
		Severity: SeverityError,
		Position: d.position(node),
		Location: path,
		Message:  fmt.Sprintf("json: cannot unmarshal %s into %s of type %s", node.kind, path, goType),
		Kind:     ErrInvalidConfig,
	})
}

func (d *payloadDecoder) position(node *jsonNode) Position {
	if node == nil {
		return Position{File: d.file}
	}
	return d.lines.position(d.file, node.offset)
}

// jsonKind is a JSON value type, named as encoding/json's errors name it.
type jsonKind string

const (
	jsonNull   jsonKind = "null"
	jsonBool   jsonKind = "bool"
	jsonNumber jsonKind = "number"
	jsonString jsonKind = "string"
	jsonArray  jsonKind = "array"
	jsonObject jsonKind = "object"
)

// jsonNode is one JSON value with the byte offset where it starts.
type jsonNode struct {
	kind     jsonKind
	offset   int
	text     string // string value, number literal, or true/false
	members  []jsonMember
	elements []*jsonNode
}

type jsonMember struct {
	key   string
	value *jsonNode
}

// member returns the value of key the way encoding/json fills a struct
// field: the last member whose key equals the field name, else the last
// one that equals it ignoring case.
func (n *jsonNode) member(key string) *jsonNode {
	var folded *jsonNode
	for i := len(n.members) - 1; i >= 0; i-- {
		m := n.members[i]
		if m.key == key {
			return m.value
		}
		if folded == nil && strings.EqualFold(m.key, key) {
			folded = m.value
		}
	}
	return folded
}

// parseJSONTree parses one JSON document into a tree with offsets.
func parseJSONTree(data []byte) (*jsonNode, error) {
	if err := checkJSON(data); err != nil {
		return nil, err
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	return readJSONValue(decoder, data)
}

// checkJSON validates data with encoding/json, so syntax errors carry its
// messages and offsets.
func checkJSON(data []byte) error {
	var value any
	return json.Unmarshal(data, &value)
}

// readJSONValue reads the next value from decoder.
func readJSONValue(decoder *json.Decoder, data []byte) (*jsonNode, error) {
	offset := skipJSONSpace(data, int(decoder.InputOffset()))
	token, err := decoder.Token()
	if err != nil {
		return nil, err
	}

	node := &jsonNode{offset: offset}
	switch v := token.(type) {
	case json.Delim:
		if v == '{' {
			node.kind = jsonObject
			err = readJSONMembers(decoder, data, node)
		} else {
			node.kind = jsonArray
			err = readJSONElements(decoder, data, node)
		}
	case string:
		node.kind, node.text = jsonString, v
	case json.Number:
		node.kind, node.text = jsonNumber, v.String()
	case bool:
		node.kind, node.text = jsonBool, strconv.FormatBool(v)
	default:
		node.kind = jsonNull
	}
	return node, err
}

func readJSONMembers(decoder *json.Decoder, data []byte, node *jsonNode) error {
	for decoder.More() {
		token, err := decoder.Token()
		if err != nil {
			return err
		}
		value, err := readJSONValue(decoder, data)
		if err != nil {
			return err
		}
		node.members = append(node.members, jsonMember{key: token.(string), value: value})
	}
	_, err := decoder.Token()
	return err
}

func readJSONElements(decoder *json.Decoder, data []byte, node *jsonNode) error {
	for decoder.More() {
		value, err := readJSONValue(decoder, data)
		if err != nil {
			return err
		}
		node.elements = append(node.elements, value)
	}
	_, err := decoder.Token()
	return err
}

// skipJSONSpace returns the offset of the next value at or after offset,
// past white space and the , and : separators that the decoder has not
// consumed yet.
func skipJSONSpace(data []byte, offset int) int {
	for offset < len(data) {
		switch data[offset] {
		case ' ', '\t', '\r', '\n', ',', ':':
			offset++
		default:
			return offset
		}
	}
	return offset
}
