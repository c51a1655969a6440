/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers the unit tests share: a shell command's output, a whole file,
 * a section header read with libelf, a symbol's address per nm(1) and per
 * our own ELF reader. Include after <cmocka.h>; each helper asserts what
 * it needs, so a test reads as its checks.
 */
#ifndef COTRACE_UNIT_UTIL_H
#define COTRACE_UNIT_UTIL_H

#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/elf.h"

#define UNIT_UNUSED __attribute__((unused))

/* Run the command @fmt through the shell and return its stdout (malloc'ed). */
static UNIT_UNUSED char *run(const char *fmt, ...)
{
	char cmd[4096], *out = NULL;
	size_t len = 0, cap = 0, n;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		n = fread(out + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	out[len] = '\0';
	pclose(f);
	return out;
}

/*
 * The value of the first defined symbol @name per `nm @opts @path`
 * (versioned names of nm -D, "getpid@@GLIBC_2.2.5", match "getpid"), or 0.
 */
static UNIT_UNUSED uint64_t nm_addr(const char *opts, const char *path, const char *name)
{
	char *out = run("nm %s --defined-only '%s' 2>/dev/null", opts, path);
	char *line, *save = NULL, type, sym[512];
	unsigned long long addr;
	uint64_t found = 0;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%llx %c %511[^@ ]", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	free(out);
	return found;
}

/* Section header of @name in @path, read with libelf directly. */
static UNIT_UNUSED void section_of(const char *path, const char *name, GElf_Shdr *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;
	Elf *e;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	while ((scn = elf_nextscn(e, scn))) {
		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(e, shstrndx, sh.sh_name), name)) {
			*out = sh;
			found = true;
			break;
		}
	}
	elf_end(e);
	close(fd);
	assert_true(found);
}

/* The whole of @path (one byte more allocated), its size in @len. */
static UNIT_UNUSED void *slurp(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, st.st_size, 0), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* elf_file__open(@path), failing the test with the reason. */
static UNIT_UNUSED struct elf_file *open_ok(const char *path)
{
	struct elf_file *ef = elf_file__open(path);

	if (!ef)
		fail_msg("elf_file__open(%s): %s", path, strerror(errno));
	return ef;
}

/*
 * The link-time address of the first symbol of @path, per our ELF reader,
 * named @name (@substring: whose name contains @name); the test fails
 * when there is none.
 */
static UNIT_UNUSED uint64_t elf_sym_addr(const char *path, const char *name, bool substring)
{
	struct elf_file *ef = open_ok(path);
	const struct elf_sym *syms;
	uint64_t addr = 0;
	size_t n;

	assert_int_equal(elf_file__load_symbols(ef, NULL), 0);
	syms = elf_file__symbols(ef, &n);
	for (size_t i = 0; i < n && !addr; i++)
		if (substring ? !!strstr(syms[i].name, name) : !strcmp(syms[i].name, name))
			addr = syms[i].vaddr;
	elf_file__free(ef);
	if (!addr)
		fail_msg("no symbol %s in %s", name, path);
	return addr;
}

#endif
