#!/usr/bin/env bash
# Runs the Linux native suite (native/test/linux*.test.ts) in QEMU guests whose cgroup layout this host may
# not have, one boot per configuration named on the command line (default: all of them):
#   pure-v2   only cgroup v2 is mounted, with every controller, as on most users' machines;
#   v1-only   only v1 hierarchies (memory, cpu+cpuacct, blkio, pids, freezer and a named systemd one), no
#             cgroup2, as on older distributions.
# The guest shares the host's /usr (node, glibc, coreutils) read-only and this checkout read-write, so it
# runs the addon built here.
#
#   npm run test:guest            (Debian packages qemu-system-x86, busybox-static, xz-utils)
#   npm run test:pure-v2 / npm run test:v1-only     one configuration
#   npm run bench:pure-v2 [-- ARGS]   instead of the suites, bench/run.ts ARGS (default --only sampling; ARGS
#                                     replace it, so add --only yourself) in the pure-v2 guest, into
#                                     bench/results-pure-v2.{md,json}: systemd-cgtop sees the jobs' own cgroups
#                                     only on a pure-v2 host. Emulated timings: compare rows within that file.
#
# Everything it prepares lives in native/build-guest/ (gitignored): the Debian kernel package's files,
# unpacked once; an uncompressed vmlinux (boots ~4 s faster than the vmlinuz); the initramfs, rebuilt when
# its inputs change; a small disk so io.stat/io.max have a device. Without QEMU, busybox or a kernel it
# prints one "skipped: <why>" line and exits 0. Otherwise it exits with the guest suites' status.
# JOBSCOPE_GUEST_TIMEOUT (seconds, default 420, 2400 for the bench) bounds one boot; QEMU is killed past it (then booted once more).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache="$root/native/build-guest"
here="$root/native/scripts/guest"
timeout_s=${JOBSCOPE_GUEST_TIMEOUT:-420}
tests=${JOBSCOPE_GUEST_TESTS:-'native/test/linux*.test.ts'}
t0=$(date +%s.%N)
# Each configuration and the suite runs its /init makes (see guest/init).
declare -A runs=([pure-v2]="root leaf delegated" [v1-only]="root leaf")
bench_args=()
if [ "${1:-}" = bench ]; then
  shift
  bench_args=("$@")
  [ ${#bench_args[@]} -gt 0 ] || bench_args=(--only sampling)
  timeout_s=${JOBSCOPE_GUEST_TIMEOUT:-2400}  # emulated, N=1000 takes many minutes
  set -- pure-v2
fi
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(pure-v2 v1-only)
for config in "${configs[@]}"; do
  [ -n "${runs[$config]+x}" ] || { echo "test-guest: unknown configuration '$config' (known: ${!runs[*]})" >&2; exit 2; }
done

skip() { echo "test-guest skipped: $*"; exit 0; }
fail() { echo "test-guest: $*" >&2; exit 1; }
log() { echo "test-guest: $*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(uname -s)" = Linux ] || skip "not Linux"
[ "$(uname -m)" = x86_64 ] || skip "the guest kernel is amd64 and this host is $(uname -m)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || skip "busybox is missing (apt-get install busybox-static)"
# The initramfs runs busybox before any library is reachable: it must be the static build.
if ldd "$busybox" >/dev/null 2>&1; then skip "$busybox is dynamically linked (apt-get install busybox-static)"; fi
[ -f "$root/native/build/Release/jobscope.node" ] || fail "the addon is not built (npm run build:native)"
[ -x "$root/node_modules/.bin/tsx" ] || fail "node_modules is missing (npm ci)"
case "$root" in *[[:space:]]*) skip "the checkout path '$root' has blanks, which the kernel command line cannot carry" ;; esac
node=$(readlink -f "$(command -v node)")
mkdir -p "$cache"

# --- Kernel: Debian's generic amd64 image (the cloud one lacks 9p), downloaded, never installed. --------
# Only the files we use are unpacked from the .deb: the vmlinuz, the virtio and 9p modules, and ext4's for
# the guest's disk; unpacked again when this list changes.
kfiles=('./boot/vmlinuz-*' './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko*'
  './lib/modules/*/kernel/fs/9p/*' './lib/modules/*/kernel/net/9p/*' './lib/modules/*/kernel/fs/netfs/*'
  './lib/modules/*/kernel/fs/fscache/*' './lib/modules/*/kernel/fs/ext4/*' './lib/modules/*/kernel/fs/jbd2/*'
  './lib/modules/*/kernel/fs/mbcache.ko*' './lib/modules/*/kernel/lib/crc16.ko*'
  './lib/modules/*/kernel/crypto/crc32c_generic.ko*')
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*-amd64\)$/\1/p' | head -n 1 || true)
if [ -n "$kpkg" ] && [ "$(cat "$cache/kernel/$kpkg/.unpacked" 2>/dev/null)" != "${kfiles[*]}" ]; then
  log "fetching $kpkg (apt-get download, not installed)"
  why=""
  rm -rf "$cache/download" && mkdir -p "$cache/download"
  if (cd "$cache/download" && apt-get download "$kpkg" >download.log 2>&1); then
    rm -rf "$cache/kernel" && mkdir -p "$cache/kernel/$kpkg"
    dpkg-deb --fsys-tarfile "$cache"/download/*.deb | tar -x -C "$cache/kernel/$kpkg" --wildcards "${kfiles[@]}"
    echo "${kfiles[*]}" >"$cache/kernel/$kpkg/.unpacked"
    rm -rf "$cache/download"
  else
    why="apt-get download $kpkg failed: $(tail -n 1 "$cache/download/download.log")"
    rm -rf "$cache/download"
  fi
fi
# Offline, or no apt lists: whatever kernel was unpacked earlier will do.
kdir=$(ls -d "$cache"/kernel/*/ 2>/dev/null | head -n 1 || true)
if [ -z "$kdir" ] || [ ! -f "$kdir/.unpacked" ]; then
  skip "no guest kernel: ${why:-apt-cache knows no linux-image-amd64 (run apt-get update)}"
fi
[ -z "${why:-}" ] || log "$why; using the kernel unpacked earlier"
kdir=${kdir%/}
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)

# The vmlinuz decompresses itself at every boot (~4 s under TCG): keep its xz payload unpacked once.
# The payload starts at an xz magic; xz stops with an error at the trailing bytes, after the whole ELF.
kernel="$vmlinuz"
if [ -s "$kdir/vmlinux" ]; then
  kernel="$kdir/vmlinux"
elif command -v xz >/dev/null; then
  for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1); do
    tail -c +$((off + 1)) "$vmlinuz" | xz -dc >"$kdir/vmlinux.tmp" 2>/dev/null || true
    if [ "$(head -c 4 "$kdir/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      mv "$kdir/vmlinux.tmp" "$kdir/vmlinux" && kernel="$kdir/vmlinux"
      break
    fi
  done
  rm -f "$kdir/vmlinux.tmp"
fi

# --- Initramfs: static busybox, the guest /init, the modules, passwd for user names. -------------------
# Rebuilt when any input (this script included) changes; the stamp is a hash of all of them.
stamp=$( (sha256sum "$busybox" "$here/init" "$0" && find "$kdir/lib" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$cache/initramfs.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -s "$cache/initramfs.cpio" ]; then
  log "building the initramfs"
  staging="$cache/initramfs"
  rm -rf "$staging" && mkdir -p "$staging"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr,modules}
  cp "$busybox" "$staging/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$staging/bin/$applet"
  done
  ln -s usr/lib "$staging/lib" && ln -s usr/lib64 "$staging/lib64"
  cp "$here/init" "$staging/init" && chmod 755 "$staging/init"
  find "$kdir/lib" -name '*.ko*' -exec cp {} "$staging/modules/" \;
  echo 'root:x:0:0:root:/root:/bin/sh' >"$staging/etc/passwd"
  echo 'root:x:0:' >"$staging/etc/group"
  (cd "$staging" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$cache/initramfs.cpio.tmp"
  mv "$cache/initramfs.cpio.tmp" "$cache/initramfs.cpio"
  echo "$stamp" >"$cache/initramfs.stamp"
  rm -rf "$staging"
fi
[ -f "$cache/disk.img" ] || truncate -s 64M "$cache/disk.img"

# --- Boot, once per configuration. ------------------------------------------------------------------------
shares=(-virtfs "local,path=/usr,mount_tag=usr,security_model=none,readonly=on"
  -virtfs "local,path=$root,mount_tag=checkout,security_model=none")
nodedir_arg=""
case "$node" in
  /usr/*) ;;
  *) # node outside /usr (nvm, a tarball): share its install folder at the same path.
    nodedir=$(dirname "$(dirname "$node")")
    shares+=(-virtfs "local,path=$nodedir,mount_tag=nodedir,security_model=none,readonly=on")
    nodedir_arg=" JS_NODEDIR=$nodedir" ;;
esac
# qboot (qemu-system-data) boots straight into the kernel: faster than SeaBIOS, and it does not reset the
# terminal with escape codes on the console.
[ -f /usr/share/qemu/qboot.rom ] && shares+=(-bios /usr/share/qemu/qboot.rom)
# The bench's 1000 jobs keep 2000 sleeping processes.
memory_mib=1024
[ ${#bench_args[@]} -eq 0 ] || memory_mib=3072
prep=$(since "$t0")
status=0
summary=""
for config in "${configs[@]}"; do
  results=native/build-guest/results/$config
  cmdline="console=ttyS0 quiet panic=-1 JS_CGROUPS=$config JS_CHECKOUT=$root JS_RESULTS=$results JS_TESTS=$tests$nodedir_arg"
  log "$config: booting $(basename "$kdir") ($(basename "$kernel")), TCG, timeout ${timeout_s}s; guest console follows"
  t1=$(date +%s.%N)
  boot_guest() {
    rm -rf "${root:?}/$results" && mkdir -p "$root/$results"
    if [ ${#bench_args[@]} -gt 0 ]; then
      # 1000 jobs keep ~14000 files open; the guest's default limit is 1024 (4096 hard), a systemd host's 524288.
      { echo 'ulimit -n 65536'
        echo "export BENCH_NOTE='pure-v2 QEMU guest, TCG (no KVM), 2 vCPUs: emulated timings, compare rows within this file only'"
        printf 'exec node --import tsx bench/run.ts --results results-pure-v2'
        printf ' %q' "${bench_args[@]}"
        echo; } >"$root/$results/command.sh"
    fi
    set +e
    # No KVM: this host's /dev/kvm only runs specially built guests. -smp 2 with the default CPU was fastest.
    timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel tcg -m "$memory_mib" -smp 2 -nographic -no-reboot -nic none \
      -kernel "$kernel" -initrd "$cache/initramfs.cpio" -append "$cmdline" \
      -drive "file=$cache/disk.img,if=virtio,format=raw" "${shares[@]}" </dev/null
    qemu_status=$?
    set -e
  }
  timed_out() { [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; }
  boot_guest
  # The emulated guest has, rarely, stopped making progress mid-suite (no test failed; the VM sat until the
  # timeout). A timeout is tried once more with a fresh boot; a failed test is final. The guest's watchdog
  # (guest/init) prints the stuck test and its processes' kernel stacks on the console when output stops.
  if timed_out; then
    log "$config: the guest stalled (timeout after ${timeout_s}s); booting it once more"
    boot_guest
  fi
  if timed_out; then
    fail "$config: timed out after ${timeout_s}s twice: QEMU killed (set JOBSCOPE_GUEST_TIMEOUT to allow longer)"
  fi
  [ "$qemu_status" = 0 ] || fail "$config: QEMU exited with status $qemu_status"
  if [ ${#bench_args[@]} -gt 0 ]; then
    [ -f "$root/$results/command/exit-code" ] || fail "the guest powered off before the bench finished (see the console above)"
    status=$(cat "$root/$results/command/exit-code")
    log "bench in the $config guest: exit $status, QEMU $(since "$t1") s"
    exit "$status"
  fi
  for run in ${runs[$config]}; do
    [ -f "$root/$results/$run/exit-code" ] ||
      fail "$config: the guest powered off before the $run run finished (see the console above)"
    code=$(cat "$root/$results/$run/exit-code")
    [ "$code" = 0 ] || status=$code
    summary+=" $config/$run: exit $code, $(tr -d '\r' <"$root/$results/$run/output.txt" |
      awk '/^ℹ (pass|fail|skipped) [0-9]+$/ { n[$2] += $3 } END { printf "pass %d fail %d skipped %d", n["pass"], n["fail"], n["skipped"] }')"
    summary+=" in $(cat "$root/$results/$run/suite-seconds") s;"
  done
  summary+=" $config boot $(cat "$root/$results/boot-seconds") s (guest clock), QEMU $(since "$t1") s;"
done
log "guest suites:${summary} prepare $prep s, total $(since "$t0") s; output in native/build-guest/results/"
exit "$status"
