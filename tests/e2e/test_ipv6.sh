#!/bin/bash
# IPv6 only: a client, two halb directors (VRRPv3 over IPv6, lb1 MASTER 100,
# lb2 BACKUP 99) and two nginx real servers, no IPv4 address anywhere.
#   VIP 2001:db8:100::100, port 80 DR (rr) and port 8080 NAT to port 80
#   (wrr, persistence by /64); the real servers (2001:db8:1::7 and ::8,
#   VIP on lo) answer DR requests straight to the client and route NAT
#   replies through the floating gateway 2001:db8:1::fe, held with the VIP.
#   The client (2001:db8:c::2) reaches the VIP on its link: it resolves it
#   by neighbour solicitation, which the master's worker answers.
# Checks: checkers reach the real servers over IPv6 through the TAP; DR and
# NAT serve; halbctl prints [2001:db8:100::100]:80 as ipvsadm does; only
# the master answers neighbour solicitations for the VIP; kill -9 of the
# master: lb2 takes over and its unsolicited NA moves the client's
# neighbour entry (no new solicitation); DR and NAT serve again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
. "$(dirname "$0")/forward_lib.sh"
VIP=2001:db8:100::100
GW=2001:db8:1::fe
DR_URL=http://[$VIP]/test.html
NAT_URL=http://[$VIP]:8080/test.html

tb_init ip6
# ff02::12 and the solicited-node groups are flooded (no MLD snooping)
ip -n "$TB-sw" link set br0 type bridge mcast_snooping 0
tb_host client 2001:db8:c::2/64
ip -n "$TB-client" -6 route add 2001:db8:100::/64 dev eth0
ip -n "$TB-client" -6 route add 2001:db8:1::/64 dev eth0
for rs in rs01:7 rs02:8; do
	name=${rs%:*}
	tb_rs "$name" "2001:db8:1::${rs#*:}/64" "" $VIP
	# NAT replies through the floating gateway, DR replies (from the VIP)
	# straight to the client's link
	ip -n "$TB-$name" -6 route add 2001:db8:c::/64 via $GW
	ip -n "$TB-$name" -6 rule add from $VIP lookup 100
	ip -n "$TB-$name" -6 route add 2001:db8:c::/64 dev eth0 table 100
done
tb_director lb1
tb_director lb2
mac1=$(vt_mac lb1 nic0)
mac2=$(vt_mac lb2 nic0)

# conf NAME STATE PRIORITY DIP: keepalived.conf and dataplane file for NAME
conf() {
	cat >"$TB_DIR/$1.conf" <<-EOF
		global_defs {
		    router_id $1
		    vrrp_garp_master_delay 1
		    vrrp_version 3
		}
		vrrp_instance VI_6 {
		    state $2
		    interface eth1
		    virtual_router_id 61
		    priority $3
		    advert_int 1
		    virtual_ipaddress {
		        $VIP/128
		        $GW/64
		    }
		}
		virtual_server $VIP 80 {
		    delay_loop 3
		    lb_algo rr
		    lb_kind DR
		    protocol TCP
		    real_server 2001:db8:1::7 80 {
		        TCP_CHECK {
		            connect_timeout 1
		            delay_before_retry 1
		        }
		    }
		    real_server 2001:db8:1::8 80 {
		        TCP_CHECK {
		            connect_timeout 1
		            delay_before_retry 1
		        }
		    }
		}
		virtual_server $VIP 8080 {
		    delay_loop 3
		    lb_algo wrr
		    lb_kind NAT
		    persistence_timeout 60
		    persistence_granularity 64
		    protocol TCP
		    real_server 2001:db8:1::7 80 {
		        HTTP_GET {
		            url {
		                path /
		            }
		            connect_timeout 1
		            delay_before_retry 1
		        }
		    }
		    real_server 2001:db8:1::8 80 {
		        HTTP_GET {
		            url {
		                path /
		            }
		            connect_timeout 1
		            delay_before_retry 1
		        }
		    }
		}
	EOF
	cat >"$TB_DIR/$1-dp.cfg" <<-EOF
		eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "$1"];
		workers = 2;
		idle_sleep_us = 100;
		connections = 65536;
		ports = (
		  { name = "eth1"; device = "net_af_packet0,iface=nic0,qpairs=2";
		    addresses = ["$4/64", "2001:db8:c::${4##*::}/64"]; }
		);
		routes = ();
	EOF
}
conf lb1 MASTER 100 2001:db8:1::6
conf lb2 BACKUP 99 2001:db8:1::16
# nd_replies NAME: the MACs that answer a fresh solicitation for the VIP
nd_replies() {
	local cap=$TB_DIR/nd-$RANDOM pid
	tb_in "$1" timeout 5 tcpdump -i eth0 -nn -e -l 'icmp6 and ip6[40] == 136' >"$cap" 2>"$cap.err" &
	pid=$!
	tb_wait 4 grep -q "listening on" "$cap.err" || { kill "$pid" 2>/dev/null; return 1; }
	ip -n "$TB-$1" neigh del $VIP dev eth0 2>/dev/null
	tb_in "$1" ping -6 -c 1 -W 1 $VIP >/dev/null 2>&1
	sleep 0.5
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep "tgt is $VIP" "$cap" | awk '{ print $2 }' | sort -u
}
# ns_capture FILE: the client's multicast neighbour solicitations (address
# resolution; the unicast ones that confirm a stale entry are the kernel's
# routine after any unsolicited advert), into FILE until killed
ns_capture() {
	tb_in client timeout 60 tcpdump -i eth0 -nn -l \
		'icmp6 and ip6[40] == 135 and ip6[24] == 0xff' >"$1" 2>"$1.err" &
	NS_PID=$!
	tb_wait 4 grep -q "listening on" "$1.err" || tb_fail "tcpdump did not start on the client"
}
healthy() { fw_healthy "$1" 4; }

t_start=$(vt_ms)
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/lb1-dp.cfg"
tb_halb lb2 "$TB_DIR/lb2.conf" "$TB_DIR/lb2-dp.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_6 MASTER || tb_fail "lb1 is not MASTER: $(vt_state_line lb1 VI_6)"
tb_wait 5 tb_vrrp_is lb2 VI_6 BACKUP || tb_fail "lb2 is not BACKUP: $(vt_state_line lb2 VI_6)"
ll1=$(vt_vrrp lb2 VI_6 'i["master"]')
case $ll1 in
fe80:*) ;;
*) tb_fail "lb2 sees the master as '$ll1', not a link-local address: $(vt_state_line lb2 VI_6)" ;;
esac
[ "$(vt_vrrp lb1 VI_6 'i["version"]')" = 3 ] || tb_fail "lb1 does not run VRRPv3"
vt_has_addr lb1 $VIP || tb_fail "the MASTER lb1 does not carry the VIP on its TAP"
vt_has_addr lb2 $VIP && tb_fail "the BACKUP lb2 carries the VIP on its TAP"
tb_wait 20 healthy lb1 || tb_fail "checks over IPv6 did not find 4 healthy real servers: $(tb_halbctl lb1 list)"
echo "  lb1 MASTER (adverts from $ll1 to ff02::12), lb2 BACKUP; 4 checks over IPv6 healthy after $(($(vt_ms) - t_start)) ms"

tb_wait 10 vt_curl client "$DR_URL" || tb_fail "the client cannot reach $DR_URL"
fw_clear rs01 rs02
failed=$(fw_requests 20 "$DR_URL")
[ "$failed" = 0 ] || tb_fail "$failed of 20 DR requests failed"
dr_counts=$(fw_counts rs01 rs02)
[ "$dr_counts" = "rs01=10 rs02=10 " ] || tb_fail "rr over two real servers gave $dr_counts"
grep -h 'GET /test.html' "$TB_DIR"/nginx-rs0?/access.log | grep -q '^2001:db8:c::2 ' ||
	tb_fail "the real server does not see the client's address"
fw_clear rs01 rs02
failed=$(fw_requests 20 "$NAT_URL")
[ "$failed" = 0 ] || tb_fail "$failed of 20 NAT requests failed"
nat_counts=$(fw_counts rs01 rs02)
case "$nat_counts" in
"rs01=20 rs02=0 " | "rs01=0 rs02=20 ") ;;
*) tb_fail "persistence by /64 did not hold the client to one server: $nat_counts" ;;
esac
echo "  DR [$VIP]:80, 20 requests: $dr_counts; NAT [$VIP]:8080, 20 requests: $nat_counts"
tb_halbctl lb1 list >"$TB_DIR/list"
grep -q "^TCP  \[$VIP\]:80 " "$TB_DIR/list" && grep -q "\[2001:db8:1::7\]:80 " "$TB_DIR/list" ||
	tb_fail "halbctl list does not print [$VIP]:80 as ipvsadm does: $(cat "$TB_DIR/list")"
sed 's/^/  /' "$TB_DIR/list"
vt_neigh_is client $VIP "$mac1" ||
	tb_fail "the client's neighbour entry for the VIP is $(vt_neigh_mac client $VIP), not lb1's $mac1"
replies=$(nd_replies client | tr '\n' ' ')
[ "$replies" = "$mac1 " ] || tb_fail "solicitations for the VIP answered by [$replies], want only lb1 ($mac1; lb2 is $mac2)"
nd=$(tb_json lb1 stats 'sum(w["events"]["nd_replies"] for w in r["workers"])')
[ "$nd" -gt 0 ] || tb_fail "lb1's workers count no solicitation answered"
echo "  only lb1 ($mac1) answers solicitations for the VIP (lb1's workers answered $nd)"

# --- kill -9 the master
tb_in client curl -s -o /dev/null -m 1 "$DR_URL"
vt_neigh_is client $VIP "$mac1" || tb_fail "the client's entry for the VIP is not lb1's before the kill"
ns_capture "$TB_DIR/ns"
t0=$(vt_ms)
vt_kill9 lb1
outage=$(vt_serve_wait client "$DR_URL" 20 "$t0") || tb_fail "no DR service 20 s after the master died"
tb_wait 5 tb_vrrp_is lb2 VI_6 MASTER || tb_fail "lb2 is not MASTER after lb1 died: $(vt_state_line lb2 VI_6)"
took=$(($(vt_became lb2 VI_6 MASTER) - t0))
vt_has_addr lb2 $VIP || tb_fail "lb2 is MASTER but its TAP lacks the VIP"
tb_wait 5 vt_neigh_is client $VIP "$mac2" ||
	tb_fail "the client's neighbour entry for the VIP is $(vt_neigh_mac client $VIP), not lb2's $mac2"
kill "$NS_PID" 2>/dev/null
wait "$NS_PID" 2>/dev/null
ns=$(grep -c "neighbor solicitation, who has $VIP," "$TB_DIR/ns")
# the entry was REACHABLE: without lb2's unsolicited NA it would have kept
# lb1's MAC until reachable_time (15 s at least) ran out, then been probed
# and resolved anew by a multicast solicitation
[ "$ns" = 0 ] || tb_fail "the client resolved the VIP anew ($ns multicast solicitations): its entry did not follow an unsolicited NA"
echo "  kill -9 lb1: lb2 MASTER after $took ms; client neighbour entry -> lb2 ($mac2), client sent no multicast solicitation meanwhile"
echo "  DR outage after kill -9: $outage ms"
tb_wait 20 healthy lb2 || tb_fail "lb2 does not see 4 healthy real servers"
vt_serve_wait client "$NAT_URL" 10 "$(vt_ms)" >/dev/null || tb_fail "no NAT service through lb2"
fw_clear rs01 rs02
failed=$(fw_requests 10 "$NAT_URL")
[ "$failed" = 0 ] || tb_fail "$failed of 10 NAT requests through lb2 failed"
echo "  NAT through lb2: 10 requests, $(fw_counts rs01 rs02)(gateway $GW moved with the VIP)"

# --- the master returns and takes the VIP back (preemption), then SIGTERM
t0=$(vt_ms)
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/lb1-dp.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_6 MASTER || tb_fail "the returning lb1 does not take over: $(vt_state_line lb1 VI_6)"
tb_wait 5 tb_vrrp_is lb2 VI_6 BACKUP || tb_fail "lb2 does not step down: $(vt_state_line lb2 VI_6)"
took=$(($(vt_became lb1 VI_6 MASTER) - t0))
lacks_addr() { ! vt_has_addr "$@"; }
tb_wait 5 lacks_addr lb2 $VIP ||
	tb_fail "lb2 keeps the VIP on its TAP after stepping down"
tb_wait 5 vt_neigh_is client $VIP "$mac1" ||
	tb_fail "the client's neighbour entry for the VIP stays $(vt_neigh_mac client $VIP) after lb1 took over"
tb_wait 10 vt_curl client "$DR_URL" || tb_fail "no DR service through the returned master"
echo "  lb1 back: MASTER $took ms after its start, lb2 BACKUP, client neighbour entry -> lb1"
t0=$(vt_ms)
kill -TERM "$(tb_halb_pid lb1)"
outage=$(vt_serve_wait client "$DR_URL" 10 "$t0") || tb_fail "no DR service after lb1's SIGTERM"
tb_stop_halb lb1 TERM
[ "$TB_HALB_RC" = 0 ] || tb_fail "halb on lb1 exited with $TB_HALB_RC on SIGTERM"
tb_wait 5 tb_vrrp_is lb2 VI_6 MASTER || tb_fail "lb2 is not MASTER after lb1's SIGTERM: $(vt_state_line lb2 VI_6)"
handover=$(($(vt_became lb2 VI_6 MASTER) - t0))
[ "$handover" -lt 2000 ] || tb_fail "handover after SIGTERM took $handover ms (priority-0 advert: about 0.6 s expected)"
tb_wait 5 vt_neigh_is client $VIP "$mac2" || tb_fail "the client's neighbour entry did not move to lb2 after SIGTERM"
echo "  SIGTERM on lb1: lb2 MASTER after $handover ms; DR outage $outage ms"
echo "  whole bed: $(($(vt_ms) - t_start)) ms"
exit 0
