# SPDX-License-Identifier: GPL-2.0-only
# Test programs that do known work, in the shapes real binaries come in:
# PIE, non-PIE, shared library, stripped with a debuglink file,
# MiniDebugInfo, C++, USDT. Frame pointers are kept for stack tests.
T := $(BUILD)/tests/targets
TARGET_CFLAGS := -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline-functions-called-once

TARGET_BINS := $(T)/calls $(T)/calls_nopie $(T)/calls_stripped $(T)/calls_minidebug \
	       $(T)/cxx $(T)/stacks $(T)/spin $(T)/usdt $(T)/libcotarget.so $(T)/uselib $(T)/notelf $(T)/truncated
TARGET_BINS += $(T)/forker

# The targets rule is in the top Makefile, after every TARGET_BINS +=.

$(T)/calls: tests/targets/calls.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/calls_nopie: tests/targets/calls.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fno-pie -no-pie -o $@ $<

# Stripped binary whose symbols live in a separate file found through
# .gnu_debuglink (and the build-id, when /usr/lib/debug is writable).
$(T)/calls_stripped: tests/targets/calls.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -Wl,--build-id -o $@.full $<
	$(Q)objcopy --only-keep-debug $@.full $(T)/calls_stripped.debug
	$(Q)objcopy --strip-all --add-gnu-debuglink=$(T)/calls_stripped.debug $@.full $@
	$(Q)rm -f $@.full

# MiniDebugInfo as Fedora builds it: .symtab of local functions, xz-compressed
# into .gnu_debugdata of the stripped file.
$(T)/calls_minidebug: tests/targets/calls.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@.full $<
	$(Q)nm $@.full --format=posix --defined-only | awk '$$2 ~ /^[Tt]$$/ {print $$1}' | sort > $@.funcs
	$(Q)objcopy --only-keep-debug $@.full $@.dbg
	$(Q)objcopy -S --remove-section .gdb_index --remove-section .comment \
		--keep-symbols=$@.funcs $@.dbg $@.mini
	$(Q)xz -f -c $@.mini > $@.xz
	$(Q)objcopy --strip-all --add-section .gnu_debugdata=$@.xz $@.full $@
	$(Q)rm -f $@.full $@.funcs $@.dbg $@.mini $@.xz

$(T)/spin: tests/targets/spin.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/stacks: tests/targets/stacks.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fno-builtin-gamma -fPIE -pie -o $@ $<

$(T)/cxx: tests/targets/cxx.cc | $(T)
	$(Q)$(CXX) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/usdt: tests/targets/usdt.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/libcotarget.so: tests/targets/libcotarget.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIC -shared -Wl,-soname,libcotarget.so -o $@ $<

# Only on the host in test_mntns_paths.sh: a symlink in a container must not reach it.
TARGET_BINS += $(T)/libhostonly.so

$(T)/libhostonly.so: tests/targets/libhostonly.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIC -shared -o $@ $<

$(T)/uselib: tests/targets/uselib.c $(T)/libcotarget.so | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $< -L$(T) -lcotarget -Wl,-rpath,'$$ORIGIN'

# Spawns children of known names, lifetimes and exit statuses (proclife).
$(T)/forker: tests/targets/forker.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -pthread -o $@ $<

# Bad input for error-path tests.
$(T)/notelf: | $(T)
	$(Q)printf 'this is not an ELF file\n' > $@ && chmod +x $@

$(T)/truncated: $(T)/calls | $(T)
	$(Q)head -c 100 $< > $@ && chmod +x $@

$(T):
	$(Q)mkdir -p $@

# syscount: known numbers of syscalls, and close() from two call chains.
TARGET_BINS += $(T)/sysload $(T)/closer

$(T)/sysload: tests/targets/sysload.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -o $@ $<

$(T)/closer: tests/targets/closer.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

# ulatency: calls of known minimum durations, recursion of known depth, and
# a fake Go program (a C binary with a .gopclntab section).
TARGET_BINS += $(T)/sleeper $(T)/fakego

$(T)/sleeper: tests/targets/sleeper.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/fakego: $(T)/sleeper | $(T)
	$(Q)printf 'not really a Go pclntab\n' > $@.sec
	$(Q)objcopy --add-section .gopclntab=$@.sec $< $@
	$(Q)rm -f $@.sec

# uprobe-trace: functions called with known arguments, children with known exit codes.
TARGET_BINS += $(T)/tracee

$(T)/tracee: tests/targets/tracee.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

# IFUNC calls (strlen, memset): the sites are the implementations glibc picked.
TARGET_BINS += $(T)/ifunc
$(T)/ifunc: tests/targets/ifunc.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fno-builtin -fPIE -pie -o $@ $<

# Kernel-function tests: exactly N openat() calls, static so that no
# dynamic loader opens anything first.
TARGET_BINS += $(T)/opener

$(T)/opener: tests/targets/opener.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -static -o $@ $<

# The bcc compatibility suite's workload (tests/compat/): a little of
# everything bcc's examples trace, and USDT probes named as theirs.
TARGET_BINS += $(T)/bccload

$(T)/bccload: tests/targets/bccload.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $< -lpthread

# bcc trace's example program for offsets into main (bccload runs it).
TARGET_BINS += $(T)/deadbeef

$(T)/deadbeef: tests/targets/deadbeef.s | $(T)
	$(Q)$(CC) -fPIE -pie -o $@ $<

# argdist: known multisets of arguments, strings and writes per fd.
TARGET_BINS += $(T)/distee

$(T)/distee: tests/targets/distee.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

# Named DWARF parameters: a C++ method taking std::string references, and
# the same program stripped with its DWARF in a .gnu_debuglink file.
TARGET_BINS += $(T)/addressbook $(T)/addressbook_stripped $(T)/addressbook_nodwarf
TARGET_BINS += $(T)/addressbook_O0

$(T)/addressbook: tests/targets/addressbook.cc | $(T)
	$(Q)$(CXX) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/addressbook_stripped: tests/targets/addressbook.cc | $(T)
	$(Q)$(CXX) $(TARGET_CFLAGS) -fPIE -pie -o $@.full $<
	$(Q)objcopy --only-keep-debug $@.full $(T)/addressbook_stripped.debug
	$(Q)objcopy --strip-all --add-gnu-debuglink=$(T)/addressbook_stripped.debug $@.full $@
	$(Q)rm -f $@.full

# Symbols but no DWARF: names must be refused with one sentence.
$(T)/addressbook_nodwarf: tests/targets/addressbook.cc | $(T)
	$(Q)$(CXX) -O1 -g0 -fPIE -pie -o $@ $<

# -O0: parameters live in stack slots only after the prologue; at entry
# they are still in their argument registers.
$(T)/addressbook_O0: tests/targets/addressbook.cc | $(T)
	$(Q)$(CXX) -O0 -g -fPIE -pie -o $@ $<

# Writes hostile variants of an ELF file (tests/e2e/test_hostile_elf.sh).
TARGET_BINS += $(T)/hostile_elf
$(T)/hostile_elf: tests/targets/hostile_elf.c | $(T)
	$(Q)$(CC) -O1 -g -Wall -Wextra -o $@ $<

# Fault tests: work done one command at a time (exit, exec, dlopen on
# demand), a long-running checked loop, and 20,000 functions (-O0: gcc
# needs 5 s for them, against 38 s at -O1; each still starts with push %rbp).
TARGET_BINS += $(T)/stepper $(T)/many20k

$(T)/stepper: tests/targets/stepper.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/many20k.c: bench/gen20k.sh | $(T)
	$(Q)sh $< 20000 > $@

$(T)/many20k: $(T)/many20k.c
	$(Q)$(CC) -O0 -fno-omit-frame-pointer -fcf-protection=none -fPIE -pie -o $@ $<

# Go: a program built by the Go toolchain (register ABI, .go.buildinfo,
# Go's DWARF). The caches live in build/, so the build works as root, on a
# fresh machine, with no network: only the standard library is used.
TARGET_BINS += $(T)/goprog
GO ?= go
GO_ENV := GOCACHE=$(abspath $(BUILD))/go/cache GOPATH=$(abspath $(BUILD))/go/path \
	  GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=0

$(T)/goprog: tests/targets/goprog.go | $(T)
	$(Q)$(GO_ENV) $(GO) build -o $@ $<

# The same program saying nothing of its calling convention: no DWARF,
# and its .go.buildinfo renamed (still a Go program by its .gopclntab).
TARGET_BINS += $(T)/goprog_nover

$(T)/goprog_nover: $(T)/goprog | $(T)
	$(Q)objcopy --strip-debug --rename-section .go.buildinfo=.go.nobuildinf $< $@

# Raw offsets: a string in .rodata, a function with a 10-byte movabs; the
# same program linked the old way, headers and .rodata in the executable
# segment (-z noseparate-code); and stripped of every symbol (offsets
# cannot be checked).
TARGET_BINS += $(T)/rawoff $(T)/rawoff_oldstyle $(T)/rawoff_nosyms

$(T)/rawoff: tests/targets/rawoff.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<

$(T)/rawoff_oldstyle: tests/targets/rawoff.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -Wl,-z,noseparate-code -o $@ $<

$(T)/rawoff_nosyms: $(T)/rawoff | $(T)
	$(Q)objcopy --strip-all --remove-section=.gnu_debuglink $< $@

# A static i386 program (another ELF class and machine than the tools'):
# assembled and linked with binutils alone.
TARGET_BINS += $(T)/hello32
$(T)/hello32: tests/targets/hello32.s | $(T)
	$(Q)as --32 -o $@.o $<
	$(Q)ld -m elf_i386 -o $@ $@.o
	$(Q)rm -f $@.o

# CFI unwinding: the stack targets built as Debian builds its binaries,
# without frame pointers, so that only call-frame information can find
# the callers (tests/e2e/test_unwind*.sh); and the workloads of the
# awkward frames (signal handlers, threads, PLT stubs, dlopen, the vdso).
NOFP_CFLAGS := -O1 -g -fomit-frame-pointer -fno-inline-functions-called-once
TARGET_BINS += $(T)/stacks_nofp $(T)/closer_nofp $(T)/calls_nofp $(T)/unwinder $(T)/unwinder_fp
TARGET_BINS += $(T)/libunwlib.so

$(T)/stacks_nofp: tests/targets/stacks.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fno-builtin-gamma -fPIE -pie -o $@ $<

$(T)/closer_nofp: tests/targets/closer.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIE -pie -o $@ $<

$(T)/calls_nofp: tests/targets/calls.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIE -pie -o $@ $<

$(T)/libunwlib.so: tests/targets/unwlib.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIC -shared -o $@ $<

$(T)/unwinder: tests/targets/unwinder.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIE -pie -pthread -Wl,-z,lazy -o $@ $< -ldl

$(T)/unwinder_fp: tests/targets/unwinder.c | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -pthread -Wl,-z,lazy -o $@ $< -ldl

# Python started after the process (tests/e2e/test_python.sh).
TARGET_BINS += $(T)/pyembed
$(T)/pyembed: tests/targets/pyembed.c | $(T)
	$(Q)$(CC) $(NOFP_CFLAGS) -fPIE -pie -o $@ $< -ldl

# Typed expressions: structs with known fields behind pointers, built
# with -g (tests/e2e/test_uprobe_trace_typed.sh, test_argdist_typed.sh).
TARGET_BINS += $(T)/typed

$(T)/typed: tests/targets/typed.c tests/targets/typed.h | $(T)
	$(Q)$(CC) $(TARGET_CFLAGS) -fPIE -pie -o $@ $<
