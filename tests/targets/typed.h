/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The types of tests/targets/typed.c, which its DWARF describes: the unit
 * tests of the type reader and the fetch interpreter include them too, so
 * that offsets and sizes are the compiler's.
 */
#ifndef COTRACE_TARGET_TYPED_H
#define COTRACE_TARGET_TYPED_H

struct point {
	int x, y;
};

enum color { RED = 1, GREEN = 2, BLUE = -3 };

struct rec {
	long id;
	const char *name;
	char tag[8];
	struct point pos;
	struct rec *next;
	unsigned flags : 3;
	int delta : 5;
	short arr[4];
	enum color color;
	void (*cb)(void);
	union {
		unsigned int word;
		unsigned char bytes[4];
	};
};

#endif
