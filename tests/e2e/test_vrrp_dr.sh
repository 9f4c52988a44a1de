#!/bin/bash
# VRRP, seed scenario 1 (LVS-DR, master and backup) with conf/seed/dr-master.*
# and dr-backup.* as written:
# - lb1 MASTER serves the VIP, lb2 BACKUP holds no VIP and answers no ARP for
#   it (only lb1's MAC answers; the client's entry is lb1's), nor forwards a
#   request sent to its MAC (client2 has a static ARP entry VIP -> lb2);
# - kill -9 of lb1: lb2 becomes MASTER, the client's ARP entry moves to lb2,
#   requests work again (the outage is printed);
# - lb1 comes back and takes the VIP back (preemption), the ARP entry with it;
# - SIGTERM on lb1: its priority-0 advert hands over to lb2 in under 2 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
URL=http://$VIP/test.html

tb_init vdr
tb_host client 172.17.0.2/16
tb_host client2 172.17.0.3/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
tb_director lb2
mac1=$(vt_mac lb1 nic0)
mac2=$(vt_mac lb2 nic0)
ip -n "$TB-client2" neigh replace $VIP lladdr "$mac2" dev eth0 nud permanent

tb_halb lb1 "$SEED/dr-master.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"
[ "$(tb_json lb1 ports 'r["ports"][0]["mac"]')" = "$mac1" ] ||
	tb_fail "halbctl ports on lb1 does not show nic0's MAC $mac1"

# --- the master serves
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER: $(vt_state_line lb1 VI_1)"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 is not BACKUP: $(vt_state_line lb2 VI_1)"
[ "$(vt_vrrp lb2 VI_1 'i["master"]')" = 172.17.1.6 ] ||
	tb_fail "lb2 does not see lb1 as the master: $(vt_state_line lb2 VI_1)"
vt_has_addr lb1 $VIP || tb_fail "the MASTER lb1 does not carry the VIP on its TAP"
vt_has_addr lb2 $VIP && tb_fail "the BACKUP lb2 carries the VIP on its TAP"
tb_wait 10 vt_curl client $URL || tb_fail "the client cannot reach $URL through lb1"
body=$(vt_curl client $URL)
vt_neigh_is client $VIP "$mac1" ||
	tb_fail "the client's ARP entry for the VIP is $(vt_neigh_mac client $VIP), not lb1's $mac1"
replies=$(vt_arp_replies client $VIP | tr '\n' ' ')
[ "$replies" = "$mac1 " ] || tb_fail "ARP for the VIP answered by [$replies], want only lb1 ($mac1; lb2 is $mac2)"
echo "  lb1 MASTER, lb2 BACKUP; $URL -> $body; only lb1 ($mac1) answers ARP for the VIP"
vt_curl client2 $URL >/dev/null && tb_fail "the BACKUP lb2 forwarded a request for the VIP sent to its MAC"
drops=$(tb_json lb2 stats 'r["drops"].get("vip_not_owned", 0)')
[ "$drops" -gt 0 ] || tb_fail "lb2 counts no vip_not_owned drop for the request sent to it: $(tb_halbctl lb2 --json stats)"
echo "  the BACKUP lb2 drops a request sent to its MAC (vip_not_owned: $drops)"

# --- kill -9 the master
t0=$(vt_ms)
vt_kill9 lb1
outage=$(vt_serve_wait client $URL 20 "$t0") || tb_fail "no service 20 s after the master died"
tb_wait 5 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 is not MASTER after lb1 died: $(vt_state_line lb2 VI_1)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
vt_has_addr lb2 $VIP || tb_fail "lb2 is MASTER but its TAP lacks the VIP"
tb_wait 5 vt_neigh_is client $VIP "$mac2" ||
	tb_fail "the client's ARP entry for the VIP is $(vt_neigh_mac client $VIP), not lb2's $mac2"
vt_curl client2 $URL >/dev/null || tb_fail "the MASTER lb2 does not serve a request sent to its MAC"
echo "  kill -9 lb1: lb2 MASTER after $took ms, client ARP entry -> lb2 ($mac2)"
echo "  outage after kill -9: $outage ms ($URL -> $(vt_curl client $URL))"

# --- the master returns and takes the VIP back
t0=$(vt_ms)
tb_halb lb1 "$SEED/dr-master.conf" "$SEED/dr-master.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "the returning lb1 does not take over: $(vt_state_line lb1 VI_1)"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 does not step down: $(vt_state_line lb2 VI_1)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
tb_wait 5 sh -c "! ip -n $TB-lb2 -4 -o addr show | grep -q ' inet $VIP/'" ||
	tb_fail "lb2 keeps the VIP on its TAP after stepping down"
tb_wait 5 vt_neigh_is client $VIP "$mac1" ||
	tb_fail "the client's ARP entry for the VIP stays $(vt_neigh_mac client $VIP) after lb1 took over"
tb_wait 5 vt_curl client $URL || tb_fail "no service through the returned master"
echo "  lb1 back: MASTER $took ms after its start, lb2 BACKUP, client ARP entry -> lb1"

# --- SIGTERM: priority 0 advert, quick handover
t0=$(vt_ms)
kill -TERM "$(tb_halb_pid lb1)"
outage=$(vt_serve_wait client $URL 10 "$t0") || tb_fail "no service after lb1's SIGTERM"
tb_stop_halb lb1 TERM # reaps it (a second SIGTERM is ignored)
[ "$TB_HALB_RC" = 0 ] || tb_fail "halb on lb1 exited with $TB_HALB_RC on SIGTERM"
tb_wait 5 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 is not MASTER after lb1's SIGTERM: $(vt_state_line lb2 VI_1)"
handover=$(($(vt_became lb2 VI_1 MASTER) - t0))
reason=$(vt_vrrp lb2 VI_1 'i["transitions"][-1]["reason"]')
echo "  SIGTERM on lb1: lb2 MASTER after $handover ms ($reason)"
[ "$handover" -lt 2000 ] || tb_fail "handover after SIGTERM took $handover ms (priority-0 advert: about 0.6 s expected)"
tb_wait 5 vt_neigh_is client $VIP "$mac2" || tb_fail "the client's ARP entry did not move to lb2 after SIGTERM"
echo "  outage after SIGTERM: $outage ms"
exit 0
