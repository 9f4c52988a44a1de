#!/bin/bash
# Runtime changes an ipvsadm user makes by hand, through halbctl (the seed's
# DR scenario without persistence, rr over two real servers):
#  1. halbctl weight VIP:PORT RS:PORT 0 drains a real server: a download
#     through it that was running goes on to its end, and no new connection
#     goes to it; halb logs the change; halbctl list shows it;
#  2. a reload that does not change that server keeps the override; one that
#     changes its weight in keepalived.conf drops it (logged);
#  3. halbctl -Z zeroes the counters (ipvsadm -Z): -Ln --stats --exact shows
#     0, then counts again; `halbctl weight ... reset` ends the override.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

tb_init drn
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
for rs in rs01 rs02; do # 3 MB to download slowly
	head -c 3000000 /dev/zero >"$TB_DIR/nginx-$rs/www/big.bin"
done
fw_conf_variant "$SEED/dr-master.conf" "$TB_DIR/rr.conf" '/persistence_timeout/d' \
	's/lb_algo wrr/lb_algo rr/' 's/weight 2/weight 1/'
tb_halb lb1 "$TB_DIR/rr.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
LOG=$TB_DIR/halb-lb1.log

# 1. A slow download, then drain the server it goes to.
# from a port of its own, so that halbctl conns shows its connection
tb_in client curl -s -f -o /dev/null --local-port 61005 \
	-w '%{size_download}\n' "http://$VIP/big.bin?rate=600k" >"$TB_DIR/download.out" 2>&1 &
dl=$!
download_rip() {
	tb_json lb1 conns '[c["rip"] for c in r["conns"] if c["client_port"] == 61005 and c["state"] == "ESTABLISHED"][0]'
}
tb_wait 5 download_rip || tb_fail "the download's connection is not in halbctl conns"
rip=$(download_rip)
tb_json lb1 conns '[c for c in r["conns"] if c["client_port"] == 61005]' >"$TB_DIR/dl.conns"
case $rip in 172.17.1.7) busy=rs01 other=rs02 ;; *) busy=rs02 other=rs01 ;; esac
tb_halbctl lb1 weight $VIP:80 "$rip:80" 0 | sed 's/^/  /'
kill -0 $dl 2>/dev/null || tb_fail "the download had ended before the drain began"
tb_halbctl lb1 list | grep -q "^  -> $rip:80 .* Route   0 .*up (weight 0 set by halbctl, configured 1)$" ||
	tb_fail "halbctl list does not show the override: $(tb_halbctl lb1 list)"
grep -q "Changing weight of \[$rip\]:tcp:80 in VS \[$VIP\]:tcp:80 to 0 (halbctl" "$LOG" ||
	tb_fail "halb did not log the weight change"
fw_clear rs01 rs02
failed=$(fw_requests 20 "http://$VIP/test.html")
[ "$failed" = 0 ] || tb_fail "$failed of 20 new requests failed while $busy drains"
counts=$(fw_counts rs01 rs02)
[ "$(grep -c 'GET /test.html' "$TB_DIR/nginx-$busy/access.log")" = 0 ] ||
	tb_fail "the drained server got new connections: $counts"
wait $dl || tb_fail "the download through the drained server failed"
[ "$(cat "$TB_DIR/download.out")" = 3000000 ] ||
	tb_fail "the download through the drained server ended short: $(cat "$TB_DIR/download.out")"
# nginx logs a request once it has sent the last byte, which the client
# may have read first
tb_wait 5 grep -q 'GET /big.bin' "$TB_DIR/nginx-$busy/access.log" ||
	tb_fail "the download was not served by $busy; its connections then: $(cat "$TB_DIR/dl.conns")"
echo "  $busy drained during a 3 MB download: it finished; 20 new connections: $counts"

# 2. Reloads: the same file keeps the override, a changed weight drops it.
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 grep -q "Reloaded:" "$LOG" || tb_fail "the reload did not happen"
[ "$(tb_json lb1 list "[x['weight_override'] for x in r['services'][0]['real_servers'] if x['ip'] == '$rip'][0]")" = 0 ] ||
	tb_fail "a reload that did not change $rip dropped the override"
sed -i -E "/real_server $rip 80/,/weight/ s/weight 1/weight 3/" "$TB_DIR/rr.conf"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 grep -q "Weight override of \[$rip\]:80 dropped: the configuration changed that server" "$LOG" ||
	tb_fail "a reload that changed $rip's weight kept the override"
[ "$(tb_json lb1 list "[x['weight'] for x in r['services'][0]['real_servers'] if x['ip'] == '$rip'][0]")" = 3 ] ||
	tb_fail "$rip does not have its new configured weight"
echo "  reload: an unchanged server kept its override; a changed weight dropped it"

# 3. Zero the counters, count again; then set and reset a weight.
conns() { tb_halbctl lb1 -Ln --stats --exact | awk -v s="TCP  $VIP:80" 'index($0, s) == 1 { print $3 }'; }
before=$(conns)
[ "$before" -ge 21 ] || tb_fail "the service counted $before connections, expected at least 21"
tb_halbctl lb1 -Z || tb_fail "halbctl -Z failed"
[ "$(conns)" = 0 ] || tb_fail "after -Z the service shows $(conns) connections"
tb_halbctl lb1 -Ln --stats --exact | grep -q "^  -> $rip:80  *0  *0  *0  *0  *0$" ||
	tb_fail "after -Z the real server's counters are not 0"
grep -q "Counters of all 1 virtual servers zeroed (halbctl)" "$LOG" || tb_fail "-Z was not logged"
fw_requests 3 "http://$VIP/test.html" >/dev/null
[ "$(conns)" = 3 ] || tb_fail "after -Z and 3 requests the service shows $(conns)"
echo "  -Z: $before connections counted, then 0, then 3 after 3 requests"
tb_halbctl lb1 -e -t $VIP:80 -r "$rip:80" -w 0 >/dev/null || tb_fail "halbctl -e -w 0 failed"
tb_halbctl lb1 weight $VIP:80 "$rip:80" reset >/dev/null || tb_fail "weight reset failed"
tb_halbctl lb1 list | grep -q "^  -> $rip:80 .* Route   3 .* up$" ||
	tb_fail "after reset the server is not back at its configured weight"
tb_halbctl lb1 -Ln | sed 's/^/  /'
tb_stop_halb lb1
exit 0
