#!/bin/bash
# Hostile traffic (issue 9): one flooding host against the seed's DR
# master/backup pair (conf/seed/dr-*, 2 workers, 65536 connections), plus a
# UDP service on the VIP. Four floods of FLOOD_S seconds each from an
# attacker namespace:
#   (a) random-source SYNs at VIP:80            (hping3 --flood --rand-source -S)
#   (b) random-source UDP at VIP:53              (hping3 --flood --rand-source --udp)
#   (c) SYNs at an unserved VIP port, with a ping flood at the DIP
#   (d) ARP requests for the DIP from thousands of spoofed senders (raw socket)
# During each, the client makes a request every 200 ms (HTTP; for (b) a UDP
# echo; tests/e2e/ask_client.py, one process) and a rate-limited download through the VIP is under way. Asserted:
# the backup never leaves BACKUP (the master stays MASTER); at least 95% of
# the client's requests succeed during the flood and every one in the second
# after it; the download arrives byte-exact; halb answers `halbctl stats`
# during the flood; the counters show the defence at work. The flood rate
# hping3 reached is printed, with the defence's counters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
DIP=172.17.1.6
URL=http://$VIP/test.html
FLOOD_S=${FLOOD_S:-10}

tb_init flood
tb_host client 172.17.0.2/16
tb_host attacker 172.17.0.66/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
tb_director lb2

# A UDP echo service on VIP:53 beside the seed's HTTP one. It answers the
# test bed's hosts only: the flood's random sources have no route from a
# real server anyway, and a refused sendto per flood packet would make this
# Python server, not halb, what the flood overwhelms. A large receive
# buffer rides out the moments it is off the shared CPUs.
for rs in rs01 rs02; do
	tb_in $rs python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("172.17.100.100", 53))
while True:
    d, a = s.recvfrom(2048)
    if a[0].startswith("172.17."):
        s.sendto(d, a)' >/dev/null 2>&1 &
done
udp_vs='virtual_server 172.17.100.100 53 {\n    lb_algo rr\n    lb_kind DR\n    protocol UDP\n    real_server 172.17.1.7 53 { weight 1 }\n    real_server 172.17.22.22 53 { weight 1 }\n}'
for role in master backup; do
	cp "$SEED/dr-$role.conf" "$TB_DIR/$role.conf"
	printf '%b\n' "$udp_vs" >>"$TB_DIR/$role.conf"
done
head -c 6000000 /dev/urandom >"$TB_DIR/big.bin"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs01/www/big.bin"
cp "$TB_DIR/big.bin" "$TB_DIR/nginx-rs02/www/big.bin"
want=$(sha256sum <"$TB_DIR/big.bin" | cut -d' ' -f1)

tb_halb lb1 "$TB_DIR/master.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$TB_DIR/backup.conf" "$SEED/dr-backup.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER"
tb_wait 5 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 is not BACKUP"
tb_wait 30 sh -c "[ \"\$(ip netns exec $TB-client curl -s -m 1 $URL)\" ]" ||
	tb_fail "no service through the VIP before the floods"

ASK=$TOP/tests/e2e/ask_client.py
# The client's asks, one process each run: "http" (VIP:80) or "udp" (VIP:53).
# An ask succeeds when answered within 3 s, as a user would still count it
# (a lost SYN is sent again after 1 s, a lost datagram too, as a resolver
# does); the slowest answer is printed.
ask() {
	local kind=$1 port=80
	shift
	[ "$kind" = udp ] && port=53
	tb_in client python3 "$ASK" "$kind" $VIP $port --timeout 3 "$@"
}

# The frames the attacker's hping3s sent, from their statistics lines.
hping_sent() {
	awk '/packets transmitted/ { n += $1; found = 1 } END { if (found) print n }' "$1"
}

# ARP requests for the DIP from thousands of spoofed senders, for SECS.
arp_flood() {
	tb_in attacker timeout -s INT -k 5 "$1" python3 -c '
import socket, struct, time, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
frames = []
for i in range(4096):
    mac = bytes([2, 0x66, (i >> 8) & 255, i & 255, 0x12, 0x34])
    sip = bytes([172, 17, 200 + (i >> 8) % 50, i & 255])
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + sip + bytes(6) + socket.inet_aton("172.17.1.6")
    frames.append(b"\xff" * 6 + mac + b"\x08\x06" + arp)
n = 0
end = time.time() + float(sys.argv[1])
try:
    while time.time() < end:
        for f in frames[:256]:
            s.send(f)
        frames = frames[256:] + frames[:256]
        n += 256
except KeyboardInterrupt:
    pass
print(n)' "$1"
}

stat_of() { tb_json lb1 stats "$1"; }

# flood NAME ASK FLOOD-COMMAND...: runs the flood for FLOOD_S seconds with
# the client asking and downloading; checks and prints the outcome.
flood() {
	local name=$1 kind=$2 stop=$TB_DIR/stop-$1 log=$TB_DIR/flood-$1.log
	local dl=$TB_DIR/dl-$1 pid_ask pid_dl pids=() got ok n slowest after sent rx0
	shift 2
	rm -f "$stop"
	rx0=$(stat_of 'r["total"]["rx_packets"]')
	tb_in client curl -s -m 60 -o "$dl" "http://$VIP/big.bin?rate=300k" &
	pid_dl=$!
	sleep 1
	ask "$kind" --stop "$stop" >"$TB_DIR/ask-$name" 2>"$TB_DIR/ask-$name.err" &
	pid_ask=$!
	"$@" >"$log" 2>&1 &
	pids+=($!)
	sleep $((FLOOD_S / 2))
	tb_in lb1 timeout 5 "$HALBCTL" -P "$(tb_prefix lb1)" stats >/dev/null ||
		tb_fail "($name) halbctl stats does not answer during the flood"
	sleep $((FLOOD_S - FLOOD_S / 2))
	kill -0 $pid_dl 2>/dev/null || tb_fail "($name) the download had ended before the flood did"
	touch "$stop"
	for p in $(ip netns pids "$TB-attacker"); do kill -INT "$p" 2>/dev/null; done
	wait "${pids[@]}" 2>/dev/null
	wait "$pid_ask"
	read -r ok n slowest <"$TB_DIR/ask-$name"
	# every request in the second after the flood succeeds
	read -r after _ < <(ask "$kind" --count 5 2>>"$TB_DIR/ask-$name.err")
	wait "$pid_dl" || tb_fail "($name) the download through the VIP failed"
	got=$(sha256sum <"$dl" | cut -d' ' -f1)
	[ "$got" = "$want" ] || tb_fail "($name) the download arrived corrupted"
	sent=$(hping_sent "$log")
	[ -n "$sent" ] || sent=$(tail -n 1 "$log")
	echo "  ($name) flood of ${sent:-?} frames in ${FLOOD_S} s: $((${sent:-0} / FLOOD_S)) pps;" \
		"halb received $(($(stat_of 'r["total"]["rx_packets"]') - rx0)) frames;" \
		"client: $ok of $n requests during it (slowest ${slowest} ms), $after of 5 after it;" \
		"download byte-exact"
	sed 's/^/    failed at /' "$TB_DIR/ask-$name.err" | head -n 5
	[ "$n" -ge $((FLOOD_S * 2)) ] || tb_fail "($name) only $n requests were made in $FLOOD_S s"
	[ $((ok * 100)) -ge $((n * 95)) ] || tb_fail "($name) only $ok of $n requests succeeded during the flood"
	[ "$after" = 5 ] || tb_fail "($name) $after of 5 requests succeeded in the second after the flood"
	tb_vrrp_is lb1 VI_1 MASTER || tb_fail "($name) lb1 left MASTER: $(vt_state_line lb1 VI_1)"
	tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "($name) lb2 left BACKUP: $(vt_state_line lb2 VI_1)"
	[ "$(vt_vrrp lb2 VI_1 'sum(1 for t in i["transitions"] if t["to"] == "MASTER")')" = 0 ] ||
		tb_fail "($name) lb2 was MASTER at some point"
}

hping() { tb_in attacker hping3 --flood --rand-source -q "$@"; }

flood a http hping -S -p 80 $VIP
ev=$(stat_of 'r["conns"]["table"]["evict_embryonic_budget"]')
[ "$ev" -gt 0 ] || tb_fail "(a) no embryonic connection was evicted: $(tb_halbctl lb1 --json stats)"
echo "  (a) $ev embryonic connections evicted, $(stat_of 'r["conns"]["table"]["refuse_table_full"]') refused," \
	"templates evicted $(stat_of 'r["conns"]["templates"]["evicted"]')"

before=$ev
flood b udp hping --udp -p 53 -d 16 $VIP
ev=$(stat_of 'r["conns"]["table"]["evict_embryonic_budget"]')
[ "$ev" -gt "$before" ] || tb_fail "(b) the UDP flood evicted nothing"
echo "  (b) $((ev - before)) one-packet UDP flows evicted"

both() {
	hping -S -p 8080 $VIP &
	tb_in attacker hping3 --flood --rand-source -q --icmp $DIP
	wait
}
flood c http both
pol=$(stat_of 'r["drops"].get("kernel_policed", 0)')
[ "$pol" -gt 0 ] || tb_fail "(c) nothing was policed on its way to the kernel"
echo "  (c) $pol frames for the kernel policed; prio ring drops: $(stat_of 'r["drops"].get("prio_ring_full", 0)')"

replies0=$(stat_of 'sum(w["events"]["arp_replies"] for w in r["workers"])')
flood d http arp_flood "$FLOOD_S"
replies=$(stat_of 'sum(w["events"]["arp_replies"] for w in r["workers"])')
neigh=$(tb_json lb1 neigh 'len(r["neighbours"])')
[ "$((replies - replies0))" -gt 1000 ] || tb_fail "(d) the workers did not answer the ARP flood"
[ "$neigh" -lt 100 ] || tb_fail "(d) the ARP flood made $neigh neighbour entries"
echo "  (d) $((replies - replies0)) ARP requests answered by the workers; $neigh neighbour entries"
grep -q 'Defence engaged' "$TB_DIR/halb-lb1.log" || tb_fail "no log line says a defence engaged"
grep -h 'Defence' "$TB_DIR/halb-lb1.log" | sed 's/^/  log: /' | head -n 8
exit 0
