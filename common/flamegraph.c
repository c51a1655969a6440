// SPDX-License-Identifier: GPL-2.0-only
/* flamegraph: folded stacks to an SVG flame graph. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/flamegraph.h"
#include "common/output.h"
#include <stdio.h>

struct fg_node {
	char *name;
	uint64_t total;		/* samples through this frame */
	struct fg_node **kids;	/* sorted by name when written */
	size_t nkids, capkids;
};

struct flamegraph {
	struct fg_node root;
	size_t depth;		/* deepest stack */
};

struct flamegraph *flamegraph__new(void)
{
	return calloc(1, sizeof(struct flamegraph));
}

static void node_free(struct fg_node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		node_free(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

void flamegraph__free(struct flamegraph *fg)
{
	if (!fg)
		return;
	node_free(&fg->root);
	free(fg);
}

static struct fg_node *child(struct fg_node *n, const char *name, size_t len)
{
	struct fg_node *c;

	/* Most nodes have few children; the last one added is the likeliest. */
	for (size_t i = n->nkids; i-- > 0;)
		if (!strncmp(n->kids[i]->name, name, len) && !n->kids[i]->name[len])
			return n->kids[i];
	if (n->nkids == n->capkids) {
		size_t ncap = n->capkids ? n->capkids * 2 : 4;
		void *p = realloc(n->kids, ncap * sizeof(*n->kids));

		if (!p)
			return NULL;
		n->kids = p;
		n->capkids = ncap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->name = strndup(name, len);
	if (!c->name) {
		free(c);
		return NULL;
	}
	n->kids[n->nkids++] = c;
	return c;
}

int flamegraph__add(struct flamegraph *fg, const char *folded, uint64_t count)
{
	struct fg_node *n = &fg->root;
	const char *p = folded;
	size_t depth = 0;

	n->total += count;
	while (*p) {
		size_t len = strcspn(p, ";");

		if (len) {
			n = child(n, p, len);
			if (!n)
				return -ENOMEM;
			n->total += count;
			depth++;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	if (depth > fg->depth)
		fg->depth = depth;
	return 0;
}

uint64_t flamegraph__total(const struct flamegraph *fg)
{
	return fg->root.total;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct fg_node *const *)a)->name, (*(struct fg_node *const *)b)->name);
}

#define FG_WIDTH 1200.0
#define FG_PAD 10.0
#define FG_FRAME 16
#define FG_FONT 12
#define FG_TOP 40

/* A warm color from the name, stable across runs. */
static void color(const char *name, char *buf, size_t len)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(buf, len, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 150, 40 + (h >> 16) % 50);
}

static void escape_xml(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		switch (s[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)s[i] < 0x20)
				fputc(' ', f);
			else
				fputc(s[i], f);
		}
	}
}

static void write_node(FILE *f, struct fg_node *n, const char *name, double x, size_t depth,
		       uint64_t total, double scale, size_t height)
{
	double w = n->total * scale;
	double y = height - (depth + 1) * FG_FRAME - FG_PAD;
	size_t chars = w / (FG_FONT * 0.6);
	char fill[32];

	color(name, fill, sizeof(fill));
	fprintf(f, "<g><title>");
	escape_xml(f, name, SIZE_MAX);
	fprintf(f, " (%" PRIu64 " samples, %.2f%%)</title>", n->total,
		total ? 100.0 * n->total / total : 0.0);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" fill=\"%s\" "
		"rx=\"2\" ry=\"2\" data-samples=\"%" PRIu64 "\"/>", x, y, w, FG_FRAME - 1, fill,
		n->total);
	if (chars >= 3) {
		size_t len = strlen(name);

		fprintf(f, "<text x=\"%.2f\" y=\"%.0f\">", x + 3, y + FG_FRAME - 4);
		if (len <= chars - 1) {
			escape_xml(f, name, len);
		} else {
			escape_xml(f, name, chars - 3);
			fputs("..", f);
		}
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
	if (n->nkids > 1)	/* qsort(NULL, 0, ...) is undefined (UBSan) */
		qsort(n->kids, n->nkids, sizeof(*n->kids), cmp_name);
	for (size_t i = 0; i < n->nkids; i++) {
		write_node(f, n->kids[i], n->kids[i]->name, x, depth + 1, total, scale, height);
		x += n->kids[i]->total * scale;
	}
}

int flamegraph__write_svg(const struct flamegraph *fg, FILE *f, const char *title)
{
	size_t height = (fg->depth + 1) * FG_FRAME + FG_TOP + 2 * (size_t)FG_PAD;
	uint64_t total = fg->root.total;
	double scale = total ? (FG_WIDTH - 2 * FG_PAD) / total : 0;

	fprintf(f, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%.0f\" height=\"%zu\" viewBox=\"0 0 %.0f %zu\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<style>text { font-family: Verdana, sans-serif; font-size: %dpx; fill: #000; }"
		" rect:hover { stroke: #000; stroke-width: 0.5; }</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
		"<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">",
		FG_WIDTH, height, FG_WIDTH, height, FG_FONT, FG_WIDTH / 2);
	escape_xml(f, title ? title : "Flame Graph", SIZE_MAX);
	fputs("</text>\n", f);
	/* The root frame is "all": its count is the total. */
	write_node(f, (struct fg_node *)&fg->root, "all", FG_PAD, 0, total, scale, height);
	fputs("</svg>\n", f);
	return out_stream__flush(f);
}
