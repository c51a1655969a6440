# SPDX-License-Identifier: GPL-2.0-only
# Benchmark programs (not part of `make all`): included by the top-level
# Makefile only for `make bench`, or directly: make -f bench/bench.mk.
BUILD ?= build
CC ?= gcc
BB := $(BUILD)/bench
BENCH_TARGET_CFLAGS := -O1 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fcf-protection=none

bench-bins: $(BB)/floor $(BB)/hitloop $(BB)/many20k $(BB)/unwind

$(BB):
	@mkdir -p $@

$(BB)/floor: bench/floor.c | $(BB)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lbpf -lelf -lz

$(BB)/hitloop: bench/hitloop.c | $(BB)
	$(CC) $(BENCH_TARGET_CFLAGS) -o $@ $<

$(BB)/unwind: bench/unwind.c | $(BB)
	$(CC) $(BENCH_TARGET_CFLAGS) -o $@ $<

$(BB)/many20k.c: bench/gen20k.sh | $(BB)
	sh $< 20000 > $@

$(BB)/many20k: $(BB)/many20k.c
	$(CC) $(BENCH_TARGET_CFLAGS) -o $@ $<

.PHONY: bench-bins
