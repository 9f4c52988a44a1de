#!/bin/bash
# Dual stack: one director, one port with an IPv4 and IPv6 addresses, two
# VRRP instances (one family each: VI_4 VRRPv2 over IPv4, VI_6 VRRPv3 over
# IPv6) and three services served at once:
#   172.17.100.100:80     DR to rs01 (IPv4)
#   [2001:db8:100::100]:80 NAT to [2001:db8:1::7]:80 (rs01 over IPv6; its
#                         replies go through the floating gateway
#                         2001:db8:1::fe, which VI_6 holds)
#   [2001:db8:100::100]:81 TUN to rs02's IPv4 address 172.17.1.8 (IPv6 in
#                         IPv4, as IPVS allows for tunnels)
# Checks: the checkers find the three servers up (over both families); the
# client's requests to the DR and NAT services, interleaved, all succeed
# while a connection to each is held open; a SYN to the TUN service reaches
# rs02 as IPv6 in IPv4 (protocol 41) from the director's IPv4 address, as
# tcpdump decodes it there (this machine's kernel has no sit driver to
# unwrap it, so the tunnel is checked on the wire); the connection table
# holds both families; halbctl prints both as ipvsadm does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
. "$(dirname "$0")/forward_lib.sh"
VIP4=172.17.100.100
VIP6=2001:db8:100::100
GW6=2001:db8:1::fe
URLS="http://$VIP4/test.html http://[$VIP6]/test.html"

tb_init dst
ip -n "$TB-sw" link set br0 type bridge mcast_snooping 0
tb_host client 172.17.0.2/16
tb_addr client eth0 2001:db8:c::2/64
ip -n "$TB-client" -6 route add 2001:db8:100::/64 dev eth0
ip -n "$TB-client" -6 route add 2001:db8:1::/64 dev eth0
tb_rs rs01 172.17.1.7/16 "" $VIP4
tb_addr rs01 eth0 2001:db8:1::7/64
ip -n "$TB-rs01" -6 route add 2001:db8:c::/64 via $GW6
tb_rs rs02 172.17.1.8/16 ""
tb_director lb1

cat >"$TB_DIR/lb1.conf" <<EOF
global_defs {
    router_id lb1
}
vrrp_instance VI_4 {
    state MASTER
    interface eth1
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        $VIP4
    }
}
vrrp_instance VI_6 {
    state MASTER
    interface eth1
    virtual_router_id 61
    version 3
    priority 100
    advert_int 1
    virtual_ipaddress {
        $VIP6
        $GW6/64
    }
}
virtual_server $VIP4 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 172.17.1.7 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
virtual_server $VIP6 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 2001:db8:1::7 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
virtual_server $VIP6 81 {
    lb_algo rr
    lb_kind TUN
    protocol TCP
    real_server 172.17.1.8 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
EOF
cat >"$TB_DIR/lb1-dp.cfg" <<EOF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "lb1"];
workers = 2;
idle_sleep_us = 100;
connections = 65536;
ports = (
  { name = "eth1"; device = "net_af_packet0,iface=nic0,qpairs=2";
    addresses = ["172.17.1.6/16", "2001:db8:1::6/64", "2001:db8:c::6/64"]; }
);
routes = ();
EOF

t0=$(vt_ms)
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/lb1-dp.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_4 MASTER || tb_fail "VI_4 is not MASTER: $(vt_state_line lb1 VI_4)"
tb_wait 15 tb_vrrp_is lb1 VI_6 MASTER || tb_fail "VI_6 is not MASTER: $(vt_state_line lb1 VI_6)"
[ "$(vt_vrrp lb1 VI_4 'i["version"]') $(vt_vrrp lb1 VI_6 'i["version"]')" = "2 3" ] ||
	tb_fail "VI_4 and VI_6 do not run VRRPv2 and VRRPv3"
tb_wait 20 fw_healthy lb1 3 || tb_fail "the checkers do not find 3 healthy real servers: $(tb_halbctl lb1 checks)"
echo "  VI_4 (VRRPv2, IPv4) and VI_6 (VRRPv3, IPv6) MASTER, 3 checks up over both families after $(($(vt_ms) - t0)) ms"

for url in $URLS; do
	tb_wait 10 vt_curl client "$url" || tb_fail "the client cannot reach $url"
done
fw_clear rs01 rs02
# the tunnel: a SYN to the TUN service, seen on rs02's wire
tb_in rs02 timeout 8 tcpdump -i eth0 -nn -v -l 'ip proto 41' >"$TB_DIR/tun" 2>"$TB_DIR/tun.err" &
cap=$!
tb_wait 4 grep -q "listening on" "$TB_DIR/tun.err" || tb_fail "tcpdump did not start on rs02"
tb_in client curl -s -o /dev/null -m 1 "http://[$VIP6]:81/test.html"
# one connection open to each service while the others are asked
tb_in client python3 -c '
import socket, sys, time
socks = [socket.create_connection(a, timeout=2) for a in
         (("172.17.100.100", 80), ("2001:db8:100::100", 80))]
open(sys.argv[1], "w").write("open\n")
time.sleep(3)
' "$TB_DIR/held" &
held=$!
tb_wait 5 test -s "$TB_DIR/held" || tb_fail "the client could not hold a connection to each service"
failed=0
for i in $(seq 10); do
	for url in $URLS; do
		tb_in client curl -s -o /dev/null -f -m 2 "$url" || failed=$((failed + 1))
	done
done
[ "$failed" = 0 ] || tb_fail "$failed of 20 interleaved requests failed"
counts=$(fw_counts rs01 rs02)
[ "$counts" = "rs01=20 rs02=0 " ] || tb_fail "20 requests (10 a service) gave $counts, want rs01=20"
grep -h 'GET /test.html' "$TB_DIR"/nginx-rs01/access.log | grep -q '^2001:db8:c::2 ' ||
	tb_fail "rs01 does not see the IPv6 client through NAT"
echo "  20 interleaved requests (IPv4 DR, IPv6 NAT), a connection to each held open: $counts"
kill "$cap" 2>/dev/null
wait "$cap" 2>/dev/null
tr -s ' \n' ' ' <"$TB_DIR/tun" | grep -qE "IP \(.*proto IPv6 \(41\).*\) 172\.17\.1\.6 > 172\.17\.1\.8: .*2001:db8:c::2\.[0-9]+ > $VIP6\.81: Flags \[S\]" ||
	tb_fail "rs02 saw no SYN for [$VIP6]:81 in IPv4 from 172.17.1.6: $(head -c 600 "$TB_DIR/tun")"
echo "  [$VIP6]:81 TUN: the client's SYN reaches rs02 as IPv6 in IPv4 from 172.17.1.6"
families=$(tb_json lb1 conns 'sorted({("6" if ":" in c["client"] else "4") + c["forward"] for c in r["conns"]})')
[ "$families" = "['4DR', '6NAT', '6TUN']" ] || tb_fail "the connection table holds $families"
wait "$held"
tb_halbctl lb1 list >"$TB_DIR/list"
grep -q "^TCP  $VIP4:80 rr" "$TB_DIR/list" && grep -q "^TCP  \[$VIP6\]:81 rr" "$TB_DIR/list" &&
	grep -q -- "-> 172.17.1.8:80 *Tunnel" "$TB_DIR/list" || tb_fail "halbctl list: $(cat "$TB_DIR/list")"
sed 's/^/  /' "$TB_DIR/list"
bad=$(tb_json lb1 stats '" ".join(k for k in r["drops"] if k.startswith("bad_") or "ipv6" in k)')
[ -z "$bad" ] || tb_fail "lb1 dropped frames as $bad"
echo "  the connection table holds IPv4 and IPv6 entries ($families); no malformed drop"
exit 0
