// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfloor: the kernel's own cost of BPF on the raw syscall tracepoints,
 * for comparison with syscount. Attaches an empty program (r0 = 0; exit)
 * to raw tracepoint sys_enter, sys_exit or both, and holds it until
 * SIGINT/SIGTERM. Prints "attached" on stderr once ready.
 *
 *   sysfloor enter|exit|both
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

static int attach_empty(const char *tp)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "floor_sys", "GPL", insns, 2, NULL);

	if (prog < 0)
		return -errno;
	return bpf_raw_tracepoint_open(tp, prog) < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "both";
	sigset_t set;
	int sig, err = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (strcmp(which, "exit"))
		err = attach_empty("sys_enter");
	if (!err && strcmp(which, "enter"))
		err = attach_empty("sys_exit");
	if (err) {
		fprintf(stderr, "sysfloor: cannot attach: %s\n", strerror(-err));
		return 1;
	}
	fprintf(stderr, "attached\n");
	sigwait(&set, &sig);
	return 0;
}
