#!/bin/bash
# Conditional configuration: one keepalived.conf for both directors of seed
# scenario 1 (DR), read with -i lb1 and -i lb2 (keepalived.conf(5)):
#   @lb1 $PRIO=100 / @lb2 $PRIO=99, @lb1 state MASTER / @^lb1 state BACKUP,
#   unicast_peer { @^lb1 172.17.1.6  @^lb2 172.17.11.11 } (each names the
#   other), ~SEQ for the real servers' addresses.
# - lb1 is MASTER with priority 100 and lb2 BACKUP with 99, each sending its
#   adverts to the other only; the VIP serves through lb1;
# - the file changes @lb2's priority to 101 and both directors reload
#   (SIGHUP): the same -i applies, lb2 takes over with 101, lb1 stays 100.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

tb_init ccnd
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_director lb1
tb_director lb2

CONF=$TB_DIR/keepalived.conf
cat >"$CONF" <<'EOF2'
$VIP=172.17.100.100
@lb1 $PRIO=100
@lb2 $PRIO=99
global_defs {
   @lb1 router_id lb1
   @lb2 router_id lb2
}
vrrp_instance VI_1 {
    @lb1 state MASTER
    @^lb1 state BACKUP
    interface eth1
    virtual_router_id 51
    priority $PRIO
    advert_int 1
    unicast_peer {
        @^lb1 172.17.1.6
        @^lb2 172.17.11.11
    }
    virtual_ipaddress {
        $VIP
    }
}
virtual_server $VIP 80 {
    delay_loop 2
    lb_algo rr
    lb_kind DR
    protocol TCP
    ~SEQ(N, 7, 7) real_server 172.17.1.${N} 80 { TCP_CHECK { connect_timeout 1 } }
}
EOF2
for id in lb1 lb2; do
	cfg=$SEED/dr-master.cfg
	[ $id = lb2 ] && cfg=$SEED/dr-backup.cfg
	"$HALB" -t -i $id -f "$CONF" -c "$cfg" >"$TB_DIR/t-$id.out" 2>&1 ||
		tb_fail "halb -t -i $id rejects the file: $(cat "$TB_DIR/t-$id.out")"
done
TB_HALB_ARGS="-i lb1" tb_halb lb1 "$CONF" "$SEED/dr-master.cfg"
TB_HALB_ARGS="-i lb2" tb_halb lb2 "$CONF" "$SEED/dr-backup.cfg"

prio() { vt_vrrp "$1" VI_1 'i["priority"]'; }
adverts() { vt_vrrp "$1" VI_1 'i["adverts_received"]'; }
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }
lb1_master() { tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb2 VI_1 BACKUP && vt_has_addr lb1 $VIP && ! vt_has_addr lb2 $VIP; }
lb2_master() { tb_vrrp_is lb2 VI_1 MASTER && tb_vrrp_is lb1 VI_1 BACKUP && vt_has_addr lb2 $VIP && ! vt_has_addr lb1 $VIP; }

tb_wait 20 lb1_master || tb_fail "lb1 is not MASTER with lb2 BACKUP: $(states)"
[ "$(prio lb1)" = 100 ] && [ "$(prio lb2)" = 99 ] ||
	tb_fail "priorities lb1 $(prio lb1), lb2 $(prio lb2): not 100 and 99"
[ "$(adverts lb2)" -gt 0 ] || tb_fail "lb2 receives no adverts from lb1 (unicast_peer of -i lb1)"
tb_wait 10 vt_curl client http://$VIP/test.html || tb_fail "no service through lb1"
grep -q 'Starting halb' "$TB_DIR/halb-lb1.log" || tb_fail "no log from lb1"
echo "  -i lb1: MASTER, priority 100; -i lb2: BACKUP, priority 99, $(adverts lb2) unicast adverts from lb1; VIP served"

t0=$(vt_ms)
sed -i 's/^@lb2 \$PRIO=99/@lb2 $PRIO=101/' "$CONF"
kill -HUP "$(tb_halb_pid lb2)"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 15 lb2_master || tb_fail "lb2 did not take over with priority 101: $(states)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
[ "$(prio lb1)" = 100 ] && [ "$(prio lb2)" = 101 ] ||
	tb_fail "after the reload: lb1 $(prio lb1), lb2 $(prio lb2), not 100 and 101"
tb_wait 10 vt_curl client http://$VIP/test.html || tb_fail "no service through lb2"
echo "  @lb2 priority 101 and SIGHUP: the same -i kept; lb2 MASTER after $took ms, lb1 BACKUP at 100"
exit 0
