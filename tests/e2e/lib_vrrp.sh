#!/bin/bash
# Helpers for the VRRP end-to-end tests (tests/e2e/test_vrrp_*.sh), sourced
# after lib.sh. Every wait is bounded.
#
#   vt_ms                       wall clock in ms
#   vt_mac NAME IF              the MAC of interface IF in host NAME
#   vt_neigh_mac NAME IP        the MAC of NAME's neighbour entry for IP ("" if none)
#   vt_neigh_is NAME IP MAC     succeeds when that entry holds MAC
#   vt_has_addr NAME IP         succeeds when IP (IPv4 or IPv6) is on an interface of NAME
#   vt_curl NAME URL            one request from NAME (1 s at most), body on stdout
#   vt_serve_wait NAME URL SECS T0   retries vt_curl until it works; prints the
#                               ms since T0 (vt_ms), fails after SECS
#   vt_arp_replies NAME IP      resolves IP afresh from NAME (eth0) and prints the
#                               MAC of every host that answered, one a line
#   vt_kill9 NAME               kill -9 the halb in director NAME and reap it
#   vt_vrrp NAME INST EXPR      EXPR (python) on instance INST of /halb/vrrp, as i
#   vt_became NAME INST STATE   ms (wall clock) of INST's last transition to STATE
#   vt_state_line NAME INST     "STATE prio P/E master M" for the report lines
#   vt_dataplane PREFIX CIDR [ROUTES]  a one-port, one-worker dataplane file
#                               (port eth1 on nic0 at CIDR, 512 MB of EAL memory)

vt_ms() { echo $(($(date +%s%N) / 1000000)); }

vt_mac() {
	ip -n "$TB-$1" -o link show "$2" 2>/dev/null | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

vt_neigh_mac() {
	ip -n "$TB-$1" neigh show to "$2" 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") { print $(i + 1); exit } }'
}

vt_neigh_is() { [ "$(vt_neigh_mac "$1" "$2")" = "$3" ]; }

vt_has_addr() { ip -n "$TB-$1" -o addr show 2>/dev/null | grep -qE " inet6? $2/"; }

vt_curl() { tb_in "$1" curl -s -f -m 1 "$2"; }

vt_serve_wait() {
	local name=$1 url=$2 secs=$3 t0=$4 end
	end=$(($(vt_ms) + secs * 1000))
	# short attempts, each with a fresh SYN: a SYN lost to the dead master
	# would otherwise be retried by TCP only after 1 s
	until tb_in "$name" curl -s -f -m 0.25 "$url" >/dev/null 2>&1; do
		[ "$(vt_ms)" -ge $end ] && return 1
		sleep 0.05
	done
	echo $(($(vt_ms) - t0))
}

vt_arp_replies() {
	local name=$1 ip=$2 cap=$TB_DIR/arp-$1-$RANDOM pid
	tb_in "$name" timeout 5 tcpdump -i eth0 -nn -e -l arp >"$cap" 2>"$cap.err" &
	pid=$!
	tb_wait 4 grep -q "listening on" "$cap.err" || { kill "$pid" 2>/dev/null; return 1; }
	ip -n "$TB-$name" neigh del "$ip" dev eth0 2>/dev/null
	tb_in "$name" ping -c 1 -W 1 "$ip" >/dev/null 2>&1
	# answers to the request the ping made arrive within milliseconds; the
	# half second is for a slow host to be seen answering too
	sleep 0.5
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -o "Reply $ip is-at [0-9a-f:]*" "$cap" | awk '{ print $4 }' | sort -u
}

vt_kill9() {
	local pid
	pid=$(tb_halb_pid "$1")
	[ -n "$pid" ] || tb_fail "no halb running in $1"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	eval "TB_HALB_PID_$1="
}

vt_vrrp() {
	tb_halbctl "$1" --json vrrp 2>/dev/null | python3 -c '
import json, sys
for i in json.load(sys.stdin)["instances"]:
    if i["name"] == sys.argv[1]:
        print(eval(sys.argv[2]))' "$2" "$3"
}

vt_became() {
	vt_vrrp "$1" "$2" "int([t['at'] for t in i['transitions'] if t['to'] == '$3'][-1] * 1000)"
}

vt_state_line() {
	vt_vrrp "$1" "$2" '"%s prio %d/%d master %s" % (i["state"], i["priority"], i["effective_priority"], i["master"])'
}

vt_dataplane() {
	cat <<-EOF
		eal = ["--no-huge", "-m", "512", "--no-pci", "--file-prefix", "$1"];
		workers = 1;
		idle_sleep_us = 100;
		connections = 4096;
		ports = ( { name = "eth1"; device = "net_af_packet0,iface=nic0,qpairs=1";
		            addresses = ["$2"]; } );
		routes = ( ${3:-} );
	EOF
}
