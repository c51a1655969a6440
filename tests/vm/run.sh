#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Debian's stock kernel under QEMU (TCG: the project's machines have no
# KVM; docs/kernels.md) with the host's / as the guest's root
# (read-only 9p under a tmpfs overlay), run one command in the repository
# there, print its output and exit with its status.
#   run.sh                 the smoke suite, tests/vm/smoke.sh
#   run.sh 'SHELL COMMAND' anything else, for debugging
# Environment: COTRACE_VM_CACHE (default /var/cache/cotrace-vm) holds the
# unpacked kernel; COTRACE_VM_TIMEOUT (seconds, default 900) bounds the boot.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${COTRACE_VM_CACHE:-/var/cache/cotrace-vm}
limit=${COTRACE_VM_TIMEOUT:-900}
vm=$repo/build/vm
cmd=${1:-exec bash tests/vm/smoke.sh}

[ -e /dev/kvm ] && echo "run-vm: TCG only: /dev/kvm is not used (stock kernels stall under it here)"
kdir=$("$repo/tests/vm/fetch-kernel.sh" "$cache")
kernel=$(echo "$kdir"/boot/vmlinuz-*)
mkdir -p "$vm"
"$repo/tests/vm/mkinitramfs.sh" "$kdir" "$vm/initramfs.gz"

job=$vm/job
rm -rf "$job"
mkdir -p "$job"
printf 'cd %q || exit 126\n%s\n' "$repo" "$cmd" > "$job/cmd"
: > "$vm/console.log"

qemu_pid=
stop_qemu() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	exit 130
}
trap stop_qemu INT TERM

start=$(date +%s)
echo "run-vm: booting $(basename "$kernel") (TCG, 2 CPUs, timeout ${limit}s)"
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -smp 2 -m 2G \
	-nodefaults -display none -no-reboot \
	-serial "file:$vm/console.log" \
	-kernel "$kernel" -initrd "$vm/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1 mitigations=off" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev "local,id=job,path=$job,security_model=none" \
	-device virtio-9p-pci,fsdev=job,mount_tag=job &
qemu_pid=$!
rc=0
wait "$qemu_pid" || rc=$?
qemu_pid=
elapsed=$(( $(date +%s) - start ))

[ -f "$job/log" ] && cat "$job/log"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "run-vm: FAIL: the guest did not finish within ${limit}s; console:" >&2
	tail -n 30 "$vm/console.log" >&2
	exit 1
fi
if [ ! -s "$job/status" ]; then
	echo "run-vm: FAIL: the guest wrote no exit status (qemu exit $rc); console:" >&2
	tail -n 30 "$vm/console.log" >&2
	exit 1
fi
status=$(cat "$job/status")
echo "run-vm: guest exit status $status after ${elapsed}s"
[ "$status" = 0 ]
