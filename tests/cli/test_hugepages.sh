#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Tests scripts/setup_hugepages.sh without touching this machine's hugepages:
# --help and argument errors, --dry-run on the real /sys (as root and as
# nobody), and everything else against fake /sys and /proc trees given through
# HALB_HUGEPAGES_ROOT: two NUMA nodes, no NUMA information, a missing page
# size, mount points already taken, real writes (with --no-mount) and a write
# that fails. Prints the difference when an output is not the expected one.
#
#   test_hugepages.sh PATH/TO/setup_hugepages.sh
set -u

SCRIPT=${1:?usage: test_hugepages.sh PATH/TO/setup_hugepages.sh}
TMP=$(mktemp -d /tmp/hugepages-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
status=0

# run [VAR=value...] -- ARGS: runs the script, keeps status and output
# (stdout then stderr) in $status and $TMP/out, $TMP as @TMP@.
run() {
	local env=()
	while [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	status=0
	env "${env[@]}" sh "$SCRIPT" "$@" >"$TMP/raw" 2>"$TMP/raw.err" || status=$?
	cat "$TMP/raw.err" >>"$TMP/raw"
	sed "s|$TMP|@TMP@|g" "$TMP/raw" >"$TMP/out"
}

result() {
	local name=$1 ok=$2
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
		echo "ok    $name"
	else
		failed=$((failed + 1))
		echo "FAIL  $name"
	fi
}

# expect NAME STATUS TEXT: the last run's status and whole output
expect() {
	local name=$1 want=$2 ok=1
	printf '%s\n' "$3" >"$TMP/want"
	if [ "$status" != "$want" ]; then
		echo "  exit status $status, expected $want"
		ok=0
	fi
	diff -u --label expected --label actual "$TMP/want" "$TMP/out" || ok=0
	result "$name" $ok
}

# expect_has NAME STATUS TEXT: the status, and TEXT somewhere in the output
expect_has() {
	local name=$1 want=$2 ok=1
	[ "$status" = "$want" ] || {
		echo "  exit status $status, expected $want"
		ok=0
	}
	grep -qF -- "$3" "$TMP/out" || {
		echo "  output does not have: $3"
		sed 's/^/  | /' "$TMP/out"
		ok=0
	}
	result "$name" $ok
}

# fake_root DIR NODES SIZES_KB: a /sys and /proc with NODES NUMA nodes
# (0 for none) and pools of the given sizes, no hugepages reserved.
fake_root() {
	local r=$1 nodes=$2 sizes=$3 n kb
	mkdir -p "$r/proc"
	printf 'MemTotal:       8388608 kB\nMemFree:        4194304 kB\nHugepagesize:       2048 kB\n' \
		>"$r/proc/meminfo"
	: >"$r/proc/mounts"
	for kb in $sizes; do
		mkdir -p "$r/sys/kernel/mm/hugepages/hugepages-${kb}kB"
		echo 0 >"$r/sys/kernel/mm/hugepages/hugepages-${kb}kB/nr_hugepages"
		n=0
		while [ "$n" -lt "$nodes" ]; do
			mkdir -p "$r/sys/devices/system/node/node$n/hugepages/hugepages-${kb}kB"
			echo 0 >"$r/sys/devices/system/node/node$n/hugepages/hugepages-${kb}kB/nr_hugepages"
			printf 'Node %d MemFree:        1048576 kB\n' "$n" >"$r/sys/devices/system/node/node$n/meminfo"
			n=$((n + 1))
		done
	done
}

echo "== arguments"
run -- --help
expect_has "--help" 0 "Exit status:"
run -- -h
expect_has "-h" 0 "Usage: setup_hugepages.sh --pages N"
run -- --pages 8 --size 4M --dry-run
expect "bad size" 2 "setup_hugepages.sh: --size 4M is not a hugepage size: use 2M or 1G
Try setup_hugepages.sh --help"
run -- --pages many --dry-run
expect_has "bad page count" 2 "--pages wants a number of pages, not 'many'"
run -- --dry-run
expect_has "no --pages" 2 "--pages N is required"
run -- --pages
expect_has "--pages without a value" 2 "--pages needs a value"
run -- --pages 8 --node first --dry-run
expect_has "bad node" 2 "--node wants a NUMA node number, not 'first'"
run -- --pages 8 --mount hugepages --dry-run
expect_has "relative mount point" 2 "--mount wants an absolute path"
run -- --pages 8 --frobnicate
expect_has "unknown option" 2 "unknown argument '--frobnicate'"
run -- --dry-run=yes --pages 8
expect_has "value on a flag" 2 "--dry-run takes no value"

echo "== this machine, --dry-run"
before=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null)
run -- --pages 64 --dry-run
expect_has "dry run says what it would write" 0 "would write 64 to /sys/"
expect_has "dry run names the 2M pool" 0 "hugepages-2048kB/nr_hugepages (now "
expect_has "dry run says what it would mount" 0 "hugetlbfs"
after=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null)
result "dry run changes nothing (nr_hugepages $before, then $after)" \
	"$([ "$before" = "$after" ] && echo 1 || echo 0)"
run -- --pages 64 --node 999 --dry-run
expect_has "no such node" 1 "NUMA node 999 does not exist (nodes here:"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	status=0
	setpriv --reuid=65534 --regid=65534 --clear-groups sh "$SCRIPT" --pages 64 --dry-run \
		>"$TMP/out" 2>&1 || status=$?
	expect_has "dry run as nobody" 0 "would write 64 to /sys/"
	status=0
	setpriv --reuid=65534 --regid=65534 --clear-groups sh "$SCRIPT" --pages 64 \
		>"$TMP/out" 2>&1 || status=$?
	expect "not root" 1 "setup_hugepages.sh: must run as root to reserve hugepages (--dry-run shows what it would do)"
else
	echo "skip  dry run as nobody, not root: need root and setpriv"
fi

echo "== fake trees"
R=$TMP/numa2
fake_root "$R" 2 "2048 1048576"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1024 --dry-run
expect "two nodes, dry run" 0 "setup_hugepages.sh: dry run: nothing is changed
node0: would write 1024 to @TMP@/numa2/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages (now 0; needs 2048 MiB more, 1024 MiB free: it will fall short)
node1: would write 1024 to @TMP@/numa2/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages (now 0; needs 2048 MiB more, 1024 MiB free: it will fall short)
/dev/hugepages: would run: mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1 --size 1G --node 1 --mount /dev/hugepages1G --dry-run
expect "one node, 1G, dry run" 0 "setup_hugepages.sh: dry run: nothing is changed
node1: would write 1 to @TMP@/numa2/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages (now 0; needs 1024 MiB more, 1024 MiB free)
/dev/hugepages1G: would run: mkdir -p /dev/hugepages1G && mount -t hugetlbfs -o pagesize=1G nodev /dev/hugepages1G"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1 --node 2 --dry-run
expect "fake: no such node" 1 "setup_hugepages.sh: NUMA node 2 does not exist (nodes here: 0 1)"

if [ "$(id -u)" = 0 ]; then
	run HALB_HUGEPAGES_ROOT="$R" -- --pages 64 --no-mount
	expect "two nodes, reserved" 0 "node0: 64 2M pages reserved (were 0)
node1: 64 2M pages reserved (were 0)"
	result "two nodes, reserved: the files say 64" "$([ "$(cat "$R"/sys/devices/system/node/node*/hugepages/hugepages-2048kB/nr_hugepages | tr '\n' ' ')" = "64 64 " ] && echo 1 || echo 0)"
	# A file that reads as a number and refuses writes even from root: a
	# read-only sysctl (mode 0444), so the write cannot change anything.
	ro=/proc/sys/kernel/ngroups_max
	if [ -r "$ro" ] && ! (: >>"$ro") 2>/dev/null; then
		ln -sf "$ro" "$R/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages"
		run HALB_HUGEPAGES_ROOT="$R" -- --pages 2 --size 1G --node 1 --no-mount
		expect_has "a write that fails" 1 "node1: writing 2 to @TMP@/numa2/sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages failed:"
	else
		echo "skip  a write that fails: $ro is not a read-only number here"
	fi
else
	echo "skip  writes to a fake tree: need root"
fi

R=$TMP/flat
fake_root "$R" 0 2048
run HALB_HUGEPAGES_ROOT="$R" -- --pages 16 --dry-run --no-mount
expect "no NUMA information" 0 "setup_hugepages.sh: dry run: nothing is changed
machine: would write 16 to @TMP@/flat/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages (now 0; needs 32 MiB more, 4096 MiB free)"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 16 --node 1 --dry-run
expect_has "no NUMA information, --node 1" 1 "there is no NUMA information in sysfs"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1 --size 1G --dry-run
expect "no 1G pages" 1 "setup_hugepages.sh: this CPU or kernel has no 1G hugepages: @TMP@/flat/sys/kernel/mm/hugepages/hugepages-1048576kB does not exist (1G pages need a CPU with the pdpe1gb flag)"

echo "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0" >"$R/proc/mounts"
echo "tmpfs /mnt/taken tmpfs rw 0 0" >>"$R/proc/mounts"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 16 --dry-run
expect_has "already mounted" 0 "/dev/hugepages: hugetlbfs for 2M pages is already mounted; left as it is"
fake_root "$R" 0 "2048 1048576"
echo "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0" >"$R/proc/mounts"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1 --size 1G --dry-run
expect "mounted for another size" 1 "setup_hugepages.sh: /dev/hugepages already has hugetlbfs for 2048kB pages; choose another --mount for 1G pages, e.g. /dev/hugepages1G"
echo "tmpfs /mnt/taken tmpfs rw 0 0" >"$R/proc/mounts"
run HALB_HUGEPAGES_ROOT="$R" -- --pages 1 --mount /mnt/taken --dry-run
expect "mount point taken" 1 "setup_hugepages.sh: /mnt/taken is already a mount point (tmpfs); choose another --mount"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
