#!/bin/bash
# The test bed: hosts in network namespaces joined by a Linux bridge in a
# "switch" namespace (ARCHITECTURE.md). Sourced by every tests/e2e script.
#
#   tb_init NAME            start a bed; everything made is removed on exit
#   tb_host NAME CIDR [GW]  a host with eth0 on the switch (an IPv6 CIDR is
#                           added without duplicate address detection)
#   tb_director NAME        a director: its NIC "nic0" is on the switch but
#                           hidden from its own kernel (no IP, IPv6 off,
#                           nftables ingress drop), for halb's af_packet port
#   tb_rs NAME CIDR [GW] [VIP...]  a real server running nginx (IPv4 and
#                           IPv6); VIPs on lo with arp_ignore/arp_announce as
#                           the seed shows (DR; IPv6 answers no neighbour
#                           solicitation for an address of lo on eth0)
#   tb_halb NAME PREFIX KCONF DCONF  start halb in a director, wait for it
#                           (with the flags in TB_HALB_ARGS, e.g. "-i lb1")
#   tb_halbctl NAME PREFIX ARGS...   halbctl against that halb
#   tb_stop_halb NAME [SIGNAL]
#   tb_wait SECONDS CMD...  retry CMD until it succeeds or time runs out
#   tb_in NAME CMD...       run CMD in the host's namespace
#
# Namespaces are named "<bed>-<name>" with a per-run bed id, so beds from
# parallel or crashed runs never collide; tb_cleanup removes what this run
# made, also on failure or Ctrl-C.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${HALB_BUILD:-$TOP/build}
HALB=$BUILD/app/halb/halb
HALBCTL=$BUILD/app/halbctl/halbctl
TB_NS=()
TB_PORTS=0
TB_HALB_PIDS=()

tb_log() { echo "[$(date +%T)] $*" >&2; }
tb_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

tb_init() {
	TB_NAME=$1
	TB=h$(( $$ % 10000 ))${TB_NAME:0:3}
	TB_DIR=$(mktemp -d "/tmp/halb-e2e-$TB_NAME.XXXXXX")
	trap tb_cleanup EXIT
	trap 'exit 130' INT TERM
	tb_ns sw
	ip -n "$TB-sw" link add br0 type bridge
	ip -n "$TB-sw" link set br0 type bridge stp_state 0 forward_delay 0
	ip -n "$TB-sw" link set br0 up
}

tb_cleanup() {
	local rc=$? ns pids
	set +e
	for ns in "${TB_NS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	done
	# halb stops in a fraction of a second (a sanitizer build takes longer
	# and reports at exit): wait for this bed's before anything is killed.
	tb_wait 10 tb_halbs_gone || true
	sleep 0.3
	for ns in "${TB_NS[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for p in "${TB_PREFIXES[@]:-}"; do
		[ -n "$p" ] && rm -rf "/var/run/dpdk/$p"
	done
	# A sanitizer build (HALB_BUILD=build-asan) reports into halb's log.
	if grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
		"$TB_DIR"/*.log >/dev/null 2>&1; then
		echo "FAIL: a sanitizer reported an error in halb" >&2
		grep -h -A30 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' \
			"$TB_DIR"/*.log | head -n 80 >&2
		rc=1
	fi
	if [ $rc -ne 0 ] && [ -d "$TB_DIR" ]; then
		for f in "$TB_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "----- $f (last 40 lines)" >&2
			tail -n 40 "$f" >&2
		done
	fi
	rm -rf "$TB_DIR"
	exit $rc
}

tb_ns() {
	ip netns add "$TB-$1" || tb_fail "cannot create namespace $TB-$1"
	TB_NS+=("$TB-$1")
	ip -n "$TB-$1" link set lo up
}

tb_in() {
	local ns=$1
	shift
	ip netns exec "$TB-$ns" "$@"
}

# tb_link NS IFNAME: a veth from namespace NS to the switch.
tb_link() {
	local ns=$1 ifname=$2 peer
	TB_PORTS=$((TB_PORTS + 1))
	peer=p$TB_PORTS
	ip link add "$ifname" netns "$TB-$ns" type veth peer name "$peer" netns "$TB-sw" ||
		tb_fail "cannot link $ns"
	ip -n "$TB-sw" link set "$peer" master br0 up
	ip -n "$TB-$ns" link set "$ifname" up
	# A veth hands checksums to the receiver half done (CHECKSUM_PARTIAL);
	# a frame that passes through halb's af_packet port loses that mark, so
	# hosts compute full checksums, as a real NIC delivers them.
	ip netns exec "$TB-$ns" ethtool -K "$ifname" tx off >/dev/null 2>&1
}

# tb_addr NAME IF CIDR: an address on IF; IPv6 without duplicate address
# detection, which would hold the address back for a second or more.
tb_addr() {
	case $3 in
	*:*) ip -n "$TB-$1" addr add "$3" dev "$2" nodad ;;
	*) ip -n "$TB-$1" addr add "$3" dev "$2" ;;
	esac
}

tb_host() {
	local name=$1 cidr=$2 gw=${3:-}
	tb_ns "$name"
	tb_link "$name" eth0
	tb_addr "$name" eth0 "$cidr"
	[ -n "$gw" ] && ip -n "$TB-$name" route add default via "$gw"
	return 0
}

tb_director() {
	local name=$1
	tb_ns "$name"
	tb_link "$name" nic0
	tb_in "$name" sysctl -qw net.ipv6.conf.nic0.disable_ipv6=1
	tb_in "$name" sysctl -qw net.ipv4.ip_forward=1
	# af_packet sees every frame before this hook; the kernel sees none.
	tb_in "$name" nft -f - <<-EOF
		table netdev halb_hide {
			chain in {
				type filter hook ingress device nic0 priority 0; policy drop;
			}
		}
	EOF
}

# tb_nginx NAME: nginx on port 80 (and 443 with a self-signed certificate
# when TB_TLS=1, or plain HTTP on 443 when TB_HTTP443=1, for the seed's
# HTTP_GET checks of port 443) serving /test.html with the host's name in it;
# connections are kept alive TB_KEEPALIVE_S seconds (default 0: closed).
# A request sent with ?rate=600k (a number, then k or m) is sent at that
# many bytes a second: a slow download that lasts, where curl 7.88's
# --limit-rate lets a 3 MB download at 600k end in a fraction of a second.
tb_nginx() {
	local name=$1 dir=$TB_DIR/nginx-$1 tls=""
	mkdir -p "$dir/www"
	[ "${TB_HTTP443:-0}" = 1 ] && tls="server { listen 443; root $dir/www; }"
	echo "$name" >"$dir/www/test.html"
	echo "$name" >"$dir/www/index.html"
	if [ "${TB_TLS:-0}" = 1 ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name" \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
		tls="server { listen 443 ssl; root $dir/www;
			ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem; }"
	fi
	cat >"$dir/nginx.conf" <<-EOF
		user root;
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log $dir/error.log;
		events { worker_connections 512; }
		http {
			access_log $dir/access.log;
			client_body_temp_path $dir/tmp;
			proxy_temp_path $dir/tmp;
			fastcgi_temp_path $dir/tmp;
			uwsgi_temp_path $dir/tmp;
			scgi_temp_path $dir/tmp;
			keepalive_timeout ${TB_KEEPALIVE_S:-0};
			keepalive_requests 100000;
			map \$arg_rate \$send_rate { default 0; "~^[0-9]+[km]?\$" \$arg_rate; }
			server { listen 80; listen [::]:80; root $dir/www; limit_rate \$send_rate; }
			$tls
		}
	EOF
	mkdir -p "$dir/tmp"
	tb_in "$name" nginx -c "$dir/nginx.conf" || tb_fail "nginx did not start in $name"
}

tb_nginx_stop() {
	local dir=$TB_DIR/nginx-$1
	tb_in "$1" nginx -c "$dir/nginx.conf" -s stop 2>/dev/null
	tb_wait 5 sh -c "! test -s $dir/nginx.pid"
}

tb_rs() {
	local name=$1 cidr=$2 gw=${3:-} vip
	shift 3 || shift $#
	tb_host "$name" "$cidr" "$gw"
	for vip in "$@"; do
		case $vip in
		*:*) tb_addr "$name" lo "$vip/128" ;;
		*) tb_addr "$name" lo "$vip/32" ;;
		esac
	done
	if [ $# -gt 0 ]; then
		tb_in "$name" sysctl -qw net.ipv4.conf.lo.arp_ignore=1 \
			net.ipv4.conf.lo.arp_announce=2 net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2
	fi
	tb_nginx "$name"
}

tb_wait() {
	local secs=$1 end
	shift
	end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while ! "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -ge $end ] && return 1
		sleep 0.1
	done
	return 0
}

TB_PREFIXES=()

# The EAL file prefix of the halb in director NAME.
tb_prefix() {
	eval "echo \${TB_PREFIX_$1:-}"
}

tb_halbctl() {
	local name=$1
	shift
	tb_in "$name" "$HALBCTL" -P "$(tb_prefix "$name")" "$@"
}

# tb_halb NAME KCONF DCONF: starts halb in director NAME with keepalived.conf
# KCONF as it is and a copy of the dataplane file DCONF whose EAL file prefix
# is made unique to this bed (the prefix names DPDK's runtime directory,
# which all namespaces share); waits until it answers on telemetry.
tb_halb() {
	local name=$1 kconf=$2 dconf=$3 prefix=$TB-$1 cfg=$TB_DIR/$1.cfg
	TB_PREFIXES+=("$prefix")
	eval "TB_PREFIX_$name=$prefix"
	sed -E 's/("--file-prefix", *")[^"]*"/\1'"$prefix"'"/' "$dconf" >"$cfg"
	grep -q -- "--file-prefix\", *\"$prefix\"" "$cfg" ||
		tb_fail "$dconf names no --file-prefix"
	rm -rf "/var/run/dpdk/$prefix"
	# Not through tb_in: $! must be halb itself (ip netns exec execs it).
	# shellcheck disable=SC2086 # TB_HALB_ARGS: more flags (-i ID), word-split
	ip netns exec "$TB-$name" "$HALB" ${TB_HALB_ARGS:-} -n -l -f "$kconf" -c "$cfg" \
		-p "$TB_DIR/halb-$name.pid" >>"$TB_DIR/halb-$name.log" 2>&1 &
	eval "TB_HALB_PID_$name=$!"
	TB_HALB_PIDS+=("$!")
	tb_wait 30 tb_halbctl "$name" version ||
		tb_fail "halb in $name did not answer on its telemetry socket"
}

# Succeeds when no halb this bed started is alive.
tb_halbs_gone() {
	local p
	for p in "${TB_HALB_PIDS[@]:-}"; do
		[ -n "$p" ] && kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

tb_halb_pid() {
	eval "echo \${TB_HALB_PID_$1:-}"
}

tb_stop_halb() {
	local name=$1 sig=${2:-TERM} pid
	pid=$(tb_halb_pid "$name")
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null
	tb_wait 20 sh -c "! kill -0 $pid" || tb_fail "halb in $name did not stop on SIG$sig"
	wait "$pid" 2>/dev/null
	TB_HALB_RC=$?
	eval "TB_HALB_PID_$name="
}

# The VRRP state of instance INST on director NAME: tb_vrrp_state NAME INST
tb_vrrp_state() {
	tb_halbctl "$1" --json vrrp 2>/dev/null | python3 -c '
import json, sys
for i in json.load(sys.stdin)["instances"]:
    if i["name"] == sys.argv[1]:
        print(i["state"])' "$2"
}

# Succeeds when instance INST on NAME is in STATE: tb_vrrp_is NAME INST STATE
tb_vrrp_is() {
	[ "$(tb_vrrp_state "$1" "$2")" = "$3" ]
}

# tb_json NAME COMMAND PYTHON-EXPR: evaluates EXPR on the JSON reply (as r).
tb_json() {
	tb_halbctl "$1" --json "$2" | python3 -c "import json,sys; r=json.load(sys.stdin); print($3)"
}

# A file from a template with @VAR@ replaced: tb_conf SRC DST VAR=VALUE...
tb_conf() {
	local src=$1 dst=$2 kv
	shift 2
	cp "$src" "$dst"
	for kv in "$@"; do
		sed -i "s|@${kv%%=*}@|${kv#*=}|g" "$dst"
	done
}
