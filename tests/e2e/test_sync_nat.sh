#!/bin/bash
# Connection sync (issue 10), the seed's NAT pair (VIP and DIP move together)
# with `lvs_sync_daemon IF VI_1` added: 50 keep-alive connections and a 20 MB
# download survive kill -9 of the master; then 20 connections made through
# the backup, and the first 50, survive the master's return and
# preemption: the returning master asks for the table (halb's resync
# request) while BACKUP, and has it before it takes the VIP back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
. "$(dirname "$0")/sync_lib.sh"

DIP=192.168.30.100
tb_init sna
tb_host client 172.17.0.2/16
tb_rs rs01 192.168.30.107/24 $DIP
tb_rs rs02 192.168.30.7/24 $DIP
tb_director lb1
tb_director lb2
big_file rs01 rs02
conf_with_sync "$SEED/nat-master.conf" "$TB_DIR/m.conf" eth0
conf_with_sync "$SEED/nat-backup.conf" "$TB_DIR/b.conf" eth1
tb_halb lb1 "$TB_DIR/m.conf" "$SEED/nat-master.cfg"
tb_halb lb2 "$TB_DIR/b.conf" "$SEED/nat-backup.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER"
tb_wait 30 vt_curl client "http://$VIP/test.html" || tb_fail "no service through lb1 (NAT)"

client_start ka 50 "$TB_DIR/go.1" "$TB_DIR/go.2"
download_start
tb_wait 15 installed_ge lb2 51 ||
	tb_fail "lb2 installed $(installed lb2) synced connections, not the 51 open"
sleep 1
download_running "the kill"
t0=$(vt_ms)
vt_kill9 lb1
touch "$TB_DIR/go.1"
tb_wait 10 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 did not take over"
echo "  kill -9 lb1: lb2 MASTER after $(($(vt_became lb2 VI_1 MASTER) - t0)) ms, holding VIP and DIP"
check_round ka 1 "NAT failover"
download_check "NAT failover"

# Connections made on lb2, then lb1 returns and preempts.
client_start kb 20 "$TB_DIR/go.3"
tb_halb lb1 "$TB_DIR/m.conf" "$SEED/nat-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not take the VIP back"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 did not step down"
echo "  lb1 back: it asked for the table and installed $(installed lb1) connections before preempting"
touch "$TB_DIR/go.2" "$TB_DIR/go.3"
check_round ka 2 "NAT hand-back (connections from before the failover)"
check_round kb 1 "NAT hand-back (connections made on the backup)"
tb_stop_halb lb1
tb_stop_halb lb2
exit 0
