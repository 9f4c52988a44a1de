#!/bin/bash
# VRRP tracking with the seed's two vrrp_scripts, on seed scenario 1 (DR):
# lb1 runs conf/seed/dr-master.conf with the seed's
#   vrrp_script chk_down  { script "[[ -f FILE ]] && exit 1 || exit 0" ... }
#   vrrp_script chk_nginx { script "killall -0 nginx" ... weight -4 }
# added and tracked by VI_1 (interval 1 instead of 2, FILE under the test's
# directory instead of /etc/keepalived/down); lb2 runs dr-backup.conf as is.
# - the down file exists: lb1 goes FAULT, the VIP moves to lb2; removed: lb1
#   is MASTER again (preemption);
# - nginx on lb1 stops: lb1's effective priority 100 - 4 = 96 < 99, lb2
#   becomes MASTER; nginx starts again: 100, lb1 takes the VIP back.
# `killall -0 nginx` looks at /proc, which every namespace of this machine
# shares, and the real servers (and other tests) run nginx too: lb1's halb and
# its nginx therefore run in a PID namespace of their own (with its own /proc),
# as on a real director, where killall sees that machine's processes only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
URL=http://$VIP/test.html

tb_init vtr
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
tb_director lb2

# lb1's PID namespace: an init that reaps orphans (a stopped nginx must not
# linger as a zombie that killall -0 still finds), with /proc mounted for it.
ip netns exec "$TB-lb1" unshare --pid --fork --mount-proc /usr/bin/python3 -c '
import os, time
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.2)' &
pid=$!
disown $pid # cleanup kills it; no job report
tb_wait 5 pgrep -P $pid || tb_fail "no PID namespace for lb1"
LB1_INIT=$(pgrep -P $pid)
# everything lib.sh runs "in lb1" (nginx, halbctl) runs in that PID namespace
tb_in_netns() {
	local ns=$1
	shift
	ip netns exec "$TB-$ns" "$@"
}
tb_in() {
	if [ "$1" = lb1 ]; then
		shift
		nsenter -t "$LB1_INIT" -p -m -n -- "$@"
	else
		tb_in_netns "$@"
	fi
}
tb_in lb1 sh -c '[ "$(ls -d /proc/[0-9]* | wc -l)" -lt 10 ]' ||
	tb_fail "lb1's PID namespace shows the machine's processes"
# tb_halb for lb1, in its PID namespace
halb_lb1() {
	local prefix=$TB-lb1 cfg=$TB_DIR/lb1.cfg
	TB_PREFIXES+=("$prefix")
	# shellcheck disable=SC2034 # read by tb_prefix through eval
	TB_PREFIX_lb1=$prefix
	sed -E 's/("--file-prefix", *")[^"]*"/\1'"$prefix"'"/' "$SEED/dr-master.cfg" >"$cfg"
	tb_in lb1 "$HALB" -n -l -f "$1" -c "$cfg" >>"$TB_DIR/halb-lb1.log" 2>&1 &
	tb_wait 30 tb_halbctl lb1 version || tb_fail "halb in lb1 did not answer on its telemetry socket"
}

DOWN=$TB_DIR/down
cat >"$TB_DIR/scripts.conf" <<EOF
vrrp_script chk_down {
   script "[[ -f $DOWN ]] && exit 1 || exit 0"
   interval 1
}
vrrp_script chk_nginx {
   script "killall -0 nginx"
   interval 1
   fall 2
   rise 2
   weight -4
}
EOF
awk -v scripts="$(cat "$TB_DIR/scripts.conf")" '
/^vrrp_instance VI_1/ { print scripts }
{ print }
/^vrrp_instance VI_1/ { print "    track_script {\n        chk_down\n        chk_nginx\n    }" }
' "$SEED/dr-master.conf" >"$TB_DIR/lb1.conf"
"$HALB" -t -f "$TB_DIR/lb1.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/t.out" 2>&1 ||
	tb_fail "halb -t rejects the tracking configuration: $(cat "$TB_DIR/t.out")"

tb_nginx lb1
halb_lb1 "$TB_DIR/lb1.conf"
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"

# vt_track NAME SCRIPT: the tracker's status on VI_1
vt_track() { vt_vrrp lb1 VI_1 "[t['status'] for t in i['trackers'] if t['name'] == '$1'][0]"; }
prio() { vt_vrrp "$1" VI_1 'i["effective_priority"]'; }
lb1_master() { tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb2 VI_1 BACKUP && vt_has_addr lb1 $VIP && ! vt_has_addr lb2 $VIP; }
lb2_master() { tb_vrrp_is lb2 VI_1 MASTER && vt_has_addr lb2 $VIP && ! vt_has_addr lb1 $VIP; }
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }

tb_wait 20 lb1_master || tb_fail "lb1 is not MASTER with lb2 BACKUP: $(states)"
[ "$(vt_track chk_down)" = ok ] && [ "$(vt_track chk_nginx)" = ok ] ||
	tb_fail "trackers not ok: chk_down $(vt_track chk_down), chk_nginx $(vt_track chk_nginx)"
[ "$(prio lb1)" = 100 ] || tb_fail "lb1's effective priority is $(prio lb1), not 100"
tb_wait 10 vt_curl client $URL || tb_fail "no service through lb1"
echo "  lb1 MASTER (effective priority 100, chk_down ok, chk_nginx ok), lb2 BACKUP"

# --- chk_down: the down file puts lb1 in FAULT
t0=$(vt_ms)
touch "$DOWN"
tb_wait 5 tb_vrrp_is lb1 VI_1 FAULT || tb_fail "lb1 is not FAULT with the down file: $(states)"
tb_wait 5 lb2_master || tb_fail "the VIP did not move to lb2 while lb1 is FAULT: $(states)"
fault=$(($(vt_became lb1 VI_1 FAULT) - t0))
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
[ "$(vt_track chk_down)" = failed ] || tb_fail "chk_down shows $(vt_track chk_down), not failed"
tb_wait 5 vt_curl client $URL || tb_fail "no service through lb2 while lb1 is FAULT"
echo "  down file: lb1 FAULT after $fault ms, lb2 MASTER after $took ms, service through lb2"
t0=$(vt_ms)
rm -f "$DOWN"
tb_wait 15 lb1_master || tb_fail "lb1 does not come back to MASTER after the down file went: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
tb_wait 5 vt_curl client $URL || tb_fail "no service through lb1 after the down file went"
echo "  down file removed: lb1 MASTER again after $took ms, lb2 BACKUP"

# --- chk_nginx: weight -4 moves MASTER to the backup and back
t0=$(vt_ms)
tb_nginx_stop lb1 || tb_fail "nginx on lb1 did not stop"
tb_wait 10 tb_vrrp_is lb2 VI_1 MASTER ||
	tb_fail "lb2 did not become MASTER with nginx down on lb1: $(states)"
tb_wait 5 lb2_master || tb_fail "the VIP is not on lb2 alone: $(states)"
tb_wait 5 tb_vrrp_is lb1 VI_1 BACKUP || tb_fail "lb1 is not BACKUP with nginx down: $(states)"
took=$(($(vt_became lb2 VI_1 MASTER) - t0))
[ "$(prio lb1)" = 96 ] || tb_fail "lb1's effective priority is $(prio lb1) with nginx down, not 96"
[ "$(vt_vrrp lb1 VI_1 'i["priority"]')" = 100 ] || tb_fail "lb1's configured priority changed"
[ "$(vt_track chk_nginx)" = failed ] || tb_fail "chk_nginx shows $(vt_track chk_nginx), not failed"
[ "$(vt_vrrp lb2 VI_1 'i["effective_priority"]')" = 99 ] || tb_fail "lb2's priority is not 99"
tb_wait 5 vt_curl client $URL || tb_fail "no service through lb2 with nginx down on lb1"
echo "  nginx stopped on lb1: effective priority 96 < 99, lb2 MASTER after $took ms"
t0=$(vt_ms)
tb_nginx lb1
tb_wait 15 lb1_master || tb_fail "lb1 does not take the VIP back once nginx runs again: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
[ "$(prio lb1)" = 100 ] || tb_fail "lb1's effective priority is $(prio lb1) with nginx back, not 100"
[ "$(vt_track chk_nginx)" = ok ] || tb_fail "chk_nginx shows $(vt_track chk_nginx), not ok"
tb_wait 5 vt_curl client $URL || tb_fail "no service through lb1 once nginx is back"
echo "  nginx started on lb1: effective priority 100, lb1 MASTER again after $took ms"
exit 0
