// SPDX-License-Identifier: GPL-2.0-only
/*
 * syscalls: lookups in the tables tools/gen.mk generates into build/.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/syscalls.h"

/*
 * A tree whose Makefile does not include tools/gen.mk yet still builds:
 * every syscall is then "syscall_N" and the unit test fails loudly.
 */
#if __has_include("syscall_names.h") && __has_include("errno_names.h")
#define HAVE_TABLES 1
static const char *const syscall_names[] = {
#include "syscall_names.h"
};
#include "errno_names.h"
static const char *const errno_names[] = { ERRNO_NAMES };
static const struct {
	const char *name;
	int value;
} errno_all[] = { ERRNO_ALL };
#else
#warning "build/syscall_names.h missing: include tools/gen.mk in the Makefile"
#define HAVE_TABLES 0
static const char *const syscall_names[1];
static const char *const errno_names[1];
static const struct {
	const char *name;
	int value;
} errno_all[1];
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

bool syscalls_have_tables(void)
{
	return HAVE_TABLES;
}

long syscall_table_size(void)
{
	return ARRAY_SIZE(syscall_names);
}

const char *syscall_name(long nr)
{
	if (nr < 0 || (unsigned long)nr >= ARRAY_SIZE(syscall_names))
		return NULL;
	return syscall_names[nr];
}

int syscall_format(long nr, char *buf, size_t len)
{
	const char *name = syscall_name(nr);

	if (name)
		return snprintf(buf, len, "%s", name);
	return snprintf(buf, len, "syscall_%ld", nr);
}

/* A decimal number in [0, max], or -1. */
static long parse_number(const char *s, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	return v;
}

long syscall_number(const char *name)
{
	long nr;

	if (!name || !*name)
		return -ENOENT;
	if (!strncmp(name, "syscall_", 8) && (nr = parse_number(name + 8, INT_MAX)) >= 0)
		return nr;
	if ((nr = parse_number(name, INT_MAX)) >= 0)
		return nr;
	if (!strncmp(name, "sys_", 4))
		name += 4;
	for (size_t i = 0; i < ARRAY_SIZE(syscall_names); i++)
		if (syscall_names[i] && !strcmp(syscall_names[i], name))
			return i;
	return -ENOENT;
}

const char *errno_name(int e)
{
	if (e <= 0 || (unsigned)e >= ARRAY_SIZE(errno_names))
		return NULL;
	return errno_names[e];
}

int errno_format(int e, char *buf, size_t len)
{
	const char *name = errno_name(e);

	if (name)
		return snprintf(buf, len, "%s", name);
	return snprintf(buf, len, "%d", e);
}

int errno_number(const char *name)
{
	long v;

	if (!name || !*name)
		return -ENOENT;
	if (*name == '-')
		name++;
	if ((v = parse_number(name, 4095)) > 0)
		return v;
	for (size_t i = 0; i < ARRAY_SIZE(errno_all); i++)
		if (errno_all[i].name && !strcasecmp(errno_all[i].name, name))
			return errno_all[i].value;
	return -ENOENT;
}
