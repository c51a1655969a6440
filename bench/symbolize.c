// SPDX-License-Identifier: GPL-2.0-only
/*
 * symbolize: resolve file offsets of module files to function names with
 * common/syms, the way addr2line -f and llvm-symbolizer do in batch mode.
 *
 *   symbolize [-C] [-o] [-e MODULE]
 *
 * Reads one "MODULE_PATH OFFSET" per line from stdin (or with -e, one
 * OFFSET per line) and prints one function name per line, "??" when no
 * function holds the offset. Offsets are hex file offsets (0x optional).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/syms.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: symbolize [-C] [-o] [-e MODULE] < ADDRESSES\n"
		"Resolve file offsets of ELF files to function names, one per line.\n"
		"  -e, --exe MODULE   every input line is an offset in MODULE\n"
		"  -C, --demangle     demangle C++ names\n"
		"  -o, --offsets      print name+0xOFF\n"
		"  -h, --help         this text\n"
		"\nEXAMPLES:\n"
		"  echo 0x9d8f0 | symbolize -e /lib/x86_64-linux-gnu/libc.so.6\n"
		"  echo '/bin/ls 0x4b20' | symbolize -C\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exe", required_argument, NULL, 'e' },
		{ "demangle", no_argument, NULL, 'C' },
		{ "offsets", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *module = NULL, *path;
	char *line = NULL, *p, *end, buf[4096];
	bool offsets = false;
	unsigned flags = 0;
	struct sym_frame fr;
	unsigned long long off;
	size_t cap = 0;
	ssize_t len;
	struct syms *s;
	int c, n, rc = 0;

	while ((c = getopt_long(argc, argv, "e:Coh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			module = optarg;
			break;
		case 'C':
			flags |= SYMS_F_DEMANGLE;
			break;
		case 'o':
			offsets = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	s = syms__new(flags);
	if (!s) {
		fprintf(stderr, "symbolize: %s\n", strerror(errno));
		return 1;
	}
	while ((len = getline(&line, &cap, stdin)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		path = module;
		p = line;
		if (!path) {
			path = p;
			p = strrchr(line, ' ');
			if (!p) {
				fprintf(stderr, "symbolize: expected \"MODULE OFFSET\": %s\n", line);
				rc = 1;
				break;
			}
			*p++ = '\0';
		}
		errno = 0;
		off = strtoull(p, &end, 16);
		if (end == p || *end || errno) {
			fprintf(stderr, "symbolize: not a hex offset: %s\n", p);
			rc = 1;
			break;
		}
		n = syms__resolve_file(s, path, off, &fr, 1);
		if (n < 0) {
			fprintf(stderr, "symbolize: %s: %s\n", path, strerror(-n));
			rc = 1;
			break;
		}
		if (!fr.name) {
			fputs_unlocked("??\n", stdout);
			continue;
		}
		if (offsets) {
			sym_frame__format(&fr, offsets, buf, sizeof(buf));
			fputs_unlocked(buf, stdout);
		} else {
			fputs_unlocked(fr.name, stdout);
		}
		putc_unlocked('\n', stdout);
	}
	free(line);
	syms__free(s);
	if (fflush(stdout)) {
		fprintf(stderr, "symbolize: %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}
