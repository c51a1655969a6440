// SPDX-License-Identifier: GPL-2.0-only
/* atomicfile: files replaced whole, through a rename (see atomicfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomicfile.h"

/* The directory of @path into @dir and the temporary name into @tmp. */
static int temp_name(const char *path, char *dir, size_t dirlen, char *tmp, size_t tmplen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int n;

	if (!*base)
		return -EISDIR;
	if (!slash)
		n = snprintf(dir, dirlen, ".");
	else if (slash == path)
		n = snprintf(dir, dirlen, "/");
	else
		n = snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
	if (n < 0 || (size_t)n >= dirlen)
		return -ENAMETOOLONG;
	n = snprintf(tmp, tmplen, "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || (size_t)n >= tmplen)
		return -ENAMETOOLONG;
	return 0;
}

int atomicfile__check(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int fd, ret;

	ret = *path ? temp_name(path, dir, sizeof(dir), tmp, sizeof(tmp)) : -ENOENT;
	if (!ret && !lstat(path, &st) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': %s", path,
			 S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (!ret) {
		fd = mkstemp(tmp);
		if (fd < 0) {
			ret = -errno;
		} else {
			unlink(tmp);
			close(fd);
		}
	}
	if (ret)
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-ret));
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int atomicfile__replace(const char *path, const void *data, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	mode_t mask;
	int fd, dfd, err;

	err = temp_name(path, dir, sizeof(dir), tmp, sizeof(tmp));
	if (err)
		return err;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	/* mkstemp() makes 0600: readers such as node_exporter run as another user. */
	mask = umask(0);
	umask(mask);
	err = fchmod(fd, 0666 & ~mask) ? -errno : 0;
	if (!err)
		err = write_all(fd, data, len);
	/* A full disk may show only here (delayed allocation) or at close. */
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	/* The rename itself made durable; a file system that cannot sync a
	 * directory (EINVAL) has done its best already. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
