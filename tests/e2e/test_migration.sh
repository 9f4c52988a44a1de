#!/bin/bash
# docs/MIGRATION.md, exercised: a keepalived + IPVS pair moved to halb, one
# director at a time, and one moved back, with a client fetching through
# the VIP every 100 ms throughout. The outage of each step is printed.
#
# The pair is the seed's DR scenario: lb1 (172.17.1.6, priority 100) and lb2
# (172.17.11.11, priority 99), VIP 172.17.100.100, real servers rs01 and rs02
# (VIP on lo). Both directors read the same keepalived.conf files halb reads
# (conf/seed/dr-*.conf), keepalived with --vrrp.
#
# IPVS stand-in: this kernel has no IPVS module, so on a keepalived director
# an nftables netdev ingress rule forwards the VIP's port 80 the way IPVS's
# DR does: `fwd ip to` a real server chosen by a hash of the client's address
# and port, the IP packet unchanged, the Ethernet header rewritten by the
# kernel's neighbour lookup; the real server answers the client directly.
# IPVS serves a VIP only while it is a local address, that is while
# keepalived is MASTER: the stand-in's rule follows keepalived's notify
# scripts (added by notify_master, flushed by notify_backup, _fault and
# _stop), lines that only keepalived's copy of the seed's file carries.
# "Binding the NIC to DPDK" is played by renaming the director's eth1 to nic0
# and hiding it from its kernel (tb_director's way), halb's TAP then taking
# the name eth1 and the address.
#
# Steps (as the guide's):
#  1. replace the backup lb2 by halb; halbctl vrrp must see the keepalived
#     master, the real servers must be healthy;
#  2. fail over: stop keepalived on lb1; halb on lb2 takes the VIP;
#  3. replace lb1 by halb; it takes the VIP back (priority 100);
#  4. roll back: lb2 to keepalived again, as BACKUP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

command -v keepalived >/dev/null || tb_fail "keepalived is not installed (scripts/install_deps.sh)"
tb_init mig
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
declare -A DIP=([lb1]=172.17.1.6 [lb2]=172.17.11.11)
declare -A ROLE=([lb1]=master [lb2]=backup)

# A keepalived director: eth1 on the switch with its DIP, the IPVS stand-in
# (its rule is added when keepalived becomes MASTER).
ka_director_nic() {
	local d=$1
	tb_in "$d" sysctl -qw net.ipv6.conf.eth1.disable_ipv6=1
	ip -n "$TB-$d" addr add "${DIP[$d]}/16" dev eth1
	ip -n "$TB-$d" link set eth1 up
	tb_in "$d" nft add table netdev ipvs_standin
	tb_in "$d" nft add chain netdev ipvs_standin in \
		'{ type filter hook ingress device eth1 priority 0; }'
}
# keepalived's notify: the stand-in serves the VIP while MASTER.
printf '%s\n' '#!/bin/sh' 'nft flush chain netdev ipvs_standin in' '[ "$1" = on ] || exit 0' \
	"exec nft add rule netdev ipvs_standin in ip daddr $VIP tcp dport 80 fwd ip to jhash ip saddr . tcp sport mod 2 map { 0 : 172.17.1.7, 1 : 172.17.22.22 } device eth1" \
	>"$TB_DIR/standin.sh"
chmod +x "$TB_DIR/standin.sh"
for r in master backup; do
	awk -v s="$TB_DIR/standin.sh" '
		/^    virtual_ipaddress \{/ {
			printf "    notify_master \"%s on\"\n    notify_backup \"%s off\"\n", s, s
			printf "    notify_fault \"%s off\"\n    notify_stop \"%s off\"\n", s, s
		}
		{ print }' "$SEED/dr-$r.conf" >"$TB_DIR/ka-$r.conf"
	grep -q standin.sh "$TB_DIR/ka-$r.conf" || tb_fail "cannot add the notify lines to dr-$r.conf"
done
ka_start() {
	local d=$1
	ip netns exec "$TB-$d" keepalived -n -l --vrrp -f "$TB_DIR/ka-${ROLE[$d]}.conf" \
		-p "$TB_DIR/ka-$d.pid" -r "$TB_DIR/ka-$d-vrrp.pid" >>"$TB_DIR/keepalived-$d.log" 2>&1 &
	eval "KA_PID_$d=$!"
	tb_wait 10 grep -q "Startup complete" "$TB_DIR/keepalived-$d.log" ||
		tb_fail "keepalived did not start on $d: $(tail -n 5 "$TB_DIR/keepalived-$d.log")"
}
ka_stop() {
	local pid
	pid=$(eval "echo \$KA_PID_$1")
	kill -TERM "$pid"
	tb_wait 10 sh -c "! kill -0 $pid" || tb_fail "keepalived on $1 did not stop"
	wait "$pid" 2>/dev/null
}
ka_state() { grep -o '(VI_1) Entering [A-Z]* STATE' "$TB_DIR/keepalived-$1.log" | tail -n 1 | cut -d' ' -f3; }
ka_is() { [ "$(ka_state "$1")" = "$2" ]; }
standin_on() { tb_in "$1" nft list chain netdev ipvs_standin in | grep -q 'fwd ip to'; }

# "Bind the NIC to DPDK": the kernel loses eth1; halb's TAP will be eth1.
bind_nic() {
	local d=$1
	tb_in "$d" nft delete table netdev ipvs_standin
	ip -n "$TB-$d" link set eth1 down
	ip -n "$TB-$d" addr flush dev eth1
	ip -n "$TB-$d" link set eth1 name nic0
	ip -n "$TB-$d" link set nic0 up
	tb_in "$d" nft -f - <<-EOF
		table netdev halb_hide {
			chain in { type filter hook ingress device nic0 priority 0; policy drop; }
		}
	EOF
}
# ... and back: dpdk-devbind.py --bind=<kernel driver>, addresses restored.
unbind_nic() {
	local d=$1
	tb_in "$d" nft delete table netdev halb_hide
	ip -n "$TB-$d" link set nic0 down
	ip -n "$TB-$d" link set nic0 name eth1
	ka_director_nic "$d"
}

for d in lb1 lb2; do
	tb_ns "$d"
	tb_link "$d" eth1
	tb_in "$d" sysctl -qw net.ipv4.ip_forward=1
	ka_director_nic "$d"
done

# The client: a request every 100 ms, each logged with its time.
cat >"$TB_DIR/client.py" <<'EOF'
import http.client, sys, time
log = open(sys.argv[1], "w", buffering=1)
while True:
    t = time.time()
    try:
        c = http.client.HTTPConnection("172.17.100.100", 80, timeout=0.5)
        c.request("GET", "/test.html")
        body = c.getresponse().read().decode().strip()
        log.write("%.3f ok %s\n" % (t, body))
    except Exception:
        log.write("%.3f fail\n" % t)
    time.sleep(max(0.0, 0.1 - (time.time() - t)))
EOF
CLOG=$TB_DIR/client.log
now() { date +%s.%N; }
# outage FROM TO: the longest time without an answer between FROM and TO
# (beyond the 100 ms between two requests)
outage() {
	awk -v a="$1" -v b="$2" '
		$1 >= a - 1 && $1 <= b && $2 == "ok" { if (last && $1 - last > gap) gap = $1 - last; last = $1 }
		END { g = gap - 0.1; printf "%.1f", g < 0.05 ? 0 : g }' "$CLOG"
}
answers_since() { awk -v t="$1" '$1 > t && $2 == "ok" { n++ } END { exit !(n >= 3) }' "$CLOG"; }
served_by_both() { awk -v t="$1" '$1 > t && $2 == "ok" { s[$3] = 1 } END { exit !(length(s) == 2) }' "$CLOG"; }

# 0. keepalived + IPVS (stand-in): lb1 MASTER, lb2 BACKUP.
ka_start lb1
ka_start lb2
tb_wait 10 ka_is lb1 MASTER || tb_fail "keepalived on lb1 did not become MASTER"
tb_wait 5 ka_is lb2 BACKUP || tb_fail "keepalived on lb2 is not BACKUP"
tb_in client python3 "$TB_DIR/client.py" "$CLOG" &
t=$(now)
tb_wait 10 answers_since "$t" || tb_fail "no answer through the VIP from the keepalived pair"
tb_wait 10 served_by_both "$t" || tb_fail "the IPVS stand-in does not use both real servers"
standin_on lb1 && ! standin_on lb2 || tb_fail "the IPVS stand-in does not follow keepalived's state"
echo "  0. keepalived pair: lb1 MASTER, lb2 BACKUP, the VIP served by both real servers"

# 1. lb2 to halb.
t1=$(now)
ka_is lb2 BACKUP || tb_fail "step 1 starts on the backup"
ka_stop lb2
bind_nic lb2
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"
tb_wait 10 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "halb on lb2 is not BACKUP"
master_seen() { [ "$(vt_vrrp lb2 VI_1 'i["master"]')" = 172.17.1.6 ]; }
tb_wait 10 master_seen || tb_fail "halbctl vrrp on lb2 does not see the keepalived master 172.17.1.6"
healthy() { [ "$(tb_json lb2 list 'sum(1 for x in r["services"][0]["real_servers"] if x["healthy"])')" = 2 ]; }
tb_wait 30 healthy || tb_fail "halb on lb2 does not see both real servers healthy"
ka_is lb1 MASTER || tb_fail "keepalived on lb1 left MASTER"
sleep 1
t1e=$(now)
echo "  1. lb2 keepalived -> halb: BACKUP, sees master 172.17.1.6, 2 real servers up;" \
	"outage $(outage "$t1" "$t1e") s"

# 2. Fail over to halb.
t2=$(now)
ka_stop lb1
tb_wait 10 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "halb on lb2 did not take over"
standin_on lb1 && tb_fail "the stopped keepalived left its IPVS stand-in serving"
tb_wait 10 answers_since "$(now)" || tb_fail "halb on lb2 does not serve the VIP"
t2e=$(now)
echo "  2. keepalived on lb1 stopped, halb on lb2 MASTER: outage $(outage "$t2" "$t2e") s"

# 3. lb1 to halb: it takes the VIP back.
t3=$(now)
bind_nic lb1
tb_halb lb1 "$SEED/dr-master.conf" "$SEED/dr-master.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "halb on lb1 did not become MASTER"
tb_wait 10 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "halb on lb2 did not step back to BACKUP"
tb_wait 10 answers_since "$(now)" || tb_fail "halb on lb1 does not serve the VIP"
t3e=$(now)
echo "  3. lb1 keepalived -> halb, MASTER again (priority 100): outage $(outage "$t3" "$t3e") s"

# 4. Roll back lb2 to keepalived.
t4=$(now)
tb_stop_halb lb2
unbind_nic lb2
ka_start lb2
tb_wait 10 ka_is lb2 BACKUP || tb_fail "keepalived on lb2 did not come back as BACKUP"
sleep 3.5 # longer than a master-down interval: it hears halb's adverts
ka_is lb2 BACKUP || tb_fail "keepalived on lb2 did not stay BACKUP under halb on lb1"
tb_vrrp_is lb1 VI_1 MASTER || tb_fail "halb on lb1 left MASTER"
t4e=$(now)
echo "  4. rollback: lb2 halb -> keepalived, BACKUP under halb's lb1: outage $(outage "$t4" "$t4e") s"
total=$(awk '$2 == "ok" { ok++ } $2 == "fail" { f++ } END { printf "%d answered, %d failed", ok, f }' "$CLOG")
echo "  client: $total over the whole migration"
ka_stop lb2
tb_stop_halb lb1
exit 0
