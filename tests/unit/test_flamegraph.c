// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of common/flamegraph.c: folded stacks to an SVG flame graph. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/flamegraph.h"

/* The SVG of @fg with @title, as a malloc'ed string. */
static char *svg_of(const struct flamegraph *fg, const char *title)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(flamegraph__write_svg(fg, f, title), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* The <g> element whose title starts with @title, or fail. */
static const char *frame(const char *svg, const char *title)
{
	char want[256];
	const char *p;

	snprintf(want, sizeof(want), "<g><title>%s", title);
	p = strstr(svg, want);
	if (!p)
		fail_msg("no frame '%s' in:\n%s", title, svg);
	return p;
}

/* The value of attribute @attr in the first element after @p. */
static double attr(const char *p, const char *attr)
{
	char want[64];
	const char *v;

	snprintf(want, sizeof(want), " %s=\"", attr);
	v = strstr(p, want);
	assert_non_null(v);
	return strtod(v + strlen(want), NULL);
}

static void test_tree(void **state)
{
	struct flamegraph *fg = flamegraph__new();
	const char *p;
	char *svg;

	assert_non_null(fg);
	assert_int_equal(flamegraph__add(fg, "main;a;b", 3), 0);
	assert_int_equal(flamegraph__add(fg, "main;d", 2), 0);
	assert_int_equal(flamegraph__add(fg, "main;a;c", 1), 0);
	/* Empty frames are no frames. */
	assert_int_equal(flamegraph__add(fg, ";main;;a;", 1), 0);
	assert_int_equal(flamegraph__total(fg), 7);

	svg = svg_of(fg, "CPU");
	assert_true(!strncmp(svg, "<?xml", 5));
	assert_non_null(strstr(svg, "</svg>\n"));
	assert_non_null(strstr(svg, ">CPU</text>"));
	/* all, main, a, b, c, d: one frame each, merged by path. */
	assert_int_equal(count_of(svg, "<g>"), 6);
	frame(svg, "all (7 samples, 100.00%)");
	frame(svg, "main (7 samples, 100.00%)");
	frame(svg, "a (5 samples, 71.43%)");
	frame(svg, "b (3 samples, 42.86%)");
	frame(svg, "c (1 samples, 14.29%)");
	frame(svg, "d (2 samples, 28.57%)");
	/* Three levels below all: the height leaves room for four rows. */
	assert_non_null(strstr(svg, "height=\"124\""));

	/* Siblings in name order, each as wide as its samples. */
	p = frame(svg, "a ");
	assert_float_equal(attr(p, "x"), 10.0, 0.01);
	assert_float_equal(attr(p, "width"), 5 * 1180.0 / 7, 0.01);
	assert_float_equal(attr(p, "data-samples"), 5, 0);
	p = frame(svg, "d ");
	assert_float_equal(attr(p, "x"), 10.0 + 5 * 1180.0 / 7, 0.01);
	assert_true(frame(svg, "a ") < frame(svg, "d "));
	p = frame(svg, "c ");
	assert_float_equal(attr(p, "x"), 10.0 + 3 * 1180.0 / 7, 0.01);
	/* Deeper frames sit higher. */
	assert_true(attr(frame(svg, "b "), "y") < attr(frame(svg, "a "), "y"));
	free(svg);
	flamegraph__free(fg);
	flamegraph__free(NULL);
}

static void test_escaping(void **state)
{
	struct flamegraph *fg = flamegraph__new();
	char *svg;

	assert_non_null(fg);
	assert_int_equal(flamegraph__add(fg, "main;operator<<(A&, B const&);say \"hi\"\x01", 1), 0);
	svg = svg_of(fg, "<T&T>");
	assert_non_null(strstr(svg, ">&lt;T&amp;T&gt;</text>"));
	frame(svg, "operator&lt;&lt;(A&amp;, B const&amp;) (1 samples");
	/* Quotes escaped, control characters as spaces. */
	frame(svg, "say &quot;hi&quot;  (1 samples");
	assert_null(strstr(svg, "\x01"));
	free(svg);
	flamegraph__free(fg);
}

static void test_labels(void **state)
{
	struct flamegraph *fg = flamegraph__new();
	char name[128], *svg;
	const char *p, *end;

	assert_non_null(fg);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name, "wide;", 5);
	/* wide: 999 of 1,000 samples, a long name that fits; narrow: 1. */
	assert_int_equal(flamegraph__add(fg, "wide", 999), 0);
	assert_int_equal(flamegraph__add(fg, "narrow", 1), 0);
	/* A frame name longer than its box is cut, with "..". */
	assert_int_equal(flamegraph__add(fg, name, 0), 0);
	svg = svg_of(fg, NULL);
	assert_non_null(strstr(svg, ">Flame Graph</text>"));
	p = frame(svg, "wide ");
	end = strstr(p, "</g>");
	assert_non_null(strstr(p, "<text"));
	assert_true(strstr(p, "<text") < end);
	assert_true(strstr(p, ">wide</text>") < end);
	/* About 1.2 pixels: no room for a label. */
	p = frame(svg, "narrow ");
	end = strstr(p, "</g>");
	assert_true(!strstr(p, "<text") || strstr(p, "<text") > end);
	/* The long child of wide has no samples: no width, no label. */
	p = frame(svg, "xxxx");
	end = strstr(p, "</g>");
	assert_float_equal(attr(p, "width"), 0, 0);
	free(svg);
	flamegraph__free(fg);

	/* Cut: a name wider than a full-width box. */
	fg = flamegraph__new();
	assert_non_null(fg);
	{
		char big[400];

		memset(big, 'y', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(flamegraph__add(fg, big, 1), 0);
		svg = svg_of(fg, "t");
		p = frame(svg, "yyy");
		end = strstr(p, "</g>");
		assert_non_null(strstr(p, "..</text>"));
		assert_true(strstr(p, "..</text>") < end);
		/* 1180 px at 7.2 px a character: 163 characters, 160 kept. */
		p = strchr(strstr(p, "<text"), '>') + 1;
		assert_int_equal(strstr(p, "..</text>") - p, 160);
		assert_int_equal(strspn(p, "y"), 160);
		free(svg);
	}
	flamegraph__free(fg);
}

static void test_empty_and_errors(void **state)
{
	struct flamegraph *fg = flamegraph__new();
	FILE *f;
	char *svg;

	assert_non_null(fg);
	assert_int_equal(flamegraph__total(fg), 0);
	svg = svg_of(fg, "nothing");
	frame(svg, "all (0 samples, 0.00%)");
	assert_int_equal(count_of(svg, "<g>"), 1);
	free(svg);

	/* A write that fails is reported. */
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		assert_int_equal(flamegraph__add(fg, "a;b", 1), 0);
		assert_int_equal(flamegraph__write_svg(fg, f, "x"), -EIO);
		fclose(f);
	}
	flamegraph__free(fg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_empty_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
