#!/bin/bash
# End-to-end comparison, informational (one run each, printed as ratios):
# wrk from a client through a balancer to two nginx real servers, on the
# e2e test bed (tests/e2e/lib.sh: network namespaces, veths, a bridge):
#
#   halb DR, af_packet   halb in a director, its NIC opened with net_af_packet
#   halb DR, af_xdp      the same with net_af_xdp as the port device
#   nft netdev DR        the kernel: an nftables netdev ingress chain that
#                        hashes the flow to a real server's MAC (DR) and
#                        forwards the frame out again (no conntrack)
#   HAProxy TCP          a full proxy (mode tcp, roundrobin)
#   direct               no balancer: the client to one real server
#
# Each balancer is measured twice: HTTP keep-alive (the forwarding path:
# many requests per connection) and a connection per request (new
# connections: SYN, schedule, insert). The balancers take the VIP in turn;
# the client forgets the VIP's MAC in between.
#
# CPU: everything shares the machine's CPUs, so each measurement also reads
# what the balancer's process used (halb, HAProxy: /proc/PID/stat) and what
# the whole machine did (busy and softirq time, /proc/stat: the kernel's
# DR works in softirq, as does every veth hop of every case), and prints
# requests per CPU-second of each. halb busy-polls: its process uses a CPU
# whatever the load, so its own per-CPU figure is its rate; halb's frames
# per second come from its counters. net_af_xdp attaches in the mode the
# kernel picks (DPDK 22.11's PMD has no option for it); the mode is printed.
#
# Usage: bench/e2e_compare.sh [SECONDS] (default 10 per measurement)
# Needs root, the build (build/app/halb/halb), wrk, haproxy, nginx, nft
# (scripts/install_deps.sh). Everything it makes is removed on exit.
# Never a test: nothing is asserted, the numbers are for docs/BENCHMARKS.md.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../tests/e2e/lib.sh"
# shellcheck source=tests/e2e/forward_lib.sh
. "$(dirname "$0")/../tests/e2e/forward_lib.sh"

SECS=${1:-10}
VIP=172.17.100.100
RS1=172.17.1.7
RS2=172.17.22.22
WRK_CONNS=${WRK_CONNS:-32}
RESULTS=()
PPS=()
XDP_MODE=-

for tool in wrk haproxy nginx nft; do
	command -v "$tool" >/dev/null || tb_fail "$tool is missing (scripts/install_deps.sh)"
done
[ -x "$HALB" ] || tb_fail "no $HALB: build first (meson setup build && meson compile -C build)"

tb_init cmp
tb_host client 172.17.0.2/16
tb_rs rs01 $RS1/16 "" $VIP
tb_rs rs02 $RS2/16 "" $VIP

# Keep-alive on the real servers (tb_nginx turns it off): wrk reuses its
# connections unless it sends "Connection: close".
for n in rs01 rs02; do
	sed -i 's/keepalive_timeout 0;/keepalive_timeout 60; keepalive_requests 1000000;/' \
		"$TB_DIR/nginx-$n/nginx.conf"
	tb_in "$n" nginx -c "$TB_DIR/nginx-$n/nginx.conf" -s reload 2>/dev/null
done

# mac NS IFNAME: the MAC of an interface.
mac() {
	ip -n "$TB-$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'
}

# cpu_now PID: "PROC SOFTIRQ BUSY", clock ticks so far: the process's user
# and system time (0 without a PID), the machine's softirq and busy time.
cpu_now() {
	local proc=0
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		proc=$(sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}')
	awk -v p="$proc" '/^cpu / {print p, $8, $2 + $3 + $4 + $7 + $8}' /proc/stat
}

# wrk_cpu URL PID [wrk args]: "REQ/S PROC SOFTIRQ BUSY", the last three in
# CPU-seconds per second of the run.
wrk_cpu() {
	local url=$1 pid=$2 before after rps
	shift 2
	before=$(cpu_now "$pid")
	rps=$(tb_in client wrk -t1 -c"$WRK_CONNS" -d"${SECS}s" "$@" "$url" |
		awk '/^Requests\/sec/ {print $2}')
	after=$(cpu_now "$pid")
	echo "${rps:--} $before $after" | awk -v s="$SECS" -v hz="$(getconf CLK_TCK)" \
		'{printf "%s %.2f %.2f %.2f\n", $1, ($5 - $2) / hz / s, ($6 - $3) / hz / s, ($7 - $4) / hz / s}'
}

# measure LABEL URL [PID]: wrk keep-alive and close, with the CPU used;
# appends "LABEL ka close ka_proc ka_sirq ka_busy cl_proc cl_sirq cl_busy".
measure() {
	local label=$1 url=$2 pid=${3:-} ka cl ka_p ka_s ka_b cl_p cl_s cl_b
	tb_in client ip neigh flush all
	tb_in client curl -s -m 2 -o /dev/null -f "$url" || {
		echo "  $label: no answer from $url" >&2
		RESULTS+=("$label - - - - - - - -")
		return
	}
	read -r ka ka_p ka_s ka_b < <(wrk_cpu "$url" "$pid")
	read -r cl cl_p cl_s cl_b < <(wrk_cpu "$url" "$pid" -H 'Connection: close')
	[ -n "$pid" ] || { ka_p=-; cl_p=-; }
	echo "  $label: keep-alive $ka req/s (process $ka_p CPU, machine $ka_b busy," \
		"$ka_s softirq), connection per request $cl req/s (process $cl_p, machine $cl_b," \
		"$cl_s)" >&2
	RESULTS+=("$label $ka $cl $ka_p $ka_s $ka_b $cl_p $cl_s $cl_b")
}

# ------------------------------------------------------------------ halb

# The seed's DR master without persistence, rr; one worker, busy polling.
halb_conf() {
	sed -e '/persistence_timeout/d' -e 's/lb_algo wrr/lb_algo rr/' \
		"$TOP/conf/seed/dr-master.conf" >"$TB_DIR/halb.conf"
	cat >"$TB_DIR/halb-$1.cfg" <<-EOF
		eal = ["--no-huge", "-m", "512", "--no-pci", "--file-prefix", "cmp"];
		workers = 1;
		idle_sleep_us = 0;
		connections = 1048576;
		ports = ( { name = "eth1"; device = "$2"; addresses = ["172.17.1.6/16"]; } );
		routes = ();
	EOF
}

# halb_start KCONF DCONF: tb_halb, but a halb that does not start is
# reported, not fatal (af_xdp may not work on a veth).
halb_start() {
	local rc
	# shellcheck disable=SC2317 # called by tb_halb
	tb_fail() { echo "$*" >&2; return 1; }
	tb_halb lb1 "$1" "$2"
	rc=$?
	tb_fail() { echo "FAIL: $*" >&2; exit 1; }
	return $rc
}

halb_run() {
	local label=$1 device=$2
	halb_conf "$label" "$device"
	if ! halb_start "$TB_DIR/halb.conf" "$TB_DIR/halb-$label.cfg"; then
		echo "  $label: halb did not start:" >&2
		grep -hiE 'error|fail|xdp|cannot|bpf' "$TB_DIR/halb-lb1.log" | tail -n 8 |
			sed 's/^/    /' >&2
		RESULTS+=("$label - - - - - - - -")
		tb_stop_halb lb1 KILL
		: >"$TB_DIR/halb-lb1.log"
		return
	fi
	case $device in
	net_af_xdp*)
		XDP_MODE=$(ip -n "$TB-lb1" -d link show nic0 | grep -oE '\<xdp(generic|drv|offload)?\>' |
			head -n 1)
		echo "    nic0: ${XDP_MODE:-no XDP program} (xdp: native driver mode;" \
			"xdpgeneric: generic mode)" >&2
		;;
	esac
	if tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER && tb_wait 30 fw_healthy lb1 2; then
		local f0 f1
		f0=$(tb_json lb1 stats 'r["total"]["forwarded"]')
		measure "$label" "http://$VIP/test.html" "$(tb_halb_pid lb1)"
		f1=$(tb_json lb1 stats 'r["total"]["forwarded"]')
		echo "    halb forwarded $((f1 - f0)) frames in both runs ($(((f1 - f0) / (2 * SECS)))" \
			"a second), dropped $(tb_json lb1 stats 'r["total"]["dropped"]') in all" >&2
		PPS+=("$label $(((f1 - f0) / (2 * SECS)))")
	else
		echo "  $label: halb did not become MASTER with healthy servers" >&2
		RESULTS+=("$label - - - - - - - -")
	fi
	tb_stop_halb lb1
	: >"$TB_DIR/halb-lb1.log"
}

tb_director lb1
halb_run "halb-af_packet" "net_af_packet0,iface=nic0,qpairs=1"
halb_run "halb-af_xdp" "net_af_xdp0,iface=nic0,start_queue=0,queue_count=1"

# ------------------------------------------------------- nftables netdev DR

tb_host knl 172.17.1.9/16
tb_in knl ip addr add $VIP/32 dev eth0 # it answers ARP for the VIP
tb_in client ping -c1 -W1 $RS1 >/dev/null
tb_in knl ping -c1 -W1 $RS1 >/dev/null
tb_in knl ping -c1 -W1 $RS2 >/dev/null
tb_in knl nft -f - <<EOF
table netdev lb {
	chain in {
		type filter hook ingress device eth0 priority 0;
		ip daddr $VIP tcp dport 80 ether saddr set $(mac knl eth0) ether daddr set jhash ip saddr . tcp sport mod 2 map { 0 : $(mac rs01 eth0), 1 : $(mac rs02 eth0) } fwd to eth0
	}
}
EOF
measure "nft-netdev-DR" "http://$VIP/test.html"
tb_in knl ip addr del $VIP/32 dev eth0

# ------------------------------------------------------------- HAProxy TCP

tb_host hap 172.17.1.10/16
tb_in hap ip addr add $VIP/32 dev eth0
cat >"$TB_DIR/haproxy.cfg" <<EOF
global
	maxconn 4000
	nbthread 1
	pidfile $TB_DIR/haproxy.pid
defaults
	mode tcp
	timeout connect 2s
	timeout client 30s
	timeout server 30s
frontend vip
	bind $VIP:80
	default_backend rs
backend rs
	balance roundrobin
	server rs01 $RS1:80
	server rs02 $RS2:80
EOF
tb_in hap haproxy -D -f "$TB_DIR/haproxy.cfg" || tb_fail "haproxy did not start"
measure "HAProxy-TCP" "http://$VIP/test.html" "$(cat "$TB_DIR/haproxy.pid")"
tb_in hap ip addr del $VIP/32 dev eth0

# ---------------------------------------------------------------- baseline

measure "direct" "http://$RS1/test.html"

# ----------------------------------------------------------------- results

python3 - "$SECS" "$WRK_CONNS" "$XDP_MODE" "${#PPS[@]}" "${PPS[@]}" "${RESULTS[@]}" <<'EOF'
import sys
secs, conns, xdp_mode, n_pps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
pps = dict(r.split() for r in sys.argv[5:5 + n_pps])
rows = [r.split() for r in sys.argv[5 + n_pps:]]
val = {r[0]: r[1:] for r in rows}
def f(x):
    try:
        return float(x)
    except ValueError:
        return None
def per(a, b):
    a, b = f(a), f(b)
    return f"{a / b:9.0f}" if a and b else f"{'-':>9}"
print(f"\nwrk -t1 -c{conns} -d{secs}s, one run each; halb-af_xdp's nic0: {xdp_mode}")
print("requests per second, and per CPU-second: of the balancer's process (halb, HAProxy),")
print("and of the whole machine (everything on it: client, servers, kernel, balancer)")
for i, title in ((0, "keep-alive"), (1, "connection per request")):
    print(f"\n{title}")
    print(f"{'balancer':<16} {'req/s':>9} {'proc CPU':>8} {'req/proc':>9} {'busy':>6} "
          f"{'softirq':>7} {'req/busy':>9}")
    for name, v in val.items():
        rps, proc, sirq, busy = v[i], v[2 + 3 * i], v[3 + 3 * i], v[4 + 3 * i]
        print(f"{name:<16} {rps:>9} {proc:>8} {per(rps, proc)} {busy:>6} {sirq:>7} "
              f"{per(rps, busy)}")
if pps:
    print("\nhalb's frames forwarded per second over both runs (its counters)")
    for k, v in pps.items():
        print(f"  {k:<16} {v:>8}")
for base in ("halb-af_packet", "halb-af_xdp"):
    if base not in val:
        continue
    print(f"\nratios {base} / other (requests per second: keep-alive, conn/request)")
    for other in ("halb-af_xdp", "nft-netdev-DR", "HAProxy-TCP", "direct"):
        if other not in val or other == base:
            continue
        r = []
        for i in range(2):
            a, b = f(val[base][i]), f(val[other][i])
            r.append(f"{a / b:.2f}" if a and b else "-")
        print(f"  / {other:<14} {r[0]:>6} {r[1]:>6}")
EOF
exit 0
