// SPDX-License-Identifier: GPL-2.0-only

// goprog: a Go program doing known work, for tests/e2e/test_go.sh.
//
//	goprog [-w] [N [DEPTH]]
//
// calls alpha(i, 10+i, 20+i) for i in 0..N-1 (default 3), nine(1, ..., 9)
// once, and rec(DEPTH) (default 200), which recurses with a 1 KiB frame
// so that the goroutine's stack (8 KiB at first) is grown by copying, many
// times. Each result is printed, so the output is known byte for byte.
// With -w it first waits for a line on stdin, so that a test can point
// tools at the running process before the work starts.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
)

// alpha takes three integers in the first three registers of Go's
// register ABI (RAX, RBX, RCX) and returns one in RAX.
//
//go:noinline
func alpha(a, b, c int) int {
	return 100*a + 10*b + c
}

// nine takes every integer argument register of Go's ABI on amd64.
//
//go:noinline
func nine(a1, a2, a3, a4, a5, a6, a7, a8, a9 int) int {
	return a1 + 2*a2 + 3*a3 + 4*a4 + 5*a5 + 6*a6 + 7*a7 + 8*a8 + 9*a9
}

// rec recurses DEPTH deep with a frame of more than 1 KiB.
//
//go:noinline
func rec(n int) int {
	var pad [1024]byte

	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return n + rec(n-1) + int(pad[n%len(pad)]) - n%256
}

func main() {
	args := os.Args[1:]
	n, depth := 3, 200

	if len(args) > 0 && args[0] == "-w" {
		bufio.NewReader(os.Stdin).ReadString('\n')
		args = args[1:]
	}
	if len(args) > 0 {
		n, _ = strconv.Atoi(args[0])
	}
	if len(args) > 1 {
		depth, _ = strconv.Atoi(args[1])
	}
	for i := 0; i < n; i++ {
		fmt.Printf("alpha(%d, %d, %d) = %d\n", i, 10+i, 20+i, alpha(i, 10+i, 20+i))
	}
	fmt.Printf("nine = %d\n", nine(1, 2, 3, 4, 5, 6, 7, 8, 9))
	fmt.Printf("rec(%d) = %d\n", depth, rec(depth))
}
