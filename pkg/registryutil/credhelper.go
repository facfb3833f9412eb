package registryutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// HelperPrefix starts the program name of every Docker credential helper.
const HelperPrefix = "docker-credential-"

// tokenUsername is what a helper returns as the user when the secret is an
// identity (refresh) token rather than a password.
const tokenUsername = "<token>"

// notFoundMessage is what helpers print when they hold nothing for a server;
// it is part of the helper protocol, not an error to report.
const notFoundMessage = "credentials not found in native keychain"

// ErrCredentialsNotFound is returned by a helper's Get for an unknown server.
var ErrCredentialsNotFound = errors.New(notFoundMessage)

// helperCredentials is the JSON the helper protocol exchanges.
type helperCredentials struct {
	ServerURL string
	Username  string
	Secret    string
}

// Helper runs one docker-credential-<name> program.
type Helper struct {
	// Name is the helper's suffix: "pass" for docker-credential-pass.
	Name string
}

// Program is the helper's executable name, looked up on PATH.
func (h Helper) Program() string { return HelperPrefix + h.Name }

// Get returns the user and secret stored for server, or ErrCredentialsNotFound.
func (h Helper) Get(ctx context.Context, server string) (user, secret string, err error) {
	out, err := h.run(ctx, "get", server)
	if err != nil {
		return "", "", err
	}
	var c helperCredentials
	if err := json.Unmarshal(out, &c); err != nil {
		return "", "", fmt.Errorf("%s get: invalid answer: %w", h.Program(), err)
	}
	if c.Username == tokenUsername {
		return "", c.Secret, nil
	}
	return c.Username, c.Secret, nil
}

// Store saves user and secret for server.
func (h Helper) Store(ctx context.Context, server, user, secret string) error {
	in, err := json.Marshal(helperCredentials{ServerURL: server, Username: user, Secret: secret})
	if err != nil {
		return err
	}
	_, err = h.run(ctx, "store", string(in))
	return err
}

// Erase removes what is stored for server; nothing stored is not an error.
func (h Helper) Erase(ctx context.Context, server string) error {
	_, err := h.run(ctx, "erase", server)
	if errors.Is(err, ErrCredentialsNotFound) {
		return nil
	}
	return err
}

// run executes the helper with action, input on stdin, and returns stdout.
// Helpers report failures on stdout as well as stderr, so both end up in the
// error.
func (h Helper) run(ctx context.Context, action, input string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, h.Program(), action)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	msg := strings.TrimSpace(stdout.String())
	if msg == "" {
		msg = strings.TrimSpace(stderr.String())
	}
	if msg == notFoundMessage {
		return nil, ErrCredentialsNotFound
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && msg != "" {
		return nil, fmt.Errorf("%s %s: %s", h.Program(), action, msg)
	}
	return nil, fmt.Errorf("credential helper %s %s: %w", h.Program(), action, err)
}
