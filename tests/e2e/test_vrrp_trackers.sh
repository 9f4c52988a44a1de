#!/bin/bash
# track_file and vrrp_track_process, on seed scenario 1 (DR): lb1 runs
# conf/seed/dr-master.conf (priority 100) with VI_1 tracking
#   track_file offset  { file OFFSET  weight 1 }   the number moves the priority
#   track_file stop    { file STOP    weight 0 }   non-zero means FAULT
#   vrrp_track_process workers { process WORKER  quorum 2  weight -10 }
# and lb2 runs dr-backup.conf as is (priority 99):
# - "-5" in OFFSET: lb1's effective priority 95 < 99, lb2 becomes MASTER;
#   "0": lb1 takes the VIP back;
# - "1" in STOP: lb1 goes FAULT; "0": lb1 is MASTER again;
# - one of the two WORKER processes ends: below quorum, weight -10: priority
#   90, lb2 MASTER; a second one starts: lb1 MASTER again.
# WORKER is a copy of sleep under a name unique to this run, so that no other
# process of the machine (which all namespaces share in /proc) counts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

tb_init vtk
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_director lb1
tb_director lb2

OFFSET=$TB_DIR/offset
STOP=$TB_DIR/stop
WORKER=hw$$trk
cp /bin/sleep "$TB_DIR/$WORKER"
echo 0 >"$OFFSET"
echo 0 >"$STOP"
WPIDS=()
worker() {
	"$TB_DIR/$WORKER" 600 &
	WPIDS+=("$!")
	disown $!
}
# the workers end with the test; tb_cleanup keeps the test's exit status
trap 'rc=$?; kill "${WPIDS[@]}" 2>/dev/null; (exit $rc); tb_cleanup' EXIT
worker
worker

cat >"$TB_DIR/trackers.conf" <<EOF2
track_file offset {
    file "$OFFSET"
    weight 1
}
track_file stop {
    file "$STOP"
    weight 0
}
vrrp_track_process workers {
    process $WORKER
    quorum 2
    weight -10
}
EOF2
awk -v t="$(cat "$TB_DIR/trackers.conf")" '
/^vrrp_instance VI_1/ { print t }
{ print }
/^vrrp_instance VI_1/ { print "    track_file {\n        offset\n        stop\n    }\n    track_process {\n        workers\n    }" }
' "$SEED/dr-master.conf" >"$TB_DIR/lb1.conf"
"$HALB" -t -f "$TB_DIR/lb1.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/t.out" 2>&1 ||
	tb_fail "halb -t rejects the trackers: $(cat "$TB_DIR/t.out")"

tb_halb lb1 "$TB_DIR/lb1.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"

prio() { vt_vrrp lb1 VI_1 'i["effective_priority"]'; }
track() { vt_vrrp lb1 VI_1 "[t['$2'] for t in i['trackers'] if t['name'] == '$1'][0]"; }
lb1_master() { tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb2 VI_1 BACKUP && vt_has_addr lb1 $VIP && ! vt_has_addr lb2 $VIP; }
lb2_master() { tb_vrrp_is lb2 VI_1 MASTER && vt_has_addr lb2 $VIP && ! vt_has_addr lb1 $VIP; }
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }

tb_wait 20 lb1_master || tb_fail "lb1 is not MASTER with lb2 BACKUP: $(states)"
[ "$(prio)" = 100 ] || tb_fail "lb1's effective priority is $(prio), not 100"
[ "$(track workers running)" = 2 ] || tb_fail "workers shows $(track workers running) running, not 2"
echo "  lb1 MASTER (priority 100: offset 0, stop 0, 2 workers running), lb2 BACKUP"

# --- track_file: the number moves the priority
t0=$(vt_ms)
echo -5 >"$OFFSET"
tb_wait 10 lb2_master || tb_fail "lb2 is not MASTER with -5 in the offset file: $(states)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
[ "$(prio)" = 95 ] || tb_fail "lb1's effective priority is $(prio) with -5, not 95"
[ "$(track offset offset)" = -5 ] || tb_fail "the offset tracker shows $(track offset offset)"
echo "  -5 in the offset file: lb1 priority 95, lb2 MASTER after $took ms"
t0=$(vt_ms)
echo 0 >"$OFFSET"
tb_wait 15 lb1_master || tb_fail "lb1 did not take the VIP back with 0 in the offset file: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
echo "  0 in the offset file: lb1 priority $(prio), MASTER again after $took ms"

# --- track_file weight 0: non-zero is FAULT
t0=$(vt_ms)
echo 1 >"$STOP"
tb_wait 10 tb_vrrp_is lb1 VI_1 FAULT || tb_fail "lb1 is not FAULT with 1 in the stop file: $(states)"
tb_wait 10 lb2_master || tb_fail "the VIP did not move to lb2 while lb1 is FAULT: $(states)"
took=$(($(vt_became lb1 VI_1 FAULT) - t0))
echo "  1 in the stop file (weight 0): lb1 FAULT after $took ms, lb2 MASTER"
t0=$(vt_ms)
echo 0 >"$STOP"
tb_wait 15 lb1_master || tb_fail "lb1 is not MASTER again with 0 in the stop file: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
echo "  0 in the stop file: lb1 MASTER again after $took ms"

# --- vrrp_track_process: below quorum, weight -10
t0=$(vt_ms)
kill "${WPIDS[0]}"
tb_wait 10 lb2_master || tb_fail "lb2 is not MASTER with one worker left: $(states)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
[ "$(prio)" = 90 ] || tb_fail "lb1's effective priority is $(prio) with one worker, not 90"
[ "$(track workers running)" = 1 ] || tb_fail "workers shows $(track workers running) running"
echo "  one of two workers ended (quorum 2): lb1 priority 90, lb2 MASTER after $took ms"
t0=$(vt_ms)
worker
tb_wait 15 lb1_master || tb_fail "lb1 is not MASTER again with two workers: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
[ "$(prio)" = 100 ] || tb_fail "lb1's effective priority is $(prio) with two workers, not 100"
echo "  a second worker started: lb1 priority 100, MASTER again after $took ms"
exit 0
