package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ciimage/ciimage"
)

// authFlags are the parsed flags of "ciimage auth".
type authFlags struct {
	commonFlags
	dockerAuthConfig string
	images           []string
}

// authImageJSON is one image in the JSON output; empty strings mean that
// no credentials match.
type authImageJSON struct {
	Image        string `json:"image"`
	RegistryPath string `json:"registry_path"`
	Source       string `json:"source"`
	Username     string `json:"username"`
	Helper       string `json:"helper"`
}

// authOutputJSON is the JSON output of "ciimage auth".
type authOutputJSON struct {
	Images      []authImageJSON     `json:"images"`
	Diagnostics ciimage.Diagnostics `json:"diagnostics"`
}

// runAuth runs "ciimage auth [flags] IMAGE..." and returns the exit status.
func runAuth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags, err := parseAuthFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}

	opts, diags, err := authOptions(flags)
	if err != nil {
		fmt.Fprintf(stderr, "ciimage auth: %v\n", err)
		return exitUsage
	}

	auth, found, err := ciimage.ResolveRegistryAuth(ctx, opts)
	diags = append(diags, found...)
	diags = append(diags, resolutionErrorDiagnostic(err)...)
	output := authOutputJSON{Images: []authImageJSON{}}
	for _, image := range flags.images {
		// A name Docker cannot pull is worth a warning here, but it is
		// not a credentials error, so it does not change the exit status.
		for _, d := range ciimage.ImageNameDiagnostics(image, ciimage.RoleBuildImage) {
			d.Location = image
			d.Severity = ciimage.SeverityWarning
			diags = append(diags, d)
		}
		explanation := auth.Explain(image)
		output.Images = append(output.Images, imageJSON(explanation))
		diags = append(diags, explanation.Reasons...)
	}
	output.Diagnostics = uniqueDiagnostics(diags)

	for _, d := range output.Diagnostics {
		fmt.Fprintln(stderr, d.String())
	}
	if err := writeAuthOutput(stdout, flags.format, output); err != nil {
		fmt.Fprintf(stderr, "ciimage auth: %v\n", err)
		return exitUsage
	}

	if output.Diagnostics.HasErrors() {
		return exitFindings
	}
	return exitOK
}

// parseAuthFlags parses the command line; errors are already written to
// stderr.
func parseAuthFlags(args []string, stderr io.Writer) (authFlags, error) {
	var f authFlags
	fs := newFlagSet("auth", "ciimage auth [flags] IMAGE...", stderr)
	f.register(fs)
	fs.StringVar(&f.dockerAuthConfig, "docker-auth-config", "", "the DOCKER_AUTH_CONFIG `VALUE`: JSON, or @FILE to read it from FILE")

	images, err := parseArgs(fs, args)
	if err != nil {
		return f, err
	}
	f.images = images

	switch {
	case !f.checkFormat(stderr):
		return f, errors.New("invalid format")
	case !f.checkHome(stderr):
		return f, errors.New("invalid home")
	case len(f.images) == 0:
		fmt.Fprintln(stderr, "ciimage auth: missing IMAGE")
		fs.Usage()
		return f, errors.New("missing image")
	}
	return f, nil
}

// authOptions builds the resolution inputs from the flags: the runner's
// environment, then -docker-auth-config, then -var, so the last
// DOCKER_AUTH_CONFIG among them is used.
func authOptions(f authFlags) (ciimage.AuthOptions, ciimage.Diagnostics, error) {
	runner, diags, err := loadRunner(f.config, f.runner)
	if err != nil {
		return ciimage.AuthOptions{}, nil, err
	}
	vars, found := runner.EnvironmentVariables()
	diags = append(diags, found...)

	opts := ciimage.AuthOptions{Home: f.home}
	if f.dockerAuthConfig != "" {
		value, file, err := readDockerAuthConfigFlag(f.dockerAuthConfig)
		if err != nil {
			return ciimage.AuthOptions{}, nil, err
		}
		vars = append(vars, ciimage.Variable{Key: "DOCKER_AUTH_CONFIG", Value: value})
		if _, set := ciimage.Variables(f.vars).Lookup("DOCKER_AUTH_CONFIG"); !set {
			opts.DockerAuthConfigFile = file
		}
	}
	vars = append(vars, f.vars...)

	opts.Variables = vars
	opts.Credentials = ciimage.JobPayloadCredentials(vars)
	opts.Helpers = f.helpers()
	return opts, diags, nil
}

// readDockerAuthConfigFlag returns the value of -docker-auth-config and
// the file it came from, or "" when it was given inline.
func readDockerAuthConfigFlag(value string) (string, string, error) {
	file, isFile := strings.CutPrefix(value, "@")
	if !isFile {
		return value, "", nil
	}
	data, err := readFileLimited(file, ciimage.DefaultLimits().MaxDockerConfigBytes)
	if err != nil {
		return "", "", fmt.Errorf("cannot read -docker-auth-config file: %w", err)
	}
	return string(data), file, nil
}

// resolutionErrorDiagnostic turns the error of ResolveRegistryAuth into
// error diagnostics.
func resolutionErrorDiagnostic(err error) ciimage.Diagnostics {
	if err == nil {
		return nil
	}
	var configErr *ciimage.ConfigError
	if errors.As(err, &configErr) {
		return ciimage.Diagnostics{{Severity: ciimage.SeverityError, Position: configErr.Position, Location: configErr.Location, Message: configErr.Message, Kind: configErr.Kind}}
	}
	return ciimage.Diagnostics{{Severity: ciimage.SeverityError, Message: err.Error(), Kind: ciimage.ErrCredentials}}
}

// imageJSON returns the output record of one image.
func imageJSON(e ciimage.AuthExplanation) authImageJSON {
	out := authImageJSON{Image: e.Image}
	if c := e.Credentials; c != nil {
		out.RegistryPath, out.Source, out.Username, out.Helper = c.RegistryPath, c.Source, c.Username, c.Helper
	}
	return out
}

// uniqueDiagnostics drops repeats of the same diagnostic text and never
// returns nil.
func uniqueDiagnostics(diags ciimage.Diagnostics) ciimage.Diagnostics {
	seen := make(map[string]bool, len(diags))
	unique := ciimage.Diagnostics{}
	for _, d := range diags {
		if seen[d.String()] {
			continue
		}
		seen[d.String()] = true
		unique = append(unique, d)
	}
	return unique
}

// writeAuthOutput writes the images as JSON or as one line each.
func writeAuthOutput(w io.Writer, format string, output authOutputJSON) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(output)
	}

	for _, image := range output.Images {
		if image.RegistryPath == "" {
			fmt.Fprintf(w, "%s: no credentials\n", image.Image)
			continue
		}
		line := fmt.Sprintf("%s: %s from %s", image.Image, image.RegistryPath, image.Source)
		if image.Username != "" {
			line += ", user " + image.Username
		}
		if image.Helper != "" {
			line += ", helper " + image.Helper
		}
		fmt.Fprintln(w, line)
	}
	return nil
}
