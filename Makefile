# SPDX-License-Identifier: GPL-2.0-only
#
# cotrace: static tracing tools on libbpf CO-RE.
#   make            build every tool into build/
#   make deps       install the Debian packages needed to build and test
#   make test       unit, end-to-end (as root), static-link checks, fuzz corpus replay
#   make test SANITIZE=1   the same with common/, tools and unit tests under ASan+UBSan
#   make test-sanitize     alias of make test SANITIZE=1 (docs/reliability.md)
#   make test-vm    smoke suite inside Debian's stock kernel under QEMU (deps-vm)
#   make valgrind   each tool under valgrind memcheck, twice (docs/reliability.md)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS=60 in total (tests/fuzz/)
#   make demo       run funccount on a bundled workload
#   make install    PREFIX=/usr/local DESTDIR= BINDIR= MANDIR= COMPLETIONDIR= SUFFIX=
#   make uninstall  the same variables
#   make examples   regenerate docs/examples/NAME_example.txt (as root)
#   make bench      benchmarks (docs/performance.md); make bench-bcc: against bcc
#   make dist       cotrace-VERSION.tar.gz of the tracked files
#   make vmlinux    regenerate vmlinux/x86/vmlinux.h from the running kernel
#   V=1             show the commands

VERSION := 0.1.0
# A tarball from make dist carries HEAD's git describe in .tarball-version.
GIT_VERSION := $(if $(wildcard .tarball-version),$(shell cat .tarball-version),\
		 $(shell git describe --tags --always --dirty 2>/dev/null))
FULL_VERSION := $(VERSION)$(if $(GIT_VERSION),-g$(GIT_VERSION:v%=%))

# Every tools/NAME.c is a tool; underscores become hyphens in binary names.
TOOLS := $(subst _,-,$(patsubst tools/%.c,%,$(wildcard tools/*.c)))
BUILD := build
ARCH := x86

CC ?= gcc
CXX ?= g++
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_OBJDUMP ?= llvm-objdump

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SUFFIX ?=

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS ?= -O2 -g
# SANITIZE=1: ASan+UBSan, linked dynamically (static ASan is unsupported).
# The flags are recorded in $(BUILD)/sanitize.flags, which every object
# depends on, so switching modes rebuilds everything in build/.
SANITIZE ?=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LINK_MODE :=
else
SAN_FLAGS :=
LINK_MODE := -static
endif
CFLAGS += $(SAN_FLAGS)
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	  -D_GNU_SOURCE -I. -I$(BUILD) -MMD -MP -ffile-prefix-map=$(CURDIR)=.
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I vmlinux/$(ARCH) -I. -MMD -MP \
	      -idirafter /usr/include/$(shell $(CC) -dumpmachine) \
	      -Wall -Wno-unused-function -fdebug-prefix-map=$(CURDIR)=.
# Static link: libbpf needs libelf and zlib; libdw needs libelf, zlib,
# bzip2, xz and zstd (Debian's elfutils 0.188 is built with all four).
# capstone decodes x86-64 instructions to check raw offsets (common/insn.c).
STATIC_LIBS := -lbpf -ldw -lelf -liberty -lcapstone -lz -lzstd -llzma -lbz2 -lpthread
TEST_LIBS := -lcmocka $(STATIC_LIBS)

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
LIBCOMMON := $(BUILD)/libcommon.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

tool_file = $(subst -,_,$(1))
TOOL_BINS := $(TOOLS:%=$(BUILD)/%)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps deps-vm test test-vm test-sanitize unit demo install uninstall vmlinux clean \
	targets bench bench-bcc fuzz examples dist valgrind

# The lists of tools and of their BPF programs, for the tests and checks
# that must name every tool (see "tool lists" below).
TOOL_LISTS := $(BUILD)/tools.list $(BUILD)/bpf-progs.list

all: $(TOOL_BINS) $(TOOL_LISTS)

# ---- dependencies -----------------------------------------------------
BUILD_PKGS := clang llvm bpftool libbpf-dev libelf-dev libdw-dev libiberty-dev zlib1g-dev \
	      libzstd-dev liblzma-dev libbz2-dev libcapstone-dev pkg-config
# golang-go (go tool pprof), prometheus (promtool, prometheus) and
# prometheus-node-exporter: the real readers of --pprof and --prom files.
TEST_PKGS := libcmocka-dev systemtap-sdt-dev jq g++ binutils xz-utils procps util-linux file \
	     libclang-rt-14-dev \
	     python3 python3.11 python3.11-dbg libpython3.11 libc6-dbg groff-base valgrind golang-go linux-perf \
	     prometheus prometheus-node-exporter
deps:
	@missing=$$(for p in $(BUILD_PKGS) $(TEST_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# test-vm only: QEMU, a static busybox for the guest's initramfs, and apt
# to fetch the kernel (tests/vm/fetch-kernel.sh caches it in VM_CACHE).
VM_PKGS := qemu-system-x86 busybox-static
VM_CACHE ?= /var/cache/cotrace-vm
deps-vm:
	@missing=$$(for p in $(VM_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null; \
	fi

# ---- BPF objects and skeletons -----------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# ---- common library ----------------------------------------------------
$(BUILD)/sanitize.flags: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(SAN_FLAGS)' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/common/%.o: common/%.c $(BUILD)/sanitize.flags | $(BUILD)/common
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- tools --------------------------------------------------------------
# The version (git describe) is rewritten only when it changes, so --version
# is never stale and nothing rebuilds for nothing.
$(BUILD)/version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '#define COTRACE_VERSION "$(FULL_VERSION)"' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

.PHONY: FORCE
FORCE:

# Each tool's object depends on its own skeleton.
define tool_rules
$(BUILD)/tools/$(call tool_file,$(1)).o: tools/$(call tool_file,$(1)).c \
		$(BUILD)/$(call tool_file,$(1)).skel.h $(BUILD)/version.h $(BUILD)/sanitize.flags \
		| $(BUILD)/tools
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$(CPPFLAGS) $$(CFLAGS) -include $(BUILD)/version.h -c $$< -o $$@

$(BUILD)/$(1): $(BUILD)/tools/$(call tool_file,$(1)).o $(LIBCOMMON)
	$$(call msg,LINK,$$@)
	$$(Q)$$(CC) $$(LDFLAGS) $(LINK_MODE) $(SAN_FLAGS) -o $$@ $$^ $(STATIC_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))

# ---- tool lists ------------------------------------------------------------
# What the tests read instead of lists kept by hand, so a new tool cannot be
# left out of them (tests/e2e/lib.sh, test_tool_lists.sh, the valgrind run):
#   $(BUILD)/tools.list      every tool, one name a line (TOOLS)
#   $(BUILD)/bpf-progs.list  "TOOL PROGRAM" for every BPF program of every
#                            tool: the global functions outside .text of its
#                            object, as libbpf finds them
# tools.list is rewritten only when TOOLS changes, as version.h is.
$(BUILD)/tools.list: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)printf '%s\n' $(TOOLS) > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/bpf-progs.list: $(BUILD)/tools.list \
		$(foreach t,$(TOOLS),$(BUILD)/bpf/$(call tool_file,$(t)).bpf.o)
	$(call msg,GEN,$@)
	$(Q)( $(foreach t,$(TOOLS),$(LLVM_OBJDUMP) -t $(BUILD)/bpf/$(call tool_file,$(t)).bpf.o | \
		awk -v t=$(t) '$$2 == "g" && $$3 == "F" && $$4 != ".text" { print t, $$NF; n++ } \
			       END { if (!n) exit 1 }' &&) true ) > $@

# ---- test programs --------------------------------------------------------
include tests/targets/targets.mk
include tools/gen.mk
include bench/symbolize.mk
include bench/unwind.mk
include tests/fuzz/fuzz.mk

# After the includes: prerequisites are expanded where the rule stands.
targets: $(TARGET_BINS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit_util.h $(LIBCOMMON) $(BUILD)/sanitize.flags | $(BUILD)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBCOMMON) $(TEST_LIBS)

$(BUILD)/bpf $(BUILD)/common $(BUILD)/tools $(BUILD)/tests/unit:
	$(Q)mkdir -p $@

unit: $(UNIT_BINS) targets
	$(Q)tests/run-unit.sh $(UNIT_BINS)

test: deps
	$(Q)$(MAKE) --no-print-directory all targets $(UNIT_BINS) fuzz-bins
	$(Q)SANITIZE=$(SANITIZE) tests/run-all.sh "$(UNIT_BINS)"

test-sanitize:
	$(Q)$(MAKE) --no-print-directory test SANITIZE=1

# Memcheck cannot see malloc in a static binary: build the tools again,
# unsanitized and linked dynamically, into $(BUILD)/valgrind, and run each
# once on a small workload and once on ten times the work
# (tests/valgrind/run.sh; VALGRIND_SCALES="1 10"). Not part of make test:
# it needs a machine where nobody else has a uprobe in libc (valgrind then
# reads an int3 and the tool gets SIGTRAP).
VALGRIND_SCALES ?= 1 10
valgrind: deps
	$(Q)$(MAKE) --no-print-directory targets
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/valgrind LINK_MODE= SANITIZE= all
	$(Q)tests/valgrind/run.sh $(VALGRIND_SCALES)

# One boot of Debian's stock kernel (TCG) runs tests/vm/smoke.sh; the
# guest's whole run is bounded by COTRACE_VM_TIMEOUT (default 900 s).
test-vm: deps deps-vm
	$(Q)$(MAKE) --no-print-directory all targets
	$(Q)COTRACE_VM_CACHE=$(VM_CACHE) tests/vm/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all targets
	$(Q)tests/demo.sh

# Benchmarks (bench/run.sh; figures in docs/performance.md). bench/bench.mk
# builds the floor, hitloop and the 20,000-function binary; it is not
# included in the default build.
bench: all targets
	$(Q)$(MAKE) --no-print-directory -f bench/bench.mk BUILD=$(BUILD) bench-bins
	$(Q)bench/run.sh

# Our tools against bcc's, side by side (bench/bcc.sh; bpfcc-tools, and
# kernel headers for bcc: see bench/bcc-env.sh). About two minutes.
bench-bcc: all
	$(Q)$(MAKE) --no-print-directory -f bench/bench.mk BUILD=$(BUILD) bench-bins
	$(Q)bench/bcc.sh

# ---- install ------------------------------------------------------------------
# Binaries, man pages and bash completions (generated from each tool's
# --help by completion/gen.sh), all named NAME$(SUFFIX).
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR)
	for t in $(TOOLS); do \
		install -m 0755 $(BUILD)/$$t $(DESTDIR)$(BINDIR)/$$t$(SUFFIX) || exit 1; \
		if [ -f docs/man/$$t.8 ]; then \
			install -m 0644 docs/man/$$t.8 $(DESTDIR)$(MANDIR)/man8/$$t$(SUFFIX).8 || exit 1; fi; \
		completion/gen.sh $(BUILD)/$$t $$t$(SUFFIX) > $(DESTDIR)$(COMPLETIONDIR)/$$t$(SUFFIX) && \
		chmod 0644 $(DESTDIR)$(COMPLETIONDIR)/$$t$(SUFFIX) || exit 1; \
	done

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t$(SUFFIX) $(DESTDIR)$(MANDIR)/man8/$$t$(SUFFIX).8 \
		      $(DESTDIR)$(COMPLETIONDIR)/$$t$(SUFFIX); \
	done

# ---- documentation and source tarball -----------------------------------------
# make examples: rerun docs/examples/NAME_example.sh for every tool that has
# one, on the bundled workloads, into docs/examples/NAME_example.txt.
examples: all targets
	$(Q)docs/examples/run.sh $(TOOLS)

# make dist: the tracked files of HEAD (vmlinux.h included), so the tarball
# builds and tests offline with Debian's packages; its --version is VERSION.
DIST_DESCRIBE = $(shell git describe --tags --always HEAD)
DIST = cotrace-$(VERSION)-g$(DIST_DESCRIBE:v%=%)
dist:
	$(Q)mkdir -p $(BUILD)/dist
	$(Q)echo '$(DIST_DESCRIBE)' > $(BUILD)/dist/.tarball-version
	$(Q)git archive --format=tar --prefix=$(DIST)/ --add-file=$(BUILD)/dist/.tarball-version HEAD | \
		gzip -n -9 > $(BUILD)/$(DIST).tar.gz
	$(Q)echo "$(BUILD)/$(DIST).tar.gz"

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d)
