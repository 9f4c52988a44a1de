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

# lb1's sync messages as the backup's port receives them, for Wireshark's
# IPVS dissector: an independent reading of the wire format
tb_in lb2 timeout 30 tcpdump -i nic0 -nn -U -w "$TB_DIR/sync.pcap" 'udp port 8848' 2>"$TB_DIR/sync.pcap.err" &
cap_pid=$!
tb_wait 4 grep -q "listening on" "$TB_DIR/sync.pcap.err" || tb_fail "tcpdump did not start on lb2"
client_start ka 50 "$TB_DIR/go.1"
download_start
tb_wait 15 installed_ge lb2 51 ||
	tb_fail "lb2 installed $(installed lb2) synced connections, not the 51 open"
# the capture holds the messages of the 51 connections (tcpdump writes
# each packet as it comes, -U)
captured_ge() {
	tshark -r "$TB_DIR/sync.pcap" -d udp.port==8848,ipvs -T fields -e ipvs.conncount 2>/dev/null |
		awk -v want="$1" '{ n += $1 } END { exit !(n >= want) }'
}
tb_wait 5 captured_ge 51 || tb_fail "the capture on lb2 lacks the sync messages of 51 connections"
kill "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
tshark -r "$TB_DIR/sync.pcap" -d udp.port==8848,ipvs -T fields -E separator=' ' \
	-e ip.dst -e ipvs.version -e ipvs.syncid -e ipvs.conncount -e ipvs.proto -e ipvs.caddr \
	-e ipvs.vaddr -e ipvs.vport -e ipvs.daddr -e ipvs.dport -e ipvs.timeout \
	>"$TB_DIR/sync.txt" 2>"$TB_DIR/sync.tshark.err" || tb_fail "tshark cannot read the capture: $(cat "$TB_DIR/sync.tshark.err")"
# each line a message: destination, version, sync ID, count, then each
# field's values over the message's entries, comma-separated
python3 - "$TB_DIR/sync.txt" $VIP <<-'PY' || tb_fail "Wireshark's IPVS dissector disagrees: $(head -5 "$TB_DIR/sync.txt")"
	import sys
	vip = sys.argv[2]
	msgs = conns = 0
	for line in open(sys.argv[1]):
	    f = line.split()
	    if len(f) < 11:
	        continue
	    dst, ver, syncid, count = f[0], f[1], f[2], int(f[3])
	    proto, caddr, vaddr, vport, daddr, dport, timeout = (x.split(",") for x in f[4:11])
	    assert dst == "224.0.0.81", dst
	    assert ver == "1", "version " + ver
	    assert syncid == "51", "sync ID " + syncid  # keepalived's default: the VRID
	    assert len(vaddr) == count, (count, vaddr)
	    for i in range(count):
	        assert int(proto[i], 0) == 6, proto[i]  # TCP
	        assert vaddr[i] == vip and vport[i] == "80", (vaddr[i], vport[i])
	        assert daddr[i] in ("172.17.1.7", "172.17.22.22") and dport[i] == "80", daddr[i]
	        # a connection's own client, or a template's (port 0)
	        assert caddr[i] == "172.17.0.2", caddr[i]
	        assert int(timeout[i]) > 0, timeout[i]
	    msgs += 1
	    conns += count
	assert msgs > 0 and conns >= 51, (msgs, conns)
	print(f"  Wireshark's IPVS dissector read {msgs} sync messages (v1, sync ID 51, to 224.0.0.81) of {conns} entries, all for {vip}:80")
	PY
echo "  lb2 installed $(installed lb2) connections from lb1's sync messages ($(tb_json lb1 sync 'r["sent"]["messages"]') messages)"
sleep 1
# Refreshes are paced: each connection once per pass of 60 s (and the
# passes a resync request asks for), not over and over.
sent=$(tb_json lb1 sync 'r["sent"]["conns"]')
[ "$sent" -lt 400 ] || tb_fail "lb1 sent $sent connection records for 51 connections: refreshes are not paced"
echo "  lb1 sent $sent connection records (51 connections, their templates, a resync)"
download_running "the kill"
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
