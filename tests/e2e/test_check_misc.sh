#!/bin/bash
# Health checks, MISC_CHECK and TCP_CHECK, against the seed's DR real servers.
# MISC_CHECK's misc_path is a script written by the test that exits with the
# code found in a file the test controls (after sleeping, if told to):
# - exit 0 -> up; exit 1 -> down, removed from the service, requests go to
#   the other server; exit 0 again -> up;
# - misc_dynamic: exit 2+N -> weight N in force (exit 5 -> 3, and the wrr
#   share follows; exit 2 -> 0: quiesced, healthy but no new connections);
#   exit 0 -> the configured weight again; exit 1 -> down all the same;
# - misc_timeout 2 with a script that sleeps 10 s -> killed, down; up again
#   when it no longer sleeps;
# - TCP_CHECK on a second virtual server: nginx running -> up; nginx stopped
#   -> down (while the MISC_CHECK service keeps the server); started -> up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
VIP2=172.17.100.101
VS=$VIP:80
VS2=$VIP2:80
URL=http://$VIP/test.html
R1=172.17.1.7
R2=172.17.22.22

tb_init cmisc
tb_host client 172.17.0.2/16
tb_rs rs01 $R1/16 "" $VIP $VIP2
tb_rs rs02 $R2/16 "" $VIP $VIP2
tb_director lb1

DL=2 MT=2 SLACK=5
cat >"$TB_DIR/misc.sh" <<'EOF'
#!/bin/sh
# misc.sh FILE: sleeps for the seconds in FILE.sleep if it exists, then exits
# with the code in FILE.
[ -f "$1.sleep" ] && sleep "$(cat "$1.sleep")"
exit "$(cat "$1")"
EOF
chmod 755 "$TB_DIR/misc.sh"
echo 0 >"$TB_DIR/rc-rs01"
echo 0 >"$TB_DIR/rc-rs02"
cat >"$TB_DIR/keepalived.conf" <<EOF
global_defs {
    router_id check_misc
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass along
    }
    virtual_ipaddress {
        $VIP
        $VIP2
    }
}
virtual_server $VIP 80 {
    delay_loop $DL
    lb_algo wrr
    lb_kind DR
    protocol TCP
    real_server $R1 80 {
        weight 1
        MISC_CHECK {
            misc_path "$TB_DIR/misc.sh $TB_DIR/rc-rs01"
            misc_timeout $MT
        }
    }
    real_server $R2 80 {
        weight 2
        MISC_CHECK {
            misc_path "$TB_DIR/misc.sh $TB_DIR/rc-rs02"
            misc_timeout $MT
            misc_dynamic
        }
    }
}
virtual_server $VIP2 80 {
    delay_loop $DL
    lb_algo wrr
    lb_kind DR
    protocol TCP
    real_server $R1 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 2
            retry 1
            delay_before_retry 1
        }
    }
    real_server $R2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 2
            retry 1
            delay_before_retry 1
        }
    }
}
EOF
# MISC_CHECK's default retry is 0: one failed run takes a server down.
MISC_MAX=$((DL + MT + SLACK))
TCP_DOWN_MAX=$((DL + 2 * 2 + 1 + SLACK))
TCP_UP_MAX=$((DL + 2 + SLACK))

"$HALB" -t -f "$TB_DIR/keepalived.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/config-test.txt" 2>&1 ||
	tb_fail "halb -t rejects the configuration: $(cat "$TB_DIR/config-test.txt")"
tb_halb lb1 "$TB_DIR/keepalived.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
ran() {
	[ "$(tb_json lb1 checks 'sum(1 for c in r["checks"] if c["state"] == "UP" and c["checks"] > 0 and c["last_result"] == "ok")')" = 4 ]
}
tb_wait 20 ran || tb_fail "the checks did not all pass: $(tb_json lb1 checks 'r["checks"]')"
for s in "$VS $R1" "$VS $R2" "$VS2 $R1" "$VS2 $R2"; do
	ck_up lb1 $s || tb_fail "$s is not healthy at start"
done
weight() { ck_rs lb1 $VS "$1" 'x["weight"]'; }
[ "$(weight $R1)" = 1 ] && [ "$(weight $R2)" = 2 ] || tb_fail "weights at start: $(weight $R1), $(weight $R2)"
echo "  all four checks UP: MISC_CHECK (exit 0) on $VS, TCP_CHECK on $VS2"

# set_rc NAME CODE: the next runs of rs NAME's script exit with CODE.
set_rc() {
	echo "$2" >"$TB_DIR/rc-$1"
}
# timed WHAT SECS CMD...: waits for CMD; says how long it took.
timed() {
	local what=$1 secs=$2 t0
	shift 2
	t0=$(ck_ms)
	tb_wait "$secs" "$@" || tb_fail "$what: not within $secs s: $(ck_check lb1 "${@: -1}" 80 c 2>/dev/null)"
	echo "  $what: $(($(ck_ms) - t0)) ms (bound $secs s)"
}

# exit 1: down and out of the service.
set_rc rs01 1
timed "rs01's script exits 1 -> down" $MISC_MAX ck_down lb1 $VS $R1
ck_log lb1 "Removing service [$R1]:tcp:80 from VS [$VIP]:tcp:80" || tb_fail "no 'Removing service' logged for rs01"
r=$(ck_check lb1 $R1 80 'c["reason"]' $VS)
case $r in *"exit"*1*) ;; *) tb_fail "rs01's check reason does not give the exit status: $r" ;; esac
bodies=$(ck_bodies 12 $URL | sort | uniq -c | tr -s ' \n' ' ')
[ "$bodies" = " 12 rs02 " ] || tb_fail "with rs01 down, 12 requests gave:$bodies"
echo "  rs01 down ($r): 12 requests, all served by rs02"
set_rc rs01 0
timed "rs01's script exits 0 again -> up" $MISC_MAX ck_up lb1 $VS $R1

# misc_dynamic: exit 5 -> weight 3.
weight_is() { [ "$(weight "$1")" = "$2" ] && ck_up lb1 $VS "$1"; }
set_rc rs02 5
timed "rs02's script exits 5 (misc_dynamic) -> weight 3" $MISC_MAX weight_is $R2 3
ck_log lb1 "Changing weight of [$R2]:tcp:80 in VS [$VIP]:tcp:80 to 3" || tb_fail "no 'Changing weight ... to 3' logged"
[ "$(ck_rs lb1 $VS $R2 'x["configured_weight"]')" = 2 ] || tb_fail "configured_weight is not 2 any more"
fw_clear rs01 rs02
failed=$(fw_requests 40 $URL)
[ "$failed" = 0 ] || tb_fail "$failed of 40 requests failed"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
fw_share_ok "$2" "$4" 3 0.2 || tb_fail "with weights 1 and 3 (misc_dynamic), wrr gave $1=$2 $3=$4"
echo "  weights 1:3 in force: 40 requests, $1=$2 $3=$4"
set_rc rs02 2
timed "rs02's script exits 2 -> weight 0 (quiesced, still healthy)" $MISC_MAX weight_is $R2 0
bodies=$(ck_bodies 10 $URL | sort | uniq -c | tr -s ' \n' ' ')
[ "$bodies" = " 10 rs01 " ] || tb_fail "with rs02 at weight 0, 10 requests gave:$bodies"
echo "  rs02 at weight 0: 10 requests, all served by rs01"
set_rc rs02 0
timed "rs02's script exits 0 -> configured weight 2" $MISC_MAX weight_is $R2 2
set_rc rs02 1
timed "rs02's script exits 1 (misc_dynamic) -> down" $MISC_MAX ck_down lb1 $VS $R2
set_rc rs02 0
timed "rs02's script exits 0 -> up, weight 2" $MISC_MAX weight_is $R2 2

# misc_timeout: a script that takes longer is killed, and that is a failure.
echo 10 >"$TB_DIR/rc-rs01.sleep"
timed "rs01's script sleeps 10 s, misc_timeout $MT s -> down" $((MISC_MAX + MT)) ck_down lb1 $VS $R1
r=$(ck_check lb1 $R1 80 'c["reason"]' $VS)
case $r in *timeout*) ;; *) tb_fail "rs01 is down, but not for the timeout: $r" ;; esac
echo "  rs01: $r"
rm -f "$TB_DIR/rc-rs01.sleep"
timed "rs01's script no longer sleeps -> up" $((MISC_MAX + MT)) ck_up lb1 $VS $R1
# The killed scripts' children went with them (the process group).
sleepers() {
	local p
	for p in $(ip netns pids "$TB-lb1"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null
		echo
	done | grep -c '^sleep 10 '
}
no_sleepers() { [ "$(sleepers)" = 0 ]; }
tb_wait 5 no_sleepers
n=$(sleepers)
[ "$n" = 0 ] || tb_fail "$n 'sleep 10' of killed MISC_CHECK scripts are still running"

# TCP_CHECK on the second virtual server.
tb_nginx_stop rs01 || tb_fail "nginx did not stop on rs01"
timed "nginx stopped on rs01 -> TCP_CHECK down" $TCP_DOWN_MAX ck_down lb1 $VS2 $R1
ck_log lb1 "Removing service [$R1]:tcp:80 from VS [$VIP2]:tcp:80" || tb_fail "no 'Removing service' logged for rs01 in $VS2"
ck_up lb1 $VS $R1 || tb_fail "rs01 left $VS too, whose MISC_CHECK still passes"
echo "  rs01 in $VS2: $(ck_check lb1 $R1 80 'c["reason"]' $VS2); still up in $VS (MISC_CHECK)"
tb_nginx rs01
timed "nginx started on rs01 -> TCP_CHECK up" $TCP_UP_MAX ck_up lb1 $VS2 $R1
body=$(tb_in client curl -s -m 2 http://$VIP2/test.html) || tb_fail "no answer from $VIP2"
case $body in rs01 | rs02) ;; *) tb_fail "unexpected answer from $VIP2: '$body'" ;; esac
tb_halbctl lb1 checks | sed 's/^/  /'
tb_stop_halb lb1
exit 0
