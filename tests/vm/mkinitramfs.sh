#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the test guest's initramfs: busybox-static, tests/vm/init and the
# virtio, 9p and overlay modules of the unpacked kernel.
#   mkinitramfs.sh KERNEL_DIR OUTPUT
set -euo pipefail
kdir=${1:?usage: mkinitramfs.sh KERNEL_DIR OUTPUT}
out=${2:?usage: mkinitramfs.sh KERNEL_DIR OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
# Load order matters: each module needs the ones before it.
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs
	 fscache 9pnet 9pnet_virtio 9p overlay"

busybox=/bin/busybox
file -L "$busybox" | grep -q 'statically linked' ||
	{ echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }
moddir=$(echo "$kdir"/lib/modules/*)
[ -d "$moddir" ] || { echo "mkinitramfs: no modules in $kdir" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,modules}
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
: > "$root/modules.order"
for m in $modules; do
	f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
	if [ -z "$f" ]; then
		# Built into this kernel: nothing to load.
		grep -q "/$m.ko" "$moddir/modules.builtin" ||
			{ echo "mkinitramfs: module $m not found" >&2; exit 1; }
		continue
	fi
	case $f in
	*.xz) xz -dc "$f" > "$root/modules/$m.ko" ;;
	*) cp "$f" "$root/modules/$m.ko" ;;
	esac
	echo "$m" >> "$root/modules.order"
done
(cd "$root" && find . | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
