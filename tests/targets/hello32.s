# SPDX-License-Identifier: GPL-2.0-only
# hello32: a static i386 program without libc (binutils only, no
# gcc-multilib): writes "hello from i386" and exits 0. With -c, a probe
# of the 64-bit libc ("c:printf") can never fire in it, and the tools
# must say so (tests/e2e/test_messages.sh).
	.section .rodata
msg:	.ascii "hello from i386\n"
	.set msglen, . - msg

	.text
	.globl _start
_start:
	movl	$4, %eax		# write(1, msg, msglen)
	movl	$1, %ebx
	movl	$msg, %ecx
	movl	$msglen, %edx
	int	$0x80
	movl	$1, %eax		# exit(0)
	xorl	%ebx, %ebx
	int	$0x80
