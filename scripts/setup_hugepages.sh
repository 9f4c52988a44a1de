#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Reserves hugepages for a production halb director and mounts hugetlbfs for
# DPDK. It works out everything first (which nodes, which sysfs files, whether
# the mount point is usable), then, unless --dry-run, writes nr_hugepages per
# node, reads it back to report what the kernel really gave, and mounts.
#
# HALB_HUGEPAGES_ROOT, when set, is prefixed to every /sys and /proc path
# read or written, so tests can run the script against a fake tree.
set -u

PROG=setup_hugepages.sh
ROOT=${HALB_HUGEPAGES_ROOT:-}

usage() {
	cat <<'EOF'
Usage: setup_hugepages.sh --pages N [--size 2M|1G] [--node N] [--mount DIR]
                          [--no-mount] [--dry-run]

Reserves N hugepages on each NUMA node (or on one) and mounts hugetlbfs, as
DPDK needs on a production halb director. Pages reserved while the machine
runs can fall short when memory is fragmented; 1G pages, or pages that must
be there, are best reserved at boot on the kernel command line
(default_hugepagesz=1G hugepagesz=1G hugepages=N). This script does not
make anything persistent.

  --pages N     pages per NUMA node (0 gives them back); required
  --size S      page size: 2M (default) or 1G
  --node N      only NUMA node N (default: every node; without NUMA
                information in sysfs, the machine as a whole)
  --mount DIR   mount hugetlbfs there (default /dev/hugepages), with the
                pagesize option when S is not the kernel's default size;
                left as it is when a hugetlbfs of that size is mounted there
  --no-mount    reserve only
  --dry-run     print what would be done and change nothing (no root needed)
  -h, --help    this text

Exit status:
  0  done: the pages are reserved and hugetlbfs is mounted
  1  it cannot be done: not root, no such page size on this CPU or
     kernel, no such node, the mount point is taken, a write or the
     mount failed
  2  bad arguments
  3  the kernel gave fewer pages than asked on some node (reported per
     node); what it gave stays reserved, and the mount is done
EOF
}

say() {
	printf '%s\n' "$*"
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

bad_usage() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	printf 'Try %s --help\n' "$PROG" >&2
	exit 2
}

is_count() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ ${#1} -le 9 ]
}

# 2M, 1G, 2048k, 1024M ... -> kB; empty when not a hugepage size halb uses.
size_to_kb() {
	case $1 in
	2M | 2m | 2048[kK] | 2048kB) echo 2048 ;;
	1G | 1g | 1024M | 1024m | 1048576[kK] | 1048576kB) echo 1048576 ;;
	esac
}

# hugetlbfs's pagesize= option (2M, 1024M, 1G, 2048K) -> kB
option_to_kb() {
	awk -v s="$1" 'BEGIN {
		n = s + 0; u = toupper(substr(s, length(s)))
		if (u == "K") n *= 1; else if (u == "M") n *= 1024
		else if (u == "G") n *= 1048576; else n = int(n / 1024)
		print n }'
}

parse_args() {
	pages=
	size=2M
	only_node=
	mount_dir=/dev/hugepages
	do_mount=1
	dry_run=0
	while [ $# -gt 0 ]; do
		case $1 in
		--*=*) opt=${1%%=*} val=${1#*=} inline=1 ;;
		*) opt=$1 val=${2-} inline=0 ;;
		esac
		shift
		case $opt in
		--pages | --size | --node | --mount)
			if [ $inline = 0 ]; then
				[ $# -ge 1 ] || bad_usage "$opt needs a value"
				shift
			fi
			;;
		*) [ $inline = 0 ] || bad_usage "$opt takes no value" ;;
		esac
		case $opt in
		--pages) pages=$val ;;
		--size) size=$val ;;
		--node) only_node=$val ;;
		--mount) mount_dir=$val ;;
		--no-mount) do_mount=0 ;;
		--dry-run) dry_run=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		*) bad_usage "unknown argument '$opt'" ;;
		esac
	done
	[ -n "$pages" ] || bad_usage "--pages N is required"
	is_count "$pages" || bad_usage "--pages wants a number of pages, not '$pages'"
	kb=$(size_to_kb "$size")
	[ -n "$kb" ] || bad_usage "--size $size is not a hugepage size: use 2M or 1G"
	if [ -n "$only_node" ]; then
		is_count "$only_node" || bad_usage "--node wants a NUMA node number, not '$only_node'"
	fi
	case $mount_dir in
	/*) ;;
	*) bad_usage "--mount wants an absolute path, not '$mount_dir'" ;;
	esac
}

# Free memory in kB from a meminfo file ("MemFree:" anywhere on the line).
mem_free_kb() {
	[ -r "$1" ] || return 0
	awk '{ for (i = 1; i < NF; i++) if ($i == "MemFree:") print $(i + 1) }' "$1"
}

# Fills $targets with "label file meminfo" lines, one per node to set.
find_targets() {
	node_root=$ROOT/sys/devices/system/node
	sub=hugepages/hugepages-${kb}kB/nr_hugepages
	global=$ROOT/sys/kernel/mm/hugepages/hugepages-${kb}kB
	if [ ! -d "$global" ]; then
		hint=
		[ "$kb" = 1048576 ] && hint=" (1G pages need a CPU with the pdpe1gb flag)"
		die "this CPU or kernel has no $size hugepages: $global does not exist$hint"
	fi
	targets=
	nodes=
	for d in "$node_root"/node[0-9]*; do
		[ -d "$d" ] || continue
		n=${d##*/node}
		nodes="$nodes $n"
		[ -z "$only_node" ] || [ "$only_node" = "$n" ] || continue
		[ -e "$d/$sub" ] || die "node $n has no $size hugepages: $d/$sub does not exist"
		targets="$targets
node$n $d/$sub $d/meminfo"
	done
	if [ -z "$nodes" ]; then
		# No NUMA information: the kernel's pool is the whole machine's.
		[ -z "$only_node" ] || [ "$only_node" = 0 ] ||
			die "there is no NUMA information in sysfs ($node_root), so no node $only_node; only --node 0, the whole machine"
		targets="machine $global/nr_hugepages $ROOT/proc/meminfo"
	elif [ -z "$targets" ]; then
		die "NUMA node $only_node does not exist (nodes here:$nodes)"
	fi
}

# Decides $mount_action: mount, keep, or none; stops when DIR is taken.
plan_mount() {
	mount_action=none
	[ "$do_mount" = 1 ] || return 0
	default_kb=$(awk '$1 == "Hugepagesize:" { print $2 }' "$ROOT/proc/meminfo" 2>/dev/null)
	mount_opts=
	[ "$kb" = "${default_kb:-2048}" ] || mount_opts="-o pagesize=$size "
	mount_cmd="mount -t hugetlbfs ${mount_opts}nodev $mount_dir"
	line=$(awk -v d="$mount_dir" '$2 == d { print $3, $4 }' "$ROOT/proc/mounts" 2>/dev/null | tail -n 1)
	if [ -z "$line" ]; then
		mount_action=mount
		return 0
	fi
	fstype=${line%% *}
	[ "$fstype" = hugetlbfs ] ||
		die "$mount_dir is already a mount point ($fstype); choose another --mount"
	opt=$(printf '%s\n' "${line#* }" | tr ',' '\n' | sed -n 's/^pagesize=//p')
	if [ -n "$opt" ]; then
		have_kb=$(option_to_kb "$opt")
	else
		have_kb=${default_kb:-2048}
	fi
	[ "$have_kb" = "$kb" ] ||
		die "$mount_dir already has hugetlbfs for ${have_kb}kB pages; choose another --mount for $size pages, e.g. /dev/hugepages$size"
	mount_action=keep
}

# Reserves (or, in a dry run, describes) the pages of one node; sets $short.
reserve() {
	label=$1 file=$2 meminfo=$3
	now=$(cat "$file" 2>/dev/null)
	is_count "$now" || die "$label: cannot read $file"
	if [ "$dry_run" = 1 ]; then
		free=$(mem_free_kb "$meminfo")
		more=$(((pages - now) * kb / 1024))
		note="now $now"
		if [ "$more" -gt 0 ] && [ -n "$free" ]; then
			note="$note; needs $more MiB more, $((free / 1024)) MiB free"
			[ $((more * 1024)) -le "$free" ] || note="$note: it will fall short"
		fi
		say "$label: would write $pages to $file ($note)"
		return 0
	fi
	# The shell words a failed redirection as "PROG: LINE: cannot create F: why".
	err=$({ printf '%s\n' "$pages" >"$file"; } 2>&1) ||
		die "$label: writing $pages to $file failed: ${err##*: }"
	got=$(cat "$file" 2>/dev/null)
	is_count "$got" || die "$label: cannot read back $file"
	if [ "$got" -lt "$pages" ]; then
		say "$label: asked for $pages $size pages, the kernel gave $got (not enough free memory in one piece; reserve them at boot instead)"
		short=1
	else
		say "$label: $got $size pages reserved (were $now)"
	fi
}

do_the_mount() {
	case $mount_action in
	keep)
		say "$mount_dir: hugetlbfs for $size pages is already mounted; left as it is"
		;;
	mount)
		if [ "$dry_run" = 1 ]; then
			say "$mount_dir: would run: mkdir -p $mount_dir && $mount_cmd"
			return 0
		fi
		mkdir -p "$mount_dir" || die "cannot create $mount_dir"
		# shellcheck disable=SC2086 # mount_opts is two words or none
		mount -t hugetlbfs $mount_opts nodev "$mount_dir" || die "$mount_dir: $mount_cmd failed"
		say "$mount_dir: mounted ($mount_cmd)"
		;;
	esac
}

main() {
	parse_args "$@"
	find_targets
	plan_mount
	if [ "$dry_run" = 1 ]; then
		say "$PROG: dry run: nothing is changed"
	elif [ "$(id -u)" -ne 0 ]; then
		die "must run as root to reserve hugepages (--dry-run shows what it would do)"
	fi
	short=0
	old_ifs=$IFS
	IFS='
'
	for t in $targets; do
		[ -n "$t" ] || continue
		IFS=' '
		# shellcheck disable=SC2086 # label, file and meminfo path
		reserve $t
		IFS='
'
	done
	IFS=$old_ifs
	do_the_mount
	[ "$short" = 0 ] || exit 3
	exit 0
}

main "$@"
