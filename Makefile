# MealBuddy build and test entry points. `make run` and `make test` are the
# two commands the README names; .ci/run calls `make test`.

BINARY  ?= mealbuddy
DATA    ?= ./mealbuddy-data
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X github.com/mealbuddy/mealbuddy/app.Version=$(VERSION) -X github.com/mealbuddy/mealbuddy/app.Commit=$(COMMIT)
export CGO_ENABLED = 0

.PHONY: run build ui ui-test go-test lint cross qemu-smoke e2e test bench load clean

## run: build everything and serve with the embedded defaults on 127.0.0.1:8080
run: build
	./$(BINARY) serve --data $(DATA)

## build: the web app, then the single binary that embeds it
build: ui
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) .

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

## ui: build the React app into ui/dist (embedded by the Go build)
ui: ui/node_modules/.package-lock.json
	cd ui && npm run build

ui-test: ui/node_modules/.package-lock.json
	cd ui && npm test

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...

# The race detector needs cgo (gcc); the binary itself is built without it.
go-test:
	CGO_ENABLED=1 go test -race -count=1 ./...

## cross: the Raspberry Pi (arm64, armv7) builds must compile
cross:
	GOOS=linux GOARCH=arm64 go build -o /dev/null .
	GOOS=linux GOARCH=arm GOARM=7 go build -o /dev/null .

## qemu-smoke: the linux/arm64 binary under qemu-user-static: version, migrate up, serve + /readyz
qemu-smoke:
	bash scripts/qemu-smoke.sh

## e2e: the UI in headless Chromium against the real binary
e2e: build
	MEALBUDDY_BIN=$(CURDIR)/$(BINARY) bash e2e/run.sh

## test: every test — Go (with -race), UI unit tests, cross builds, the arm64 binary under qemu, browser end-to-end
test: lint go-test ui-test cross qemu-smoke e2e

## bench: the post-list benchmark and the hub benchmarks
bench:
	go test -run xxx -bench . -benchtime 3s ./app/ ./hub/ ./app/neighborhood/

clean:
	rm -f $(BINARY)
