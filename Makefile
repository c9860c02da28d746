# duplex: Socket.IO for Go, on both ends of the wire.
#
#   make run    build the wasm client and start the demo server on :3000
#               (another port: make run ADDR=:8080)
#   make test   install what is missing (make deps), then run every test
#
GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_DIR  := build/wasm
WASM_LDFLAGS := -s -w
FUZZTIME  ?= 10s
ADDR      ?= :3000
# Build tag of the tests that run the Node reference packages or Chromium:
# `go test ./...` alone needs only Go; make test selects them.
TAGS      ?= interop
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK := build/tools/staticcheck
# Runs a command in every module of go.work (the library at the root, the
# demo, its pages, e2e, bench, and any module added to go.work later).
EACH      := bash scripts/each-module.sh

# go_js_wasm_exec (the runner for GOOS=js tests) lives here.
export PATH := $(GOROOT)/lib/wasm:$(PATH)

.PHONY: all run test deps wasm vet staticcheck test-native test-wasm bench bench-compare fuzz clean

all: test

## deps: install what the tests need when it is missing (idempotent).
deps:
	@STATICCHECK_VERSION=$(STATICCHECK_VERSION) bash scripts/deps.sh

## wasm: build the browser client (and the Go pages) to build/wasm/.
wasm:
	@mkdir -p $(WASM_DIR)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="$(WASM_LDFLAGS)" -o $(WASM_DIR)/client.wasm ./client/wasm
	@if [ -d www/chat ] && ls www/chat/*.go >/dev/null 2>&1; then \
		GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="$(WASM_LDFLAGS)" -o $(WASM_DIR)/chat.wasm ./www/chat; fi
	@# What client.wasm holds, per package: a build that keeps its symbols, read by sizereport.
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(WASM_DIR)/client-symbols.wasm ./client/wasm
	$(GO) run ./client/wasm/sizereport $(WASM_DIR)/client-symbols.wasm > $(WASM_DIR)/size.txt
	@rm -f $(WASM_DIR)/client-symbols.wasm
	cp $(GOROOT)/lib/wasm/wasm_exec.js $(WASM_DIR)/wasm_exec.js
	@# Pre-compressed variants, served by client/dist when the request accepts them.
	gzip -9 -k -f $(WASM_DIR)/*.wasm $(WASM_DIR)/wasm_exec.js
	@if command -v brotli >/dev/null; then brotli -q 11 -k -f $(WASM_DIR)/*.wasm $(WASM_DIR)/wasm_exec.js; \
		else echo "wasm: brotli not installed (make deps installs it): no .br variants"; fi
	@# brotli keeps the source's mtime truncated to seconds: mark the variants as fresh.
	@touch $(WASM_DIR)/*.gz; for f in $(WASM_DIR)/*.br; do [ -e "$$f" ] && touch "$$f"; done; true
	@for f in $(WASM_DIR)/client.wasm*; do printf '%10d %s\n' $$(wc -c < $$f) $$f; done | tee -a $(WASM_DIR)/size.txt

## run: build the wasm client and start the demo server on :3000.
run: wasm
	$(GO) run ./cmd/duplex-demo -addr $(ADDR) -www www -wasm $(WASM_DIR)

## vet: gofmt (every tracked Go file formatted), then go vet of every module,
## for the host and for js/wasm.
vet:
	@unformatted=$$(git ls-files -z '*.go' | xargs -0 $(GOROOT)/bin/gofmt -l); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@$(EACH) $(GO) vet -tags $(TAGS) ./...
	@$(EACH) -js $(GO) vet -tags $(TAGS) ./...

## staticcheck: the pinned staticcheck (make deps installs it) on every
## module, once for the host and js/wasm together (-matrix: code used by one
## platform only is not "unused"); any finding fails.
staticcheck:
	@test -x $(STATICCHECK) || { echo "staticcheck: $(STATICCHECK) is missing: run make deps" >&2; exit 1; }
	@$(EACH) sh -c 'printf "native: -tags=$(TAGS)\njs: GOOS=js GOARCH=wasm -tags=$(TAGS)\n" | $(CURDIR)/$(STATICCHECK) -matrix ./...'

## test: everything, from a fresh clone: vet and staticcheck for both GOOS,
## native tests of every module with -race (unit, interop against the pinned
## Node packages, chromedp e2e), and the js/wasm tests under Node.
test: deps vet staticcheck wasm test-native test-wasm

test-native:
	@$(EACH) $(GO) test -race -count=1 -tags $(TAGS) -timeout 40m ./...

test-wasm:
	NODE_OPTIONS=--experimental-websocket GOOS=js GOARCH=wasm $(GO) test -count=1 -timeout 10m ./protocol/... ./client/... ./internal/jsonread/...

## bench: micro-benchmarks and the side-by-side load benchmark against Node.
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./protocol/... ./server/...
	@if [ -d bench ]; then $(GO) run ./bench/cmd/duplexbench; fi
	@if [ -d bench/browser ]; then $(GO) run ./bench/browser; fi

## bench-cluster: the cluster benchmark alone (2 duplex vs 2 Node nodes on one redis-server, each Redis mode).
.PHONY: bench-cluster
bench-cluster: deps
	$(GO) run ./bench/cmd/duplexbench -scenarios cluster

## bench-compare: the server's micro-benchmarks (echo, broadcast, dispatch,
## ack, emit) of BENCH_BASE and BENCH_HEAD, alternated (bench/compare.sh;
## BENCH_MODE=cpu counts CPU time, for a loaded machine).
BENCH_BASE ?= cce8fa3
BENCH_HEAD ?= HEAD
BENCH_MODE ?= wall
bench-compare:
	bench/compare.sh -m $(BENCH_MODE) $(BENCH_BASE) $(BENCH_HEAD)

## fuzz: a short bounded run of every fuzz target (FUZZTIME each).
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf build

.PHONY: cluster
## cluster: a local cluster (redis-server, 2 duplex nodes on the classic Redis
## adapter, nginx in front on 127.0.0.1:3000); see docs/cluster.md.
cluster: wasm
	cd adapter/redis && $(GO) run ./cmd/duplex-cluster -wasm ../../$(WASM_DIR)
