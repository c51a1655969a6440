// SPDX-License-Identifier: GPL-2.0-only
/*
 * bccload: the workload of the bcc compatibility suite (tests/compat/).
 * Usage: bccload [SECS]   (default 60; stdin, stdout should be /dev/null)
 *
 * Until SECS have passed (or it is killed) it does, every few
 * milliseconds, a little of what bcc's documented examples trace, through
 * the C library: malloc() and free(), read() and write() (to fd 1 too,
 * and one failing read), open("test.txt") and close(), the str* and
 * *printf functions, puts() and gets(), nanosleep() and sleep(0),
 * readdir(), inet_pton(), setsockopt() and send() on a UDP socket,
 * pthread_mutex_lock() under contention, a new thread, fork() and an
 * execve() of /bin/true, and a run of deadbeef (bcc trace's a.out, next
 * to this program); and its own functions readline(),
 * curses_version(), func_a() and func_b(), which spin, as the programs
 * of bcc's examples do. It fires USDT probes named as those of bcc's
 * examples: libpthread:pthread_create, libpthread:pthread_start,
 * libpthread:mutex_acquired, node:gc__start, node:gc__done and
 * ruby:method__entry (glibc 2.34 and later, as Debian's, has none).
 */
#include <sys/sdt.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* bash's readline() in bcc's trace examples: returns a line of text. */
__attribute__((noinline)) char *readline(const char *prompt)
{
	static char line[64];

	snprintf(line, sizeof(line), "%secho hello", prompt);
	return line;
}

/* libtinfo's curses_version() in bcc's trace examples. */
__attribute__((noinline)) const char *curses_version(void)
{
	return "ncurses 6.4.20221231";
}

/* The func_ab program of bcc's profile examples: two functions that spin. */
__attribute__((noinline)) void func_b(long n)
{
	for (long i = 0; i < n; i++)
		sink += i;
}

__attribute__((noinline)) void func_a(long n)
{
	for (long i = 0; i < n; i++)
		sink ^= i;
	func_b(n);
}

static void *thread_main(void *arg)
{
	DTRACE_PROBE3(libpthread, pthread_start, pthread_self(), thread_main, arg);
	pthread_mutex_lock(&lock);
	DTRACE_PROBE1(libpthread, mutex_acquired, &lock);
	sink++;
	pthread_mutex_unlock(&lock);
	return arg;
}

static void new_thread(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_main, &lock))
		return;
	DTRACE_PROBE4(libpthread, pthread_create, &t, NULL, thread_main, &lock);
	pthread_join(t, NULL);
}

/* Run @path (argv[0] @name) and wait for it. */
static void run(const char *path, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void fork_and_exec(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* On the stack, which fork() maps at once (a string of the
		 * binary's .rodata would fault in only when first read, too late
		 * for a probe reading execve()'s argument). */
		char path[] = "/bin/true";

		execl(path, "true", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void files(int devnull)
{
	char buf[256];
	DIR *d;
	int fd;

	fd = open("test.txt", O_RDONLY);
	if (fd >= 0) {
		sink += read(fd, buf, sizeof(buf));
		close(fd);
	}
	sink += read(devnull, buf, sizeof(buf));
	sink += read(-1, buf, 1);	/* fails: EBADF */
	sink += write(devnull, buf, 100);
	sink += write(1, "x\n", 2);
	d = opendir(".");
	if (d) {
		while (readdir(d))
			sink++;
		closedir(d);
	}
}

static void strings(FILE *out)
{
	/* gets() is gone from the headers, not from libc (bcc's argdist example). */
	char *(*gets_fn)(char *) = (char *(*)(char *))dlsym(RTLD_DEFAULT, "gets");
	char buf[128];

	snprintf(buf, sizeof(buf), "%s %d", curses_version(), 42);
	sink += strlen(buf) + strcmp(buf, "ncurses") + (strstr(buf, "6.4") != NULL);
	fprintf(out, "%s\n", readline("$ "));
	printf("%s\n", buf);
	puts("hello");
	if (gets_fn)
		sink += gets_fn(buf) != NULL;
}

static void net(int sock)
{
	unsigned char tos[4] = { 0x6c, 0, 0, 0 };
	struct in_addr a;

	sink += inet_pton(AF_INET, "127.0.0.1", &a);
	if (sock >= 0) {
		sink += setsockopt(sock, 0 /* IPPROTO_IP */, 1 /* IP_TOS */, tos, sizeof(tos));
		sink += send(sock, "ping", 4, MSG_DONTWAIT);
	}
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 60);
	struct timespec ms = { 0, 1000000 };
	int devnull = open("/dev/null", O_RDWR);
	FILE *out = fopen("/dev/null", "w");
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in discard = { .sin_family = AF_INET, .sin_port = htons(9) };
	char deadbeef[4096 + 16];
	ssize_t n = readlink("/proc/self/exe", deadbeef, 4096);
	char *slash;

	/* bcc trace's a.out, next to this program. */
	deadbeef[n > 0 ? n : 0] = '\0';
	slash = strrchr(deadbeef, '/');
	strcpy(slash ? slash + 1 : deadbeef, "deadbeef");

	discard.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sock >= 0 && connect(sock, (struct sockaddr *)&discard, sizeof(discard))) {
		close(sock);
		sock = -1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned long i = 0; now() < end; i++) {
		void *p = malloc(16 + (i % 8) * 64);

		free(p);
		p = malloc(16);
		free(p);
		pthread_mutex_lock(&lock);
		DTRACE_PROBE1(libpthread, mutex_acquired, &lock);
		pthread_mutex_unlock(&lock);
		files(devnull);
		strings(out);
		net(sock);
		func_a(300000);
		DTRACE_PROBE2(ruby, method__entry, "Object", "hello");
		if (i % 20 == 0) {
			DTRACE_PROBE(node, gc__start);
			new_thread();
			DTRACE_PROBE(node, gc__done);
		}
		if (i % 100 == 0) {
			fork_and_exec();
			run(deadbeef, "deadbeef");
		}
		sleep(0);
		nanosleep(&ms, NULL);
	}
	return 0;
}
