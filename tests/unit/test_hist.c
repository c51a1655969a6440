// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/hist.c and its rendering in common/output.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/types.h>

#include "bpf/hist.h"
#include "common/hist.h"
#include "common/output.h"

static void test_slots(void **state)
{
	struct hist h;
	uint64_t lo, hi;

	assert_int_equal(hist_log2_slot(0), 0);
	assert_int_equal(hist_log2_slot(1), 0);
	assert_int_equal(hist_log2_slot(2), 1);
	assert_int_equal(hist_log2_slot(3), 1);
	assert_int_equal(hist_log2_slot(4), 2);
	assert_int_equal(hist_log2_slot(20000000), 24);
	assert_int_equal(hist_log2_slot(UINT64_MAX), 63);
	hist__init_log2(&h);
	hist_slot_bounds(&h, 0, &lo, &hi);
	assert_true(lo == 0 && hi == 1);
	hist_slot_bounds(&h, 3, &lo, &hi);
	assert_true(lo == 8 && hi == 15);
	hist_slot_bounds(&h, 63, &lo, &hi);
	assert_true(hi == UINT64_MAX);
}

static void test_linear_and_merge(void **state)
{
	struct hist a, b;

	assert_int_equal(hist__init_linear(&a, 10, 5, 4), 0);
	hist__add(&a, 3);	/* below min: first slot */
	hist__add(&a, 14);
	hist__add(&a, 15);
	hist__add(&a, 1000);	/* above: last slot */
	assert_int_equal(a.slots[0], 2);
	assert_int_equal(a.slots[1], 1);
	assert_int_equal(a.slots[3], 1);
	assert_int_equal(hist__used(&a), 4);
	b = a;
	hist__merge(&a, &b);
	assert_int_equal(hist__total(&a), 8);
	assert_int_equal(a.sum, 2 * (3 + 14 + 15 + 1000));
	assert_int_equal(hist__init_linear(&a, 0, 0, 4), -22);
}

static void test_text_layout(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out *o = out__new(f, OUT_TEXT);
	struct out_ctx ctx = {};
	struct hist h;

	hist__init_log2(&h);
	for (int i = 0; i < 4; i++)
		hist__add(&h, 5);
	hist__add(&h, 2);
	out__hist(o, &ctx, NULL, NULL, "usecs", &h);
	out__free(o);
	fclose(f);
	assert_string_equal(buf,
		"     usecs               : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 1        |**********                              |\n"
		"         4 -> 7          : 4        |****************************************|\n");
	free(buf);
}

/* Histograms as the BPF side fills them: per-CPU sums, deltas, conversion. */
static void test_from_bpf(void **state)
{
	struct log2_hist percpu[3] = {}, total = {}, prev, delta;
	struct hist h;

	percpu[0].slots[0] = 1;
	percpu[0].slots[63] = 2;
	percpu[0].count = 3;
	percpu[0].sum = 100;
	percpu[2].slots[5] = 4;
	percpu[2].count = 4;
	percpu[2].sum = 200;
	log2_hist__add(&total, percpu, 3);
	assert_int_equal(total.slots[0], 1);
	assert_int_equal(total.slots[5], 4);
	assert_int_equal(total.slots[63], 2);
	assert_int_equal(total.count, 7);
	assert_int_equal(total.sum, 300);
	log2_hist__add(&total, percpu, 0);
	assert_int_equal(total.count, 7);

	prev = total;
	percpu[1].slots[5] = 1;
	percpu[1].count = 1;
	percpu[1].sum = 40;
	log2_hist__add(&total, &percpu[1], 1);
	delta = total;
	log2_hist__sub(&delta, &prev);
	assert_int_equal(delta.slots[5], 1);
	assert_int_equal(delta.slots[0], 0);
	assert_int_equal(delta.slots[63], 0);
	assert_int_equal(delta.count, 1);
	assert_int_equal(delta.sum, 40);

	memset(&h, 0xff, sizeof(h));
	hist__from_log2(&h, &total);
	assert_int_equal(h.kind, HIST_LOG2);
	assert_int_equal(h.nslots, HIST_LOG2_SLOTS);
	assert_int_equal(h.slots[5], 5);
	assert_int_equal(h.slots[63], 2);
	assert_int_equal(h.count, 8);
	assert_int_equal(h.sum, 340);
	assert_int_equal(hist__total(&h), 8);
	assert_int_equal(hist__used(&h), 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_linear_and_merge),
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_from_bpf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
