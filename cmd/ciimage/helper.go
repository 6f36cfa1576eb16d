package main

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/ciimage/ciimage"
	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
)

// shellHelperRunner runs docker-credential-NAME programs found in PATH, as
// GitLab Runner does. The command uses it only with -run-helpers.
type shellHelperRunner struct{}

// List runs "docker-credential-NAME list".
func (shellHelperRunner) List(ctx context.Context, helper string) (map[string]string, error) {
	program, err := findHelper(ctx, helper)
	if err != nil {
		return nil, err
	}

	stored, err := client.List(client.NewShellProgramFunc(program))
	if err != nil {
		return nil, helperFailed(program, "list")
	}
	return stored, nil
}

// Get runs "docker-credential-NAME get" with serverURL on standard input.
func (shellHelperRunner) Get(ctx context.Context, helper, serverURL string) (ciimage.HelperCredentials, error) {
	program, err := findHelper(ctx, helper)
	if err != nil {
		return ciimage.HelperCredentials{}, err
	}

	found, err := client.Get(client.NewShellProgramFunc(program), serverURL)
	switch {
	case credentials.IsErrCredentialsNotFound(err):
		return ciimage.HelperCredentials{}, fmt.Errorf("%s: %w", program, ciimage.ErrHelperCredentialsNotFound)
	case err != nil:
		return ciimage.HelperCredentials{}, helperFailed(program, "get")
	}
	return ciimage.HelperCredentials{
		ServerURL: found.ServerURL,
		Username:  found.Username,
		Secret:    ciimage.NewSecret(found.Secret),
	}, nil
}

// findHelper returns the program name of a helper after checking that the
// context is live and that the program is in PATH.
func findHelper(ctx context.Context, helper string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	program := ciimage.HelperProgram(helper)
	if _, err := exec.LookPath(program); err != nil {
		return "", err
	}
	return program, nil
}

// helperFailed reports a failed helper command without its output, which
// can contain a secret.
func helperFailed(program, action string) error {
	return fmt.Errorf("%s %s failed; run it by hand to see its output", program, action)
}
