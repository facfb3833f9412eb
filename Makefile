# berth: one binary (bin/berth) plus the helpers it carries in libexec/berth/:
# runc, the CNI plugins and ctr, all built from the versions pinned in go.mod.

PREFIX ?= /usr/local
DESTDIR ?=
GO ?= go
GOFLAGS_BUILD ?= -trimpath

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null)
RUNC_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/opencontainers/runc)
CNI_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/containernetworking/plugins)
CONTAINERD_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/containerd/containerd/v2)

PKG := github.com/berth-project/berth
LDFLAGS := -s -w \
	-X $(PKG)/pkg/version.Version=$(VERSION) \
	-X $(PKG)/pkg/version.GitCommit=$(COMMIT) \
	-X $(PKG)/pkg/version.RuncVersion=$(RUNC_VERSION) \
	-X $(PKG)/pkg/version.CNIPluginsVersion=$(CNI_VERSION) \
	-X github.com/containerd/containerd/v2/version.Version=$(CONTAINERD_VERSION)

CNI_PLUGINS := \
	main/bridge main/host-device main/ipvlan main/loopback main/macvlan main/ptp main/vlan \
	ipam/host-local ipam/dhcp ipam/static \
	meta/portmap meta/firewall meta/tuning meta/bandwidth
CNI_BINS := $(addprefix libexec/berth/,$(notdir $(CNI_PLUGINS)))

# Debian packages the build and the tests need.
SETUP_PACKAGES := build-essential pkg-config libseccomp-dev busybox-static iptables nftables curl procps util-linux bsdutils \
	iproute2 uidmap git ca-certificates

.PHONY: all berth helpers setup test unit integration demo install clean bench fmt vet lint

all: berth helpers

# The CLI, the engine and compose are separate binaries: linking containerd's
# server into the CLI cost every command 15 MiB of RSS, and the compose-spec
# loader 3 ms of start-up in every CLI and OCI hook run.
berth:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '$(LDFLAGS)' -o bin/berth ./cmd/berth
	@mkdir -p libexec/berth
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '$(LDFLAGS)' -o libexec/berth/berth-engine ./cmd/berth-engine
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '$(LDFLAGS)' -o libexec/berth/berth-compose ./cmd/berth-compose

helpers: libexec/berth/runc libexec/berth/ctr $(CNI_BINS) libexec/berth/containerd-shim-runc-v2 libexec/berth/berth-logger libexec/berth/berth-init

libexec/berth/runc: go.mod go.sum
	@mkdir -p libexec/berth
	CGO_ENABLED=1 $(GO) build $(GOFLAGS_BUILD) -tags seccomp -ldflags '-s -w -X main.version=$(RUNC_VERSION:v%=%)' -o $@ github.com/opencontainers/runc

libexec/berth/ctr: go.mod go.sum
	@mkdir -p libexec/berth
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '-s -w -X github.com/containerd/containerd/v2/version.Version=$(CONTAINERD_VERSION)' -o $@ github.com/containerd/containerd/v2/cmd/ctr

$(CNI_BINS) &: go.mod go.sum
	@mkdir -p libexec/berth
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$(CNI_VERSION)' -o libexec/berth/ \
		$(addprefix github.com/containernetworking/plugins/plugins/,$(CNI_PLUGINS))

# The shim runs once per container, so it is its own lean binary from the
# pinned containerd (16 MiB RSS) rather than the multicall berth (34 MiB).
libexec/berth/containerd-shim-runc-v2: go.mod go.sum
	@mkdir -p libexec/berth
	@rm -f $@
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '-s -w -X github.com/containerd/containerd/v2/version.Version=$(CONTAINERD_VERSION)' -o $@ github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2

# The logger runs once per running container too: a small binary of its own
# (standard library and pkg/logging only) rather than the multicall berth.
libexec/berth/berth-logger: go.mod go.sum $(wildcard cmd/berth-logger/*.go pkg/logging/*.go)
	@mkdir -p libexec/berth
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '-s -w' -o $@ ./cmd/berth-logger

# The --init of containers: a tiny static PID 1, bind-mounted into them.
libexec/berth/berth-init: go.mod go.sum $(wildcard cmd/berth-init/*.go)
	@mkdir -p libexec/berth
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_BUILD) -ldflags '-s -w' -o $@ ./cmd/berth-init

setup:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SETUP_PACKAGES)

# The whole test suite: unit tests, then the built binary against a real engine.
test: all unit integration

unit:
	$(GO) test -count=1 ./pkg/... ./cmd/...

integration: all
	BERTH_BIN=$(CURDIR)/bin/berth $(GO) test -count=1 -p 1 -timeout 60m ./test/...

fmt:
	gofmt -l -w cmd pkg test bench

vet:
	$(GO) vet ./...

# Build, load an image made from the host's busybox-static, and run it on the
# embedded engine.
demo: all
	$(GO) run ./test/cmd/mkbusybox -o bin/busybox-demo.tar
	bin/berth load -q -i bin/busybox-demo.tar
	bin/berth run --rm berth.local/busybox:demo echo "hello from a berth container"

bench: all
	bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/berth
	install -m 0755 bin/berth $(DESTDIR)$(PREFIX)/bin/berth
	install -m 0755 libexec/berth/berth-engine libexec/berth/berth-compose libexec/berth/runc libexec/berth/ctr libexec/berth/containerd-shim-runc-v2 libexec/berth/berth-logger libexec/berth/berth-init $(CNI_BINS) $(DESTDIR)$(PREFIX)/libexec/berth/

clean:
	rm -rf bin libexec
