/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syscalls: syscall and errno names for the architecture the tools are
 * built for. The tables are generated at build time from <asm/unistd.h>
 * and <errno.h> (tools/gen.mk); nothing is looked up at run time.
 */
#ifndef COTRACE_SYSCALLS_H
#define COTRACE_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>

/* The name of syscall @nr ("read"), or NULL when the table has none. */
const char *syscall_name(long nr);

/*
 * Write the name of syscall @nr into @buf: its name, or "syscall_N" for a
 * number the table does not know. Returns the length like snprintf.
 */
int syscall_format(long nr, char *buf, size_t len);

/*
 * The number of syscall @name: a table name ("read", also "sys_read"),
 * "syscall_N" or a decimal number. Returns the number (>= 0) or -ENOENT.
 */
long syscall_number(const char *name);

/* One more than the highest syscall number the table knows. */
long syscall_table_size(void);

/* The name of errno value @e > 0 ("EBADF"), or NULL. */
const char *errno_name(int e);

/*
 * Write "EBADF" or, for a value the table does not know, the number into
 * @buf. Returns the length like snprintf.
 */
int errno_format(int e, char *buf, size_t len);

/*
 * The value of errno @name: "EBADF" (case-insensitive; aliases such as
 * EWOULDBLOCK too), with or without a minus sign, or a positive decimal
 * number. Returns the value (> 0) or -ENOENT.
 */
int errno_number(const char *name);

/* True when the generated tables were available at build time. */
bool syscalls_have_tables(void);

#endif
