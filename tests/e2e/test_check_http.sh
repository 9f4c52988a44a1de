#!/bin/bash
# Health checks, HTTP_GET, with the seed's DR scenario (conf/seed/dr-master.*
# as written: HTTP_GET url / connect_timeout 3 nb_get_retry 3
# delay_before_retry 3, delay_loop 6; rs01 weight 1, rs02 weight 2):
# - without persistence (so that one client's connections spread): nginx
#   stopped on rs01 -> halb declares it down (healthy false, out of service,
#   "Removing service ..." logged) within delay_loop + (retry+1) *
#   connect_timeout + retry * delay_before_retry (+ slack); from then on every
#   client request succeeds and none goes to rs01; nginx started again -> rs01
#   is back within delay_loop + connect_timeout (+ slack) and gets its wrr
#   share (1:2) back;
# - the seed's file as written (persistence 600): the server the client is
#   held to dies -> once it is down the client is served by the other one
#   (the dead server's template does not hold it), and it comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
VS=$VIP:80
URL=http://$VIP/test.html
declare -A RIP=([rs01]=172.17.1.7 [rs02]=172.17.22.22)

tb_init chttp
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1

# The bounds the seed's checker settings allow.
conf=$SEED/dr-master.conf
dl=$(ck_conf_value "$conf" delay_loop)
ct=$(ck_conf_value "$conf" connect_timeout)
retry=$(ck_conf_value "$conf" nb_get_retry)
dbr=$(ck_conf_value "$conf" delay_before_retry)
[ -n "$dl" ] && [ -n "$ct" ] && [ -n "$retry" ] && [ -n "$dbr" ] ||
	tb_fail "cannot read the checker settings from $conf"
SLACK=5
DOWN_MAX=$((dl + (retry + 1) * ct + retry * dbr + SLACK))
UP_MAX=$((dl + ct + SLACK))
echo "  seed checker: delay_loop $dl, connect_timeout $ct, retry $retry, delay_before_retry $dbr:" \
	"down within ${DOWN_MAX} s, up within ${UP_MAX} s (${SLACK} s slack each)"

start() {
	tb_halb lb1 "$1" "$SEED/dr-master.cfg"
	tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
	tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
}

# kill_rs NAME: stops nginx on NAME, waits until halb has it down; MS is
# the detection time in ms.
kill_rs() {
	local t0 t1
	tb_nginx_stop "$1" || tb_fail "nginx did not stop on $1"
	t0=$(ck_ms)
	tb_wait "$DOWN_MAX" ck_down lb1 $VS "${RIP[$1]}" ||
		tb_fail "$1 was not declared down within $DOWN_MAX s: $(ck_rs lb1 $VS "${RIP[$1]}" x)"
	t1=$(ck_ms)
	ck_log lb1 "Removing service [${RIP[$1]}]:tcp:80 from VS [$VIP]:tcp:80" ||
		tb_fail "no 'Removing service [${RIP[$1]}]:tcp:80 from VS [$VIP]:tcp:80' in the log"
	# It went down at the (retry+1)-th consecutive failure, as keepalived.
	ck_log lb1 "Check on service [${RIP[$1]}]:tcp:80 failed after $retry retries." ||
		tb_fail "no 'Check on service [${RIP[$1]}]:tcp:80 failed after $retry retries.' in the log"
	MS=$((t1 - t0))
}

# revive_rs NAME: starts nginx on NAME, waits until halb has it up; MS is
# the time in ms.
revive_rs() {
	local t0 t1
	tb_nginx "$1"
	t0=$(ck_ms)
	tb_wait "$UP_MAX" ck_up lb1 $VS "${RIP[$1]}" ||
		tb_fail "$1 did not come back within $UP_MAX s: $(ck_rs lb1 $VS "${RIP[$1]}" x)"
	t1=$(ck_ms)
	ck_log lb1 "Adding service [${RIP[$1]}]:tcp:80 to VS [$VIP]:tcp:80" ||
		tb_fail "no 'Adding service [${RIP[$1]}]:tcp:80 to VS [$VIP]:tcp:80' in the log"
	MS=$((t1 - t0))
}

# 1. wrr 1:2 without persistence.
fw_conf_variant "$conf" "$TB_DIR/wrr.conf" '/persistence_timeout/d'
start "$TB_DIR/wrr.conf"
fw_clear rs01 rs02
failed=$(fw_requests 30 $URL)
[ "$failed" = 0 ] || tb_fail "$failed of 30 requests failed with both servers up"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
[ "$2" -gt 0 ] && [ "$4" -gt 0 ] || tb_fail "both servers up, but $1=$2 $3=$4"

kill_rs rs01
echo "  nginx stopped on rs01: declared down after $MS ms (bound ${DOWN_MAX} s)"
ck_check lb1 172.17.1.7 80 'c["state"]' | grep -qx DOWN || tb_fail "halbctl checks does not say DOWN for rs01"
tb_halbctl lb1 checks | sed 's/^/  /'
before=$(ck_rs lb1 $VS 172.17.1.7 'x["conns"]')
fw_clear rs02
failed=$(fw_requests 50 $URL)
after=$(ck_rs lb1 $VS 172.17.1.7 'x["conns"]')
n2=$(grep -c 'GET /test.html' "$TB_DIR/nginx-rs02/access.log")
[ "$failed" = 0 ] || tb_fail "$failed of 50 requests failed after rs01 was declared down"
[ "$after" = "$before" ] || tb_fail "rs01 got $((after - before)) connections after it was declared down"
[ "$n2" = 50 ] || tb_fail "rs02 logged $n2 of the 50 requests"
echo "  rs01 down: 50 requests, 0 failed, all 50 on rs02, rs01's conns counter unchanged ($before)"

revive_rs rs01
echo "  nginx started on rs01: back in service after $MS ms (bound ${UP_MAX} s)"
fw_clear rs01 rs02
failed=$(fw_requests 60 $URL)
[ "$failed" = 0 ] || tb_fail "$failed of 60 requests failed after rs01 came back"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
fw_share_ok "$2" "$4" 2 0.15 || tb_fail "after rs01 came back, wrr 1:2 gave $1=$2 $3=$4"
echo "  rs01 back: 60 requests, 0 failed, $1=$2 $3=$4 (wrr 1:2)"
tb_stop_halb lb1

# 2. The seed's file as written: persistence 600.
start "$conf"
held=$(tb_in client curl -s -m 2 $URL) || tb_fail "no answer from the VIP"
case $held in rs01) other=rs02 ;; rs02) other=rs01 ;; *) tb_fail "unexpected body '$held'" ;; esac
kill_rs "$held"
echo "  persistence 600: the client's server $held stopped: declared down after $MS ms"
bodies=$(ck_bodies 20 $URL | sort | uniq -c | tr -s ' \n' ' ')
[ "$bodies" = " 20 $other " ] ||
	tb_fail "with $held down, 20 requests gave:$bodies (want all 20 from $other)"
echo "  $held down: 20 requests, all served by $other"
revive_rs "$held"
echo "  $held back in service after $MS ms"
failed=$(fw_requests 10 $URL)
[ "$failed" = 0 ] || tb_fail "$failed of 10 requests failed after $held came back"
tb_halbctl lb1 list | sed 's/^/  /'
tb_stop_halb lb1
exit 0
