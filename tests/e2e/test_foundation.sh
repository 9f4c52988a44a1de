#!/bin/bash
# Foundation: halb on an af_packet port in a namespace, with --no-huge.
# - a neighbour pings the director's own address (DIP) through the TAP;
# - the TAP carries the DIP in the director's kernel (ip addr);
# - halbctl stats counters rise; halbctl list shows the virtual server;
# - SIGTERM stops halb cleanly and the TAP is gone;
# - a broken keepalived.conf stops halb before anything starts, with FILE:LINE.
. "$(dirname "$0")/lib.sh"

tb_init found
tb_host client 172.17.0.2/16
tb_director lb1

cat >"$TB_DIR/keepalived.conf" <<'CONF'
global_defs {
   router_id foundation
}
virtual_server 172.17.100.100 80 {
    lb_algo wrr
    lb_kind DR
    protocol TCP
    real_server 172.17.1.7 80 {
        weight 1
    }
    real_server 172.17.22.22 80 {
        weight 2
    }
}
CONF
cat >"$TB_DIR/halb.cfg" <<CONF
eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "$TB-f"];
workers = 1;
idle_sleep_us = 200;
connections = 4096;
ports = ( { name = "eth1"; device = "net_af_packet0,iface=nic0"; addresses = ["172.17.1.6/16"]; } );
CONF

"$HALB" -t -f "$TB_DIR/keepalived.conf" -c "$TB_DIR/halb.cfg" || tb_fail "halb -t rejects a valid file"

tb_halb lb1 "$TB_DIR/keepalived.conf" "$TB_DIR/halb.cfg"

tb_in lb1 ip -4 addr show dev eth1 | grep -q 'inet 172.17.1.6/16' ||
	tb_fail "the TAP eth1 does not carry the DIP"
tb_wait 10 tb_in client ping -c 1 -W 1 172.17.1.6 || tb_fail "the client cannot ping the DIP"
tb_in client ping -c 3 -i 0.2 -W 1 172.17.1.6 >/dev/null || tb_fail "pings to the DIP are lost"
echo "  ping DIP through the TAP: ok"

rx=$(tb_halbctl lb1 --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["rx_packets"])')
[ "$rx" -gt 0 ] || tb_fail "stats show no received packets"
tb_in client ping -c 3 -i 0.2 -W 1 172.17.1.6 >/dev/null
rx2=$(tb_halbctl lb1 --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["rx_packets"])')
[ "$rx2" -gt "$rx" ] || tb_fail "stats do not rise ($rx -> $rx2)"
echo "  stats rx_packets: $rx -> $rx2"

tb_halbctl lb1 list >"$TB_DIR/list.txt" || tb_fail "halbctl list failed"
grep -q 'TCP  172.17.100.100:80 wrr' "$TB_DIR/list.txt" || tb_fail "halbctl list lacks the service: $(cat "$TB_DIR/list.txt")"
grep -q -- '-> 172.17.22.22:80 *Route *2' "$TB_DIR/list.txt" || tb_fail "halbctl list lacks a real server: $(cat "$TB_DIR/list.txt")"
echo "  halbctl list: ok"

tb_in lb1 dpdk-telemetry.py -f "$(tb_prefix lb1)" <<<"/halb/version" | grep -q '"version"' ||
	tb_fail "dpdk-telemetry.py cannot read /halb/version"
tb_in lb1 dpdk-telemetry.py -f "$(tb_prefix lb1)" <<<"/ethdev/list" | grep -q '"/ethdev/list"' ||
	tb_fail "DPDK's own commands are not relayed"

tb_stop_halb lb1 TERM
[ "$TB_HALB_RC" = 0 ] || tb_fail "halb exited with $TB_HALB_RC on SIGTERM"
tb_in lb1 ip link show eth1 >/dev/null 2>&1 && tb_fail "the TAP is still there after SIGTERM"
echo "  SIGTERM: clean exit, TAP removed"

# A broken file: an out-of-range VRID on line 3.
cat >"$TB_DIR/broken.conf" <<'CONF'
vrrp_instance VI_1 {
    interface eth1
    virtual_router_id 300
    priority 100
}
CONF
if tb_in lb1 "$HALB" -n -l -f "$TB_DIR/broken.conf" -c "$TB_DIR/halb.cfg" \
	-p "$TB_DIR/b.pid" >"$TB_DIR/broken.out" 2>&1; then
	tb_fail "halb started with a broken keepalived.conf"
fi
grep -q "broken.conf:3:" "$TB_DIR/broken.out" || tb_fail "no FILE:LINE for the error: $(cat "$TB_DIR/broken.out")"
tb_in lb1 ip link show eth1 >/dev/null 2>&1 && tb_fail "a TAP was created for a broken configuration"
echo "  broken keepalived.conf: $(grep -m1 'broken.conf:3:' "$TB_DIR/broken.out")"
exit 0
