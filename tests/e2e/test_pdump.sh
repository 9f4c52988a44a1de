#!/bin/bash
# Packet capture with dpdk-dumpcap while halb forwards (the seed's DR master):
# - halb is a DPDK primary process with rte_pdump initialised; dpdk-dumpcap
#   attaches to it as a secondary process with the same --file-prefix and
#   captures its port into pcapng;
# - N requests through the VIP; tshark finds in the capture the frames the
#   worker received (client -> VIP, to the director's MAC, inbound) and the
#   frames it sent (the same IP packets to the real servers' MACs, outbound).
# A secondary process maps the primary's memory from hugetlbfs: a primary
# started with --no-huge cannot be attached to (DPDK 22.11's secondary looks
# for <runtime dir>/hugepage_info, which --no-huge never writes, and
# dpdk-dumpcap passes no EAL memory options). So this test reserves a few
# 2 MiB hugepages, mounts hugetlbfs in its own directory, gives halb
# --huge-dir, and gives everything back at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed
N=10
PAGES=192
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

tb_init pdump
HUGE=$TB_DIR/huge
NR_ORIG=$(cat "$NR")
DUMPCAP_PID=""

pd_exit() {
	local rc=$? p
	for p in $DUMPCAP_PID $(tb_halb_pid lb1); do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $DUMPCAP_PID $(tb_halb_pid lb1); do
		tb_wait 10 sh -c "! kill -0 $p" || kill -KILL "$p" 2>/dev/null
	done
	rm -f "$HUGE"/* 2>/dev/null
	mountpoint -q "$HUGE" && umount "$HUGE"
	echo "$NR_ORIG" >"$NR"
	(exit $rc)
	tb_cleanup
}
trap pd_exit EXIT

echo $((NR_ORIG + PAGES)) >"$NR"
got=$(($(cat "$NR") - NR_ORIG))
[ "$got" -ge "$PAGES" ] || tb_fail "the kernel gave $got of $PAGES 2 MiB hugepages"
mkdir -p "$HUGE"
mount -t hugetlbfs -o pagesize=2M nodev "$HUGE" || tb_fail "cannot mount hugetlbfs on $HUGE"

tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_rs rs02 172.17.22.22/16 "" 172.17.100.100
tb_director lb1

fw_conf_variant "$SEED/dr-master.conf" "$TB_DIR/k.conf" '/persistence_timeout/d'
sed 's|"--no-huge", "-m", "256", |"--huge-dir", "'"$HUGE"'", |' "$SEED/dr-master.cfg" >"$TB_DIR/d.cfg"
grep -q -- '--huge-dir' "$TB_DIR/d.cfg" || tb_fail "cannot make the hugepage dataplane file"
tb_halb lb1 "$TB_DIR/k.conf" "$TB_DIR/d.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
prefix=$(tb_prefix lb1)

# The port's DPDK name, as dpdk-dumpcap -D lists it.
tb_in lb1 timeout 30 dpdk-dumpcap --file-prefix="$prefix" -D >"$TB_DIR/ifaces.txt" 2>&1 ||
	tb_fail "dpdk-dumpcap cannot attach to halb: $(tail -5 "$TB_DIR/ifaces.txt")"
grep -q 'net_af_packet0' "$TB_DIR/ifaces.txt" || tb_fail "dpdk-dumpcap -D lists no net_af_packet0: $(cat "$TB_DIR/ifaces.txt")"
echo "  dpdk-dumpcap -D: $(grep -E '^[0-9]+\. ' "$TB_DIR/ifaces.txt" | tr '\n' ' ')"

ip netns exec "$TB-lb1" timeout 60 dpdk-dumpcap --file-prefix="$prefix" -i net_af_packet0 \
	-w "$TB_DIR/cap.pcapng" >"$TB_DIR/dumpcap.log" 2>&1 &
DUMPCAP_PID=$!
# It writes the pcapng header once the capture is enabled in halb.
tb_wait 20 test -s "$TB_DIR/cap.pcapng" ||
	tb_fail "dpdk-dumpcap did not start capturing: $(tail -5 "$TB_DIR/dumpcap.log")"
sleep 1

failed=$(fw_requests $N http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of $N requests failed during the capture"
sleep 0.5
kill -INT "$DUMPCAP_PID"
tb_wait 15 sh -c "! kill -0 $DUMPCAP_PID" || tb_fail "dpdk-dumpcap did not stop on SIGINT"
wait "$DUMPCAP_PID" 2>/dev/null
DUMPCAP_PID=""
[ -s "$TB_DIR/cap.pcapng" ] || tb_fail "no capture file"

mac=$(tb_json lb1 ports 'r["ports"][0]["mac"]')
syn='tcp.flags.syn==1 && tcp.flags.ack==0 && ip.dst==172.17.100.100 && ip.src==172.17.0.2'
count() { tshark -r "$TB_DIR/cap.pcapng" -Y "$1" 2>/dev/null | wc -l; }
rx=$(count "$syn && eth.dst==$mac")
tx=$(count "$syn && eth.src==$mac && eth.dst!=$mac")
rx_flag=$(count "$syn && eth.dst==$mac && frame.packet_flags_direction==1")
tx_flag=$(count "$syn && eth.src==$mac && frame.packet_flags_direction==2")
total=$(tshark -r "$TB_DIR/cap.pcapng" 2>/dev/null | wc -l)
echo "  capture: $total frames; client SYNs to the VIP received $rx (inbound $rx_flag), sent on to real servers $tx (outbound $tx_flag)"
[ "$rx" = $N ] || tb_fail "the capture holds $rx received SYNs, not $N"
[ "$tx" = $N ] || tb_fail "the capture holds $tx SYNs sent to the real servers, not $N"
[ "$rx_flag" = $N ] && [ "$tx_flag" = $N ] ||
	tb_fail "the pcapng direction flags do not say inbound/outbound ($rx_flag/$tx_flag)"
grep -a 'received/dropped' "$TB_DIR/dumpcap.log" | sed 's/^/  dumpcap: /'
tb_halbctl lb1 version >/dev/null || tb_fail "halb stopped answering after the capture"
tb_stop_halb lb1
[ "$TB_HALB_RC" = 0 ] || tb_fail "halb exited with $TB_HALB_RC"
exit 0
