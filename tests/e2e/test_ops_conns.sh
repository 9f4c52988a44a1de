#!/bin/bash
# Inspection that scales and never stalls (issue 12):
#  1. a director with 10,000 real servers and 10,000 health checks: halbctl
#     list and halbctl checks show them all (paged replies);
#  2. its connection table filled with a million connections by a bounded
#     burst of TCP opens (synburst.py: SYN then ACK per flow, from a host on
#     the switch, so the worker creates each one as it would a client's);
#  3. the telemetry socket under abuse (100 idle clients, one that asks and
#     never reads, malformed requests): halbctl still answers;
#  4. halbctl conns walks the million while the director is VRRP MASTER,
#     and the adverts it sends meanwhile are captured on the switch: the
#     largest gap between two adverts is printed, and must stay under 1.5 x
#     advert_int (the walk takes no lock VRRP needs).
. "$(dirname "$0")/lib.sh"

VIP=172.17.100.100
FLOWS=1050000
WANT=1000000
RS_MANY=10000

tb_init cnn
tb_host flood 172.17.0.9/16
tb_host watch 172.17.0.3/16
tb_rs rs01 172.17.1.7/16 "" $VIP
# The real server drops the burst at once: it would answer nobody anyway.
tb_in rs01 nft -f - <<'EOF'
table netdev burst {
	chain in { type filter hook ingress device eth0 priority 0; ip saddr 10.64.0.0/10 drop; }
}
EOF
tb_host ck 172.17.1.50/16 # the 10,000 checks' target: nothing listens
tb_director lb1

cat >"$TB_DIR/dataplane.cfg" <<'EOF'
eal = ["--no-huge", "-m", "1024", "--no-pci", "--file-prefix", "lb1"];
workers = 1;
idle_sleep_us = 100;
connections = 1200000;
ports = ( { name = "eth1"; device = "net_af_packet0,iface=nic0,framecnt=65536";
            addresses = ["172.17.1.6/16"]; } );
EOF
{
	cat <<-EOF
		global_defs {
		    router_id lb1
		}
		vrrp_instance VI_1 {
		    state MASTER
		    interface eth1
		    virtual_router_id 51
		    priority 100
		    advert_int 1
		    virtual_ipaddress {
		        $VIP
		        172.17.100.101
		    }
		}
		virtual_server $VIP 80 {
		    lb_algo rr
		    lb_kind DR
		    protocol TCP
		    real_server 172.17.1.7 80 {
		        weight 1
		    }
		}
		virtual_server 172.17.100.101 80 {
		    delay_loop 600
		    lb_algo wlc
		    lb_kind DR
		    protocol TCP
	EOF
	for p in $(seq 10000 $((10000 + RS_MANY - 1))); do
		printf '    real_server 172.17.1.50 %d {\n        TCP_CHECK {\n            connect_timeout 2\n        }\n    }\n' "$p"
	done
	echo "}"
} >"$TB_DIR/lb1.conf"
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/dataplane.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"

# 1. 10,000 real servers, 10,000 checks, listed whole.
n=$(tb_halbctl lb1 list | grep -c '^  -> [0-9]')
[ "$n" = $((RS_MANY + 1)) ] || tb_fail "halbctl list shows $n real servers, expected $((RS_MANY + 1))"
n=$(tb_halbctl lb1 checks | grep -c '^TCP ')
[ "$n" = $RS_MANY ] || tb_fail "halbctl checks shows $n checks, expected $RS_MANY"
tb_halbctl lb1 list --count | grep -q "^Real servers  *$((RS_MANY + 1))$" ||
	tb_fail "halbctl list --count: $(tb_halbctl lb1 list --count)"
echo "  halbctl list: $((RS_MANY + 1)) real servers; halbctl checks: $RS_MANY checks"

# 2. A million connections.
mac=$(ip -n "$TB-lb1" -o link show nic0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
count() { tb_halbctl lb1 conns --count | awk '$1 == "Connections" { print $2 }'; }
tb_in flood python3 "$TOP/tests/e2e/synburst.py" eth0 "$mac" $VIP 80 $FLOWS 110000 |
	sed 's/^/  burst: /'
have=$(count)
[ -n "${DEBUG_OPS:-}" ] && tb_halbctl lb1 --json stats >&2 # where frames went
if [ "$have" -lt $WANT ]; then # frames the af_packet ring dropped: once more
	tb_in flood python3 "$TOP/tests/e2e/synburst.py" eth0 "$mac" $VIP 80 $FLOWS 100000 |
		sed 's/^/  burst again: /'
	have=$(count)
fi
if [ "$have" -lt $WANT ]; then
	tb_halbctl lb1 stats >&2
	tb_fail "only $have connections in the table, expected $WANT"
fi
tb_halbctl lb1 conns --count | sed 's/^/  /'
n=$(tb_halbctl lb1 conns --client 10.64.0.1 --vip $VIP:80 --count | awk '$1 == "Connections" { print $2 }')
[ "$n" = 16 ] || tb_fail "conns --client 10.64.0.1 counted $n, expected its 16 flows"

# 3. Abuse the telemetry socket, then ask.
sock=/var/run/dpdk/$(tb_prefix lb1)/dpdk_telemetry.v2
cat >"$TB_DIR/abuse.py" <<'EOF'
import socket, sys, time
path = sys.argv[1]
def client():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(4096)
    return s
idle = [client() for _ in range(100)]
slow = client()
for _ in range(8):
    slow.send(b"/halb/services")   # never read
bad = client()
for req in (b"x" * 3000, b"no slash", b"/halb/\x01stats"):
    bad.send(req)
    assert b'"error"' in bad.recv(4096)
print("ready", flush=True)
time.sleep(30)
EOF
tb_in lb1 python3 "$TB_DIR/abuse.py" "$sock" >"$TB_DIR/abuse.out" 2>&1 &
abuser=$!
tb_wait 10 grep -q ready "$TB_DIR/abuse.out" || tb_fail "the abusive clients did not get going: $(cat "$TB_DIR/abuse.out")"
t0=$(date +%s%N)
tb_halbctl lb1 version >/dev/null || tb_fail "halbctl does not answer with 102 misbehaving clients connected"
echo "  102 misbehaving telemetry clients (idle, not reading, malformed): halbctl answered in" \
	"$((($(date +%s%N) - t0) / 1000000)) ms"
kill "$abuser" 2>/dev/null

# 4. Walk the million while VRRP adverts are captured.
tb_in watch tcpdump -i eth0 -nn -tt -l 'ip proto 112 and src host 172.17.1.6' \
	>"$TB_DIR/adverts.txt" 2>"$TB_DIR/tcpdump.err" &
dumper=$!
tb_wait 5 grep -q "listening on" "$TB_DIR/tcpdump.err" || tb_fail "tcpdump did not start"
sleep 2.5
t_start=$(date +%s.%N)
tb_halbctl lb1 conns >"$TB_DIR/conns.txt" || tb_fail "halbctl conns failed"
t_end=$(date +%s.%N)
sleep 1.5
kill "$dumper"
wait "$dumper" 2>/dev/null
lines=$(($(wc -l <"$TB_DIR/conns.txt") - 2))
[ "$lines" -ge $WANT ] || tb_fail "halbctl conns listed $lines connections, expected $have"
[ "$(grep -c ' ESTABLISHED ' "$TB_DIR/conns.txt")" -ge $((WANT * 9 / 10)) ] ||
	tb_fail "the listed connections are not ESTABLISHED"
gap=$(awk -v a="$t_start" -v b="$t_end" '
	{ t = $1 + 0; if (prev && t >= a - 1 && prev <= b + 1 && t - prev > gap) gap = t - prev; prev = t; n++ }
	END { printf "%.3f %d", gap, n }' "$TB_DIR/adverts.txt")
set -- $gap
walk=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
echo "  halbctl conns listed $lines connections in $walk s"
echo "  largest VRRP advert gap while it walked: $1 s (advert_int 1; $2 adverts captured)"
awk -v g="$1" 'BEGIN { exit !(g > 0 && g < 1.5) }' ||
	tb_fail "VRRP adverts were late while halbctl conns walked: gap $1 s"
tb_stop_halb lb1
exit 0
