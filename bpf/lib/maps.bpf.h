/* SPDX-License-Identifier: GPL-2.0-only */
/* Map helpers shared by the BPF programs. */
#ifndef COTRACE_BPF_MAPS_H
#define COTRACE_BPF_MAPS_H

/*
 * A per-CPU array of @n values of @vtype, keyed by __u32: a scratch
 * buffer (one entry) or counters indexed by site or slot (@n a default
 * the front end may change before load).
 */
#define PERCPU_ARRAY_MAP(name, vtype, n)			\
	struct {						\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);	\
		__uint(max_entries, n);				\
		__type(key, __u32);				\
		__type(value, vtype);				\
	} name SEC(".maps")

/*
 * The value of @key in hash @map, inserted as a copy of *@init when
 * absent. Another CPU may insert the same key between the lookup and the
 * insert (which then fails with -EEXIST): the second lookup finds its
 * entry, so each caller adds to the one value. Returns NULL when the key
 * could not be inserted (the map is full): the caller counts the loss.
 */
static __always_inline void *map_lookup_or_init(void *map, const void *key, const void *init)
{
	void *v;

	v = bpf_map_lookup_elem(map, key);
	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
