// SPDX-License-Identifier: GPL-2.0-only
/* procmaps: parse /proc/PID/maps, from the file or from memory. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/procmaps.h"

static const char *parse_hex(const char *s, unsigned long long *v)
{
	unsigned long long x = 0;
	const char *start = s;

	while (isxdigit((unsigned char)*s)) {
		unsigned d = isdigit((unsigned char)*s) ? *s - '0' : (tolower(*s) - 'a' + 10);

		if (x >> 60)
			return NULL;	/* more than 64 bits */
		x = x << 4 | d;
		s++;
	}
	if (s == start)
		return NULL;
	*v = x;
	return s;
}

static const char *parse_dec(const char *s, unsigned long long *v)
{
	unsigned long long x = 0;
	const char *start = s;

	while (isdigit((unsigned char)*s)) {
		unsigned d = *s - '0';

		if (x > (~0ULL - d) / 10)
			return NULL;
		x = x * 10 + d;
		s++;
	}
	if (s == start)
		return NULL;
	*v = x;
	return s;
}

static const char *expect(const char *s, char c)
{
	return s && *s == c ? s + 1 : NULL;
}

int procmaps__parse_line(const char *line, struct procmap_entry *e)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	unsigned long long maj, min;
	const char *s = line;
	size_t len;
	int i;

	if (!line || !e)
		return -EINVAL;
	memset(e, 0, offsetof(struct procmap_entry, path));
	e->path[0] = '\0';

	s = parse_hex(s, &e->start);
	s = expect(s, '-');
	if (s)
		s = parse_hex(s, &e->end);
	s = expect(s, ' ');
	if (!s)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		if (!*s || *s == ' ' || *s == '\n')
			return -EINVAL;
		e->perms[i] = *s++;
	}
	e->perms[4] = '\0';
	s = expect(s, ' ');
	if (s)
		s = parse_hex(s, &e->offset);
	s = expect(s, ' ');
	if (s)
		s = parse_hex(s, &maj);
	s = expect(s, ':');
	if (s)
		s = parse_hex(s, &min);
	s = expect(s, ' ');
	if (s)
		s = parse_dec(s, &e->inode);
	if (!s || e->end < e->start || maj > 0xfff || min > 0xfffff)
		return -EINVAL;
	e->dev_major = maj;
	e->dev_minor = min;

	if (*s && *s != ' ' && *s != '\n')
		return -EINVAL;
	while (*s == ' ')
		s++;
	/* The rest of the line is the path; spaces in it are kept. */
	len = strcspn(s, "\n");
	if (len >= sizeof(e->path))
		return -ENAMETOOLONG;
	memcpy(e->path, s, len);
	e->path[len] = '\0';
	if (len > dlen && !memcmp(e->path + len - dlen, deleted, dlen)) {
		e->deleted = true;
		e->path[len - dlen] = '\0';
	}
	return 0;
}

bool procmap_entry__is_exec(const struct procmap_entry *e)
{
	return e && e->perms[2] == 'x';
}

struct procmaps {
	FILE *f;		/* NULL: reading from memory */
	const char *pos;	/* memory: the rest of the text */
	const char *end;
	bool valid;		/* line and entry hold the current entry */
	size_t len;		/* of line */
	char line[PROCMAPS_LINE_MAX + 1];
	struct procmap_entry e;
};

struct procmaps *procmaps__open_file(const char *path)
{
	struct procmaps *m;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->f = fopen(path, "re");
	if (!m->f) {
		err = errno;
		free(m);
		errno = err;
		return NULL;
	}
	return m;
}

struct procmaps *procmaps__open(pid_t pid)
{
	struct procmaps *m;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	m = procmaps__open_file(path);
	if (!m && errno == ENOENT)
		errno = ESRCH;
	return m;
}

struct procmaps *procmaps__from_buf(const char *buf, size_t len)
{
	struct procmaps *m;

	if (!buf && len) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->pos = buf;
	m->end = buf + len;
	return m;
}

/*
 * Read the next line into m->line. Returns 1 with the line, 2 for a line
 * too long (skipped, m->line undefined), 0 at the end, -EIO on a read error.
 */
static int read_line(struct procmaps *m)
{
	const char *nl;
	size_t n;
	int c;

	if (!m->f) {
		if (m->pos >= m->end)
			return 0;
		nl = memchr(m->pos, '\n', m->end - m->pos);
		n = (nl ? nl + 1 : m->end) - m->pos;
		if (n > PROCMAPS_LINE_MAX) {
			m->pos += n;
			return 2;
		}
		memcpy(m->line, m->pos, n);
		m->line[n] = '\0';
		m->len = n;
		m->pos += n;
		return 1;
	}
	if (!fgets(m->line, sizeof(m->line), m->f))
		return ferror(m->f) ? -EIO : 0;
	n = strlen(m->line);
	m->len = n;
	if (n < PROCMAPS_LINE_MAX || m->line[n - 1] == '\n')
		return 1;
	/* The buffer is full without a newline: the line ends here only at EOF. */
	c = getc(m->f);
	if (c == EOF)
		return ferror(m->f) ? -EIO : 1;
	while (c != '\n' && c != EOF)
		c = getc(m->f);
	return ferror(m->f) ? -EIO : 2;
}

int procmaps__next(struct procmaps *m, const struct procmap_entry **e)
{
	int ret;

	if (!m || !e)
		return -EINVAL;
	m->valid = false;
	for (;;) {
		ret = read_line(m);
		if (ret <= 0)
			return ret;
		if (ret == 1 && !procmaps__parse_line(m->line, &m->e))
			break;
	}
	m->valid = true;
	*e = &m->e;
	return 1;
}

const char *procmaps__line(const struct procmaps *m, size_t *len)
{
	if (!m || !m->valid)
		return NULL;
	if (len)
		*len = m->len;
	return m->line;
}

void procmaps__free(struct procmaps *m)
{
	if (!m)
		return;
	if (m->f)
		fclose(m->f);
	free(m);
}

int procmaps__read_exec(pid_t pid, char **out)
{
	const struct procmap_entry *e;
	char *sig = NULL, *p;
	size_t len = 0, sigcap = 0, l = 0;
	const char *line;
	struct procmaps *m;
	int err;

	m = procmaps__open(pid);
	if (!m)
		return -errno;
	while ((err = procmaps__next(m, &e)) > 0) {
		if (!procmap_entry__is_exec(e))
			continue;
		line = procmaps__line(m, &l);
		if (len + l + 1 > sigcap) {
			sigcap = (len + l + 1) * 2;
			p = realloc(sig, sigcap);
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			sig = p;
		}
		memcpy(sig + len, line, l);
		len += l;
		sig[len] = '\0';
	}
	if (!sig && !err) {
		/* A zombie or a kernel thread: no mappings at all. */
		sig = strdup("");
		if (!sig)
			err = -ENOMEM;
	}
out:
	procmaps__free(m);
	if (err)
		free(sig);
	else
		*out = sig;
	return err;
}
