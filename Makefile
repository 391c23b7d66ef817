# Developer shortcuts. CI runs .ci/run, which `make ci` runs too.

STEWARD_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: build run test test-postgres lint browser-deps ci

## build: compile the steward binary into ./steward
build:
	go build -o steward ./cmd/steward

## run: start the server with demo data
run:
	go run ./cmd/steward serve --demo

## test: run the tests (PostgreSQL and browser tests skip what is missing)
test:
	go test ./...

## test-postgres: run the tests against PostgreSQL too
test-postgres:
	STEWARD_TEST_POSTGRES='$(STEWARD_TEST_POSTGRES)' go test ./...

## lint: check formatting, run go vet, check go.mod is tidy, run staticcheck
lint:
	@unformatted=$$(git ls-files -z --cached --others --exclude-standard '*.go' | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then \
		echo "not gofmt'd (run gofmt -w):"; echo "$$unformatted"; exit 1; \
	fi
	go vet ./...
	go mod tidy -diff
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## browser-deps: install axe-core for the browser tests (Chromium comes from Debian)
browser-deps:
	npm ci --no-audit --no-fund
	@test -x /usr/bin/chromium || echo "Chromium is missing too: apt-get install chromium (or set STEWARD_CHROMIUM)"

## ci: run the CI script, as CI does
ci:
	bash .ci/run
