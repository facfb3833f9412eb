// Package registry implements `login` and `logout`: credentials checked
// against the registry and kept where the docker CLI keeps them.
package registry

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/berth-project/berth/pkg/config"
	"github.com/berth-project/berth/pkg/registryutil"
)

// LoginOptions are the arguments and flags of `login`.
type LoginOptions struct {
	// Server is the registry to log in to; empty means Docker Hub.
	Server string
	// Username is the user name (-u).
	Username string
	// Password is the password given on the command line (-p).
	Password string
	// PasswordStdin reads the password from standard input.
	PasswordStdin bool
}

// Validate checks the flags against each other, with Docker's wording.
func (o *LoginOptions) Validate() error {
	if o.Password != "" && o.PasswordStdin {
		return errors.New("--password and --password-stdin are mutually exclusive")
	}
	if o.PasswordStdin && o.Username == "" {
		return errors.New("Must provide --username with --password-stdin")
	}
	return nil
}

// IO holds the streams of a command that talks to the user.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Login checks credentials against the registry and saves them in the docker
// config (or its credential helper) only once the registry accepted them.
func Login(ctx context.Context, cfg *config.Config, s IO, o LoginOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Password != "" {
		fmt.Fprintln(s.Err, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
	}
	if o.PasswordStdin {
		pw, err := io.ReadAll(s.In)
		if err != nil {
			return fmt.Errorf("reading the password from stdin: %w", err)
		}
		o.Password = strings.TrimSuffix(strings.TrimSuffix(string(pw), "\n"), "\r")
	}
	key := registryutil.AuthKey(o.Server)
	host := pingHost(key)
	hosts := registryutil.HostsFromConfig(cfg)
	store, err := registryutil.NewCredentialStore(registryutil.ConfigDir())
	if err != nil {
		return err
	}
	if o.Username == "" && o.Password == "" {
		// As docker does: stored credentials that still work need no prompt.
		if user, secret, err := store.Get(ctx, key); err == nil && secret != "" {
			if hosts.Ping(ctx, host, fixedCreds(user, secret)) == nil {
				fmt.Fprintln(s.Out, "Authenticating with existing credentials...")
				fmt.Fprintln(s.Out, "Login Succeeded")
				return nil
			}
		}
	}
	if err := prompt(s, &o); err != nil {
		return err
	}
	if err := hosts.Ping(ctx, host, fixedCreds(o.Username, o.Password)); err != nil {
		return err
	}
	if err := store.Store(ctx, key, o.Username, o.Password); err != nil {
		return fmt.Errorf("saving credentials: %w", err)
	}
	if store.ConfigFile().HelperFor(key) == "" {
		fmt.Fprintf(s.Err, "WARNING! Your credentials are stored unencrypted in '%s'.\n"+
			"Configure a credential helper to remove this warning. See\n"+
			"https://docs.docker.com/go/credential-store/\n\n", store.ConfigFile().Path())
	}
	fmt.Fprintln(s.Out, "Login Succeeded")
	return nil
}

// pingHost is the registry host that answers for an auths key; Docker Hub's
// legacy key is served by docker.io's endpoint.
func pingHost(key string) string {
	if registryutil.IsHub(key) {
		return "docker.io"
	}
	return key
}

func fixedCreds(user, secret string) func(string) (string, string, error) {
	return func(string) (string, string, error) { return user, secret, nil }
}

// prompt asks for what the flags did not give, when stdin is a terminal.
func prompt(s IO, o *LoginOptions) error {
	if o.Username != "" && o.Password != "" {
		return nil
	}
	f, ok := s.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return errors.New("Cannot perform an interactive login from a non TTY device")
	}
	if o.Username == "" {
		fmt.Fprint(s.Out, "Username: ")
		line, err := bufio.NewReader(f).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading the username: %w", err)
		}
		o.Username = strings.TrimSpace(line)
		if o.Username == "" {
			return errors.New("Non-null Username Required")
		}
	}
	if o.Password == "" {
		fmt.Fprint(s.Out, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.Out)
		if err != nil {
			return fmt.Errorf("reading the password: %w", err)
		}
		o.Password = string(pw)
		if o.Password == "" {
			return errors.New("Password Required")
		}
	}
	return nil
}

// LogoutOptions are the arguments of `logout`.
type LogoutOptions struct {
	// Server is the registry to log out from; empty means Docker Hub.
	Server string
}

// Logout removes the stored credentials of a registry, from the helper that
// holds them and from the docker config.
func Logout(ctx context.Context, out io.Writer, o LogoutOptions) error {
	key := registryutil.AuthKey(o.Server)
	store, err := registryutil.NewCredentialStore(registryutil.ConfigDir())
	if err != nil {
		return err
	}
	found, err := store.Erase(ctx, key)
	if err != nil {
		return fmt.Errorf("removing login credentials for %s: %w", key, err)
	}
	if !found {
		fmt.Fprintf(out, "Not logged in to %s\n", key)
		return nil
	}
	fmt.Fprintf(out, "Removing login credentials for %s\n", key)
	return nil
}
