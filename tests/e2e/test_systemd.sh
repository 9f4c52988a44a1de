#!/bin/bash
# Start-up as systemd and a shell see it (halb on af_packet in a namespace,
# the seed's DR master):
# - under Type=notify (halb -n with NOTIFY_SOCKET, a datagram listener
#   standing in for systemd; and with systemd-run where systemd runs):
#   READY=1 with MAINPID once halb forwards;
#   SIGHUP gives RELOADING=1 then READY=1; SIGTERM gives STOPPING=1, exit 0.
#   keepalived's DAEMON_ARGS flags on the same command line are accepted,
#   each with one warning; -g writes the log to a file;
# - without -n the shell gets its prompt back only when halb forwards:
#   halbctl answers at once, and the pid file names the daemon; started
#   with relative paths, the daemon (in /) still reloads its files;
# - a broken EAL argument: exit status 1 and the reason on stderr, with
#   and without -n (and in the -g log file);
# - two halbs with one file prefix: halb -t warns, the second start fails
#   naming the first's pid;
# - a dataplane file without --file-prefix runs as 'halb', where halbctl
#   looks without -P.
. "$(dirname "$0")/lib.sh"
SEED=$TOP/conf/seed

tb_init sysd
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_director lb1
PREFIX=$TB-sd
sed -E 's/("--file-prefix", *")[^"]*"/\1'"$PREFIX"'"/' "$SEED/dr-master.cfg" |
	sed 's/qpairs=2/qpairs=1/; s/^workers = 2;/workers = 1;/' >"$TB_DIR/d.cfg"
TB_PREFIXES+=("$PREFIX")
sed '/real_server 172.17.22.22/,/^    }/d' "$SEED/dr-master.conf" >"$TB_DIR/k.conf"
"$HALB" -t -f "$TB_DIR/k.conf" -c "$TB_DIR/d.cfg" 2>/dev/null || tb_fail "halb -t rejects the test files"

# ---- 1. Type=notify: READY, RELOADING/READY, STOPPING
SOCK=$TB_DIR/notify.sock
# In the director's namespace, so the bed's cleanup ends it.
tb_in lb1 /usr/bin/python3 "$TOP/tests/e2e/notify_listener.py" "$SOCK" "$TB_DIR/notify.txt" 60 &
tb_wait 5 grep -q listening "$TB_DIR/notify.txt" || tb_fail "the notify listener did not start"
start=$(date +%s%N)
NOTIFY_SOCKET=$SOCK ip netns exec "$TB-lb1" "$HALB" -n -f "$TB_DIR/k.conf" -c "$TB_DIR/d.cfg" \
	-p "$TB_DIR/n.pid" -g "$TB_DIR/halb-file.log" -D -S 0 -X -I -d -R --vrrp -X \
	>"$TB_DIR/halb-notify.log" 2>&1 &
pid=$!
TB_HALB_PIDS+=("$pid")
tb_wait 30 grep -q '^READY=1' "$TB_DIR/notify.txt" || tb_fail "no READY=1 from halb"
ready_ms=$((($(date +%s%N) - start) / 1000000))
grep -q "^MAINPID=$pid\$" "$TB_DIR/notify.txt" || tb_fail "READY=1 without MAINPID=$pid: $(cat "$TB_DIR/notify.txt")"
# READY means forwarding: the TAP, telemetry and the workers are there.
tb_in lb1 ip link show eth1 >/dev/null || tb_fail "READY=1 before the TAP exists"
"$HALBCTL" -P "$PREFIX" version >/dev/null || tb_fail "READY=1 but halbctl cannot reach halb"
grep -q 'workers forwarding' "$TB_DIR/halb-file.log" || tb_fail "READY=1 before the workers started"
echo "  READY=1 with MAINPID after $ready_ms ms"
for f in -X -I -d -R -P; do
	n=$(grep -c -- "$f (--[a-z-]*) is ignored" "$TB_DIR/halb-file.log")
	[ "$n" = 1 ] || tb_fail "keepalived's $f gave $n warnings, not one: $(grep -- "$f" "$TB_DIR/halb-file.log")"
done
echo "  keepalived's -X -I -d -R --vrrp: one warning each (with -D -S 0 -g)"
grep -q 'halb.ctl\|Starting halb' "$TB_DIR/halb-file.log" || tb_fail "the -g log file lacks the start"

kill -HUP "$pid"
tb_wait 10 sh -c "grep -q '^RELOADING=1' '$TB_DIR/notify.txt' && [ \$(grep -c '^READY=1' '$TB_DIR/notify.txt') -ge 2 ]" ||
	tb_fail "SIGHUP did not give RELOADING=1 then READY=1: $(cat "$TB_DIR/notify.txt")"
order=$(grep -E '^(READY|RELOADING|STOPPING)=1' "$TB_DIR/notify.txt" | tr '\n' ' ')
[ "$order" = "READY=1 RELOADING=1 READY=1 " ] || tb_fail "notifications out of order: $order"
kill -TERM "$pid"
tb_wait 20 sh -c "! kill -0 $pid" || tb_fail "halb did not stop on SIGTERM"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || tb_fail "halb exited with $rc on SIGTERM"
order=$(grep -E '^(READY|RELOADING|STOPPING)=1' "$TB_DIR/notify.txt" | tr '\n' ' ')
[ "$order" = "READY=1 RELOADING=1 READY=1 STOPPING=1 " ] || tb_fail "notifications: $order"
echo "  notifications: $order"

# ---- 1b. Under the real systemd, where one runs (not on the test machines)
sd_state=$(systemctl is-system-running 2>/dev/null)
if [ "$sd_state" = running ] || [ "$sd_state" = degraded ]; then
	unit=halb-test-$TB
	systemd-run --quiet --unit="$unit" -p Type=notify -p NotifyAccess=main \
		ip netns exec "$TB-lb1" "$HALB" -n -f "$TB_DIR/k.conf" -c "$TB_DIR/d.cfg" \
		-p "$TB_DIR/u.pid" || tb_fail "systemd-run did not start halb (Type=notify)"
	# systemd-run returns once the unit is active: after READY=1.
	[ "$(systemctl show -p ActiveState --value "$unit")" = active ] ||
		tb_fail "the unit is not active after systemd-run"
	[ "$(systemctl show -p StatusText --value "$unit")" = Forwarding ] ||
		tb_fail "the unit's status is not 'Forwarding'"
	"$HALBCTL" -P "$PREFIX" version >/dev/null || tb_fail "systemd says active, halbctl cannot reach halb"
	systemctl kill -s HUP "$unit"
	tb_wait 10 sh -c "[ \"\$(systemctl show -p StatusText --value $unit)\" = Forwarding ]" ||
		tb_fail "the unit did not come back to Forwarding after SIGHUP"
	systemctl stop "$unit" || tb_fail "systemctl stop failed"
	[ "$(systemctl show -p Result --value "$unit" 2>/dev/null)" != failed ] || tb_fail "the unit failed on stop"
	echo "  systemd-run (systemd $sd_state): active after READY=1, status Forwarding, stopped cleanly"
else
	echo "  systemd is $sd_state here: Type=notify checked against the stand-in socket only"
fi

# ---- 2. Without -n: the shell waits until halb forwards. The paths are
# relative to the directory halb starts in (the daemon runs in /).
start=$(date +%s%N)
(cd "$TB_DIR" && tb_in lb1 "$HALB" -f k.conf -c d.cfg -p d.pid -g daemon.log \
	>"$TB_DIR/daemon.out" 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ "$rc" = 0 ] || tb_fail "halb as a daemon exited with $rc: $(cat "$TB_DIR/daemon.out")"
dpid=$(cat "$TB_DIR/d.pid" 2>/dev/null)
[ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || tb_fail "the pid file names no running daemon"
TB_HALB_PIDS+=("$dpid")
"$HALBCTL" -P "$PREFIX" version >/dev/null || tb_fail "halb returned to the shell before answering on telemetry"
tb_in lb1 ip link show eth1 >/dev/null || tb_fail "halb returned to the shell before its TAP exists"
echo "  daemon: the shell got its prompt back after $ms ms, halb forwarding (pid $dpid)"

# ---- 3. The same prefix twice
"$HALB" -t -f "$TB_DIR/k.conf" -c "$TB_DIR/d.cfg" >"$TB_DIR/t.out" 2>&1 || tb_fail "-t failed beside a running halb"
grep -q "DPDK file prefix '$PREFIX' is in use by halb (pid $dpid)" "$TB_DIR/t.out" ||
	tb_fail "halb -t does not warn about the running halb: $(cat "$TB_DIR/t.out")"
echo "  halb -t: $(grep 'in use' "$TB_DIR/t.out" | cut -c1-110)..."
tb_in lb1 "$HALB" -n -f "$TB_DIR/k.conf" -c "$TB_DIR/d.cfg" -p "$TB_DIR/x.pid" >"$TB_DIR/twice.out" 2>&1
rc=$?
[ "$rc" = 1 ] || tb_fail "a second halb with the same prefix exited with $rc"
grep -q "is in use by halb (pid $dpid)" "$TB_DIR/twice.out" || tb_fail "the second start does not say why: $(cat "$TB_DIR/twice.out")"
kill -HUP "$dpid"
tb_wait 10 grep -q 'Reloaded' "$TB_DIR/daemon.log" ||
	tb_fail "the daemon started with relative paths did not reload: $(tail -n 5 "$TB_DIR/daemon.log")"
echo "  daemon started with relative -f, -c, -p, -g: reloads from / ($(grep -c Reloaded "$TB_DIR/daemon.log") reload)"
kill -TERM "$dpid"
tb_wait 20 sh -c "! kill -0 $dpid" || tb_fail "the daemon did not stop on SIGTERM"
[ -e "$TB_DIR/d.pid" ] && tb_fail "the daemon left its pid file"

# ---- 4. A broken EAL argument: exit 1 and the reason, with and without -n
sed 's/"--no-pci"/"--no-pci", "--no-such-eal-option"/' "$TB_DIR/d.cfg" >"$TB_DIR/bad.cfg"
for mode in -n ""; do
	tb_in lb1 "$HALB" $mode -f "$TB_DIR/k.conf" -c "$TB_DIR/bad.cfg" -p "$TB_DIR/b.pid" \
		-g "$TB_DIR/bad-file.log" >"$TB_DIR/bad.out" 2>&1
	rc=$?
	[ "$rc" = 1 ] || tb_fail "halb ${mode:-(daemon)} with a broken EAL argument exited with $rc"
	grep -q "unrecognized option '--no-such-eal-option'" "$TB_DIR/bad.out" &&
		grep -q "halb cannot start: DPDK could not start (EAL arguments from $TB_DIR/bad.cfg)" "$TB_DIR/bad.out" ||
		tb_fail "halb ${mode:-(daemon)} does not say why on stderr: $(cat "$TB_DIR/bad.out")"
	grep -q 'halb cannot start: DPDK could not start' "$TB_DIR/bad-file.log" ||
		tb_fail "the reason is not in the log file"
	[ -e "$TB_DIR/b.pid" ] && tb_fail "a failed start left its pid file"
	echo "  broken EAL argument ${mode:-(as a daemon)}: exit 1, stderr: $(grep 'cannot start' "$TB_DIR/bad.out" | sed 's/.*: halb cannot/halb cannot/' | cut -c1-70)..."
done

# ---- 5. No --file-prefix: 'halb', which halbctl finds without -P
if [ -e /var/run/dpdk/halb ]; then
	tb_fail "/var/run/dpdk/halb exists: another halb runs with the default prefix here"
fi
sed -E 's/, *"--file-prefix", *"[^"]*"//' "$TB_DIR/d.cfg" >"$TB_DIR/noprefix.cfg"
grep -q "^eal.*file-prefix" "$TB_DIR/noprefix.cfg" && tb_fail "cannot remove --file-prefix"
TB_PREFIXES+=(halb)
tb_in lb1 "$HALB" -f "$TB_DIR/k.conf" -c "$TB_DIR/noprefix.cfg" -p "$TB_DIR/np.pid" >"$TB_DIR/np.out" 2>&1 ||
	tb_fail "halb without --file-prefix did not start: $(cat "$TB_DIR/np.out")"
npid=$(cat "$TB_DIR/np.pid")
TB_HALB_PIDS+=("$npid")
"$HALBCTL" version >"$TB_DIR/np.version" || tb_fail "halbctl without -P does not find halb"
grep -qi "prefix.*halb" "$TB_DIR/np.version" || tb_fail "halbctl version does not show prefix halb: $(cat "$TB_DIR/np.version")"
echo "  no --file-prefix: halb runs as 'halb'; halbctl finds it without -P"
kill -TERM "$npid"
tb_wait 20 sh -c "! kill -0 $npid" || tb_fail "halb (prefix halb) did not stop"
exit 0
