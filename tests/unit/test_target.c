// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for common/target.c: ld.so.cache, library names, resolution. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/procmaps.h"
#include "common/target.h"

static void test_basename_matches(void **state)
{
	assert_true(target__basename_matches("libc.so.6", "c"));
	assert_true(target__basename_matches("libc.so.6", "libc"));
	assert_true(target__basename_matches("libc.so.6", "libc.so.6"));
	assert_true(target__basename_matches("libc.so.6", "libc.so"));
	assert_true(target__basename_matches("libc-2.31.so", "libc-2.31.so"));
	assert_true(target__basename_matches("bash", "bash"));
	assert_true(target__basename_matches("libpthread.so.0", "pthread"));
	assert_false(target__basename_matches("libcrypt.so.1", "c"));
	assert_false(target__basename_matches("libc.so.6", "libc.so.7"));
	assert_false(target__basename_matches("libc.so.6", "libc.so.6.1"));
	assert_false(target__basename_matches("libc.sox", "libc.so"));
	assert_false(target__basename_matches("bash", "ba"));
	assert_false(target__basename_matches("libc.so.6", ""));
	assert_false(target__basename_matches(NULL, "c"));
}

/* ---- ld.so.cache --------------------------------------------------------------- */

/* The libc this process maps, from /proc/self/maps. */
static void self_libc(char *path, ino_t *ino)
{
	const struct procmap_entry *e;
	struct procmaps *m = procmaps__open(getpid());
	struct stat st;

	assert_non_null(m);
	path[0] = '\0';
	while (procmaps__next(m, &e) > 0) {
		const char *b;

		if (e->path[0] != '/')
			continue;
		b = strrchr(e->path, '/') + 1;
		if (!strncmp(b, "libc.so", 7) || !strncmp(b, "libc-", 5)) {
			strcpy(path, e->path);
			break;
		}
	}
	procmaps__free(m);
	assert_true(path[0] == '/');
	assert_int_equal(stat(path, &st), 0);
	*ino = st.st_ino;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

static void test_ldcache_real(void **state)
{
	static const char *const names[] = { "c", "libc", "libc.so", "libc.so.6" };
	struct ldcache *c;
	char libc[PATH_MAX];
	ino_t ino;
	size_t i;

	self_libc(libc, &ino);
	c = ldcache__load("/etc/ld.so.cache");
	if (!c)
		skip();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *p = ldcache__lookup(c, names[i]);

		if (!p)
			fail_msg("%s not found in /etc/ld.so.cache", names[i]);
		/* x86-64, not /lib32 */
		if (inode_of(p) != ino)
			fail_msg("%s → %s, not the mapped %s", names[i], p, libc);
	}
	assert_null(ldcache__lookup(c, "cotrace_no_such_lib"));
	assert_null(ldcache__lookup(c, ""));
	assert_null(ldcache__lookup(c, NULL));
	assert_null(ldcache__lookup(NULL, "c"));
	ldcache__free(c);

	errno = 0;
	assert_null(ldcache__load("/nonexistent/ld.so.cache"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(ldcache__load("/etc/hostname"));
	assert_int_equal(errno, EINVAL);
	ldcache__free(NULL);
}

struct syn_entry {
	uint32_t flags;
	const char *key;
	const char *value;
	uint64_t hwcap;
};

/* The last entry is a used one: its strings end the buffer (truncation test). */
static const struct syn_entry syn[] = {
	{ 0x0001, "libold.so.1", "/lib/libold.so.1" },		/* libc5 */
	{ 0x0303, "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1" },
	{ 0x0003, "libc.so.6", "/lib32/libc.so.6" },		/* i386 */
	{ 0x0a03, "libc.so.6", "/lib/aarch64/libc.so.6" },	/* other arch */
	{ 0x0303, "libfoo.so", "/usr/lib/libfoo.so" },		/* dev symlink first */
	{ 0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6",
	  (1ULL << 62) | 1 },
	{ 0x0303, "libfoo.so.1", "/usr/lib/libfoo.so.1" },
	{ 0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6" },
	{ 0x0303, "libcrypt.so.1", "/lib/x86_64-linux-gnu/libcrypt.so.1" },
	{ 0x0303, "libbar.so", "/usr/lib/libbar.so" },
};
#define NSYN (sizeof(syn) / sizeof(syn[0]))

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * Build a cache image: optionally the old header with @nold entries, then
 * the new format, whose string table ends exactly at the end of the
 * buffer so that every shorter prefix is malformed.
 */
static unsigned char *build_cache(size_t nold, size_t *lenp)
{
	size_t hdr = 0, strs, len, i, off;
	unsigned char *b;

	if (nold)
		hdr = (16 + nold * 12 + 7) & ~(size_t)7;
	strs = hdr + 48 + NSYN * 24;
	len = strs;
	for (i = 0; i < NSYN; i++)
		len += strlen(syn[i].key) + 1 + strlen(syn[i].value) + 1;
	b = calloc(1, len);
	assert_non_null(b);
	if (nold) {
		memcpy(b, "ld.so-1.7.0", 11);
		put32(b + 12, nold);
		for (i = 0; i < nold; i++)
			put32(b + 16 + i * 12, 1);
	}
	memcpy(b + hdr, "glibc-ld.so.cache1.1", 20);
	put32(b + hdr + 20, NSYN);
	put32(b + hdr + 24, len - strs);
	b[hdr + 28] = 2;	/* little endian */
	off = strs;
	for (i = 0; i < NSYN; i++) {
		unsigned char *e = b + hdr + 48 + i * 24;

		put32(e, syn[i].flags);
		/* Offsets are relative to the new-format header. */
		put32(e + 4, off - hdr);
		strcpy((char *)b + off, syn[i].key);
		off += strlen(syn[i].key) + 1;
		put32(e + 8, off - hdr);
		strcpy((char *)b + off, syn[i].value);
		off += strlen(syn[i].value) + 1;
		put64(e + 16, syn[i].hwcap);
	}
	assert_int_equal(off, len);
	*lenp = len;
	return b;
}

static void check_syn_lookups(const struct ldcache *c)
{
	const char *p;

	assert_non_null(c);
	p = ldcache__lookup(c, "libc.so.6");
	assert_non_null(p);
	assert_string_equal(p, "/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(ldcache__lookup(c, "c"), "/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(ldcache__lookup(c, "libc"), "/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(ldcache__lookup(c, "libc.so"), "/lib/x86_64-linux-gnu/libc.so.6");
	/* The versioned soname beats the dev symlink listed before it. */
	assert_string_equal(ldcache__lookup(c, "foo"), "/usr/lib/libfoo.so.1");
	assert_string_equal(ldcache__lookup(c, "libfoo.so"), "/usr/lib/libfoo.so");
	/* Only a dev symlink: take it. */
	assert_string_equal(ldcache__lookup(c, "bar"), "/usr/lib/libbar.so");
	assert_string_equal(ldcache__lookup(c, "z"), "/lib/x86_64-linux-gnu/libz.so.1");
	assert_string_equal(ldcache__lookup(c, "crypt"), "/lib/x86_64-linux-gnu/libcrypt.so.1");
	assert_null(ldcache__lookup(c, "old"));
	assert_null(ldcache__lookup(c, "libold.so.1"));
	assert_null(ldcache__lookup(c, "libc.so.7"));
	assert_null(ldcache__lookup(c, "fo"));
}

static void test_ldcache_synthetic(void **state)
{
	size_t nolds[] = { 0, 1, 2, 3 };
	size_t k;

	for (k = 0; k < sizeof(nolds) / sizeof(nolds[0]); k++) {
		struct ldcache *c;
		unsigned char *b;
		size_t len;

		b = build_cache(nolds[k], &len);
		c = ldcache__parse(b, len);
		/* The parser copies what it needs. */
		memset(b, 0xaa, len);
		free(b);
		check_syn_lookups(c);
		ldcache__free(c);
	}
}

static void expect_einval(const void *buf, size_t len, const char *what)
{
	struct ldcache *c;

	errno = 0;
	c = ldcache__parse(buf, len);
	if (c || errno != EINVAL)
		fail_msg("%s (len %zu): %p, errno %d", what, len, (void *)c, errno);
}

static void test_ldcache_malformed(void **state)
{
	unsigned char *b, *copy;
	size_t len, i, k;
	unsigned seed = 12345;

	expect_einval(NULL, 0, "NULL");
	expect_einval("", 0, "empty");
	expect_einval("glibc-ld.so.cache1.0", 20, "bad version");

	for (k = 0; k < 2; k++) {
		b = build_cache(k, &len);
		/* Every truncation, each in an exactly-sized heap copy for ASan. */
		for (i = 0; i < len; i++) {
			copy = malloc(i ? i : 1);
			assert_non_null(copy);
			memcpy(copy, b, i);
			expect_einval(copy, i, "truncated");
			free(copy);
		}
		copy = malloc(len);
		assert_non_null(copy);

		/* nlibs far beyond the buffer */
		memcpy(copy, b, len);
		put32(copy + (k ? 32 : 0) + 20, 0xffffffff);
		expect_einval(copy, len, "huge nlibs");

		/* string offset outside the buffer */
		memcpy(copy, b, len);
		put32(copy + (k ? 32 : 0) + 48 + (NSYN - 1) * 24 + 4, len);
		expect_einval(copy, len, "key offset");

		/* old header with an absurd entry count */
		if (k) {
			memcpy(copy, b, len);
			put32(copy + 12, 0x7fffffff);
			expect_einval(copy, len, "old nlibs");
		}

		/* big-endian flag */
		memcpy(copy, b, len);
		copy[(k ? 32 : 0) + 28] = 3;
		expect_einval(copy, len, "big endian");

		/* Random corruption never crashes; results are either NULL or usable. */
		for (i = 0; i < 2000; i++) {
			struct ldcache *c;
			int n;

			memcpy(copy, b, len);
			for (n = 0; n < 4; n++)
				copy[rand_r(&seed) % len] = rand_r(&seed);
			c = ldcache__parse(copy, len);
			if (c) {
				ldcache__lookup(c, "c");
				ldcache__lookup(c, "libfoo.so.1");
			}
			ldcache__free(c);
		}
		free(copy);
		free(b);
	}

	/* pure garbage */
	copy = malloc(4096);
	assert_non_null(copy);
	for (i = 0; i < 4096; i++)
		copy[i] = rand_r(&seed);
	expect_einval(copy, 4096, "garbage");
	free(copy);
}

/* ---- target__resolve -------------------------------------------------------- */

static void test_resolve_lib_pid(void **state)
{
	static const char *const names[] = { "c", "libc", "libc.so.6" };
	struct target t;
	char libc[PATH_MAX], want[PATH_MAX + 32];
	ino_t ino;
	size_t i;

	self_libc(libc, &ino);
	snprintf(want, sizeof(want), "/proc/%d/root%s", (int)getpid(), libc);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&t, 0, sizeof(t));
		assert_int_equal(target__resolve(names[i], getpid(), &t), 0);
		assert_string_equal(t.display, libc);
		assert_string_equal(t.path, want);
		assert_int_equal(inode_of(t.path), ino);
	}
}

static void test_resolve_lib_nopid(void **state)
{
	static const char *const names[] = { "c", "libc", "libc.so.6" };
	struct target t;
	char libc[PATH_MAX];
	ino_t ino;
	size_t i;

	self_libc(libc, &ino);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(target__resolve(names[i], 0, &t), 0);
		assert_int_equal(inode_of(t.path), ino);
		assert_string_equal(t.path, t.display);
	}
}

static void test_resolve_paths(void **state)
{
	char want[PATH_MAX], buf[PATH_MAX + 32];
	struct target t;

	assert_non_null(realpath("/bin/sh", want));
	assert_int_equal(target__resolve("/bin/sh", 0, &t), 0);
	assert_string_equal(t.path, want);

	snprintf(buf, sizeof(buf), "/proc/%d/root/bin/sh", (int)getpid());
	assert_int_equal(target__resolve("/bin/sh", getpid(), &t), 0);
	assert_string_equal(t.path, buf);
	assert_string_equal(t.display, "/bin/sh");

	assert_int_equal(target__resolve("/nonexistent/cotrace", 0, &t), -ENOENT);
	assert_int_equal(target__resolve("/nonexistent/cotrace", getpid(), &t), -ENOENT);
	assert_int_equal(target__resolve("./cotrace-no-such-file", 0, &t), -ENOENT);
	assert_int_equal(target__resolve("./cotrace-no-such-file", getpid(), &t), -ENOENT);
}

static void test_resolve_relative(void **state)
{
	char tmpl[] = "/tmp/cotrace-target-XXXXXX", old[PATH_MAX], buf[PATH_MAX + 64];
	struct target t;
	int fd;

	assert_non_null(getcwd(old, sizeof(old)));
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chdir(tmpl), 0);
	fd = open("a b.bin", O_CREAT | O_WRONLY, 0755);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(target__resolve("./a b.bin", 0, &t), 0);
	snprintf(buf, sizeof(buf), "%s/a b.bin", tmpl);
	assert_string_equal(t.path, buf);

	assert_int_equal(target__resolve("./a b.bin", getpid(), &t), 0);
	snprintf(buf, sizeof(buf), "/proc/%d/cwd/./a b.bin", (int)getpid());
	assert_string_equal(t.path, buf);
	snprintf(buf, sizeof(buf), "%s/./a b.bin", tmpl);
	assert_string_equal(t.display, buf);

	assert_int_equal(unlink("a b.bin"), 0);
	assert_int_equal(chdir(old), 0);
	assert_int_equal(rmdir(tmpl), 0);
}

static void test_resolve_proc_exe(void **state)
{
	char name[64], exe[PATH_MAX], want[PATH_MAX + 32];
	struct target t;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(name, sizeof(name), "/proc/%d/exe", (int)getpid());
	snprintf(want, sizeof(want), "/proc/%d/root%s", (int)getpid(), exe);

	assert_int_equal(target__resolve(name, getpid(), &t), 0);
	assert_string_equal(t.display, exe);
	assert_string_equal(t.path, want);
	assert_int_equal(target__resolve(name, 0, &t), 0);
	assert_string_equal(t.display, exe);
	assert_string_equal(t.path, want);

	/* A pid that does not exist. */
	assert_int_equal(target__resolve("/proc/2147483647/exe", 0, &t), -ESRCH);
}

static void test_resolve_path_search(void **state)
{
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char dir[] = "/tmp/cotrace-target-XXXXXX", file[PATH_MAX];
	struct target t;
	int fd;

	setenv("PATH", "relative:/nonexistent:/usr/bin:/bin", 1);
	assert_int_equal(target__resolve("sh", 0, &t), 0);
	assert_int_equal(inode_of(t.path), inode_of("/bin/sh"));
	assert_true(t.path[0] == '/');

	/* Not executable, or a directory: not found. */
	assert_int_equal(target__resolve("cotrace-no-such-program", 0, &t), -ENOENT);
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/cotrace-noexec", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(file, sizeof(file), "%s/cotrace-dir", dir);
	assert_int_equal(mkdir(file, 0755), 0);
	setenv("PATH", dir, 1);
	assert_int_equal(target__resolve("cotrace-noexec", 0, &t), -ENOENT);
	assert_int_equal(target__resolve("cotrace-dir", 0, &t), -ENOENT);
	assert_int_equal(rmdir(file), 0);
	snprintf(file, sizeof(file), "%s/cotrace-noexec", dir);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);

	if (old) {
		setenv("PATH", old, 1);
		free(old);
	} else {
		unsetenv("PATH");
	}

	/* With a pid, this process's environment is searched in its root. */
	assert_int_equal(target__resolve("sh", getpid(), &t), 0);
	assert_true(!strncmp(t.path, "/proc/", 6));
	assert_int_equal(inode_of(t.path), inode_of("/bin/sh"));
}

static void test_resolve_errors(void **state)
{
	struct target t;

	assert_int_equal(target__resolve("cotrace_no_such_lib", 0, &t), -ENOENT);
	assert_int_equal(target__resolve("cotrace_no_such_lib", getpid(), &t), -ENOENT);
	assert_int_equal(target__resolve("c", 2147483647, &t), -ESRCH);
	assert_int_equal(target__resolve("", 0, &t), -EINVAL);
	assert_int_equal(target__resolve(NULL, 0, &t), -EINVAL);
	assert_int_equal(target__resolve("c", 0, NULL), -EINVAL);
	assert_int_equal(target__resolve("c", -1, &t), -EINVAL);
	assert_int_equal(target__resolve("..", 0, &t), -ENOENT);
}

/* A library mapped then deleted (an upgrade under a running process). */
static void test_resolve_deleted(void **state)
{
	char dir[] = "/tmp/cotrace-target-XXXXXX", file[PATH_MAX], want[128];
	struct target t;
	void *map;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/libcotest_del.so.1", dir);
	fd = open(file, O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);

	assert_int_equal(target__resolve("cotest_del", getpid(), &t), 0);
	assert_string_equal(t.display, file);
	snprintf(want, sizeof(want), "/proc/%d/map_files/%lx-%lx", (int)getpid(),
		 (unsigned long)map, (unsigned long)map + 4096);
	assert_string_equal(t.path, want);
	/* map_files needs CAP_SYS_ADMIN */
	if (geteuid() == 0) {
		fd = open(t.path, O_RDONLY);
		assert_true(fd >= 0);
		close(fd);
	}
	munmap(map, 4096);
}

/*
 * "-p PID /full/path:func" on a file the process mapped and that was then
 * deleted, or replaced by a new file renamed over the path: the mapping,
 * through map_files. Without a pid the path is what it is.
 */
static void test_resolve_deleted_path(void **state)
{
	char dir[] = "/tmp/cotrace-target-XXXXXX", file[128], tmp[128];
	char want[128], root[192];
	struct target t;
	void *map;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/cotest_bin", dir);
	snprintf(tmp, sizeof(tmp), "%s/cotest_bin.new", dir);
	fd = open(file, O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8192), 0);
	map = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	snprintf(want, sizeof(want), "/proc/%d/map_files/%lx-%lx", (int)getpid(),
		 (unsigned long)map, (unsigned long)map + 8192);

	/* Still there: the path inside the process's root. */
	assert_int_equal(target__resolve(file, getpid(), &t), 0);
	snprintf(root, sizeof(root), "/proc/%d/root%s", (int)getpid(), file);
	assert_string_equal(t.path, root);

	/* Replaced: the path names a new inode; the process maps the old one. */
	fd = open(tmp, O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rename(tmp, file), 0);
	assert_int_equal(target__resolve(file, getpid(), &t), 0);
	assert_string_equal(t.display, file);
	assert_string_equal(t.path, want);
	/* Without a pid, the new file. */
	assert_int_equal(target__resolve(file, 0, &t), 0);
	assert_string_equal(t.path, file);

	/* Deleted: the mapping; without a pid, no such file. */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(target__resolve(file, getpid(), &t), 0);
	assert_string_equal(t.display, file);
	assert_string_equal(t.path, want);
	assert_int_equal(target__resolve(file, 0, &t), -ENOENT);
	/* A deleted file the process does not map stays unknown. */
	snprintf(tmp, sizeof(tmp), "%s/cotest_other", dir);
	assert_int_equal(target__resolve(tmp, getpid(), &t), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
	munmap(map, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basename_matches),
		cmocka_unit_test(test_ldcache_real),
		cmocka_unit_test(test_ldcache_synthetic),
		cmocka_unit_test(test_ldcache_malformed),
		cmocka_unit_test(test_resolve_lib_pid),
		cmocka_unit_test(test_resolve_lib_nopid),
		cmocka_unit_test(test_resolve_paths),
		cmocka_unit_test(test_resolve_relative),
		cmocka_unit_test(test_resolve_proc_exe),
		cmocka_unit_test(test_resolve_path_search),
		cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_resolve_deleted),
		cmocka_unit_test(test_resolve_deleted_path),
	};

	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
