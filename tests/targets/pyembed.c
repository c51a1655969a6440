// SPDX-License-Identifier: GPL-2.0-only
/*
 * pyembed N: a C program that starts Python after it started:
 * main -> run_embedded -> dlopen("libpython3.11.so.1.0") (Debian's
 * libpython3.11), Py_InitializeEx(), then PyRun_SimpleString() of a
 * script whose emb_f opens /dev/null N times (one openat() each).
 * Prints "done". Built without frame pointers, as Debian builds.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

NOINLINE static int run_embedded(long n)
{
	void (*init)(int);
	int (*run)(const char *);
	int (*fini)(void);
	char code[256];
	void *h = dlopen("libpython3.11.so.1.0", RTLD_NOW | RTLD_GLOBAL);

	if (!h) {
		fprintf(stderr, "pyembed: %s\n", dlerror());
		return 1;
	}
	init = (void (*)(int))dlsym(h, "Py_InitializeEx");
	run = (int (*)(const char *))dlsym(h, "PyRun_SimpleString");
	fini = (int (*)(void))dlsym(h, "Py_FinalizeEx");
	if (!init || !run || !fini) {
		fprintf(stderr, "pyembed: not a libpython\n");
		return 1;
	}
	init(0);
	snprintf(code, sizeof(code),
		 "def emb_f(n):\n"
		 "    for _ in range(n):\n"
		 "        open('/dev/null').close()\n"
		 "emb_f(%ld)\n", n);
	if (run(code))
		return 1;
	return fini() ? 1 : 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pyembed N\n");
		return 2;
	}
	rc = run_embedded(atol(argv[1]));
	printf("done\n");
	return rc;
}
