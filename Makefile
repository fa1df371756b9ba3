# Deskline — the two commands a newcomer needs are `make run` and `make test`.
GO       ?= go
DATA     ?= ./var
SIP      ?= 127.0.0.1:5060
HTTP     ?= 127.0.0.1:8080
BUILD    := build

.PHONY: run test deps vet unit cross soak bench image qemu-test fuzz clean prompts

## run: build and start the appliance on this machine (data in ./var, demo extensions)
run:
	@mkdir -p $(BUILD)
	$(GO) build -o $(BUILD)/deskline ./appliance/cmd/deskline
	$(BUILD)/deskline -data $(DATA) -sip $(SIP) -http $(HTTP) -sips 127.0.0.1:5061 -https 127.0.0.1:8443 -demo -sim-ports -sip-allow 127.0.0.0/8

## test: everything — vet, unit, fuzz seeds, end-to-end with real peers, the QEMU boot
test: deps vet cross unit qemu-test

deps:
	@.ci/install-test-deps

vet:
	$(GO) vet ./...
	$(GO) vet -tags qemu ./image/

unit:
	DESKLINE_SOAK=$(CI_SOAK) $(GO) test -count=1 -timeout 15m ./...

## soak: calls, configuration churn and agent changes against the daemon for SOAK (default 10m); memory, goroutines and files must stay flat
SOAK ?= 10m
CI_SOAK ?= 1m
soak:
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/soak-report.txt
	DESKLINE_SOAK=$(SOAK) DESKLINE_SOAK_REPORT=$(CURDIR)/$(BUILD)/soak-report.txt $(GO) test -count=1 -timeout 0 -run '^TestSoak$$' -v ./appliance/cmd/deskline/ > $(BUILD)/soak.log 2>&1; \
	st=$$?; grep -v '^\s*time=' $(BUILD)/soak.log | tail -30; cat $(BUILD)/soak-report.txt 2>/dev/null; exit $$st

## cross: the whole tree, hardware drivers included, builds for every board we ship (no cgo)
cross:
	@for arch in amd64 arm64 arm; do \
		echo "CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build ./..."; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build ./... || exit 1; \
	done

## bench: benchmarks with allocation figures; raw output in build/bench.txt, report in build/bench-report.txt
BENCHCOUNT ?= 5
bench:
	@mkdir -p $(BUILD)
	$(GO) test -run '^$$' -skip 'BenchmarkRelayLoad' -bench . -benchmem -count $(BENCHCOUNT) ./... | tee $(BUILD)/bench.txt
	$(GO) run ./.ci/benchreport < $(BUILD)/bench.txt | tee $(BUILD)/bench-report.txt
	$(GO) run ./media/cmd/rtpload -calls 100,500,1000,1500 -engine copy,relay | tee -a $(BUILD)/bench-report.txt

## fuzz: run every fuzz target for FUZZTIME each (seeds alone run in `make test`)
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## image: gokrazy disk images for amd64 and Raspberry Pi, with /perm formatted
image:
	image/build.sh

## qemu-test: build the amd64 image, boot it in QEMU, reach the panel and SIP
qemu-test:
	image/build.sh amd64
	DESKLINE_IMAGE=$(CURDIR)/$(BUILD)/deskline-amd64.img $(GO) test -count=1 -tags qemu -timeout 10m -v -run TestQEMUBoot ./image/

clean:
	rm -rf $(BUILD)

# prompts regenerates the default English prompts and music on hold (espeak-ng, sox).
prompts:
	media/prompt/gen-prompts.sh
