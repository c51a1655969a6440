/* SPDX-License-Identifier: GPL-2.0-only */
/* bpfmap: helpers over BPF maps that several tools read. */
#ifndef COTRACE_BPFMAP_H
#define COTRACE_BPFMAP_H

#include <stddef.h>

/*
 * Collect every key of the hash map @fd (keys of @key_size bytes) into a
 * malloc'ed array: keys are collected before any is deleted, since
 * deleting while walking restarts the walk. Returns 0 with *keys (free()
 * it) and *count, or a negative errno (-ENOMEM, or why the walk failed).
 */
int bpfmap__keys(int fd, size_t key_size, void **keys, size_t *count);

struct bpf_object;

/* Before load: map @name of @obj sized to @n entries. 0 or a negative errno. */
int bpfmap__set_entries(struct bpf_object *obj, const char *name, unsigned long n);

#endif
