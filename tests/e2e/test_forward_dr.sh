#!/bin/bash
# Forwarding, DR (the seed's first scenario, conf/seed/dr-master.* as
# written, one director with two workers):
# - http://172.17.100.100/test.html is served; persistence_timeout 600 holds
#   one client to one real server;
# - without persistence, wrr 1:2 spreads one client's many connections 1:2
#   (within 5 %), and rr 1:1;
# - the frames reach the real servers with the client's IP packet untouched
#   (the real server sees the client's address and the VIP as destination);
# - halbctl list --stats and halbctl conns show what happened.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed

tb_init fdr
tb_host client 172.17.0.2/16
for i in $(seq 3 12); do ip -n "$TB-client" addr add "172.17.0.$i/16" dev eth0; done
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_rs rs02 172.17.22.22/16 "" 172.17.100.100
tb_director lb1

start() {
	tb_halb lb1 "$1" "$SEED/dr-master.cfg"
	tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
	[ "$(tb_json lb1 ports 'r["ports"][0]["rx_queues"]')" = 2 ] ||
		tb_fail "the port should have two RX queues (two workers)"
	tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
}

# 1. The seed's configuration as written: persistence.
start "$SEED/dr-master.conf"
body=$(tb_in client curl -s -m 2 http://172.17.100.100/test.html) || tb_fail "no answer from the VIP"
[ "$body" = rs01 ] || [ "$body" = rs02 ] || tb_fail "unexpected body '$body'"
fw_clear rs01 rs02
failed=$(fw_requests 20 http://172.17.100.100/test.html --interface 172.17.0.3)
[ "$failed" = 0 ] || tb_fail "$failed of 20 requests failed"
counts=$(fw_counts rs01 rs02)
case "$counts" in
"rs01=20 rs02=0 " | "rs01=0 rs02=20 ") ;;
*) tb_fail "persistence did not hold one client to one server: $counts" ;;
esac
echo "  persistence 600, one client, 20 connections: $counts"
# Ten clients: each held to one server, both servers used overall.
for i in $(seq 3 12); do
	a=$(tb_in client curl -s -m 2 --interface "172.17.0.$i" http://172.17.100.100/test.html)
	b=$(tb_in client curl -s -m 2 --interface "172.17.0.$i" http://172.17.100.100/test.html)
	[ "$a" = "$b" ] && [ -n "$a" ] || tb_fail "client 172.17.0.$i moved: $a then $b"
done
cat "$TB_DIR"/nginx-rs0?/access.log | grep -q '^172.17.0.3 ' ||
	tb_fail "the real servers do not see the client's address"
tmpl=$(tb_json lb1 conns 'sum(1 for c in r["conns"] if c["template"])')
[ "$tmpl" -ge 1 ] || tb_fail "no persistence template in halbctl conns"
tb_halbctl lb1 list --stats | sed 's/^/  /'
tb_halbctl lb1 conns --limit 5 | sed 's/^/  /'
tb_stop_halb lb1

# 2. Without persistence: wrr 1:2 over 300 connections from one client.
fw_conf_variant "$SEED/dr-master.conf" "$TB_DIR/wrr.conf" '/persistence_timeout/d'
start "$TB_DIR/wrr.conf"
fw_clear rs01 rs02
failed=$(FW_PORTS=$TB_DIR/ports fw_requests 300 http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of 300 requests failed"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
fw_share_ok "$2" "$4" 2 0.05 || tb_fail "wrr 1:2 gave $1=$2 $3=$4"
# The client's kernel may reuse a port a few dozen connections later. In
# DR the director sees only the client's side, so the old connection is
# still in FIN_WAIT, and the new SYN continues it on the same server,
# not counted as a new connection: IPVS's conn_reuse_mode 1 does the same.
flows=$(sort -u "$TB_DIR/ports" | wc -l)
echo "  wrr 1:2, 300 connections from $flows client ports: $1=$2 $3=$4"
conns=$(tb_json lb1 list 'r["services"][0]["conns"]')
[ "$conns" -ge "$flows" ] ||
	tb_fail "halbctl list --stats counted $conns connections; workers' events: $(tb_json lb1 stats '[w["events"] for w in r["workers"]]'); $(tb_halbctl lb1 list --stats)"
tb_stop_halb lb1

# 3. rr over the same servers: 1:1 whatever the weights.
fw_conf_variant "$SEED/dr-master.conf" "$TB_DIR/rr.conf" '/persistence_timeout/d' 's/lb_algo wrr/lb_algo rr/'
start "$TB_DIR/rr.conf"
fw_clear rs01 rs02
failed=$(fw_requests 200 http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of 200 requests failed"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
fw_share_ok "$2" "$4" 1 0.05 || tb_fail "rr gave $1=$2 $3=$4"
echo "  rr, 200 connections: $1=$2 $3=$4"
tb_stop_halb lb1
exit 0
