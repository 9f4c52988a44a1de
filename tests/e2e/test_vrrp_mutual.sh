#!/bin/bash
# VRRP, seed scenario 2 (LVS-DR, two directors backing each other up) with
# conf/seed/mutual-1.* and mutual-2.* as written:
# - lb1 is MASTER of VI_1 (172.17.100.100, HTTP on 80) and BACKUP of VI_2,
#   lb2 the reverse; both services answer, each VIP's ARP from its master;
# - kill -9 of lb2: lb1 becomes MASTER of both and serves both VIPs;
# - lb2 comes back and takes VI_2 back (VI_1 stays on lb1).
# The seed health-checks the 443 service with HTTP_GET, so the real servers
# answer plain HTTP on 443 (TB_HTTP443=1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP1=172.17.100.100
VIP2=172.17.100.101
URL1=http://$VIP1/test.html
URL2=http://$VIP2:443/test.html

tb_init vmu
tb_host client 172.17.0.2/16
TB_HTTP443=1 tb_rs rs01 172.17.1.7/16 "" $VIP1 $VIP2
TB_HTTP443=1 tb_rs rs02 172.17.22.22/16 "" $VIP1 $VIP2
tb_director lb1
tb_director lb2
mac1=$(vt_mac lb1 nic0)
mac2=$(vt_mac lb2 nic0)

states() { echo "lb1: VI_1 $(tb_vrrp_state lb1 VI_1), VI_2 $(tb_vrrp_state lb1 VI_2); lb2: VI_1 $(tb_vrrp_state lb2 VI_1), VI_2 $(tb_vrrp_state lb2 VI_2)"; }
# the steady state: lb1 MASTER of VI_1 and BACKUP of VI_2, lb2 the reverse
steady() {
	tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb1 VI_2 BACKUP &&
		tb_vrrp_is lb2 VI_1 BACKUP && tb_vrrp_is lb2 VI_2 MASTER
}

tb_halb lb1 "$SEED/mutual-1.conf" "$SEED/mutual-1.cfg"
tb_halb lb2 "$SEED/mutual-2.conf" "$SEED/mutual-2.cfg"
tb_wait 15 steady || tb_fail "not each MASTER of its own VIP: $(states)"
vt_has_addr lb1 $VIP1 && ! vt_has_addr lb1 $VIP2 || tb_fail "lb1's TAP should carry $VIP1 only"
vt_has_addr lb2 $VIP2 && ! vt_has_addr lb2 $VIP1 || tb_fail "lb2's TAP should carry $VIP2 only"
# the seed's HTTP_GET to port 443 passes against plain HTTP on 443
tb_wait 10 sh -c "[ \"\$(ip netns exec $TB-lb2 $HALBCTL -P $(tb_prefix lb2) --json checks |
	python3 -c 'import json,sys; print(sorted({c[\"state\"] for c in json.load(sys.stdin)[\"checks\"] if c[\"vport\"] == 443}))')\" = \"['UP']\" ]" ||
	tb_fail "the HTTP_GET checks of port 443 on lb2 are not all UP: $(tb_halbctl lb2 checks)"
tb_wait 10 vt_curl client $URL1 || tb_fail "no service on $URL1"
tb_wait 10 vt_curl client $URL2 || tb_fail "no service on $URL2"
b1=$(vt_curl client $URL1)
b2=$(vt_curl client $URL2)
vt_neigh_is client $VIP1 "$mac1" || tb_fail "the client's ARP entry for $VIP1 is not lb1's $mac1"
vt_neigh_is client $VIP2 "$mac2" || tb_fail "the client's ARP entry for $VIP2 is not lb2's $mac2"
r1=$(vt_arp_replies client $VIP1 | tr '\n' ' ')
r2=$(vt_arp_replies client $VIP2 | tr '\n' ' ')
[ "$r1" = "$mac1 " ] || tb_fail "ARP for $VIP1 answered by [$r1], want only lb1 ($mac1)"
[ "$r2" = "$mac2 " ] || tb_fail "ARP for $VIP2 answered by [$r2], want only lb2 ($mac2)"
echo "  lb1 MASTER of VI_1 ($VIP1:80 -> $b1), lb2 MASTER of VI_2 ($VIP2:443 -> $b2)"
echo "  ARP: $VIP1 only from lb1, $VIP2 only from lb2"

# --- lb2 dies: lb1 serves both
t0=$(vt_ms)
vt_kill9 lb2
outage=$(vt_serve_wait client $URL2 20 "$t0") || tb_fail "no service on $URL2 20 s after lb2 died"
tb_wait 5 tb_vrrp_is lb1 VI_2 MASTER || tb_fail "lb1 is not MASTER of VI_2 after lb2 died: $(vt_state_line lb1 VI_2)"
tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 lost VI_1: $(vt_state_line lb1 VI_1)"
took=$(($(vt_became lb1 VI_2 MASTER) - t0))
vt_has_addr lb1 $VIP1 && vt_has_addr lb1 $VIP2 || tb_fail "lb1 does not carry both VIPs"
tb_wait 5 vt_neigh_is client $VIP2 "$mac1" || tb_fail "the client's ARP entry for $VIP2 did not move to lb1"
vt_curl client $URL1 >/dev/null || tb_fail "$URL1 fails while lb1 serves both"
echo "  kill -9 lb2: lb1 MASTER of VI_1 and VI_2 (VI_2 after $took ms), both VIPs on lb1"
echo "  outage of $VIP2:443 after kill -9: $outage ms ($URL2 -> $(vt_curl client $URL2))"

# --- lb2 returns and takes VI_2 back
t0=$(vt_ms)
tb_halb lb2 "$SEED/mutual-2.conf" "$SEED/mutual-2.cfg"
tb_wait 15 steady || tb_fail "lb2 does not take VI_2 back: $(states)"
took=$(($(vt_became lb2 VI_2 MASTER) - t0))
tb_wait 5 sh -c "! ip -n $TB-lb1 -4 -o addr show | grep -q ' inet $VIP2/'" || tb_fail "lb1 keeps $VIP2"
vt_has_addr lb1 $VIP1 || tb_fail "lb1 lost $VIP1 when lb2 returned"
tb_wait 5 vt_neigh_is client $VIP2 "$mac2" || tb_fail "the client's ARP entry for $VIP2 did not move back to lb2"
tb_wait 5 vt_curl client $URL2 || tb_fail "no service on $URL2 after lb2 returned"
vt_curl client $URL1 >/dev/null || tb_fail "no service on $URL1 after lb2 returned"
echo "  lb2 back: MASTER of VI_2 $took ms after its start; lb1 keeps VI_1; both services answer"
exit 0
