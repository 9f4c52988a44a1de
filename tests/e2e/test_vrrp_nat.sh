#!/bin/bash
# VRRP, seed scenario 3 (LVS-NAT, master and backup) with conf/seed/nat-master.*
# and nat-backup.* as written. VI_1 carries the VIP 172.17.100.100 and the
# floating DIP 192.168.30.100, the real servers' default gateway:
# - lb1 MASTER holds both (its TAP), serves the client (172.17.0.2/16, no route
#   to 192.168.30.0/24) through NAT; lb2 holds neither;
# - kill -9 of lb1: lb2 holds VIP and DIP, the real servers' ARP entry for the
#   DIP and the client's for the VIP move to lb2, requests work again (the
#   replies follow the DIP);
# - lb1 returns and takes both back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
DIP=192.168.30.100
URL=http://$VIP/test.html

tb_init vna
tb_host client 172.17.0.2/16
tb_rs rs01 192.168.30.107/24 $DIP
tb_rs rs02 192.168.30.7/24 $DIP
tb_director lb1
tb_director lb2
mac1=$(vt_mac lb1 nic0)
mac2=$(vt_mac lb2 nic0)
tb_in client ip route get 192.168.30.107 >/dev/null 2>&1 &&
	tb_fail "the client has a route to the real servers; NAT would not be tested"

holds() { vt_has_addr "$1" $VIP && vt_has_addr "$1" $DIP; }
holds_none() { ! vt_has_addr "$1" $VIP && ! vt_has_addr "$1" $DIP; }
# the real server that served the last request has its DIP entry on MAC
rs_dip_is() { vt_neigh_is "$1" $DIP "$2"; }

tb_halb lb1 "$SEED/nat-master.conf" "$SEED/nat-master.cfg"
tb_halb lb2 "$SEED/nat-backup.conf" "$SEED/nat-backup.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER: $(vt_state_line lb1 VI_1)"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 is not BACKUP: $(vt_state_line lb2 VI_1)"
holds lb1 || tb_fail "lb1's TAP eth0 lacks VIP or DIP: $(ip -n $TB-lb1 -4 -o addr show)"
holds_none lb2 || tb_fail "the BACKUP lb2 carries VIP or DIP: $(ip -n $TB-lb2 -4 -o addr show)"
tb_wait 10 vt_curl client $URL || tb_fail "the client cannot reach $URL through lb1 (NAT)"
rs=$(vt_curl client $URL) || tb_fail "the client cannot reach $URL through lb1 (NAT)"
rs_dip_is "$rs" "$mac1" || tb_fail "$rs's ARP entry for the DIP is $(vt_neigh_mac "$rs" $DIP), not lb1's $mac1"
vt_neigh_is client $VIP "$mac1" || tb_fail "the client's ARP entry for the VIP is not lb1's"
r=$(vt_arp_replies client $VIP | tr '\n' ' ')
[ "$r" = "$mac1 " ] || tb_fail "ARP for the VIP answered by [$r], want only lb1 ($mac1)"
echo "  lb1 MASTER holds $VIP and $DIP, lb2 BACKUP holds neither; $URL -> $rs via NAT"

# --- kill -9 the master
t0=$(vt_ms)
vt_kill9 lb1
outage=$(vt_serve_wait client $URL 20 "$t0") || tb_fail "no service 20 s after the master died"
tb_wait 5 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 is not MASTER after lb1 died: $(vt_state_line lb2 VI_1)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
holds lb2 || tb_fail "lb2 is MASTER but its TAP eth1 lacks VIP or DIP: $(ip -n $TB-lb2 -4 -o addr show)"
rs=$(vt_curl client $URL) || tb_fail "a request through lb2 failed"
tb_wait 5 rs_dip_is "$rs" "$mac2" ||
	tb_fail "$rs's ARP entry for the DIP is $(vt_neigh_mac "$rs" $DIP), not lb2's $mac2"
tb_wait 5 vt_neigh_is client $VIP "$mac2" || tb_fail "the client's ARP entry for the VIP did not move to lb2"
echo "  kill -9 lb1: lb2 MASTER after $took ms, holds $VIP and $DIP; $rs's DIP entry -> lb2 ($mac2)"
echo "  outage after kill -9: $outage ms ($URL -> $rs, replies through the DIP on lb2)"

# --- the master returns and takes both back
t0=$(vt_ms)
tb_halb lb1 "$SEED/nat-master.conf" "$SEED/nat-master.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "the returning lb1 does not take over: $(vt_state_line lb1 VI_1)"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 does not step down: $(vt_state_line lb2 VI_1)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
holds lb1 || tb_fail "the returned MASTER lb1 lacks VIP or DIP"
tb_wait 5 holds_none lb2 || tb_fail "lb2 keeps VIP or DIP after stepping down: $(ip -n $TB-lb2 -4 -o addr show)"
tb_wait 5 vt_neigh_is client $VIP "$mac1" || tb_fail "the client's ARP entry for the VIP did not move back to lb1"
tb_wait 5 rs_dip_is "$rs" "$mac1" || tb_fail "$rs's ARP entry for the DIP did not move back to lb1"
tb_wait 5 vt_curl client $URL || tb_fail "no service through the returned master"
echo "  lb1 back: MASTER $took ms after its start with VIP and DIP; ARP entries -> lb1; $URL -> $(vt_curl client $URL)"
exit 0
