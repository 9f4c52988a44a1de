#!/bin/bash
# Scale-out (issue 16): active directors behind an ECMP router, VIPs
# announced by BGP, with conf/scaleout/ as it is (one keepalived.conf, no
# vrrp_instance, lb_algo mh; BIRD's bird-director.conf and bird-router.conf).
#
# A router namespace runs BIRD with ECMP into its kernel and hashes on the
# 5-tuple (fib_multipath_hash_policy=1); a client sits behind it. Three halb
# directors each run BIRD over their TAP; three nginx real servers (DR).
#  1. new connections spread over the three directors (counted by each);
#  2. 200 idle keep-alive connections and two rate-limited downloads stay
#     open while a fourth director joins, one leaves with SIGTERM and one
#     is killed with kill -9: after each, every connection answers again,
#     from the real server that answered it first (Maglev on every director,
#     mid-flow packets adopted); after kill -9 none of those the router
#     kept on a live director broke (the broken count is printed);
#  3. a VIP whose real servers all fail is withdrawn by every director
#     within one check interval plus BGP's update time (printed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh" # the keep-alive client's rounds and reports

SO=$TOP/conf/scaleout
VIP=10.100.0.1
VIP2=10.100.0.2
CLIENT_IP=192.168.1.2

ms() { echo $(($(date +%s%N) / 1000000)); }
lb_ip() { echo "10.0.0.1${1#lb}"; }

# so_bird NAME CONF: BIRD in namespace NAME, logging into the bed.
so_bird() {
	sed -i "s|^log syslog all;|log \"$TB_DIR/bird-$1.log\" all;|" "$2"
	tb_in "$1" bird -c "$2" -s "$TB_DIR/bird-$1.ctl" -P "$TB_DIR/bird-$1.pid" ||
		tb_fail "BIRD did not start in $1"
}

# so_director lbN: a director with its own address, halb and BIRD.
so_director() {
	local name=$1 ip
	ip=$(lb_ip "$1")
	tb_director "$name"
	sed "s|10\.0\.0\.11/24|$ip/24|" "$SO/director.cfg" >"$TB_DIR/$name-dp.cfg"
	tb_halb "$name" "$SO/keepalived.conf" "$TB_DIR/$name-dp.cfg"
	sed "s|10\.0\.0\.11|$ip|g" "$SO/bird-director.conf" >"$TB_DIR/bird-$name.conf"
	so_bird "$name" "$TB_DIR/bird-$name.conf"
}

# The router's next hops for a VIP, one a line.
nexthops() { ip -n "$TB-router" route show "$1" | grep -o 'via [0-9.]*' | cut -d' ' -f2 | sort; }
nexthops_are() { [ "$(nexthops "$1" | tr '\n' ' ')" = "$2" ]; }

# Where the router sends each flow to VIP:80, recorded by an nftables set
# in its postrouting hook: "client-port director-address" lines. (The
# router hashes a flow as its kernel does; on veth that is the client
# socket's own hash, so no 5-tuple computation could predict it.)
paths_reset() { ip netns exec "$TB-router" nft flush set inet so paths; }
paths_save() {
	ip netns exec "$TB-router" nft -j list set inet so paths | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("set", {}).get("elem", []):
        print(*e["concat"])' >"$1"
}
via_of() { awk -v p="$2" '$1 == p {print $2}' "$1" | tr '\n' ' '; }
# paths_have FILE: the router's paths, saved to FILE, include both
# downloads' (their packets went through it since the last reset)
paths_have() {
	paths_save "$1"
	[ -n "$(via_of "$1" 61001)" ] && [ -n "$(via_of "$1" 61002)" ]
}

# New connections to VIP counted by director NAME.
conns_of() {
	tb_json "$1" list "sum(x['conns'] for s in r['services'] if s['vip'] == '$VIP' for x in s['real_servers'])"
}

reloaded() { [ "$(tb_json "$1" version 'r["reloads"]')" -ge 1 ]; }

tb_init sco
tb_host router 10.0.0.1/24
tb_ns client
ip link add eth1 netns "$TB-router" type veth peer name eth0 netns "$TB-client"
ip -n "$TB-router" addr add 192.168.1.1/24 dev eth1
ip -n "$TB-router" link set eth1 up
ip -n "$TB-client" addr add $CLIENT_IP/24 dev eth0
ip -n "$TB-client" link set eth0 up
ip -n "$TB-client" route add default via 192.168.1.1
tb_in client ethtool -K eth0 tx off >/dev/null 2>&1
# a small receive buffer keeps the rate-limited downloads on the wire, not
# parked in the client's socket buffer
tb_in client sysctl -qw net.ipv4.tcp_rmem="4096 65536 131072"
# The router hashes a veth packet by its socket's hash, which Linux would
# change on a retransmission timeout: not here, as a router hashing the
# 5-tuple of a packet from a NIC would not either.
tb_in client sysctl -qw net.core.txrehash=0
tb_in router sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
tb_in router nft -f - <<-EOF
	table inet so {
		set paths { type inet_service . ipv4_addr; size 65535; flags dynamic; }
		chain post {
			type filter hook postrouting priority 0; policy accept;
			ip daddr $VIP tcp dport 80 add @paths { tcp sport . rt ip nexthop }
		}
	}
EOF
cp "$SO/bird-router.conf" "$TB_DIR/bird-router.conf"
so_bird router "$TB_DIR/bird-router.conf"
for i in 1 2 3; do
	tb_rs rs$i 10.0.0.2$i/24 10.0.0.1 $VIP $VIP2
	echo vip2 >"$TB_DIR/nginx-rs$i/www/vip2.html"
	[ $i = 1 ] && head -c 20000000 /dev/urandom >"$TB_DIR/big.bin"
	ln "$TB_DIR/big.bin" "$TB_DIR/nginx-rs$i/www/big.bin"
done
WANT=$(sha256sum <"$TB_DIR/big.bin" | cut -d' ' -f1)

t0=$(ms)
for lb in lb1 lb2 lb3; do so_director $lb; done
tb_wait 30 nexthops_are $VIP "10.0.0.11 10.0.0.12 10.0.0.13 " ||
	tb_fail "the router has not learnt $VIP from the three directors: $(nexthops $VIP | tr '\n' ' ')"
echo "  three directors announce $VIP: ECMP over $(nexthops $VIP | tr '\n' ' ')($(($(ms) - t0)) ms from the first start)"

# 1. spread: 90 new connections, counted on each director
for lb in lb1 lb2 lb3; do eval "before_$lb=$(conns_of $lb)"; done
ok=$(tb_in client python3 -c '
import socket, sys
ok = 0
for _ in range(90):
    try:
        s = socket.create_connection((sys.argv[1], 80), timeout=3)
        s.sendall(b"GET /test.html HTTP/1.0\r\n\r\n")
        ok += b" 200 " in s.recv(4096)
        s.close()
    except OSError:
        pass
print(ok)' $VIP)
spread=""
for lb in lb1 lb2 lb3; do
	n=$(($(conns_of $lb) - $(eval echo "\$before_$lb")))
	spread="$spread$lb $n, "
	[ "$n" -ge 9 ] || tb_fail "$lb took $n of the 90 new connections: traffic does not spread"
done
echo "  90 new connections: $ok answered; per director: ${spread%, }"
[ "$ok" = 90 ] || tb_fail "$((90 - ok)) of 90 new connections failed"

# 2. 200 keep-alive connections and a download through lb1, then join and leave
client_start ka 200 "$TB_DIR/go.1" "$TB_DIR/go.2" "$TB_DIR/go.3"
echo "  200 keep-alive connections open, answered by: $(cat "$TB_DIR/ka.ready")"
# two downloads from ports outside the ephemeral range, rate-limited
paths_reset
dl_t0=$(ms)
for p in 61001 61002; do
	tb_in client curl -s -m 120 --local-port $p -o "$TB_DIR/dl.$p" \
		"http://$VIP/big.bin?rate=1000k" &
	eval "DL_PID_$p=$!"
done
tb_wait 10 paths_have "$TB_DIR/dl.paths" || tb_fail "the downloads' packets did not reach the router"
echo "  two 20 MB downloads at 1000 KB/s, through $(via_of "$TB_DIR/dl.paths" 61001)and $(via_of "$TB_DIR/dl.paths" 61002)"

t0=$(ms)
so_director lb4
tb_wait 30 nexthops_are $VIP "10.0.0.11 10.0.0.12 10.0.0.13 10.0.0.14 " ||
	tb_fail "lb4 did not join: $(nexthops $VIP | tr '\n' ' ')"
echo "  lb4 joins: announced $(($(ms) - t0)) ms after halb started ($(tb_json lb4 announce 'r["vips"][0]["reason"]'))"
paths_reset
touch "$TB_DIR/go.1"
check_round ka 1 "lb4 joined"
paths_save "$TB_DIR/paths.1"

# (one SIGTERM only: a second one cuts the stop delay short)
t0=$(ms) pid=$(tb_halb_pid lb1)
kill -TERM "$pid"
tb_wait 10 nexthops_are $VIP "10.0.0.12 10.0.0.13 10.0.0.14 " || tb_fail "lb1 did not withdraw $VIP on SIGTERM"
t1=$(ms)
ip -n "$TB-lb1" -4 addr show dev halb-announce | grep -q "$VIP" &&
	tb_fail "$VIP is still on lb1's announce interface"
tb_wait 20 sh -c "! kill -0 $pid" || tb_fail "halb in lb1 did not stop on SIGTERM"
wait "$pid" || tb_fail "halb in lb1 exited with status $? on SIGTERM"
echo "  SIGTERM lb1: withdrawn from the router after $((t1 - t0)) ms, halb stopped after $(($(ms) - t0)) ms (stop_delay_ms 1500); $(grep -c ' 10.0.0.11$' "$TB_DIR/paths.1") flows were on lb1"
paths_reset
touch "$TB_DIR/go.2"
check_round ka 2 "lb1 left (SIGTERM)"
tb_wait 10 paths_have "$TB_DIR/ka.routes" || tb_fail "the downloads' packets did not reach the router"
victims=$(grep -c ' 10.0.0.12$' "$TB_DIR/ka.routes")
for p in 61001 61002; do
	kill -0 "$(eval echo "\$DL_PID_$p")" 2>/dev/null || tb_fail "the download from port $p had ended before the kill"
done
t0=$(ms)
kill -KILL "$(tb_halb_pid lb2)"
touch "$TB_DIR/go.3"
tb_wait 15 nexthops_are $VIP "10.0.0.13 10.0.0.14 " || tb_fail "lb2 was not removed after kill -9"
echo "  kill -9 lb2: the router dropped it after $(($(ms) - t0)) ms (BFD)"
tb_wait 5 sh -c "! ip -n $TB-lb2 link show halb-announce" ||
	tb_fail "lb2's announce interface outlived halb"
# Which connections the router had on lb2 (their packets met nobody until
# BFD told the router), and of the others how many broke: none may.
report ka 3 n >/dev/null
read -r broken lost_live slow_victims slow_others < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
gone = {p for p, via in (l.split() for l in open(sys.argv[2])) if via == "10.0.0.12"}
ms = {p: t for p, t in r["answer_ms"].items()}
print(len(r["broken_ports"]), sum(1 for p in r["broken_ports"] if str(p) not in gone),
      sum(1 for p in gone if ms.get(p, 0) > 500), sum(1 for p, t in ms.items() if p not in gone and t > 500))' \
	"$TB_DIR/ka.report.3" "$TB_DIR/ka.routes")
echo "  kill -9 lb2: $broken of 200 keep-alive connections broken; $victims were hashed to lb2 ($slow_victims of them answered after more than 500 ms, $slow_others of the others), $lost_live broken among those on live directors; slowest answer $(report ka 3 gap_ms) ms, $(report ka 3 same_rs) kept their real server"
[ "$lost_live" = 0 ] || tb_fail "kill -9 lb2 broke $lost_live connections the router kept on live directors"
[ "$(report ka 3 same_rs)" = "$(report ka 3 ok)" ] || tb_fail "kill -9 lb2: connections answered by another real server"

for p in 61001 61002; do
	pid=$(eval echo "\$DL_PID_$p")
	rc=0
	wait "$pid" || rc=$?
	if [ $rc = 0 ] && [ "$(sha256sum <"$TB_DIR/dl.$p" | cut -d' ' -f1)" = "$WANT" ]; then
		echo "  download from port $p (through $(via_of "$TB_DIR/ka.routes" $p)at the kill) completed byte-exact ($(($(ms) - dl_t0)) ms)"
	elif [ "$(via_of "$TB_DIR/ka.routes" $p)" = "10.0.0.12 " ]; then
		echo "  download from port $p, through lb2 at the kill: broken (curl $rc)"
	else
		tb_fail "the download from port $p broke (curl $rc) or arrived corrupted"
	fi
done
adopted=0
for lb in lb3 lb4; do
	adopted=$((adopted + $(tb_json $lb stats 'sum(w["events"]["adopted"] for w in r["workers"])')))
done
echo "  mid-flow packets adopted by lb3 and lb4: $adopted"

# 3. VIP2's real servers all fail: withdrawn within delay_loop + BGP
tb_wait 10 nexthops_are $VIP2 "10.0.0.13 10.0.0.14 " || tb_fail "$VIP2 is not announced by lb3 and lb4"
t0=$(ms)
rm -f "$TB_DIR"/nginx-rs*/www/vip2.html
tb_wait 10 sh -c "[ -z \"\$(ip -n $TB-router route show $VIP2)\" ]" || tb_fail "$VIP2 was not withdrawn"
gone=$(($(ms) - t0))
why=$(tb_json lb3 announce '[v["why"] for v in r["vips"] if v["vip"] == "'$VIP2'"][0]')
echo "  $VIP2's real servers fail: withdrawn from the router after $gone ms (check interval 1000 ms); lb3 says: $why"
[ "$why" = quorum_lost ] || tb_fail "lb3 says $VIP2 is $why, not quorum_lost"
[ $gone -le 2500 ] || tb_fail "$VIP2 took $gone ms to be withdrawn (1 s check interval + BGP)"
nexthops_are $VIP "10.0.0.13 10.0.0.14 " || tb_fail "$VIP was withdrawn with $VIP2"
t0=$(ms)
for i in 1 2; do echo vip2 >"$TB_DIR/nginx-rs$i/www/vip2.html"; done
tb_wait 10 nexthops_are $VIP2 "10.0.0.13 10.0.0.14 " || tb_fail "$VIP2 was not announced again"
echo "  $VIP2's real servers back: announced again after $(($(ms) - t0)) ms"

# a reload keeps the announcements: no withdrawal, no flap
changes=$(tb_json lb3 announce 'sum(v["changes"] for v in r["vips"])')
kill -HUP "$(tb_halb_pid lb3)"
tb_wait 10 reloaded lb3 || tb_fail "lb3 did not reload"
sleep 0.5
[ "$(tb_json lb3 announce 'sum(v["changes"] for v in r["vips"])')" = "$changes" ] ||
	tb_fail "a reload of lb3 withdrew or announced a VIP"
nexthops_are $VIP "10.0.0.13 10.0.0.14 " || tb_fail "$VIP lost lb3 on its reload"
echo "  SIGHUP lb3: both VIPs stayed announced"
exit 0
