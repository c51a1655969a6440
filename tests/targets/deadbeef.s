# SPDX-License-Identifier: GPL-2.0-only
# deadbeef: the program of bcc's trace_example.txt ("trace
# 'p:/tmp/a.out:main+0xd "%x", ctx->dx' ..."), whose main() prints 0xdead
# and then 0xbeef with printf("%d\n"), laid out as that file's listing of
# GCC 10's -O3 code: %edx holds 0xdead at main+0xd and 0xbeef at
# main+0x25, each the start of an instruction. Written here in assembly
# so that any compiler gives those offsets. The bcc compatibility suite's
# workload (bccload) runs it; tests/e2e/test_raw_offsets.sh traces it.
	.section .rodata
fmt:	.string "%d\n"

	.text
	.globl	main
	.type	main, @function
main:
	endbr64				# main+0x0
	subq	$8, %rsp		# main+0x4
	movl	$0xdead, %edx		# main+0x8
	movl	$1, %edi		# main+0xd: %edx is 0xdead
	xorl	%eax, %eax
	leaq	fmt(%rip), %rsi
	call	__printf_chk@PLT
	movl	$0xbeef, %edx		# main+0x20
	leaq	fmt(%rip), %rsi		# main+0x25: %edx is 0xbeef
	xorl	%eax, %eax
	movl	$1, %edi
	call	__printf_chk@PLT
	xorl	%eax, %eax
	addq	$8, %rsp
	ret
	.size	main, . - main

	.section .note.GNU-stack, "", @progbits
