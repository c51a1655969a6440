// SPDX-License-Identifier: GPL-2.0-only
/* hist: log2 and linear histograms. */
#include <errno.h>
#include <string.h>
#include <linux/types.h>

#include "bpf/hist.h"
#include "common/hist.h"

/* The ABI with the BPF side: no implicit padding, one slot per bucket. */
_Static_assert(sizeof(struct log2_hist) == (LOG2_HIST_SLOTS + 2) * 8, "log2_hist layout");
_Static_assert(LOG2_HIST_SLOTS == HIST_LOG2_SLOTS, "one slot per log2 bucket");

unsigned hist_log2_slot(uint64_t v)
{
	return v ? 63 - __builtin_clzll(v) : 0;
}

void hist_slot_bounds(const struct hist *h, size_t i, uint64_t *low, uint64_t *high)
{
	if (h->kind == HIST_LINEAR) {
		*low = h->linear_min + i * h->linear_step;
		*high = *low + h->linear_step - 1;
		return;
	}
	if (i == 0) {
		*low = 0;
		*high = 1;
		return;
	}
	*low = 1ULL << i;
	*high = i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
}

void hist__init_log2(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->kind = HIST_LOG2;
	h->nslots = HIST_LOG2_SLOTS;
}

int hist__init_linear(struct hist *h, uint64_t min, uint64_t step, size_t nslots)
{
	if (!step || !nslots || nslots > HIST_LOG2_SLOTS)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->kind = HIST_LINEAR;
	h->nslots = nslots;
	h->linear_min = min;
	h->linear_step = step;
	return 0;
}

void hist__add(struct hist *h, uint64_t v)
{
	size_t i;

	if (h->kind == HIST_LOG2) {
		i = hist_log2_slot(v);
	} else {
		i = v < h->linear_min ? 0 : (v - h->linear_min) / h->linear_step;
		if (i >= h->nslots)
			i = h->nslots - 1;
	}
	h->slots[i]++;
	h->count++;
	h->sum += v;
}

void hist__merge(struct hist *h, const struct hist *o)
{
	for (size_t i = 0; i < h->nslots && i < o->nslots; i++)
		h->slots[i] += o->slots[i];
	h->count += o->count;
	h->sum += o->sum;
}

size_t hist__used(const struct hist *h)
{
	size_t n = h->nslots;

	while (n && !h->slots[n - 1])
		n--;
	return n;
}

uint64_t hist__total(const struct hist *h)
{
	uint64_t t = 0;

	for (size_t i = 0; i < h->nslots; i++)
		t += h->slots[i];
	return t;
}

const char *hist_unit_name(enum hist_unit u)
{
	switch (u) {
	case UNIT_NSEC: return "nsecs";
	case UNIT_USEC: return "usecs";
	case UNIT_MSEC: return "msecs";
	case UNIT_SEC: return "secs";
	case UNIT_NONE: return "value";
	}
	return "value";
}

uint64_t hist_unit_div(enum hist_unit u)
{
	switch (u) {
	case UNIT_USEC: return 1000ULL;
	case UNIT_MSEC: return 1000000ULL;
	case UNIT_SEC: return 1000000000ULL;
	default: return 1;
	}
}

void hist__from_log2(struct hist *h, const struct log2_hist *v)
{
	hist__init_log2(h);
	memcpy(h->slots, v->slots, sizeof(h->slots));
	h->count = v->count;
	h->sum = v->sum;
}

void log2_hist__add(struct log2_hist *dst, const struct log2_hist *src, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < LOG2_HIST_SLOTS; i++)
			dst->slots[i] += src[k].slots[i];
		dst->count += src[k].count;
		dst->sum += src[k].sum;
	}
}

void log2_hist__sub(struct log2_hist *h, const struct log2_hist *old)
{
	for (size_t i = 0; i < LOG2_HIST_SLOTS; i++)
		h->slots[i] -= old->slots[i];
	h->count -= old->count;
	h->sum -= old->sum;
}
