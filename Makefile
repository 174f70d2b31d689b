# nhiscope build. `./build.sh` is the entry point; this file knows how to
# compile. BUILD selects the output folder, SANITIZE=1 adds ASan + UBSan.

BUILD    ?= build
SANITIZE ?= 0
WERROR   ?= 0

PKGS     := lua5.4 libcurl libcjson sqlite3 libpcre2-8
CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
            -pthread -Icore -Ireports $(shell pkg-config --cflags $(PKGS))
LDFLAGS  += -pthread
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lhpdf -lcrypto -lz -lm

ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRC  := $(filter-out core/main.c,$(wildcard core/*.c reports/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ORACLE_OBJ := $(BUILD)/obj/tests/oracle/oracle_case.o
SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,\
                 $(wildcard tests/unit/support/*.c))

.PHONY: all tests bench clean
all: $(BUILD)/nhiscope

$(BUILD)/nhiscope: $(BUILD)/obj/core/main.o $(BUILD)/libnhi.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libnhi.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

tests: $(TESTS)

$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(BUILD)/libnhi.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(BUILD)/libnhi.a \
	  $(LDLIBS) -lcmocka

$(BUILD)/tests/test_aws_oracle: $(ORACLE_OBJ)

# The engine benchmark (./build.sh bench); not a test.
bench: $(BUILD)/bench/bench_engine $(BUILD)/bench/bench_scan \
       $(BUILD)/bench/bench_paths

$(BUILD)/bench/bench_paths: tests/bench/bench_paths.c $(BUILD)/libnhi.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnhi.a $(LDLIBS)

$(BUILD)/bench/bench_scan: tests/bench/bench_scan.c $(BUILD)/libnhi.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnhi.a $(LDLIBS)

$(BUILD)/bench/bench_engine: tests/bench/bench_engine.c $(ORACLE_OBJ) \
                             $(BUILD)/libnhi.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(BUILD)/libnhi.a \
	  $(LDLIBS)

clean:
	rm -rf build build-asan build-tsan

-include $(LIB_OBJ:.o=.d) $(BUILD)/obj/core/main.d $(ORACLE_OBJ:.o=.d) \
  $(SUPPORT_OBJ:.o=.d)
