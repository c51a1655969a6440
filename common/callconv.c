// SPDX-License-Identifier: GPL-2.0-only
/* callconv: the calling convention of user functions (see callconv.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/regs.h"
#include "common/callconv.h"
#include "common/dwarf.h"
#include "common/elf.h"

/* The first Go release with the register ABI on amd64. */
#define GO_REGABI_MINOR 17

const char *callconv__name(enum callconv conv)
{
	switch (conv) {
	case CALLCONV_SYSV: return "System V";
	case CALLCONV_GO_REGS: return "Go register ABI";
	case CALLCONV_GO_STACK: return "Go stack ABI";
	case CALLCONV_GO_UNKNOWN: return "unknown Go convention";
	}
	return "?";
}

unsigned callconv__nargs(enum callconv conv)
{
	switch (conv) {
	case CALLCONV_SYSV: return REGS_SYSV_NARGS;
	case CALLCONV_GO_REGS: return REGS_GO_NARGS;
	default: return 0;
	}
}

int callconv__arg_reg(enum callconv conv, unsigned n)
{
	if (n < 1 || n > callconv__nargs(conv))
		return -1;
	return conv == CALLCONV_SYSV ? regs_sysv_args[n - 1] : regs_go_args[n - 1];
}

int callconv__ret_reg(enum callconv conv)
{
	/* Both put the first integer result in %rax. */
	return conv == CALLCONV_SYSV || conv == CALLCONV_GO_REGS ? PT_AX : -1;
}

int callconv__from_go_version(const char *version, enum callconv *conv)
{
	const char *v = version ? strstr(version, "go1.") : NULL;
	char *end;
	long minor;

	/* "go1.19.8", "go1.21rc2", "go1.20", "devel go1.22-abc..." */
	if (!v || (v > version && isalnum((unsigned char)v[-1])) || !isdigit((unsigned char)v[4]))
		return -EINVAL;
	minor = strtol(v + 4, &end, 10);
	if (isalnum((unsigned char)*end) && strncmp(end, "rc", 2) && strncmp(end, "beta", 4))
		return -EINVAL;
	*conv = minor >= GO_REGABI_MINOR ? CALLCONV_GO_REGS : CALLCONV_GO_STACK;
	return 0;
}

int callconv__from_producer(const char *producer, enum callconv *conv)
{
	size_t n = strlen(DWARF_GO_PRODUCER);
	enum callconv c;

	if (strncmp(producer, DWARF_GO_PRODUCER, n)) {
		*conv = CALLCONV_SYSV;
		return 0;
	}
	/* "Go cmd/compile go1.19.8; regabi": the experiments follow ';'. */
	if (strstr(producer, "regabi")) {
		*conv = CALLCONV_GO_REGS;
		return 0;
	}
	if (!callconv__from_go_version(producer + n, &c) && c == CALLCONV_GO_STACK) {
		*conv = c;
		return 0;
	}
	return -ENOENT;
}

/* What one file says, once. */
struct callconv_file {
	char *path;
	int err;		/* the file could not be read */
	struct callconv_info info;	/* the file's own convention */
};

struct callconv_cache {
	struct dwarf_cache *dc;	/* borrowed */
	struct callconv_file *files;
	size_t nfiles;
};

struct callconv_cache *callconv_cache__new(struct dwarf_cache *dc)
{
	struct callconv_cache *cc = calloc(1, sizeof(*cc));

	if (cc)
		cc->dc = dc;
	return cc;
}

void callconv_cache__free(struct callconv_cache *cc)
{
	if (!cc)
		return;
	for (size_t i = 0; i < cc->nfiles; i++)
		free(cc->files[i].path);
	free(cc->files);
	free(cc);
}

/* The convention of a Go file as a whole into @ci. */
static void file_conv(struct callconv_cache *cc, const struct elf_file *ef, const char *path,
		      struct callconv_info *ci)
{
	const char *producer;
	char version[64];

	if (!elf_file__go_version(ef, version, sizeof(version)) &&
	    !callconv__from_go_version(version, &ci->conv)) {
		snprintf(ci->why, sizeof(ci->why), "%s in .go.buildinfo", version);
		return;
	}
	if (cc->dc && !dwarf_cache__producer_prefix(cc->dc, path, DWARF_GO_PRODUCER, &producer) &&
	    !callconv__from_producer(producer, &ci->conv)) {
		snprintf(ci->why, sizeof(ci->why), "DWARF producer '%.100s'", producer);
		return;
	}
	ci->conv = CALLCONV_GO_UNKNOWN;
	snprintf(ci->why, sizeof(ci->why), "no Go version in .go.buildinfo, no DWARF producer "
		 "naming it");
}

static struct callconv_file *get_file(struct callconv_cache *cc, const char *path)
{
	struct callconv_file *f;
	struct elf_file *ef;
	void *p;

	for (size_t i = 0; i < cc->nfiles; i++)
		if (!strcmp(cc->files[i].path, path))
			return &cc->files[i];
	p = realloc(cc->files, (cc->nfiles + 1) * sizeof(*cc->files));
	if (!p)
		return NULL;
	cc->files = p;
	f = &cc->files[cc->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	cc->nfiles++;
	ef = elf_file__open(path);
	if (!ef) {
		f->err = -errno;
		return f;
	}
	f->info.go = elf_file__is_go(ef);
	if (f->info.go)
		file_conv(cc, ef, path, &f->info);
	elf_file__free(ef);
	return f;
}

int callconv_cache__get(struct callconv_cache *cc, const char *path, uint64_t vaddr,
			struct callconv_info *ci)
{
	struct callconv_file *f = get_file(cc, path);
	const char *producer;
	enum callconv conv;

	memset(ci, 0, sizeof(*ci));
	if (!f)
		return -ENOMEM;
	if (f->err)
		return f->err;
	*ci = f->info;
	if (!ci->go || !cc->dc || dwarf_cache__producer(cc->dc, path, vaddr, &producer))
		return 0;
	/* The function's own compile unit: cgo's C code is System V. */
	if (!callconv__from_producer(producer, &conv) && conv != ci->conv) {
		ci->conv = conv;
		snprintf(ci->why, sizeof(ci->why), "DWARF producer '%.100s'", producer);
	}
	return 0;
}

static const char *reg_name(int reg)
{
	return reg >= 0 && reg < PT_NREGS ? regs_names[reg] : "?";
}

char *callconv_info__describe(const struct callconv_info *ci, const char *path, char *buf,
			      size_t len)
{
	unsigned n = callconv__nargs(ci->conv);
	size_t o;

	if (!len)
		return buf;
	o = snprintf(buf, len, "%s: %s%s (%s)", path, ci->go ? "a Go program, " : "",
		     callconv__name(ci->conv), ci->why[0] ? ci->why : "not a Go program");
	if (o < len && n) {
		o += snprintf(buf + o, len - o, ": arg1..arg%u are ", n);
		for (unsigned i = 1; i <= n && o < len; i++)
			o += snprintf(buf + o, len - o, "%s%%%s", i > 1 ? " " : "",
				      reg_name(callconv__arg_reg(ci->conv, i)));
		if (o < len)
			snprintf(buf + o, len - o, ", retval is %%%s",
				 reg_name(callconv__ret_reg(ci->conv)));
	} else if (o < len) {
		snprintf(buf + o, len - o, ": argN and retval cannot be read, name parameters "
			 "from DWARF or read registers and the stack (%%ax, +8(%%sp))");
	}
	return buf;
}
