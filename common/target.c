// SPDX-License-Identifier: GPL-2.0-only
/*
 * target: resolve what the user typed into the file to probe.
 *
 * Sources, in order: a path, the libraries a process maps (/proc/PID/maps),
 * glibc's /etc/ld.so.cache, $PATH. With a pid everything is looked up as
 * that process sees it, through /proc/PID/root, so that processes in other
 * mount namespaces (containers) work.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/target.h"
#include "common/procmaps.h"
#include "common/procpath.h"

/* ---- ld.so.cache ---------------------------------------------------------- */

/*
 * glibc's cache layout (elf/dl-cache.h, stable since glibc 2.3; the
 * flags byte and extension offset appeared in 2.33 in former padding).
 */
#define LDC_OLD_MAGIC "ld.so-1.7.0"
#define LDC_OLD_MAGIC_LEN 11
#define LDC_OLD_HDR_SIZE 16		/* magic[11], pad, uint32 nlibs */
#define LDC_OLD_ENTRY_SIZE 12		/* int32 flags, uint32 key, uint32 value */
#define LDC_NEW_MAGIC "glibc-ld.so.cache1.1"
#define LDC_NEW_MAGIC_LEN 20		/* "glibc-ld.so.cache" + "1.1" */
#define LDC_NEW_HDR_SIZE 48
#define LDC_NEW_ENTRY_SIZE 24		/* int32 flags, key, value, osversion, uint64 hwcap */
#define LDC_NEW_ALIGN 8			/* alignof(struct cache_file_new) on x86-64 */

#define LDC_FLAG_TYPE_MASK 0x00ff
#define LDC_FLAG_ELF_LIBC6 0x0003
#define LDC_FLAG_REQUIRED_MASK 0xff00
#define LDC_FLAG_X8664_LIB64 0x0300

/* Header flags byte (glibc 2.33+): 0 unknown, 2 little endian, 3 big endian. */
#define LDC_ENDIAN_BIG 3

/* Refuse absurd files: real caches are tens of kilobytes. */
#define LDC_MAX_SIZE (64u << 20)

struct ldcache_entry {
	const char *key;	/* soname, points into ldcache->strs */
	const char *value;	/* path */
	uint64_t hwcap;
};

struct ldcache {
	size_t nr;
	struct ldcache_entry *entries;
	char *strs;		/* copy of the new-format part of the file */
};

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A NUL-terminated string at @off inside @buf[0..len), or NULL. */
static const char *str_at(const char *buf, size_t len, uint32_t off)
{
	if (off >= len || !memchr(buf + off, '\0', len - off))
		return NULL;
	return buf + off;
}

struct ldcache *ldcache__parse(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct ldcache *c = NULL;
	size_t hdr = 0, rem, i;
	uint32_t nlibs;
	int err = -EINVAL;

	if (!buf)
		goto out_err;
	if (len > LDC_MAX_SIZE) {
		err = -EFBIG;
		goto out_err;
	}

	if (len >= LDC_OLD_HDR_SIZE && !memcmp(p, LDC_OLD_MAGIC, LDC_OLD_MAGIC_LEN)) {
		uint32_t nold = get_u32(p + 12);

		/* The new format, if any, follows the old entries, aligned. */
		if (nold > (len - LDC_OLD_HDR_SIZE) / LDC_OLD_ENTRY_SIZE)
			goto out_err;
		hdr = LDC_OLD_HDR_SIZE + (size_t)nold * LDC_OLD_ENTRY_SIZE;
		hdr = (hdr + LDC_NEW_ALIGN - 1) & ~(size_t)(LDC_NEW_ALIGN - 1);
	}
	if (hdr > len || len - hdr < LDC_NEW_HDR_SIZE ||
	    memcmp(p + hdr, LDC_NEW_MAGIC, LDC_NEW_MAGIC_LEN))
		goto out_err;
	p += hdr;
	rem = len - hdr;
	if (p[28] == LDC_ENDIAN_BIG)
		goto out_err;
	nlibs = get_u32(p + 20);
	if (nlibs > (rem - LDC_NEW_HDR_SIZE) / LDC_NEW_ENTRY_SIZE)
		goto out_err;

	c = calloc(1, sizeof(*c));
	if (!c)
		goto out_nomem;
	/* String offsets are relative to the new header: keep that part whole. */
	c->strs = malloc(rem);
	c->entries = calloc(nlibs ? nlibs : 1, sizeof(*c->entries));
	if (!c->strs || !c->entries)
		goto out_nomem;
	memcpy(c->strs, p, rem);

	for (i = 0; i < nlibs; i++) {
		const unsigned char *e = p + LDC_NEW_HDR_SIZE + i * LDC_NEW_ENTRY_SIZE;
		uint32_t flags = get_u32(e);
		const char *key, *value;

		if ((flags & LDC_FLAG_TYPE_MASK) != LDC_FLAG_ELF_LIBC6 ||
		    (flags & LDC_FLAG_REQUIRED_MASK) != LDC_FLAG_X8664_LIB64)
			continue;
		key = str_at(c->strs, rem, get_u32(e + 4));
		value = str_at(c->strs, rem, get_u32(e + 8));
		if (!key || !value)
			goto out_err;
		if (!*key || !*value)
			continue;
		c->entries[c->nr].key = key;
		c->entries[c->nr].value = value;
		c->entries[c->nr].hwcap = get_u64(e + 16);
		c->nr++;
	}
	return c;

out_nomem:
	err = -ENOMEM;
out_err:
	ldcache__free(c);
	errno = -err;
	return NULL;
}

struct ldcache *ldcache__load(const char *path)
{
	struct ldcache *c = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, err = 0;

	fd = procpath__open(path, O_RDONLY);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	/* Read to EOF rather than trusting st_size (procfs, races with ldconfig). */
	for (;;) {
		ssize_t n;

		if (len == cap) {
			unsigned char *nbuf;

			if (cap >= LDC_MAX_SIZE) {
				err = EFBIG;
				goto out_close;
			}
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				err = ENOMEM;
				goto out_close;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out_close;
		}
		if (n == 0)
			break;
		len += n;
	}
	c = ldcache__parse(buf, len);
	if (!c)
		err = errno;
out_close:
	close(fd);
	free(buf);
	if (!c)
		errno = err;
	return c;
}

void ldcache__free(struct ldcache *c)
{
	if (!c)
		return;
	free(c->entries);
	free(c->strs);
	free(c);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/* ".6", ".1.2.3": a soname version. */
static bool is_version_suffix(const char *s)
{
	if (!*s)
		return false;
	while (*s) {
		if (*s != '.' || !isdigit((unsigned char)s[1]))
			return false;
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return true;
}

/*
 * Rank how well a cache key answers a prefix lookup for "libNAME.so":
 * 0 no match, 1 other "libNAME.so.*", 2 the bare development symlink
 * "libNAME.so", 3 a versioned soname "libNAME.so.6".
 */
static int prefix_rank(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(key, prefix, n))
		return 0;
	if (!key[n])
		return 2;
	if (key[n] != '.')
		return 0;
	return is_version_suffix(key + n) ? 3 : 1;
}

const char *ldcache__lookup(const struct ldcache *c, const char *name)
{
	const struct ldcache_entry *best = NULL;
	char prefix[NAME_MAX + 1];
	int best_rank = 0, len;
	size_t i;

	if (!c || !name || !*name)
		return NULL;

	/* Exact soname. Entries of glibc-hwcaps subdirectories (hwcap != 0)
	 * only win when there is no baseline entry. */
	for (i = 0; i < c->nr; i++) {
		const struct ldcache_entry *e = &c->entries[i];

		if (strcmp(e->key, name))
			continue;
		if (!e->hwcap)
			return e->value;
		if (!best)
			best = e;
	}
	if (best)
		return best->value;

	/* "c", "libc", "libc.so" → prefix "libc.so"; "libfoo.so.1" → itself. */
	if (strstr(name, ".so"))
		len = snprintf(prefix, sizeof(prefix), "%s", name);
	else
		len = snprintf(prefix, sizeof(prefix), "%s%s.so",
			       has_prefix(name, "lib") ? "" : "lib", name);
	if (len < 0 || (size_t)len >= sizeof(prefix))
		return NULL;

	for (i = 0; i < c->nr; i++) {
		const struct ldcache_entry *e = &c->entries[i];
		int rank = prefix_rank(e->key, prefix);

		if (!rank)
			continue;
		/* Rank first; a baseline entry beats a hwcaps one of equal rank. */
		rank = rank * 2 + !e->hwcap;
		if (rank > best_rank) {
			best_rank = rank;
			best = e;
		}
	}
	return best ? best->value : NULL;
}

bool target__basename_matches(const char *base, const char *name)
{
	char buf[NAME_MAX + 8];
	int n;

	if (!base || !name || !*name)
		return false;
	if (!strcmp(base, name))
		return true;
	/* "libc.so" → "libc.so.6" */
	if (has_suffix(name, ".so") || strstr(name, ".so."))
		return has_prefix(base, name) && base[strlen(name)] == '.';
	n = snprintf(buf, sizeof(buf), "lib%s.so", name);
	if (n > 0 && (size_t)n < sizeof(buf) && has_prefix(base, buf))
		return true;
	/* Also covers a @name that already starts with "lib". */
	n = snprintf(buf, sizeof(buf), "%s.so", name);
	return n > 0 && (size_t)n < sizeof(buf) && has_prefix(base, buf);
}

/* ---- resolution --------------------------------------------------------------- */

static int set_str(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

static int fmt_path(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fmt_path(char *dst, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Paths under /proc/PID/root are checked as that process sees them:
 * its symlinks never lead outside its root (procpath.h). */
static int path_exists(const char *path)
{
	struct stat st;

	return procpath__stat(path, &st);
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return !procpath__stat(path, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* readlink() into a PATH_MAX buffer, NUL-terminated. */
static int read_link(const char *path, char *buf)
{
	ssize_t n = readlink(path, buf, PATH_MAX);

	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/* "/proc/123/exe" → 123; 0 if @name is not of that form. */
static pid_t proc_exe_pid(const char *name)
{
	unsigned long long v;
	const char *s;
	size_t n;

	if (!has_prefix(name, "/proc/"))
		return 0;
	s = name + 6;
	n = strspn(s, "0123456789");
	if (!n || strcmp(s + n, "/exe"))
		return 0;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno || v == 0 || v > INT32_MAX)
		return 0;
	return (pid_t)v;
}

static int resolve_proc_exe(const char *name, pid_t pid, struct target *out)
{
	static const char deleted[] = " (deleted)";
	char link[PATH_MAX];
	int err;

	err = read_link(name, link);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (has_suffix(link, deleted))
		link[strlen(link) - (sizeof(deleted) - 1)] = '\0';
	err = set_str(out->display, link);
	if (err)
		return err;
	/* The file as the process's mount namespace names it, when reachable;
	 * else the magic link itself, which also works for deleted files. */
	if (link[0] == '/' && !fmt_path(out->path, "/proc/%d/root%s", (int)pid, link) &&
	    !path_exists(out->path))
		return 0;
	return set_str(out->path, name);
}

/*
 * @path (as process @pid names it) is a file the process maps, but its maps
 * entries all read "@path (deleted)": the file was unlinked, or a new file
 * was renamed over the path, after the process mapped it. Point @out->path
 * at the first such mapping through map_files (the kernel resolves that
 * link itself, also for a deleted file; it needs CAP_SYS_ADMIN), so that
 * "-p PID PATH:func" keeps working for a running process, as with bcc and
 * bpftrace. Returns 0 if it did; -ENOENT if the process maps @path's
 * current file, maps nothing of that name, or its maps cannot be read (the
 * caller's own answer stands); another negative errno on failure.
 */
static int resolve_deleted_mapping(const char *path, pid_t pid, struct target *out)
{
	const struct procmap_entry *e;
	unsigned long long start = 0, end = 0;
	bool found = false;
	struct procmaps *m;
	int err = -ENOENT;

	m = procmaps__open(pid);
	if (!m)
		return errno == ENOMEM ? -ENOMEM : -ENOENT;
	while (procmaps__next(m, &e) > 0) {
		if (strcmp(e->path, path))
			continue;
		if (!e->deleted) {
			/* The path still is what the process maps. */
			found = false;
			break;
		}
		if (!found) {
			found = true;
			start = e->start;
			end = e->end;
		}
	}
	if (found)
		err = fmt_path(out->path, "/proc/%d/map_files/%llx-%llx", (int)pid, start, end);
	procmaps__free(m);
	return err;
}

static int resolve_path(const char *name, pid_t pid, struct target *out)
{
	char buf[PATH_MAX];
	pid_t exe_pid;
	int err, exists;

	exe_pid = proc_exe_pid(name);
	if (exe_pid)
		return resolve_proc_exe(name, exe_pid, out);

	if (!pid) {
		if (!realpath(name, buf))
			return -errno;
		err = set_str(out->path, buf);
		return err ? err : set_str(out->display, buf);
	}

	if (name[0] == '/') {
		err = fmt_path(out->path, "/proc/%d/root%s", (int)pid, name);
		if (!err)
			err = set_str(out->display, name);
	} else {
		err = fmt_path(out->path, "/proc/%d/cwd/%s", (int)pid, name);
		if (err)
			return err;
		err = fmt_path(buf, "/proc/%d/cwd", (int)pid);
		if (!err)
			err = read_link(buf, buf);
		/* Display "CWD/name" as the process sees it, or the name as typed. */
		if (err || fmt_path(out->display, "%s/%s", buf, name))
			err = set_str(out->display, name);
	}
	if (err)
		return err;
	exists = path_exists(out->path);
	/* The path the user knows for a file the process still runs but
	 * that was deleted, or replaced by a new file renamed over it. */
	if (out->display[0] == '/') {
		err = resolve_deleted_mapping(out->display, pid, out);
		if (err != -ENOENT)
			return err;
	}
	return exists;
}

/* True if @path (inside a process's root) is the file of mapping @e. */
static bool is_mapped_file(const char *path, const struct procmap_entry *e)
{
	struct stat st;

	return !procpath__stat(path, &st) && st.st_ino == e->inode &&
	       st.st_dev == makedev(e->dev_major, e->dev_minor);
}

/*
 * A library mapped by @pid. An exact basename beats a prefix match. A
 * deleted file (upgraded library) is reached through map_files, which
 * needs CAP_SYS_ADMIN, as the kernel resolves that link itself.
 */
static int resolve_from_maps(const char *name, pid_t pid, struct target *out)
{
	const struct procmap_entry *e;
	struct procmap_entry *best;
	bool best_exact = false;
	struct procmaps *m;
	int err = -ENOENT;

	m = procmaps__open(pid);
	if (!m)
		return -errno;
	best = malloc(sizeof(*best));
	if (!best) {
		err = -ENOMEM;
		goto out;
	}
	while (procmaps__next(m, &e) > 0) {
		const char *base;
		bool exact;

		if (e->path[0] != '/')
			continue;
		base = strrchr(e->path, '/') + 1;
		if (!target__basename_matches(base, name))
			continue;
		exact = !strcmp(base, name);
		if (err == -ENOENT || (exact && !best_exact)) {
			*best = *e;
			best_exact = exact;
			err = 0;
			if (exact)
				break;
		}
	}
	if (err)
		goto out;
	err = set_str(out->display, best->path);
	if (err)
		goto out;
	/* The path inside the process's root when it still is the mapped
	 * file (its directory serves the .gnu_debuglink search); else the
	 * mapping itself: a deleted file, or one the process replaced, maybe
	 * by a symlink meant to lead us elsewhere. */
	if (best->deleted || fmt_path(out->path, "/proc/%d/root%s", (int)pid, best->path) ||
	    !is_mapped_file(out->path, best))
		err = fmt_path(out->path, "/proc/%d/map_files/%llx-%llx", (int)pid,
			       best->start, best->end);
out:
	free(best);
	procmaps__free(m);
	return err;
}

static int resolve_from_ldcache(const char *name, pid_t pid, struct target *out)
{
	char cpath[64];
	struct ldcache *c;
	const char *lib;
	int err = -ENOENT;

	if (pid)
		snprintf(cpath, sizeof(cpath), "/proc/%d/root/etc/ld.so.cache", (int)pid);
	else
		snprintf(cpath, sizeof(cpath), "/etc/ld.so.cache");
	c = ldcache__load(cpath);
	/* No cache (musl, a damaged file) is not an error: try $PATH. */
	if (!c)
		return -ENOENT;
	lib = ldcache__lookup(c, name);
	if (!lib || lib[0] != '/')
		goto out;
	if (pid)
		err = fmt_path(out->path, "/proc/%d/root%s", (int)pid, lib);
	else
		err = set_str(out->path, lib);
	if (!err)
		err = set_str(out->display, lib);
	if (!err)
		err = path_exists(out->path);
out:
	ldcache__free(c);
	return err;
}

/* PATH from /proc/PID/environ, malloc'ed; NULL if absent or unreadable. */
static char *proc_env_path(pid_t pid)
{
	char epath[64], *buf = NULL, *res = NULL;
	size_t len = 0, cap = 0;
	size_t off;
	FILE *f;

	snprintf(epath, sizeof(epath), "/proc/%d/environ", (int)pid);
	f = fopen(epath, "re");
	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nbuf;

			if (cap >= (1u << 22))
				goto out;
			cap = cap ? cap * 2 : 4096;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf)
				goto out;
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	if (!buf)
		goto out;
	buf[len] = '\0';
	for (off = 0; off < len; off += strlen(buf + off) + 1) {
		if (has_prefix(buf + off, "PATH=")) {
			res = strdup(buf + off + 5);
			break;
		}
	}
out:
	free(buf);
	fclose(f);
	return res;
}

static int resolve_from_path(const char *name, pid_t pid, struct target *out)
{
	static const char def_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char *env = NULL, *dirs, *dir, *save = NULL;
	char root[32] = "";
	char cand[PATH_MAX];
	int err = -ENOENT;

	if (pid) {
		env = proc_env_path(pid);
		snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	} else if (getenv("PATH")) {
		env = strdup(getenv("PATH"));
	}
	dirs = env ? env : strdup(def_path);
	if (!dirs)
		return -ENOMEM;

	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		/* Relative $PATH entries are ignored: they depend on a cwd. */
		if (dir[0] != '/')
			continue;
		if (fmt_path(cand, "%s%s/%s", root, dir, name))
			continue;
		if (!is_executable_file(cand))
			continue;
		if (pid) {
			err = set_str(out->path, cand);
			if (!err)
				err = fmt_path(out->display, "%s/%s", dir, name);
		} else {
			char real[PATH_MAX];

			if (!realpath(cand, real))
				continue;
			err = set_str(out->path, real);
			if (!err)
				err = set_str(out->display, real);
		}
		break;
	}
	free(dirs);
	return err;
}

int target__resolve(const char *name, pid_t pid, struct target *out)
{
	int err;

	if (!name || !*name || !out || pid < 0)
		return -EINVAL;
	if (strlen(name) >= PATH_MAX)
		return -ENAMETOOLONG;

	if (strchr(name, '/'))
		return resolve_path(name, pid, out);

	/* A bare name is a file name, never "." or "..". */
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;

	if (pid) {
		err = resolve_from_maps(name, pid, out);
		if (err != -ENOENT)
			return err;
	}
	err = resolve_from_ldcache(name, pid, out);
	if (err != -ENOENT)
		return err;
	return resolve_from_path(name, pid, out);
}
