// SPDX-License-Identifier: GPL-2.0-only
/* demangle: C++ names through libiberty's cplus_demangle(). */
#include <stddef.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "common/demangle.h"

bool demangle__is_mangled(const char *name)
{
	return name && name[0] == '_' && name[1] == 'Z';
}

char *demangle__cxx(const char *name)
{
	if (!demangle__is_mangled(name))
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI);
}
