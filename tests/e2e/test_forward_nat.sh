#!/bin/bash
# Forwarding, NAT (the seed's third scenario, conf/seed/nat-master.* as
# written, one director with two workers): the client (172.17.0.2, no route
# to 192.168.30.0/24) reaches the VIP; the real servers 192.168.30.107 and
# 192.168.30.7 route their replies through the floating DIP 192.168.30.100,
# which the director holds with the VIP.
# - test.html is served; persistence_timeout 100 holds the client to one
#   real server; the real server sees the client's address;
# - a multi-megabyte download arrives byte-exact (checksums rewritten right
#   both ways);
# - without persistence, wrr 1:2 spreads connections 1:2 (within 5 %);
# - packets that reach the worker not owning their connection are handed
#   over (the two workers' redirect rings).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed

tb_init fnat
tb_host client 172.17.0.2/16
tb_rs rs01 192.168.30.107/24 192.168.30.100
tb_rs rs02 192.168.30.7/24 192.168.30.100
tb_director lb1
# The same 8 MB file on both real servers.
head -c 8388608 /dev/urandom >"$TB_DIR/big.bin"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs01/www/big.bin"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs02/www/big.bin"
want=$(sha256sum <"$TB_DIR/big.bin" | cut -d' ' -f1)

start() {
	tb_halb lb1 "$1" "$SEED/nat-master.cfg"
	tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
	tb_in lb1 ip -4 addr show dev eth0 | grep -q 'inet 192.168.30.100/32' ||
		tb_fail "the DIP is not on the director's TAP"
	tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
}

start "$SEED/nat-master.conf"
body=$(tb_in client curl -s -m 2 http://172.17.100.100/test.html) || tb_fail "no answer from the VIP"
[ "$body" = rs01 ] || [ "$body" = rs02 ] || tb_fail "unexpected body '$body'"
fw_clear rs01 rs02
failed=$(fw_requests 20 http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of 20 requests failed"
counts=$(fw_counts rs01 rs02)
case "$counts" in
"rs01=20 rs02=0 " | "rs01=0 rs02=20 ") ;;
*) tb_fail "persistence did not hold the client to one server: $counts" ;;
esac
echo "  persistence 100, 20 connections: $counts"
grep -h 'GET /test.html' "$TB_DIR"/nginx-rs0?/access.log | grep -q '^172.17.0.2 ' ||
	tb_fail "the real server does not see the client's address"
echo "  the real server sees the client 172.17.0.2"

got=$(tb_in client curl -s -m 30 http://172.17.100.100/big.bin | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || tb_fail "the 8 MB download through NAT is corrupted"
echo "  8 MB download through NAT: sha256 matches"
out=$(tb_json lb1 list 'r["services"][0]["out_bytes"]')
[ "$out" -gt 8000000 ] || tb_fail "halbctl list --stats shows $out bytes out"
tb_halbctl lb1 list --stats | sed 's/^/  /'
tb_stop_halb lb1

fw_conf_variant "$SEED/nat-master.conf" "$TB_DIR/wrr.conf" '/persistence_timeout/d'
start "$TB_DIR/wrr.conf"
fw_clear rs01 rs02
failed=$(fw_requests 300 http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of 300 requests failed"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
fw_share_ok "$2" "$4" 2 0.05 || tb_fail "wrr 1:2 gave $1=$2 $3=$4"
echo "  wrr 1:2, 300 connections: $1=$2 $3=$4"
# Two workers: the NIC (af_packet's fanout) hashes a reply on its own
# addresses, so about half reach the worker that does not own their
# connection, which hands them over.
redir=$(tb_json lb1 stats 'sum(w["events"]["redirected"] for w in r["workers"])')
[ "$redir" -gt 0 ] || tb_fail "no NAT packet reached a worker other than its connection's owner"
echo "  2 workers: $redir NAT packets handed over to their connection's owner worker"
tb_stop_halb lb1
exit 0
