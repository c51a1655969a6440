// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of common/syms.c against live processes of tests/targets/ (run
 * from the repository root after `make targets`, as root for /proc/PID/mem,
 * map_files and mount namespaces). Expected addresses come from nm, readelf
 * and /proc/PID/maps read here, never from the module under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/unit_util.h"

#include "common/syms.h"

#define T "build/tests/targets/"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* ---- helpers ------------------------------------------------------------ */

/* File offset of link-time @vaddr per `readelf -lW`. */
static uint64_t file_offset(const char *path, uint64_t vaddr)
{
	char *out = run("readelf -lW %s", path), *line, *save = NULL;
	unsigned long long off, va, pa, fsz, msz;
	uint64_t found = UINT64_MAX;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, " LOAD %llx %llx %llx %llx %llx", &off, &va, &pa, &fsz, &msz) == 5 &&
		    vaddr >= va && vaddr < va + fsz) {
			found = vaddr - va + off;
			break;
		}
	}
	free(out);
	assert_true(found != UINT64_MAX);
	return found;
}

struct maprange {
	uint64_t start, end, pgoff;
};

/* The executable mapping of @pid whose path contains @name and file offset @off. */
static bool find_map(pid_t pid, const char *name, uint64_t off, struct maprange *r)
{
	unsigned long long start, end, pgoff;
	char path[64], line[4352], perms[8], file[4096];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095[^\n]", &start, &end, perms, &pgoff,
			   file) < 4)
			continue;
		if (perms[2] != 'x' || !strstr(file, name))
			continue;
		if (off != UINT64_MAX && (off < pgoff || off - pgoff >= end - start))
			continue;
		*r = (struct maprange){ start, end, pgoff };
		ok = true;
		break;
	}
	fclose(f);
	return ok;
}

/* Runtime address of symbol @sym (vaddr per nm of @symfile) in @pid's @module. */
static uint64_t runtime_addr(pid_t pid, const char *module, const char *symfile,
			     const char *nmopts, const char *sym)
{
	uint64_t off = file_offset(module, nm_addr(nmopts, symfile, sym));
	struct maprange r;

	assert_true(find_map(pid, strrchr(module, '/') + 1, off, &r));
	return r.start + off - r.pgoff;
}

struct tproc {
	pid_t pid;
	int in;			/* the target's stdin: a line ends its wait */
	FILE *out;		/* for helpers started through a shell */
};

/* Wait until @pid maps something named @name (the loader is done). */
static void wait_mapped(pid_t pid, const char *name)
{
	struct maprange r;
	int i;

	for (i = 0; i < 500; i++) {
		if (find_map(pid, name, UINT64_MAX, &r))
			return;
		usleep(10000);
	}
	fail_msg("pid %d never mapped %s", pid, name);
}

static void start(struct tproc *t, const char *const argv[], const char *wait_for)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	t->out = NULL;
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (!t->pid) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	t->in = fds[1];
	wait_mapped(t->pid, wait_for);
}

static int stop(struct tproc *t)
{
	int status = -1;

	assert_int_equal(write(t->in, "\n", 1), 1);
	close(t->in);
	if (t->out)
		fclose(t->out);
	assert_int_equal(waitpid(t->pid, &status, 0), t->pid);
	return status;
}

static const char *fmt(const struct sym_frame *f, bool offsets)
{
	static char buf[8][512];
	static int i;
	char *b = buf[i++ % 8];

	sym_frame__format(f, offsets, b, 512);
	return b;
}

/* Assert @addr of @pid resolves to @name + @off (formatting included). */
static void expect_sym(struct syms *s, pid_t pid, uint64_t addr, const char *name, uint64_t off)
{
	struct sym_frame fr[4];
	char want[512];

	assert_int_equal(syms__resolve_user(s, pid, addr, fr, 4), 1);
	assert_non_null(fr[0].name);
	assert_string_equal(fr[0].name, name);
	assert_int_equal(fr[0].offset, off);
	assert_non_null(fr[0].module);
	assert_false(fr[0].inlined);
	assert_string_equal(fmt(&fr[0], false), name);
	snprintf(want, sizeof(want), "%s+0x%llx", name, (unsigned long long)off);
	assert_string_equal(fmt(&fr[0], true), want);
}

/* foo and foo+5 in @bin (symbols from nm @symfile) resolve in a live process. */
static void check_calls(const char *bin, const char *symfile, const char *nmopts,
			const char *extra)
{
	const char *const argv[] = { bin, "1", "1", "--wait", NULL };
	struct syms *s = syms__new(SYMS_F_DEMANGLE);
	struct tproc t;
	uint64_t a;

	assert_non_null(s);
	start(&t, argv, strrchr(bin, '/') + 1);
	a = runtime_addr(t.pid, bin, symfile, nmopts, "foo");
	expect_sym(s, t.pid, a, "foo", 0);
	expect_sym(s, t.pid, a + 5, "foo", 5);
	a = runtime_addr(t.pid, bin, symfile, nmopts, "bar");
	expect_sym(s, t.pid, a, "bar", 0);
	if (extra) {
		a = runtime_addr(t.pid, bin, symfile, nmopts, extra);
		expect_sym(s, t.pid, a + 1, extra, 1);
	}
	assert_int_equal(WEXITSTATUS(stop(&t)), 0);
	syms__free(s);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_pie(void **state)
{
	check_calls(T "calls", T "calls", "", "local_helper");
}

static void test_nopie(void **state)
{
	check_calls(T "calls_nopie", T "calls_nopie", "", "local_helper");
}

static void test_stripped_debuglink(void **state)
{
	check_calls(T "calls_stripped", T "calls_stripped.debug", "", "local_helper");
}

static void test_minidebug(void **state)
{
	char mini[] = "/tmp/cotrace-mini-XXXXXX";
	char *out;
	int fd = mkstemp(mini);

	assert_true(fd >= 0);
	close(fd);
	out = run("objcopy --dump-section .gnu_debugdata=%s.xz %s /dev/null && "
		  "xz -dc %s.xz > %s && rm -f %s.xz && echo ok",
		  mini, T "calls_minidebug", mini, mini, mini);
	assert_string_equal(out, "ok\n");
	free(out);
	/* local_helper is a local symbol: only the MiniDebugInfo has it. */
	check_calls(T "calls_minidebug", mini, "", "local_helper");
	unlink(mini);
}

static void test_shared_lib(void **state)
{
	const char *const argv[] = { T "uselib", "1", "--wait", NULL };
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	struct tproc t;
	uint64_t a;

	start(&t, argv, "libcotarget.so");
	a = runtime_addr(t.pid, T "libcotarget.so", T "libcotarget.so", "", "cot_add");
	expect_sym(s, t.pid, a, "cot_add", 0);
	expect_sym(s, t.pid, a + 5, "cot_add", 5);
	assert_int_equal(syms__resolve_user(s, t.pid, a, &fr, 1), 1);
	assert_non_null(strstr(fr.module, "libcotarget.so"));
	a = runtime_addr(t.pid, T "uselib", T "uselib", "", "main");
	expect_sym(s, t.pid, a, "main", 0);
	stop(&t);
	syms__free(s);
}

static void test_cxx(void **state)
{
	const char *const argv[] = { T "cxx", "1", "--wait", NULL };
	struct syms *s = syms__new(SYMS_F_DEMANGLE), *raw = syms__new(0);
	struct tproc t;
	uint64_t a;

	start(&t, argv, "cxx");
	a = runtime_addr(t.pid, T "cxx", T "cxx", "", "_ZNK6shapes6Circle4areaEv");
	expect_sym(s, t.pid, a, "shapes::Circle::area() const", 0);
	/* Demangled once: the same string comes back. */
	expect_sym(s, t.pid, a + 5, "shapes::Circle::area() const", 5);
	expect_sym(raw, t.pid, a, "_ZNK6shapes6Circle4areaEv", 0);
	a = runtime_addr(t.pid, T "cxx", T "cxx", "", "_ZN6shapes5scaleEd");
	expect_sym(s, t.pid, a, "shapes::scale(double)", 0);
	stop(&t);
	syms__free(s);
	syms__free(raw);
}

static void test_exited(void **state)
{
	const char *const argv[] = { T "calls", "1", "1", "--wait", NULL };
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	struct tproc t;
	uint64_t a;
	pid_t pid;

	start(&t, argv, "calls");
	a = runtime_addr(t.pid, T "calls", T "calls", "", "bar");
	pid = t.pid;
	assert_int_equal(syms__snapshot(s, pid), 0);
	/* Unchanged maps: the snapshot is kept. */
	assert_int_equal(syms__snapshot(s, pid), 0);
	assert_int_equal(WEXITSTATUS(stop(&t)), 0);
	assert_int_equal(kill(pid, 0), -1);
	expect_sym(s, pid, a + 2, "bar", 2);
	/* A second snapshot of the gone process keeps the first one. */
	assert_int_equal(syms__snapshot(s, pid), 0);
	expect_sym(s, pid, a, "bar", 0);
	syms__free(s);

	/* Never seen and gone: nothing known, and the snapshot says why. */
	s = syms__new(0);
	assert_int_equal(syms__snapshot(s, pid), -ESRCH);
	assert_int_equal(syms__resolve_user(s, pid, a, &fr, 1), 1);
	assert_null(fr.name);
	assert_null(fr.module);
	assert_string_equal(fmt(&fr, true), "[unknown]");
	syms__free(s);
}

static void test_unknown(void **state)
{
	const char *const argv[] = { T "calls", "1", "1", "--wait", NULL };
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	struct maprange r;
	struct tproc t;
	char want[128];
	uint64_t a;

	start(&t, argv, "calls");
	assert_int_equal(syms__resolve_user(s, t.pid, 0x10, &fr, 1), 1);
	assert_null(fr.name);
	assert_null(fr.module);
	assert_string_equal(fmt(&fr, true), "[unknown]");
	assert_string_equal(fmt(&fr, false), "[unknown]");
	/* The page tail after the last function of the text segment. */
	assert_true(find_map(t.pid, "calls", UINT64_MAX, &r));
	a = r.end - 1;
	assert_int_equal(syms__resolve_user(s, t.pid, a, &fr, 1), 1);
	assert_null(fr.name);
	assert_non_null(fr.module);
	assert_int_equal(fr.module_offset, a - r.start + r.pgoff);
	snprintf(want, sizeof(want), "calls+0x%llx", (unsigned long long)(a - r.start + r.pgoff));
	assert_string_equal(fmt(&fr, true), want);
	assert_int_equal(syms__resolve_user(s, t.pid, 0, &fr, 0), -EINVAL);
	stop(&t);
	syms__free(s);
}

static void test_kernel(void **state)
{
	char *out = run("awk '$3 == \"schedule\" && ($2 == \"T\" || $2 == \"t\") {print $1; exit}' "
			"/proc/kallsyms");
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	uint64_t a = strtoull(out, NULL, 16);

	free(out);
	if (!a) {
		/* kptr_restrict: every address reads 0 and nothing resolves. */
		assert_int_equal(syms__resolve_kernel(s, 0xffffffff81000000ULL, &fr), 0);
		syms__free(s);
		skip();
	}
	assert_int_equal(syms__resolve_kernel(s, a, &fr), 1);
	assert_string_equal(fr.name, "schedule");
	assert_int_equal(fr.offset, 0);
	assert_string_equal(fr.module, "[kernel]");
	assert_int_equal(syms__resolve_kernel(s, a + 3, &fr), 1);
	assert_string_equal(fr.name, "schedule");
	assert_string_equal(fmt(&fr, true), "schedule+0x3");
	syms__free(s);
}

/*
 * A process in its own mount namespace runs a copy of calls from a tmpfs
 * that only it sees, then the copy is deleted: only /proc/PID/map_files/
 * reaches the file.
 */
static void test_kallsyms_line(void **state)
{
	char line[128], type, *name;
	uint64_t addr;

	strcpy(line, "ffffffff81000000 T _stext");
	assert_int_equal(kallsyms__parse_line(line, &addr, &type, &name), 0);
	assert_true(addr == 0xffffffff81000000ULL);
	assert_int_equal(type, 'T');
	assert_string_equal(name, "_stext");
	strcpy(line, "ffffffffc0001000 t nft_do_chain\t[nf_tables]");
	assert_int_equal(kallsyms__parse_line(line, &addr, &type, &name), 0);
	assert_string_equal(name, "nft_do_chain");
	strcpy(line, "0000000000000000 W weak_fn");
	assert_int_equal(kallsyms__parse_line(line, &addr, &type, &name), 0);
	assert_true(addr == 0);
	strcpy(line, "ffffffff82000000 D jiffies");
	assert_int_equal(kallsyms__parse_line(line, &addr, &type, &name), -ENOENT);
	assert_string_equal(name, "jiffies");
	static const char *const bad[] = { "", "ffff", "ffff T", "ffff T ", "ffff  T x",
					   "zz T x", "ffff TT x", "ffff\tT x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(line, bad[i]);
		assert_int_equal(kallsyms__parse_line(line, &addr, &type, &name), -EINVAL);
	}
}

static void test_mount_ns(void **state)
{
	char dir[] = "/tmp/cotrace-ns-XXXXXX", cmd[1024], line[64], want[64];
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	struct maprange r;
	int in[2], outp[2];
	struct tproc t;
	uint64_t off;
	pid_t sh;

	if (geteuid())
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "mount -t tmpfs none %s && cp %s %s/calls && exec 3<&0 && "
		 "{ %s/calls 1 1 --wait <&3 & } && echo $! && sleep 0.3 && rm %s/calls && wait",
		 dir, T "calls", dir, dir, dir);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(outp), 0);
	sh = fork();
	assert_true(sh >= 0);
	if (!sh) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		execlp("unshare", "unshare", "-m", "--propagation", "private", "sh", "-c", cmd,
		       NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	t.in = in[1];
	t.out = fdopen(outp[0], "r");
	assert_non_null(fgets(line, sizeof(line), t.out));
	t.pid = atoi(line);
	assert_true(t.pid > 0);
	/* Wait for the delete. */
	for (int i = 0; i < 500 && !find_map(t.pid, "calls (deleted)", UINT64_MAX, &r); i++)
		usleep(10000);
	assert_true(find_map(t.pid, "calls (deleted)", UINT64_MAX, &r));
	snprintf(want, sizeof(want), "%s/calls", dir);
	assert_int_equal(access(want, F_OK), -1);

	off = file_offset(T "calls", nm_addr("", T "calls", "foo"));
	assert_true(find_map(t.pid, "calls", off, &r));
	expect_sym(s, t.pid, r.start + off - r.pgoff, "foo", 0);
	assert_int_equal(syms__resolve_user(s, t.pid, r.start + off - r.pgoff, &fr, 1), 1);
	assert_string_equal(fr.module, want);
	t.pid = sh;
	assert_int_equal(WEXITSTATUS(stop(&t)), 0);
	rmdir(dir);
	syms__free(s);
}

/* The vDSO of this very process, dumped and read with nm for the truth. */
static void test_vdso(void **state)
{
	char path[] = "/tmp/cotrace-vdso-XXXXXX";
	uint64_t base = getauxval(AT_SYSINFO_EHDR), a;
	struct sym_frame fr;
	struct maprange r;
	struct syms *s;
	int fd;

	/* No vDSO (valgrind hides it). */
	if (!base)
		skip();
	s = syms__new(0);
	assert_true(find_map(getpid(), "[vdso]", UINT64_MAX, &r));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, (void *)r.start, r.end - r.start), (ssize_t)(r.end - r.start));
	close(fd);
	a = r.start + nm_addr("-D", path, "__vdso_clock_gettime");
	unlink(path);
	assert_int_equal(syms__resolve_user(s, getpid(), a + 1, &fr, 1), 1);
	assert_non_null(fr.name);
	if (strcmp(fr.name, "__vdso_clock_gettime") && strcmp(fr.name, "clock_gettime"))
		fail_msg("vdso: %s", fr.name);
	assert_int_equal(fr.offset, 1);
	assert_string_equal(fr.module, "[vdso]");
	syms__free(s);
}

static void test_resolve_file(void **state)
{
	struct syms *s = syms__new(0);
	struct sym_frame fr;
	uint64_t off;

	off = file_offset(T "calls", nm_addr("", T "calls", "foo"));
	assert_int_equal(syms__resolve_file(s, T "calls", off + 3, &fr, 1), 1);
	assert_string_equal(fr.name, "foo");
	assert_int_equal(fr.offset, 3);
	assert_string_equal(fr.module, T "calls");
	assert_int_equal(fr.module_offset, off + 3);
	/* .dynsym only, shared symtab reused on the second call. */
	off = file_offset(LIBC, nm_addr("-D", LIBC, "getpid"));
	assert_int_equal(syms__resolve_file(s, LIBC, off, &fr, 1), 1);
	/* Global __getpid is preferred over its weak alias getpid. */
	if (strcmp(fr.name, "getpid") && strcmp(fr.name, "__getpid"))
		fail_msg("libc: %s", fr.name);
	assert_int_equal(syms__resolve_file(s, LIBC, off + 1, &fr, 1), 1);
	assert_int_equal(fr.offset, 1);
	assert_int_equal(syms__resolve_file(s, T "notelf", 0, &fr, 1), -ENOEXEC);
	assert_int_equal(syms__resolve_file(s, T "does-not-exist", 0, &fr, 1), -ENOENT);
	syms__free(s);
}

/* Source lines agree with addr2line, also through the separate debug file. */
static void check_lines(const char *bin, const char *symfile)
{
	struct syms *s = syms__new(SYMS_F_LINES | SYMS_F_DEMANGLE);
	struct sym_frame fr[8];
	uint64_t va = nm_addr("", symfile, "foo"), off = file_offset(bin, va);
	char *out, want[4200], got[4200];
	size_t lw, lg;
	int n;

	out = run("addr2line -e %s 0x%llx", symfile, (unsigned long long)va + 4);
	out[strcspn(out, "\n")] = '\0';
	n = syms__resolve_file(s, bin, off + 4, fr, 8);
	assert_int_equal(n, 1);
	assert_string_equal(fr[0].name, "foo");
	assert_non_null(fr[0].file);
	snprintf(got, sizeof(got), "%s:%u", fr[0].file, fr[0].line);
	snprintf(want, sizeof(want), "%s", out);
	/* addr2line may print "(discriminator N)" after the line, and makes
	 * the path absolute where libdw keeps the line table's relative name. */
	want[strcspn(want, " ")] = '\0';
	lw = strlen(want);
	lg = strlen(got);
	if (lg > lw || strcmp(want + lw - lg, got))
		fail_msg("lines: %s, addr2line: %s", got, want);
	snprintf(want, sizeof(want), "foo+0x4 (%s)", got);
	assert_string_equal(fmt(&fr[0], true), want);
	free(out);
	syms__free(s);
}

static void test_lines(void **state)
{
	check_lines(T "calls", T "calls");
	check_lines(T "calls_stripped", T "calls_stripped.debug");
}

static void test_format(void **state)
{
	struct sym_frame f = { .name = "foo", .offset = 0x1a, .module = "/usr/lib/libfoo.so" };
	char buf[8];

	assert_string_equal(fmt(&f, false), "foo");
	assert_string_equal(fmt(&f, true), "foo+0x1a");
	f.file = "a.c";
	f.line = 12;
	assert_string_equal(fmt(&f, true), "foo+0x1a (a.c:12)");
	f.inlined = true;
	assert_string_equal(fmt(&f, true), "foo (a.c:12)");
	f = (struct sym_frame){ .module = "/usr/lib/libfoo.so", .module_offset = 0x1234 };
	assert_string_equal(fmt(&f, true), "libfoo.so+0x1234");
	assert_string_equal(fmt(&f, false), "libfoo.so+0x1234");
	f.module = NULL;
	assert_string_equal(fmt(&f, true), "[unknown]");
	/* Truncation reports the full length like snprintf. */
	f = (struct sym_frame){ .name = "function", .offset = 1, .file = "x.c", .line = 3 };
	assert_int_equal(sym_frame__format(&f, true, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "functio");
	assert_int_equal(sym_frame__format(&f, true, NULL, 0), 20);
}

static void test_new_free(void **state)
{
	errno = 0;
	assert_null(syms__new(1u << 20));
	assert_int_equal(errno, EINVAL);
	syms__free(NULL);
	syms__free(syms__new(SYMS_F_LINES));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_line),
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_stripped_debuglink),
		cmocka_unit_test(test_minidebug),
		cmocka_unit_test(test_shared_lib),
		cmocka_unit_test(test_cxx),
		cmocka_unit_test(test_exited),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_mount_ns),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_resolve_file),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_new_free),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
