/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demangle: C++ (Itanium ABI) symbol names as people write them, through
 * libiberty's demangler. Used to match probe specs against C++ names, to
 * name sites, and by the symbolizer.
 */
#ifndef COTRACE_DEMANGLE_H
#define COTRACE_DEMANGLE_H

#include <stdbool.h>

/* True if @name looks like an Itanium mangled name ("_Z..."). */
bool demangle__is_mangled(const char *name);

/*
 * Demangle @name with its parameters ("_ZN2ns1fEi" → "ns::f(int)").
 * Returns a malloc'ed string (the caller frees it), or NULL if @name is
 * NULL, not a mangled name, or not one the demangler accepts.
 */
char *demangle__cxx(const char *name);

#endif
