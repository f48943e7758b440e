# allybrief build.  `make demo` and `make check` are the README's quick start.
#
#   make            debug build of every program into build/debug/bin
#   make MODE=asan  AddressSanitizer + UBSan build into build/asan
#   make MODE=release optimized build into build/release
#   make check      every test: unit (debug + asan), integration, fuzz smoke
#   make demo       run the pipeline on samples/ and print the briefing
#   make bench      optimized benchmarks, printed as a table (bench/run.sh,
#                   which writes bench/RESULTS.md)
#   make MODE=release bench-programs   only build the drivers in bench/
#   make eval       the evaluation corpus through the pipeline: precision/recall
#
# Sources are found by wildcard: every .c under common/, proto/, producer/,
# workers/, sink/ and tools/lib/ that is not a main goes into one static
# library; each program links it.  Add a module by adding its file pair.

MODE ?= debug
CC ?= cc
BUILD := build/$(MODE)
PKGS := libczmq libzmq msgpack jansson libutf8proc libpcre2-8 sqlite3 libcurl libxml-2.0 libmicrohttpd
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN) -Icommon -Iproto -Iproducer \
    -Iworkers/normalize -Iworkers/extract -Isink -Itools/lib \
    $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

# Release builds are profile-guided when the compiler is GCC: the objects
# are first built instrumented (MODE=pgo-train, in the release directory:
# GCC identifies a static function's profile by its object's path), the
# worker's stages run over the evaluation corpus (eval/articles, not the
# demo articles `make bench` measures), and the objects are then compiled
# again with that profile.  PGO=off builds without; under another compiler
# it is off.  PGO_CORPUS names another directory of articles to train on.
IS_GCC := $(shell $(CC) -v 2>&1 | grep -q '^gcc version' && echo yes)
PGO ?= $(if $(IS_GCC),use,off)
PGO_CORPUS ?= eval/articles
OPT_CFLAGS := -O2 -DNDEBUG
ifeq ($(MODE),release)
  MODE_CFLAGS := $(OPT_CFLAGS)
  ifeq ($(PGO),use)
    # Objects the training never runs (the sink, the producer) have no
    # profile and are optimized as usual
    MODE_CFLAGS += -fprofile-use -fprofile-partial-training -Wno-missing-profile
    PGO_STAMP := $(BUILD)/pgo.stamp
  endif
else ifeq ($(MODE),pgo-train)
  MODE_CFLAGS := $(OPT_CFLAGS) -fprofile-generate -fprofile-update=single
  MODE_LDFLAGS := -fprofile-generate
else ifeq ($(MODE),asan)
  MODE_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  MODE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(MODE),clang)
  # the same code under clang's warnings (the suite builds it to keep both clean)
  CC := clang
  MODE_CFLAGS := -O1
else ifeq ($(MODE),fuzz)
  # libFuzzer harnesses in tests/fuzz link build/fuzz/libab.a (tests/fuzz/run.sh)
  CC := clang
  MODE_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
  MODE_LDFLAGS := -fsanitize=fuzzer,address,undefined
else
  MODE_CFLAGS := -O0
endif
CFLAGS += $(BASE_CFLAGS) $(MODE_CFLAGS)
LDFLAGS += $(MODE_LDFLAGS)

MAINS := producer/main.c workers/main.c sink/main.c tools/allybrief.c tools/allybrief_sub.c \
    tools/allybrief_web.c tools/allybrief_eval.c
LIB_SRC := $(filter-out $(MAINS),$(wildcard common/*.c proto/*.c producer/*.c \
    workers/*.c workers/normalize/*.c workers/extract/*.c sink/*.c tools/lib/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libab.a

PROGRAMS := $(BUILD)/bin/allybrief-producer $(BUILD)/bin/allybrief-worker \
    $(BUILD)/bin/allybrief-sink $(BUILD)/bin/allybrief $(BUILD)/bin/allybrief-sub \
    $(BUILD)/bin/allybrief-web $(BUILD)/bin/allybrief-eval

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)
TEST_HELPER_SRC := $(wildcard tests/lib/*.c)

# Benchmark drivers (bench/bench_*.c with a main), linked with the shared
# corpus helper; built only on request (bench/run.sh), never by `tests`.
BENCH_HELPER_SRC := bench/bench_corpus.c
BENCH_SRC := $(filter-out $(BENCH_HELPER_SRC),$(wildcard bench/bench_*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps programs tests bench-programs check unit integration demo bench clean fuzz eval pgo-info
all: programs
programs: $(PROGRAMS)
tests: $(UNIT_BIN) $(INTEG_BIN)
bench-programs: $(BENCH_BIN)

deps:
	@sh deploy/install-deps.sh

$(BUILD)/obj/%.o: %.c $(PGO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The profile.  Any source or header change trains again from scratch (the
# objects are removed, and counts would otherwise add up over runs), so a
# profile never describes other code than the code it tunes.
PGO_SOURCES := $(LIB_SRC) $(MAINS) $(BENCH_HELPER_SRC) bench/bench_extract.c \
    $(wildcard common/*.h proto/*.h producer/*.h sink/*.h tools/lib/*.h workers/*/*.h)
$(BUILD)/pgo.stamp: $(PGO_SOURCES)
	@echo "pgo: instrumented build in $(BUILD), profile from $(PGO_CORPUS)"
	@rm -rf $(BUILD)/obj $(LIB)
	@$(MAKE) --no-print-directory -s MODE=pgo-train BUILD=$(BUILD) $(BUILD)/bench/bench_extract
	@$(BUILD)/bench/bench_extract -s $(PGO_CORPUS) -r workers/rules -m 2 -n 1 \
	    >$(BUILD)/pgo-train.log 2>&1 || { cat $(BUILD)/pgo-train.log >&2; exit 1; }
	@find $(BUILD)/obj -name '*.o' -delete
	@# The instrumented driver must not pass for the optimized one when a
	@# later build asks only for the programs
	@rm -f $(BUILD)/bench/bench_extract
	@touch $@

# How a release build here is optimized, in words (bench/run.sh reports it)
pgo-info:
	@if [ "$(PGO)" = use ]; then echo "profile-guided, trained on $(PGO_CORPUS)"; \
	else echo "not profile-guided"; fi

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/allybrief-producer: $(BUILD)/obj/producer/main.o $(LIB)
$(BUILD)/bin/allybrief-worker: $(BUILD)/obj/workers/main.o $(LIB)
$(BUILD)/bin/allybrief-sink: $(BUILD)/obj/sink/main.o $(LIB)
$(BUILD)/bin/allybrief: $(BUILD)/obj/tools/allybrief.o $(LIB)
$(BUILD)/bin/allybrief-sub: $(BUILD)/obj/tools/allybrief_sub.o $(LIB)
$(BUILD)/bin/allybrief-web: $(BUILD)/obj/tools/allybrief_web.o $(LIB)
$(BUILD)/bin/allybrief-eval: $(BUILD)/obj/tools/allybrief_eval.o $(LIB)
$(PROGRAMS):
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_HELPER_SRC) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka
$(BUILD)/tests/%: tests/integration/%.c $(TEST_HELPER_SRC) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(BENCH_HELPER_SRC:%.c=$(BUILD)/obj/%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -o $@ $^ $(LIBS)
.SECONDARY: $(BENCH_HELPER_SRC:%.c=$(BUILD)/obj/%.o)
# The corpus helper has its own unit test, linked with it (before the library)
$(BUILD)/tests/test_bench_corpus: tests/unit/test_bench_corpus.c $(TEST_HELPER_SRC) \
    $(BENCH_HELPER_SRC:%.c=$(BUILD)/obj/%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib -Ibench $(LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

# The whole suite; tests/run-all.sh prints one closing line "N passed, N failed".
check: deps
	@sh tests/run-all.sh

# Parts of the suite: unit tests of the debug build; the integration tests
# with the ASan build's programs, as `make check` runs them
unit:
	@sh tests/run-all.sh build-gcc unit-debug

integration:
	@sh tests/run-all.sh build-asan integration

demo: deps
	@$(MAKE) --no-print-directory -s MODE=release programs
	@build/release/bin/allybrief run samples -o demo-out
	@echo; cat demo-out/briefing.md

# The evaluation corpus through the real pipeline, scored against its gold
# claims (eval/README.md); fails below precision 0.9 or recall 0.8.
# EVAL_MODE=asan or debug reuses a test build instead of the release one.
EVAL_MODE ?= release
eval: deps
	@$(MAKE) --no-print-directory MODE=$(EVAL_MODE) programs
	@sh eval/run.sh build/$(EVAL_MODE)/bin build/eval-out

bench: deps
	@sh bench/run.sh

clean:
	rm -rf build demo-out

# Every object's header dependencies: the programs' mains, tests and bench
# drivers too, so that a changed header (a struct's size) rebuilds them all
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
