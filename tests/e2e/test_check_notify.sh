#!/bin/bash
# Health checks: notify_up / notify_down, alpha, ha_suspend. Two directors
# on the seed's DR addresses: lb1 (VI_1 priority 100, MASTER) and lb2
# (priority 50, BACKUP); real servers rs01 and rs02 carry both VIPs on lo.
# - VIP .100:80 has alpha and per-server notify_up/notify_down scripts that
#   append "TIME up|down SERVER" to a file per director; VIP .101:80 has
#   ha_suspend;
# - alpha: while the checks cannot succeed (check traffic from lb1 dropped
#   on the real servers), .100's servers are unhealthy from the start and
#   stay so without any notify_down; once they can, they come up and
#   notify_up runs for each;
# - notify: nginx stopped on rs01 -> one "down rs01" line stamped after the
#   stop; started -> one "up rs01" line; the same on the BACKUP, which checks
#   .100 too;
# - ha_suspend: on the BACKUP, .101's checks are not running ("running":
#   false) while .100's are; on the MASTER both run;
# - rs02 dies, then lb1: lb2 takes over already knowing rs02 is down in .100
#   (no request fails), starts .101's checks and finds it down there too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
VIP2=172.17.100.101
VS=$VIP:80
VS2=$VIP2:80
R1=172.17.1.7
R2=172.17.22.22
DIP1=172.17.1.6

tb_init cnot
tb_host client 172.17.0.2/16
tb_rs rs01 $R1/16 "" $VIP $VIP2
tb_rs rs02 $R2/16 "" $VIP $VIP2
tb_director lb1
tb_director lb2

DL=2 CT=2 SLACK=5
DOWN_MAX=$((DL + 2 * CT + 1 + SLACK))
UP_MAX=$((DL + CT + SLACK))
cat >"$TB_DIR/notify.sh" <<'EOF'
#!/bin/sh
# notify.sh FILE up|down SERVER: "TIME up|down SERVER" appended to FILE.
echo "$(date +%s.%N) $2 $3" >>"$1"
EOF
chmod 755 "$TB_DIR/notify.sh"

# conf NAME PRIORITY: the keepalived.conf of director NAME.
conf() {
	local name=$1 prio=$2 state=BACKUP rs
	[ "$prio" = 100 ] && state=MASTER
	rs_block() {
		cat <<-EOF
			    real_server $1 80 {
			        weight 1
			        ${3:-}
			        HTTP_GET {
			            url {
			                path /test.html
			            }
			            connect_timeout $CT
			            retry 1
			            delay_before_retry 1
			        }
			    }
		EOF
	}
	cat <<-EOF
		global_defs {
		    router_id check_notify_$name
		}
		vrrp_instance VI_1 {
		    state $state
		    interface eth1
		    virtual_router_id 51
		    priority $prio
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
		    alpha
		$(rs_block $R1 rs01 "notify_up \"$TB_DIR/notify.sh $TB_DIR/notify-$name.log up rs01\"
		        notify_down \"$TB_DIR/notify.sh $TB_DIR/notify-$name.log down rs01\"")
		$(rs_block $R2 rs02 "notify_up \"$TB_DIR/notify.sh $TB_DIR/notify-$name.log up rs02\"
		        notify_down \"$TB_DIR/notify.sh $TB_DIR/notify-$name.log down rs02\"")
		}
		virtual_server $VIP2 80 {
		    delay_loop $DL
		    lb_algo wrr
		    lb_kind DR
		    protocol TCP
		    ha_suspend
		$(rs_block $R1)
		$(rs_block $R2)
		}
	EOF
}
conf lb1 100 >"$TB_DIR/lb1.conf"
conf lb2 50 >"$TB_DIR/lb2.conf"
for n in lb1 lb2; do
	"$HALB" -t -f "$TB_DIR/$n.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/config-test.txt" 2>&1 ||
		tb_fail "halb -t rejects $n.conf: $(cat "$TB_DIR/config-test.txt")"
done
# lines FILE WHAT SERVER: how many "WHAT SERVER" lines FILE has.
lines() {
	[ -f "$1" ] || { echo 0; return; }
	grep -c " $2 $3\$" "$1"
}
# running NAME VIP:PORT: the "running" flags of that service's checks.
running() {
	tb_json "$1" checks "sorted(set(c['running'] for c in r['checks'] if c['vip'] == '${2%:*}' and c['vport'] == ${2#*:}))"
}

# 1. alpha: lb1's checks cannot succeed while its check traffic is dropped.
for rs in rs01 rs02; do
	tb_in $rs nft -f - <<-EOF
		table inet alpha {
			chain in {
				type filter hook input priority 0; policy accept;
				ip saddr $DIP1 tcp dport 80 drop
			}
		}
	EOF
done
tb_halb lb1 "$TB_DIR/lb1.conf" "$SEED/dr-master.cfg"
got=$(tb_json lb1 list "[(x['healthy'], x['in_service']) for s in r['services'] if s['vip'] == '$VIP' for x in s['real_servers']]")
[ "$got" = "[(False, False), (False, False)]" ] ||
	tb_fail "alpha: right after start .100's servers should be unhealthy, out of service: $got"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
failed_once() {
	[ "$(tb_json lb1 checks "sum(1 for c in r['checks'] if c['vip'] == '$VIP' and c['checks'] > 0 and c['state'] == 'DOWN')")" = 2 ]
}
tb_wait $((DL + CT + SLACK)) failed_once || tb_fail "alpha: the first checks did not run and fail: $(tb_json lb1 checks r)"
got=$(tb_json lb1 list "[(x['healthy'], x['in_service']) for s in r['services'] if s['vip'] == '$VIP' for x in s['real_servers']]")
[ "$got" = "[(False, False), (False, False)]" ] ||
	tb_fail "alpha: after failed checks .100's servers should still be down: $got"
[ ! -s "$TB_DIR/notify-lb1.log" ] || tb_fail "alpha: a server that starts down was notified: $(cat "$TB_DIR/notify-lb1.log")"
ck_log lb1 "Removing service [$R1]:tcp:80 from VS [$VIP]:tcp:80" &&
	tb_fail "alpha: rs01 was 'removed' from .100 though it never was in"
echo "  alpha: right after start and after the first failed checks, .100's servers are down, no notify"
for rs in rs01 rs02; do tb_in $rs nft delete table inet alpha; done
t0=$(ck_ms)
tb_wait $UP_MAX ck_up lb1 $VS $R1 && tb_wait 5 ck_up lb1 $VS $R2 ||
	tb_fail "alpha: .100's servers did not come up once their checks could succeed"
echo "  alpha: up $(($(ck_ms) - t0)) ms after the checks could succeed"
tb_wait 5 sh -c "[ \$(grep -c ' up rs0[12]\$' '$TB_DIR/notify-lb1.log') = 2 ]" ||
	tb_fail "alpha: notify_up did not run once per server: $(cat "$TB_DIR/notify-lb1.log" 2>/dev/null)"
ck_log lb1 "Adding service [$R1]:tcp:80 to VS [$VIP]:tcp:80" || tb_fail "alpha: no 'Adding service' for rs01"
echo "  alpha: notify_up ran: $(tr '\n' ';' <"$TB_DIR/notify-lb1.log")"

# 2. ha_suspend: lb2 is BACKUP.
tb_halb lb2 "$TB_DIR/lb2.conf" "$SEED/dr-backup.cfg"
tb_wait 10 tb_vrrp_is lb2 VI_1 BACKUP || tb_fail "lb2 is not BACKUP"
tb_wait 20 ck_up lb2 $VS $R1 && tb_wait 5 ck_up lb2 $VS $R2 ||
	tb_fail "lb2 (BACKUP) does not see .100's servers healthy: $(tb_json lb2 list r)"
sleep $DL # (bounded) time for a suspended check to have run, if it wrongly did
[ "$(running lb2 $VS2)" = "[False]" ] || tb_fail "ha_suspend: the BACKUP runs .101's checks: $(running lb2 $VS2)"
[ "$(tb_json lb2 checks "sum(c['checks'] for c in r['checks'] if c['vip'] == '$VIP2')")" = 0 ] ||
	tb_fail "ha_suspend: the BACKUP has run .101's checks"
[ "$(running lb2 $VS)" = "[True]" ] || tb_fail "the BACKUP does not run .100's checks (no ha_suspend): $(running lb2 $VS)"
[ "$(tb_json lb2 checks "min(c['checks'] for c in r['checks'] if c['vip'] == '$VIP')")" -gt 0 ] ||
	tb_fail "the BACKUP has not run .100's checks"
[ "$(running lb1 $VS2)" = "[True]" ] || tb_fail "ha_suspend: the MASTER does not run .101's checks"
[ "$(tb_json lb1 checks "min(c['checks'] for c in r['checks'] if c['vip'] == '$VIP2')")" -gt 0 ] ||
	tb_fail "ha_suspend: the MASTER has not run .101's checks"
echo "  ha_suspend: BACKUP lb2 .101 checks running=$(running lb2 $VS2), .100 running=$(running lb2 $VS); MASTER lb1 .101 running=$(running lb1 $VS2)"

# 3. notify_down / notify_up on both directors.
tb_nginx_stop rs01 || tb_fail "nginx did not stop on rs01"
t_stop=$(date +%s.%N)
t0=$(ck_ms)
tb_wait $DOWN_MAX ck_down lb1 $VS $R1 || tb_fail "rs01 was not declared down on lb1"
echo "  nginx stopped on rs01: down on lb1 after $(($(ck_ms) - t0)) ms (bound $DOWN_MAX s)"
tb_wait 5 sh -c "grep -q ' down rs01\$' '$TB_DIR/notify-lb1.log'" || tb_fail "notify_down did not run on lb1"
tb_wait $DOWN_MAX ck_down lb2 $VS $R1 || tb_fail "the BACKUP did not see rs01 down"
tb_wait 5 sh -c "grep -q ' down rs01\$' '$TB_DIR/notify-lb2.log'" || tb_fail "notify_down did not run on lb2"
ck_down lb2 $VS2 $R1 && tb_fail "ha_suspend: the BACKUP judged rs01 in .101, whose checks are suspended"
sleep $DL # a second round of failing checks must not notify again
for n in lb1 lb2; do
	[ "$(lines "$TB_DIR/notify-$n.log" down rs01)" = 1 ] ||
		tb_fail "$n: want one 'down rs01' line: $(cat "$TB_DIR/notify-$n.log")"
	[ "$(lines "$TB_DIR/notify-$n.log" down rs02)" = 0 ] || tb_fail "$n: rs02 was notified down"
	stamp=$(grep ' down rs01$' "$TB_DIR/notify-$n.log" | cut -d' ' -f1)
	python3 -c "import sys; sys.exit(0 if float('$stamp') >= float('$t_stop') - 0.5 else 1)" ||
		tb_fail "$n: the 'down rs01' line ($stamp) is older than the stop ($t_stop)"
done
echo "  notify_down: lb1 '$(grep ' down rs01$' "$TB_DIR/notify-lb1.log")', lb2 '$(grep ' down rs01$' "$TB_DIR/notify-lb2.log")'"
tb_nginx rs01
t0=$(ck_ms)
tb_wait $UP_MAX ck_up lb1 $VS $R1 || tb_fail "rs01 did not come back on lb1"
tb_wait $UP_MAX ck_up lb2 $VS $R1 || tb_fail "rs01 did not come back on the BACKUP"
tb_wait 5 sh -c "[ \$(grep -c ' up rs01\$' '$TB_DIR/notify-lb1.log') = 2 ] && [ \$(grep -c ' up rs01\$' '$TB_DIR/notify-lb2.log') = 2 ]" ||
	tb_fail "notify_up did not run once more for rs01: lb1: $(tr '\n' ';' <"$TB_DIR/notify-lb1.log") lb2: $(tr '\n' ';' <"$TB_DIR/notify-lb2.log")"
[ "$(tail -n 1 "$TB_DIR/notify-lb1.log" | cut -d' ' -f2-)" = "up rs01" ] || tb_fail "lb1's last notify is not 'up rs01'"
echo "  notify_up: lb1 '$(tail -n 1 "$TB_DIR/notify-lb1.log")' ($(($(ck_ms) - t0)) ms after the start)"

# 4. rs02 dies, then lb1 goes away. lb2 checked .100 all along, so it takes
# over knowing rs02 is down: no request to .100 fails. .101's checks start on
# lb2 only now, and then find rs02 down.
tb_nginx_stop rs02 || tb_fail "nginx did not stop on rs02"
tb_wait $DOWN_MAX ck_down lb2 $VS $R2 || tb_fail "the BACKUP did not see rs02 down in $VS"
ck_up lb2 $VS2 $R2 || tb_fail "ha_suspend: the BACKUP judged rs02 in .101, whose checks are suspended"
tb_stop_halb lb1
tb_wait 10 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 did not take over"
B=$(ck_bodies 10 http://$VIP/test.html | sort | uniq -c | tr -s ' \n' ' ')
[ "$B" = " 10 rs01 " ] || tb_fail "after the takeover, 10 requests to $VIP gave:$B (want all from rs01)"
echo "  rs02 stopped, lb1 stopped: lb2 MASTER, 10 requests to $VIP:$B"
[ "$(running lb2 $VS2)" = "[True]" ] || tb_fail "ha_suspend: lb2, now MASTER, does not run .101's checks"
ran() { [ "$(tb_json lb2 checks "min(c['checks'] for c in r['checks'] if c['vip'] == '$VIP2')")" -gt 0 ]; }
tb_wait $((DL + CT + SLACK)) ran || tb_fail "ha_suspend: lb2, now MASTER, has not run .101's checks"
tb_wait $DOWN_MAX ck_down lb2 $VS2 $R2 || tb_fail "lb2, now MASTER, did not find rs02 down in .101"
ck_up lb2 $VS2 $R1 || tb_fail "lb2 does not have rs01 up in .101"
B=$(ck_bodies 10 http://$VIP2/test.html | sort | uniq -c | tr -s ' \n' ' ')
[ "$B" = " 10 rs01 " ] || tb_fail "10 requests to $VIP2 through lb2 gave:$B (want all from rs01)"
echo "  .101 checks running=$(running lb2 $VS2) on lb2 since the takeover: rs02 found down, 10 requests to $VIP2:$B"
tb_stop_halb lb2
exit 0
