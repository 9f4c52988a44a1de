#!/bin/bash
# SIGHUP: halb re-reads both files and applies the difference without
# dropping established connections; a broken file changes nothing.
# - a slow 4 MB download through the VIP (DR) is under way while a real
#   server's weight changes and a new virtual server appears: it completes
#   byte-exact, VRRP stays MASTER without a transition, the new service serves;
# - a file with an error: halb logs FILE:LINE and keeps the running services;
# - a virtual server that leaves takes its static VIP off the director.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed

tb_init rld
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100 172.17.100.102
tb_rs rs02 172.17.22.22/16 "" 172.17.100.100 172.17.100.102
tb_director lb1
head -c 4194304 /dev/urandom >"$TB_DIR/big.bin"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs01/www/"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs02/www/"
want=$(sha256sum <"$TB_DIR/big.bin" | cut -d' ' -f1)

cp "$SEED/dr-master.conf" "$TB_DIR/keepalived.conf"
tb_halb lb1 "$TB_DIR/keepalived.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
transitions=$(tb_json lb1 vrrp 'len(r["instances"][0]["transitions"])')

# A download that takes about 4 s, started before the reload.
tb_in client curl -s -m 60 -o "$TB_DIR/got.bin" \
	http://172.17.100.100/big.bin?rate=1m &
dl=$!
sleep 1

# The new file: rs01's weight 1 -> 3, and a new virtual server .102:80.
sed -i '0,/weight 1/s//weight 3/' "$TB_DIR/keepalived.conf"
cat >>"$TB_DIR/keepalived.conf" <<'CONF'
virtual_server 172.17.100.102 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 172.17.1.7 80 {
        weight 1
    }
}
CONF
# .102 has no vrrp_instance: halb serves it as a static VIP.
kill -0 $dl 2>/dev/null || tb_fail "the download had ended before the reload"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 sh -c "grep -q 'Reloaded' '$TB_DIR/halb-lb1.log'" || tb_fail "no reload logged"
[ "$(tb_json lb1 version 'r["reloads"]')" = 1 ] || tb_fail "/halb/version does not count the reload"
w=$(tb_json lb1 list '[x["weight"] for s in r["services"] for x in s["real_servers"] if x["ip"] == "172.17.1.7" and s["vip"] == "172.17.100.100"][0]')
[ "$w" = 3 ] || tb_fail "rs01's weight is $w after the reload, not 3"
body=$(tb_in client curl -s -m 2 http://172.17.100.102/test.html)
[ "$body" = rs01 ] || tb_fail "the new virtual server does not serve ($body)"
echo "  after SIGHUP: weight 3 in force, new VIP 172.17.100.102 serves"

wait "$dl" || tb_fail "the download broke across the reload"
got=$(sha256sum <"$TB_DIR/got.bin" | cut -d' ' -f1)
[ "$got" = "$want" ] || tb_fail "the download across the reload is corrupted"
echo "  a 4 MB download under way across the reload: complete, sha256 matches"
tb_vrrp_is lb1 VI_1 MASTER || tb_fail "VI_1 left MASTER on reload"
[ "$(tb_json lb1 vrrp 'len(r["instances"][0]["transitions"])')" = "$transitions" ] ||
	tb_fail "the reload caused a VRRP transition"

# A broken file: nothing changes.
cp "$TB_DIR/keepalived.conf" "$TB_DIR/good.conf"
sed -i 's/lb_algo rr/lb_algo nosuch/' "$TB_DIR/keepalived.conf"
line=$(grep -n 'lb_algo nosuch' "$TB_DIR/keepalived.conf" | cut -d: -f1)
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 sh -c "grep -q 'Reload failed' '$TB_DIR/halb-lb1.log'" || tb_fail "no failure logged"
grep -q "keepalived.conf:$line: error" "$TB_DIR/halb-lb1.log" || tb_fail "the error has no FILE:LINE"
[ "$(tb_json lb1 version 'r["reloads"]')" = 1 ] || tb_fail "a failed reload was counted"
body=$(tb_in client curl -s -m 2 http://172.17.100.102/test.html)
[ "$body" = rs01 ] || tb_fail "the running services changed after a failed reload"
echo "  broken file: $(grep -m1 "keepalived.conf:$line: error" "$TB_DIR/halb-lb1.log" | sed 's/.*keepalived.conf/keepalived.conf/')"

# The static virtual server goes away: its VIP leaves the TAP too.
sed '/^virtual_server 172.17.100.102 80 {/,$d' "$TB_DIR/good.conf" >"$TB_DIR/keepalived.conf"
tb_in lb1 ip -4 addr show dev eth1 | grep -q 'inet 172.17.100.102/32' ||
	tb_fail "the static VIP was not on the TAP"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 sh -c "[ \$(grep -c 'Reloaded' '$TB_DIR/halb-lb1.log') -ge 2 ]" || tb_fail "no second reload"
tb_in lb1 ip -4 addr show dev eth1 | grep -q 'inet 172.17.100.102/32' &&
	tb_fail "the VIP of a removed virtual server stays on the TAP"
echo "  a removed static virtual server takes its VIP off the TAP"
tb_stop_halb lb1
exit 0
