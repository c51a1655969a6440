// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/bpfmap.c on a map made here (skipped without the
 * privilege to create BPF maps), and its failure on a bad descriptor. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>

#include "common/bpfmap.h"

static void test_keys(void **state)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_keys", 4, 8, 1024, NULL);
	uint32_t *keys = NULL, sum = 0;
	uint64_t v = 1;
	size_t n = 0;

	if (fd < 0)
		skip();
	assert_int_equal(bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &n), 0);
	assert_int_equal(n, 0);
	free(keys);
	/* Past the first allocation (256 keys). */
	for (uint32_t k = 1; k <= 600; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	assert_int_equal(bpfmap__keys(fd, sizeof(*keys), (void **)&keys, &n), 0);
	assert_int_equal(n, 600);
	for (size_t i = 0; i < n; i++)
		sum += keys[i];
	assert_int_equal(sum, 600 * 601 / 2);
	free(keys);
	close(fd);
}

static void test_bad_fd(void **state)
{
	void *keys = NULL;
	size_t n = 0;

	assert_int_equal(bpfmap__keys(-1, 4, &keys, &n), -EBADF);
	assert_null(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
