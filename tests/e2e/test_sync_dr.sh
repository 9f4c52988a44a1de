#!/bin/bash
# Connection sync (issue 10), the seed's DR pair with `lvs_sync_daemon eth1
# VI_1` added to global_defs: 50 idle keep-alive HTTP connections through the
# master and a rate-limited 20 MB download; kill -9 the master: every
# keep-alive connection answers a new request through the backup, from the
# same real server (persistence_timeout 600 holds the client), and the
# download completes byte-exact. Printed: broken connections (the goal is 0)
# and the client-visible gap.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
. "$(dirname "$0")/sync_lib.sh"

tb_init sdr
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
tb_director lb2
big_file rs01 rs02
conf_with_sync "$SEED/dr-master.conf" "$TB_DIR/m.conf" eth1
conf_with_sync "$SEED/dr-backup.conf" "$TB_DIR/b.conf" eth1
tb_halb lb1 "$TB_DIR/m.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$TB_DIR/b.conf" "$SEED/dr-backup.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER"
tb_wait 5 role_is lb1 MASTER || tb_fail "lb1's sync daemon is not MASTER"
role_is lb2 BACKUP || tb_fail "lb2's sync daemon is not BACKUP"
tb_wait 30 vt_curl client "http://$VIP/test.html" || tb_fail "no service through lb1"

client_start ka 50 "$TB_DIR/go.1"
download_start
tb_wait 15 installed_ge lb2 51 ||
	tb_fail "lb2 installed $(installed lb2) synced connections, not the 51 open"
echo "  lb2 installed $(installed lb2) connections from lb1's sync messages ($(tb_json lb1 sync 'r["sent"]["messages"]') messages)"
sleep 1
# Refreshes are paced: each connection once per pass of 60 s (and the
# passes a resync request asks for), not over and over.
sent=$(tb_json lb1 sync 'r["sent"]["conns"]')
[ "$sent" -lt 400 ] || tb_fail "lb1 sent $sent connection records for 51 connections: refreshes are not paced"
echo "  lb1 sent $sent connection records (51 connections, their templates, a resync)"
t0=$(vt_ms)
vt_kill9 lb1
touch "$TB_DIR/go.1"
tb_wait 10 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 did not take over"
echo "  kill -9 lb1: lb2 MASTER after $(($(vt_became lb2 VI_1 MASTER) - t0)) ms"
check_round ka 1 "DR failover"
download_check "DR failover"
[ "$(tb_json lb2 stats 'r["drops"].get("no_connection", 0)')" -lt 5 ] ||
	tb_fail "lb2 dropped mid-flow packets: $(tb_json lb2 stats 'r["drops"]')"
tb_stop_halb lb2
exit 0
