// SPDX-License-Identifier: GPL-2.0-only
/* bpfmap: helpers over BPF maps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/bpfmap.h"

int bpfmap__keys(int fd, size_t key_size, void **keysp, size_t *count)
{
	char *keys = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		if (n == cap) {
			char *p = realloc(keys, (cap = cap ? cap * 2 : 256) * key_size);

			if (!p) {
				free(keys);
				return -ENOMEM;
			}
			keys = p;
		}
		/* The key after the last one collected (the first one for n == 0). */
		if (bpf_map_get_next_key(fd, n ? keys + (n - 1) * key_size : NULL,
					 keys + n * key_size))
			break;
		n++;
	}
	/* The walk ends with ENOENT; anything else is a failure to read it. */
	if (errno != ENOENT) {
		int err = -errno;

		free(keys);
		return err;
	}
	*keysp = keys;
	*count = n;
	return 0;
}

int bpfmap__set_entries(struct bpf_object *obj, const char *name, unsigned long n)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__set_max_entries(m, n) : -ENOENT;
}
