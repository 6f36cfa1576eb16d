package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/ciimage/ciimage"
)

// writeText prints the plan for a person debugging a pipeline: per job,
// the image, each service with its hostnames, and the findings.
func writeText(w io.Writer, plan *ciimage.Plan) {
	for i, job := range plan.Jobs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeJob(w, job)
	}

	if len(plan.Diagnostics) > 0 {
		if len(plan.Jobs) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "pipeline findings")
		writeFindings(w, plan.Diagnostics)
	}
}

func writeJob(w io.Writer, job ciimage.JobPlan) {
	fmt.Fprintf(w, "job %s\n", job.Name)

	if job.Image == nil {
		fmt.Fprintln(w, "  image        none")
	} else {
		img := job.Image
		fmt.Fprintf(w, "  image        %s  (from %s)\n", img.Name, img.Source)
		writeField(w, "entrypoint", formatList(img.Entrypoint))
		writeField(w, "pull policy", strings.Join(img.PullPolicy, ", "))
		writeField(w, "platform", img.Docker.Platform)
		writeField(w, "user", img.Docker.User)
		writeField(w, "credentials", formatCredentials(img.Credentials))
	}

	if len(job.Services) == 0 {
		fmt.Fprintln(w, "  services     none")
	}
	for _, svc := range job.Services {
		name := svc.Name
		if name == "" {
			name = `""`
		}
		fmt.Fprintf(w, "  service      %s  (from %s)\n", name, svc.Source)
		switch {
		case svc.Image == "" && strings.Contains(svc.Name, "$"):
			// The resolver leaves Image empty for a name it could not
			// resolve, so whether the service starts is not known.
			writeField(w, "started", "unknown: the name is not resolved (see the findings)")
		case !svc.Started:
			writeField(w, "started", "NO: the runner does not create this container")
		}
		if svc.Image != svc.Name {
			writeField(w, "pulls", svc.Image)
		}
		hostnames := "none"
		if len(svc.Aliases) > 0 {
			hostnames = strings.Join(svc.Aliases, ", ")
		}
		writeField(w, "hostnames", hostnames)
		if len(svc.SkippedAliases) > 0 {
			writeField(w, "skipped", strings.Join(svc.SkippedAliases, ", ")+" (already in use)")
		}
		writeField(w, "entrypoint", formatList(svc.Entrypoint))
		writeField(w, "command", formatList(svc.Command))
		writeField(w, "variables", formatMap(svc.Variables))
		writeField(w, "pull policy", strings.Join(svc.PullPolicy, ", "))
		writeField(w, "platform", svc.Docker.Platform)
		writeField(w, "user", svc.Docker.User)
		writeField(w, "credentials", formatCredentials(svc.Credentials))
	}

	if len(job.Diagnostics) > 0 {
		fmt.Fprintln(w, "  findings")
		writeFindings(w, job.Diagnostics)
	}
}

// writeField prints one indented "name  value" line, or nothing for an
// empty value.
func writeField(w io.Writer, name, value string) {
	if value == "" {
		return
	}
	fmt.Fprintf(w, "    %-12s %s\n", name, value)
}

func writeFindings(w io.Writer, diags ciimage.Diagnostics) {
	for _, d := range diags {
		fmt.Fprintf(w, "    %-7s %s\n", d.Severity, d.String())
	}
}

// formatList prints a list in JSON-like form, so that [] and [""] stay
// distinct from an unset value (printed as nothing).
func formatList(list []string) string {
	if list == nil {
		return ""
	}
	quoted := make([]string, len(list))
	for i, s := range list {
		quoted[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

func formatCredentials(c *ciimage.Credentials) string {
	if c == nil {
		return "none"
	}
	s := c.RegistryPath + " from " + c.Source
	if c.Username != "" {
		s += ", user " + c.Username
	}
	if c.Helper != "" {
		s += ", helper docker-credential-" + c.Helper
	}
	return s
}
