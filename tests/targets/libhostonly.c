// SPDX-License-Identifier: GPL-2.0-only
/*
 * libhostonly.so: a library that exists only on the host in
 * test_mntns_paths.sh. Its symbol names are what a test looks for to
 * tell that cotrace read a host file through a container's symlink.
 */
volatile long host_only_sink;

__attribute__((noinline)) long host_only_secret(long a)
{
	host_only_sink += a;
	return a;
}
