# Archetype: build the native library, run the Swift and the Python tests.
#
#   make test   debug build + `swift test`, release library and CLI, C ABI test, Python tests
#   make c-test the C ABI conformance test (Tests/CABI) against the release library
#   make lint   ruff over python/ and bench/
#
# The release library is built with the default scratch path (.build/release); `swift test`
# builds in .build/debug and never touches it. Benchmarks build their own release library in
# .build-release (bench/*.py).

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python

ifeq ($(shell uname -s),Darwin)
LIB_FILE := libArchetypeFFI.dylib
else
LIB_FILE := libArchetypeFFI.so
endif
RELEASE_LIB := .build/release/$(LIB_FILE)
RELEASE_CLI := .build/release/archetype
NATIVE_DIR := python/src/archetype/_native

# C ABI conformance test (Tests/CABI/*.c, c-abi.md section 11). C_TEST_LIBDIR and C_TEST_CFLAGS
# let the same source run against another build of the library, e.g.
#   make c-test-run C_TEST_LIBDIR=<asan build dir> C_TEST_CFLAGS=-fsanitize=address
ifeq ($(origin CC),default)
CC := gcc
endif
C_TEST_LIBDIR ?= .build/release
C_TEST_CFLAGS ?=
C_TEST_BIN ?= .build/c-abi-test
C_TEST_SRC := $(wildcard Tests/CABI/*.c)

.PHONY: test demo scenarios c-test c-test-run build build-debug build-release native swift-test python-test venv lint clean

test: build-debug build-release native swift-test scenarios c-test venv python-test

# The main job: a movement world through the native core, its history written to Parquet in
# ./archetype-data, and a summary (README "Quick start").
demo: build-release
	$(RELEASE_CLI) demo

# bench.md §3.6: both native scenarios at their defaults must print "correct": true (timings
# are ignored here; the exit status is the gate).
scenarios: build-release
	$(RELEASE_CLI) bench movement > /dev/null
	$(RELEASE_CLI) bench mid-run-spawn > /dev/null

# Every exported arct_* function from plain C, with hand-built Arrow structs and counted
# releases, including the negative cases N1-N37 (c-abi.md section 11).
c-test: build-release
	$(MAKE) --no-print-directory c-test-run

# Build and run the C test without (re)building the library (for sanitizer builds).
c-test-run:
	@mkdir -p $(dir $(C_TEST_BIN))
	$(CC) -std=c11 -Wall -Wextra -Werror -pthread -g -O1 $(C_TEST_CFLAGS) -I Sources/CArrowABI/include \
		$(C_TEST_SRC) -o $(C_TEST_BIN) -L$(C_TEST_LIBDIR) -lArchetypeFFI -lm \
		-Wl,-rpath,$(abspath $(C_TEST_LIBDIR))
	SWIFT_BACKTRACE=enable=no $(C_TEST_BIN)
	$(CC) -std=c11 -Wall -Wextra -Werror $(C_TEST_CFLAGS) -I Sources/CArrowABI/include docs/examples/quickstart.c \
		-o $(C_TEST_BIN)-quickstart -L$(C_TEST_LIBDIR) -lArchetypeFFI -Wl,-rpath,$(abspath $(C_TEST_LIBDIR))
	SWIFT_BACKTRACE=enable=no $(C_TEST_BIN)-quickstart | tail -1 | grep -qx "entity 3 tick 1 position__x 21.5"

build: build-debug build-release native

build-debug:
	$(SWIFT) build --build-tests

build-release:
	$(SWIFT) build -c release --product ArchetypeFFI
	$(SWIFT) build -c release --product archetype

# Copy the library into the package (python.md §1.3, location 2) for an editable install.
native: build-release
	mkdir -p $(NATIVE_DIR)
	cp $(RELEASE_LIB) $(NATIVE_DIR)/$(LIB_FILE)

swift-test: build-debug
	$(SWIFT) test

# Create the virtual environment if it is missing; reinstall when pyproject.toml changes.
venv: $(VENV)/.archetype-installed

$(VENV)/.archetype-installed: python/pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q -e "./python[test]"
	touch $@

# ARCHETYPE_CLI: the `archetype` binary the Parquet interop tests run (python/tests/test_parquet_*).
python-test: venv build-release
	ARCHETYPE_NATIVE_LIB="$(abspath $(RELEASE_LIB))" ARCHETYPE_CLI="$(abspath $(RELEASE_CLI))" \
	ARCHETYPE_NATIVE_CORE=required SWIFT_BACKTRACE=enable=no $(VPY) -m pytest -q python/tests

lint: venv
	test -x $(VENV)/bin/ruff || $(VPY) -m pip install -q -e "./python[test,lint]"
	$(VENV)/bin/ruff check python bench
	$(VENV)/bin/ruff format --check python bench

clean:
	rm -rf .build $(NATIVE_DIR)
