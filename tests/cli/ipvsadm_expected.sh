#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What ipvsadm would print for the table of tests/cli/replies.json, written
# with ipvsadm 1.31's own format strings (ipvsadm.c: list_all's version
# line, print_title, print_service_entry, print_largenum, list_conn and
# print_conn) and the values of replies.json typed in by hand, not taken
# from halbctl. Real servers that IPVS would not hold (out of service in
# replies.json) are left out, as keepalived leaves them out of IPVS.
# test_halbctl.sh compares halbctl's ipvsadm layouts with these files.
#
#   ipvsadm_expected.sh DIR     writes DIR/ipvsadm-*.out
set -eu
E=${1:?usage: ipvsadm_expected.sh DIR}
title='Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n'
dest() { printf '  -> %-28s %-7s %-6d %-10u %-10u\n' "$@"; }
largenum() { # print_largenum(), not --exact
	local i=$1
	if [ "$i" -lt 100000000 ]; then printf '%9u' "$i"
	elif [ "$i" -lt 1000000000 ]; then printf '%8uK' $((i / 1000))
	elif [ "$i" -lt 100000000000 ]; then printf '%8uM' $((i / 1000000))
	elif [ "$i" -lt 100000000000000 ]; then printf '%8uG' $((i / 1000000000))
	else printf '%8uT' $((i / 1000000000000)); fi
}
exactnum() { local l=${#1}; [ "$l" -le 8 ] && l=8; printf '%*u' $((l + 1)) "$1"; }
stats_title() { printf '%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n' "Prot LocalAddress:Port" "$@"; }
row() { # row NAME-FORMAT NAME NUM... with NUMFN
	local fn=$1 fmt=$2 name=$3; shift 3
	printf "$fmt" "$name"; for n in "$@"; do $fn "$n"; done; printf '\n'
}
{
	printf 'IP Virtual Server version 1.2.1 (size=1048576)\n'
	printf "$title"
	printf 'TCP  172.17.100.100:80 wrr persistent 600\n'
	dest 172.17.1.7:80 Route 1 3 10
	printf 'TCP  172.17.100.100:443 wlc persistent 300 mask 255.255.255.0\n'
	dest 172.17.1.7:443 Tunnel 5 0 0
	printf 'UDP  172.17.100.101:53 rr\n'
	dest 172.17.1.20:53 Masq 2 0 790
	dest 172.17.1.21:53 Masq 0 0 812
	printf 'TCP  [2001:db8::100]:80 sh (sh-fallback,sh-port)\n'
} >"$E/ipvsadm-Ln.out"
{
	printf "$title"
	printf 'TCP  172.17.100.100:80 wrr persistent 600\n'
	dest 172.17.1.7:80 Route 1 3 10
} >"$E/ipvsadm-Ln-t.out"
for mode in stats exact; do
	f=largenum; [ $mode = exact ] && f=exactnum
	{
		printf 'IP Virtual Server version 1.2.1 (size=1048576)\n'
		stats_title Conns InPkts OutPkts InBytes OutBytes
		row $f '%-33s' 'TCP  172.17.100.100:80' 42 100 0 9000 0
		row $f '  -> %-28s' 172.17.1.7:80 30 70 0 6300 0
		row $f '%-33s' 'TCP  172.17.100.100:443' 0 0 0 0 0
		row $f '  -> %-28s' 172.17.1.7:443 0 0 0 0 0
		row $f '%-33s' 'UDP  172.17.100.101:53' 150000000 987654321 987654000 123456789012 1234567890123456
		row $f '  -> %-28s' 172.17.1.20:53 75000000 493827161 493827000 61728394506 617283945061728
		row $f '  -> %-28s' 172.17.1.21:53 75000000 493827160 493827000 61728394506 617283945061728
		row $f '%-33s' 'TCP  [2001:db8::100]:80' 0 0 0 0 0
	} >"$E/ipvsadm-Ln-$mode.out"
done
{
	printf 'IP Virtual Server version 1.2.1 (size=1048576)\n'
	stats_title CPS InPPS OutPPS InBPS OutBPS
	row largenum '%-33s' 'TCP  172.17.100.100:80' 1 10 0 900 0
	printf '  -> %-28s %8u %8u %8u' 172.17.1.7:80 1 10 0; largenum 900; largenum 0; printf '\n'
	row largenum '%-33s' 'TCP  172.17.100.100:443' 0 0 0 0 0
	printf '  -> %-28s %8u %8u %8u' 172.17.1.7:443 0 0 0; largenum 0; largenum 0; printf '\n'
	row largenum '%-33s' 'UDP  172.17.100.101:53' 1500 3000 2999 240000000 23000
	printf '  -> %-28s %8u %8u %8u' 172.17.1.20:53 750 1500 1500; largenum 120000000; largenum 11500; printf '\n'
	printf '  -> %-28s %8u %8u %8u' 172.17.1.21:53 750 1500 1499; largenum 120000000; largenum 11500; printf '\n'
	row largenum '%-33s' 'TCP  [2001:db8::100]:80' 0 0 0 0 0
} >"$E/ipvsadm-Ln-rate.out"
# ipvsadm -L -c -n: list_conn() and print_conn()
{
	printf 'IPVS connection entries\n'
	printf 'pro expire %-11s %-18s %-18s %s\n' state source virtual destination
	c() { printf '%-3s %-6s %-11s %-18s %-18s %s\n' "$@"; }
	c TCP 14:59 ESTABLISHED 172.17.0.2:40000 172.17.100.100:80 172.17.1.7:80
	c TCP 01:01 FIN_WAIT 172.17.0.3:51234 172.17.100.100:80 172.17.1.8:80
	c TCP 09:59 NONE 172.17.0.2:0 172.17.100.100:80 172.17.1.7:80
	c UDP 100:00 UDP 172.17.0.4:5353 172.17.100.101:53 172.17.1.20:53
	c TCP 14:59 ESTABLISHED [2001:db8::2]:40002 [2001:db8::100]:80 [2001:db8::7]:80
} >"$E/ipvsadm-Lnc.out"
