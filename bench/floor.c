// SPDX-License-Identifier: GPL-2.0-only
/*
 * floor: the kernel's own cost of uprobes, for comparison with funccount.
 *
 *   floor [--single] [--hold SECS] BINARY [OFFSETS_FILE|-]
 *
 * Reads file offsets (hex with 0x or decimal, one a line) and attaches an
 * empty BPF program (r0 = 0; exit) to all of them: by default as ONE
 * multi-uprobe link (BPF_TRACE_UPROBE_MULTI, created with the bpf()
 * syscall as common/attach.c does), with --single as one perf-event uprobe
 * per offset. Prints the attach time, optionally holds the probes for SECS
 * seconds (or until SIGINT/SIGTERM), then detaches (closes every fd) and
 * prints the detach time.
 *
 * With --filter it attaches nothing: it prints the offsets whose first
 * instruction the kernel and funccount accept (no lock or segment-override
 * prefix, not VEX or EVEX encoded), so that the floor is measured on the
 * same set of sites funccount attaches.
 *
 * Build: cc -O2 -o floor floor.c -lbpf -lelf -lz
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>

#define FLOOR_TRACE_UPROBE_MULTI 48

/* link_create for BPF_TRACE_UPROBE_MULTI (6.6 UAPI); Debian 12's headers lack it. */
struct floor_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
};

_Static_assert(sizeof(struct floor_uprobe_multi) <= sizeof(union bpf_attr),
	       "link_create attribute must fit in union bpf_attr");

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int load_empty(int expected_attach_type)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)expected_attach_type);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "floor_empty", "GPL", insns, 2, &opts);

	return fd < 0 ? -errno : fd;
}

static int read_offsets(FILE *f, uint64_t **out, size_t *n)
{
	char line[256];
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t v;

		if (line[0] == '\n' || line[0] == '#')
			continue;
		errno = 0;
		v = strtoull(line, &end, 0);
		if (errno || end == line) {
			fprintf(stderr, "floor: bad offset: %s", line);
			return -1;
		}
		if (*n == cap) {
			uint64_t *p;

			cap = cap ? cap * 2 : 1024;
			p = realloc(*out, cap * sizeof(*p));
			if (!p)
				return -1;
			*out = p;
		}
		(*out)[(*n)++] = v;
	}
	return 0;
}

static int uprobe_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int type = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type;
}

/* Same rule as funccount's first-instruction screen (common/attach.c). */
static bool insn_plain(const uint8_t *insn, size_t len)
{
	size_t i = 0;

	for (; i < len; i++) {
		uint8_t b = insn[i];

		if (b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
			return false;
		if (b != 0x66 && b != 0x67 && b != 0xf2 && b != 0xf3 && b != 0x64 && b != 0x65)
			break;
	}
	if (i < len && (insn[i] & 0xf0) == 0x40)	/* REX */
		i++;
	return !(i < len && (insn[i] == 0xc4 || insn[i] == 0xc5 || insn[i] == 0x62));
}

static int filter(const char *path, const uint64_t *offs, size_t n)
{
	FILE *bin = fopen(path, "rb");
	size_t kept = 0;

	if (!bin) {
		perror(path);
		return 1;
	}
	for (size_t k = 0; k < n; k++) {
		uint8_t buf[16];
		size_t got = 0;

		if (!fseeko(bin, (off_t)offs[k], SEEK_SET))
			got = fread(buf, 1, sizeof(buf), bin);
		if (!got || insn_plain(buf, got)) {
			printf("0x%" PRIx64 "\n", offs[k]);
			kept++;
		}
	}
	fclose(bin);
	fprintf(stderr, "floor: kept %zu of %zu offsets\n", kept, n);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: floor [--single] [--hold SECS] BINARY [OFFSETS_FILE|-]\n"
		   "       floor --filter BINARY [OFFSETS_FILE|-]\n"
		   "Attach an empty BPF program to BINARY at each file offset (one a line,\n"
		   "hex 0x... or decimal): one multi-uprobe link, or with --single one\n"
		   "perf-event uprobe per offset. Prints attach and detach times.\n");
}

int main(int argc, char **argv)
{
	const char *path = NULL, *list = "-";
	bool single = false, only_filter = false;
	double hold = 0, t0, t1, t2, t3;
	uint64_t *offs;
	size_t n, nfds = 0;
	int *fds, prog_fd, i;
	FILE *f;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--single")) {
			single = true;
		} else if (!strcmp(argv[i], "--filter")) {
			only_filter = true;
		} else if (!strcmp(argv[i], "--hold") && i + 1 < argc) {
			hold = atof(argv[++i]);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!path) {
			path = argv[i];
		} else {
			list = argv[i];
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	t0 = now();
	f = strcmp(list, "-") ? fopen(list, "r") : stdin;
	if (!f) {
		perror(list);
		return 1;
	}
	if (read_offsets(f, &offs, &n) || !n) {
		fprintf(stderr, "floor: no offsets\n");
		return 1;
	}
	if (f != stdin)
		fclose(f);
	if (only_filter)
		return filter(path, offs, n);
	fds = calloc(single ? n : 1, sizeof(*fds));
	if (!fds)
		return 1;

	prog_fd = load_empty(single ? 0 : FLOOR_TRACE_UPROBE_MULTI);
	if (prog_fd < 0) {
		fprintf(stderr, "floor: loading the empty program: %s\n", strerror(-prog_fd));
		return 1;
	}
	t1 = now();
	if (!single) {
		struct floor_uprobe_multi lc = {
			.prog_fd = prog_fd,
			.attach_type = FLOOR_TRACE_UPROBE_MULTI,
			.path = (__u64)(uintptr_t)path,
			.offsets = (__u64)(uintptr_t)offs,
			.cnt = n,
		};
		union bpf_attr attr;
		int fd;

		memset(&attr, 0, sizeof(attr));
		memcpy(&attr, &lc, sizeof(lc));
		fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
		if (fd < 0) {
			fprintf(stderr, "floor: multi-uprobe link on %zu offsets: %s (%d)\n", n,
				strerror(errno), errno);
			return 1;
		}
		fds[nfds++] = fd;
	} else {
		int type = uprobe_pmu_type();

		if (type < 0) {
			fprintf(stderr, "floor: no uprobe PMU in /sys/bus/event_source/devices\n");
			return 1;
		}
		for (size_t k = 0; k < n; k++) {
			struct perf_event_attr pa;
			int fd;

			memset(&pa, 0, sizeof(pa));
			pa.size = sizeof(pa);
			pa.type = type;
			pa.config1 = (__u64)(uintptr_t)path;
			pa.config2 = offs[k];
			fd = syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0 || ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) ||
			    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
				fprintf(stderr, "floor: uprobe at %s+0x%" PRIx64 ": %s (%d)\n", path,
					offs[k], strerror(errno), errno);
				if (fd >= 0)
					close(fd);
				continue;
			}
			fds[nfds++] = fd;
		}
	}
	t2 = now();
	printf("floor: attached %zu of %zu offsets (%s) in %.3f s (%.3f s since start)\n", nfds,
	       n, single ? "single" : "multi", t2 - t1, t2 - t0);
	fflush(stdout);

	if (hold > 0) {
		struct sigaction sa = { .sa_handler = on_signal };
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		while (!stop && now() - t2 < hold)
			nanosleep(&ts, NULL);
	}
	t2 = now();
	for (size_t k = 0; k < nfds; k++)
		close(fds[k]);
	close(prog_fd);
	t3 = now();
	printf("floor: detached in %.3f s\n", t3 - t2);
	free(fds);
	free(offs);
	return nfds == (single ? n : 1) ? 0 : 1;
}
