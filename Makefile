# SPDX-License-Identifier: Apache-2.0
# One non-recursive makefile. `make` builds build/ballastd and build/ballast;
# `make test` installs what is missing, builds, runs unit + integration tests;
# `make asan` does the same under AddressSanitizer + UBSan in build-asan/.

BUILD   ?= build
CC      ?= cc
VERSION := 0.1.0
PYTHON  := /usr/bin/python3

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wno-unused-parameter -Wno-format-truncation
# CFLAGS is the caller's (optimisation, sanitizers); BL_CFLAGS is always added.
CFLAGS  ?= -O2 -g
BL_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DBL_VERSION='"$(VERSION)"' -Isrc -pthread -MMD -MP
LDLIBS  := -ljansson -lsqlite3 -lpcre2-8 -lssl -lcrypto -lm -pthread
ifeq ($(CI),true)
BL_CFLAGS += -Werror
endif
CC_ALL  = $(CC) $(CFLAGS) $(BL_CFLAGS)

LIB_SRC := $(wildcard src/core/*.c src/net/*.c src/lb/*.c src/http/*.c src/store/*.c src/config/*.c src/proxy/*.c src/health/*.c src/agent/*.c src/api/*.c \
                      src/admin/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libballast.a

UNIT_SRC  := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN  := $(UNIT_SRC:%.c=$(BUILD)/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps test unit integration asan fuzz fuzz-replay run tempest format format-check lint clean bench bench-tls

all: $(BUILD)/ballastd $(BUILD)/ballast $(BUILD)/ballast.1 $(BUILD)/ballast.bash

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_ALL) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/ballastd: $(BUILD)/src/main.o $(LIB)
	$(CC_ALL) -o $@ $^ $(LDLIBS)

CLI_SRC := $(wildcard src/cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
CLI_LIBS := -lcurl -lyaml -ljansson

# The client links only core/ (for bl_x*alloc) and talks HTTP to ballastd.
$(BUILD)/ballast: $(CLI_OBJ) $(LIB)
	$(CC_ALL) -o $@ $(CLI_OBJ) $(LIB) $(CLI_LIBS)

# Man page and bash completion come from the command table the parser uses.
$(BUILD)/ballast.1: $(BUILD)/ballast
	$< --gen-man > $@

$(BUILD)/ballast.bash: $(BUILD)/ballast
	$< --gen-bash-completion > $@

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/tap.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC_ALL) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)

deps:
	@scripts/deps.sh

unit: $(UNIT_BIN) fuzz-replay
	@prove $(UNIT_BIN)

integration: all
	BALLASTD=$(abspath $(BUILD)/ballastd) $(PYTHON) -m pytest -q tests/integration

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

asan: deps
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	        all unit integration

# Replays the fuzz corpora through the same entry points the fuzzers use.
$(BUILD)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC_ALL) -o $@ $< tests/fuzz/replay_main.c $(LIB) $(LDLIBS)

fuzz-replay: $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/fuzz/replay_%)
	@for f in $^; do n=$${f##*/replay_}; $$f tests/fuzz/corpus/$$n/* || exit 1; done

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libballast.a
	@mkdir -p build-fuzz/tests/fuzz
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -O1 -g -std=gnu11 -D_GNU_SOURCE -Isrc -fsanitize=fuzzer,address,undefined \
	    -o build-fuzz/tests/fuzz/$$n $$f build-fuzz/libballast.a $(LDLIBS) || exit 1; \
	  echo "run: build-fuzz/tests/fuzz/$$n -max_total_time=60 tests/fuzz/corpus/$${n#fuzz_}"; done

run: deps all
	@scripts/run-demo.sh

bench: all
	@bench/run.sh
	@bench/http.sh

# TERMINATED_HTTPS: ballast vs HAProxy vs nginx (bench/tls.sh, about 8 min).
bench-tls: all
	@bench/tls.sh

# Octavia's tempest API suite against ballastd (slow: not part of `make test`).
tempest: all
	@scripts/tempest.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

lint:
	@scripts/lint.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d $(CLI_OBJ:.o=.d)
