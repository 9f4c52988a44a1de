#!/bin/bash
# Health checks and what halb makes of them: quorum, sorry_server,
# inhibit_on_failure. DR, the seed's addresses; real servers rs01 and rs02
# weight 1 each, HTTP_GET; a third nginx host "sorry" serves its own page.
# - VIP .100:80 has quorum 2 (hysteresis 0), sorry_server "sorry", and
#   quorum_up / quorum_down scripts that log and touch a file:
#   both up -> served by rs01/rs02; one down -> live weight 1 < 2: quorum
#   lost ("Lost quorum" logged, quorum_down ran), the sorry server alone
#   answers; both down -> still the sorry server; one back -> 1 < 2, still
#   lost; both back -> quorum gained, quorum_up ran, rs01/rs02 serve again;
# - VIP .101:80 (no quorum) has inhibit_on_failure on rs01: while rs01 is
#   down it stays listed with weight 0 (in service, unhealthy, no new
#   connections), where rs02, without it, is removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
VIP2=172.17.100.101
VS=$VIP:80
VS2=$VIP2:80
URL=http://$VIP/test.html
URL2=http://$VIP2/test.html
R1=172.17.1.7
R2=172.17.22.22
SORRY=172.17.33.33

tb_init cquo
tb_host client 172.17.0.2/16
tb_rs rs01 $R1/16 "" $VIP $VIP2
tb_rs rs02 $R2/16 "" $VIP $VIP2
tb_rs sorry $SORRY/16 "" $VIP $VIP2
tb_director lb1

DL=2 CT=2 SLACK=5
DOWN_MAX=$((DL + 2 * CT + 1 + SLACK))
UP_MAX=$((DL + CT + SLACK))
cat >"$TB_DIR/quorum.sh" <<'EOF'
#!/bin/sh
# quorum.sh DIR up|down: a line in DIR/quorum.log and the file DIR/quorum-up|down.
echo "$(date +%s.%N) $2" >>"$1/quorum.log"
touch "$1/quorum-$2"
EOF
chmod 755 "$TB_DIR/quorum.sh"
check() {
	cat <<-EOF
		        HTTP_GET {
		            url {
		                path /test.html
		            }
		            connect_timeout $CT
		            retry 1
		            delay_before_retry 1
		        }
	EOF
}
cat >"$TB_DIR/keepalived.conf" <<EOF
global_defs {
    router_id check_quorum
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
    quorum 2
    hysteresis 0
    quorum_up "$TB_DIR/quorum.sh $TB_DIR up"
    quorum_down "$TB_DIR/quorum.sh $TB_DIR down"
    sorry_server $SORRY 80
    real_server $R1 80 {
        weight 1
$(check)
    }
    real_server $R2 80 {
        weight 1
$(check)
    }
}
virtual_server $VIP2 80 {
    delay_loop $DL
    lb_algo wrr
    lb_kind DR
    protocol TCP
    real_server $R1 80 {
        weight 1
        inhibit_on_failure
$(check)
    }
    real_server $R2 80 {
        weight 1
$(check)
    }
}
EOF
"$HALB" -t -f "$TB_DIR/keepalived.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/config-test.txt" 2>&1 ||
	tb_fail "halb -t rejects the configuration: $(cat "$TB_DIR/config-test.txt")"
tb_halb lb1 "$TB_DIR/keepalived.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 20 fw_healthy lb1 4 || tb_fail "the real servers are not healthy"

quorum() { tb_json lb1 list "[s['quorum_up'] for s in r['services'] if s['vip'] == '$VIP'][0]"; }
quorum_is() { [ "$(quorum)" = "$1" ]; }
healthy_is() { [ "$(ck_rs lb1 "$1" "$2" 'x["healthy"]')" = "$3" ]; }
# served URL REGEX WHEN: 10 requests; their bodies, sorted and counted
# (" 10 sorry "), must match REGEX; B is what they were.
served() {
	B=$(ck_bodies 10 "$1" | sort | uniq -c | tr -s ' \n' ' ')
	[[ $B =~ $2 ]] || tb_fail "$3: 10 requests to $1 gave:$B (want $2)"
}
BOTH='^ [0-9]+ rs01 [0-9]+ rs02 $'
SORRY_ONLY='^ 10 sorry $'

quorum_is True || tb_fail "quorum is not up with both servers up"
served $URL "$BOTH" "both up"
echo "  both up, quorum up: 10 requests to $VIP:$B"

# rs01 down: the live weight 1 is under quorum 2.
tb_nginx_stop rs01 || tb_fail "nginx did not stop on rs01"
tb_wait $DOWN_MAX ck_down lb1 $VS $R1 || tb_fail "rs01 was not declared down in $VS"
tb_wait 5 quorum_is False || tb_fail "quorum still up with a live weight of 1 < 2"
ck_log lb1 "Lost quorum" || tb_fail "no 'Lost quorum' logged"
ck_log lb1 "Adding sorry server [$SORRY]:tcp:80 to VS [$VIP]:tcp:80" || tb_fail "no 'Adding sorry server' logged"
tb_wait 5 test -f "$TB_DIR/quorum-down" || tb_fail "the quorum_down script did not run"
echo "  rs01 down: $(grep -o 'Lost quorum.*' "$TB_DIR/halb-lb1.log" | tail -n 1); quorum_down ran: $(tail -n 1 "$TB_DIR/quorum.log")"
sorry_in=$(tb_json lb1 list "[x['in_service'] for s in r['services'] if s['vip'] == '$VIP' for x in s['real_servers'] if x['sorry']][0]")
[ "$sorry_in" = True ] || tb_fail "the sorry server is not in service with quorum lost"
[ "$(ck_rs lb1 $VS $R2 '(x["healthy"], x["in_service"])')" = "(True, False)" ] ||
	tb_fail "rs02 should be healthy but out of service while the sorry server serves: $(ck_rs lb1 $VS $R2 x)"
served $URL "$SORRY_ONLY" "quorum lost"
echo "  quorum lost: 10 requests to $VIP:$B"

# inhibit_on_failure: rs01 stays in .101's service with weight 0.
tb_wait $DOWN_MAX healthy_is $VS2 $R1 False || tb_fail "rs01 is not unhealthy in $VS2"
got=$(ck_rs lb1 $VS2 $R1 '(x["healthy"], x["in_service"], x["weight"], x["configured_weight"])')
[ "$got" = "(False, True, 0, 1)" ] ||
	tb_fail "inhibit_on_failure: rs01 in $VS2 should be (healthy, in_service, weight, configured) = (False, True, 0, 1), is $got"
ck_log lb1 "Disabling service [$R1]:tcp:80 in VS [$VIP2]:tcp:80" || tb_fail "no 'Disabling service' logged for the inhibited rs01"
ck_log lb1 "Removing service [$R1]:tcp:80 from VS [$VIP2]:tcp:80" && tb_fail "rs01 was removed from $VS2 despite inhibit_on_failure"
tb_halbctl lb1 list | grep -A3 "$VIP2:80" | grep -q "$R1:80 .* 0 .* down" ||
	tb_fail "halbctl list does not show rs01 with weight 0, down: $(tb_halbctl lb1 list)"
served $URL2 '^ 10 rs02 $' "rs01 inhibited"
echo "  inhibit_on_failure: rs01 listed in $VS2 with weight 0, down; 10 requests:$B"

# Both down.
tb_nginx_stop rs02 || tb_fail "nginx did not stop on rs02"
tb_wait $DOWN_MAX ck_down lb1 $VS2 $R2 || tb_fail "rs02 was not declared down in $VS2 (no inhibit_on_failure: removed)"
tb_wait $DOWN_MAX healthy_is $VS $R2 False || tb_fail "rs02 is still healthy in $VS"
[ "$(ck_rs lb1 $VS2 $R1 '(x["in_service"], x["weight"])')" = "(True, 0)" ] || tb_fail "the inhibited rs01 left $VS2"
quorum_is False || tb_fail "quorum up with both servers down"
served $URL "$SORRY_ONLY" "both down"
echo "  both down: still the sorry server:$B"
tb_halbctl lb1 list | sed 's/^/  /'

# One back: 1 < 2, still lost (hysteresis 0).
: >"$TB_DIR/quorum.log"
tb_nginx rs01
tb_wait $UP_MAX healthy_is $VS $R1 True || tb_fail "rs01 did not come back"
tb_wait $UP_MAX ck_up lb1 $VS2 $R1 || tb_fail "rs01 is not back in $VS2"
[ "$(ck_rs lb1 $VS2 $R1 'x["weight"]')" = 1 ] || tb_fail "the inhibited rs01 did not get its weight back"
quorum_is False || tb_fail "quorum gained with a live weight of 1 < 2"
[ ! -s "$TB_DIR/quorum.log" ] || tb_fail "a quorum script ran with one server back: $(cat "$TB_DIR/quorum.log")"
served $URL "$SORRY_ONLY" "one back"
echo "  rs01 back (weight 1 < quorum 2): still the sorry server:$B; rs01 at weight 1 again in $VS2"

# Both back: quorum gained.
tb_nginx rs02
tb_wait $UP_MAX ck_up lb1 $VS $R2 || tb_fail "rs02 did not come back: $(ck_rs lb1 $VS $R2 x)"
quorum_is True || tb_fail "quorum not gained with both servers back"
ck_log lb1 "Gained quorum" || tb_fail "no 'Gained quorum' logged"
tb_wait 5 test -f "$TB_DIR/quorum-up" || tb_fail "the quorum_up script did not run"
grep -q ' up$' "$TB_DIR/quorum.log" || tb_fail "quorum.log lacks the up line: $(cat "$TB_DIR/quorum.log")"
ck_up lb1 $VS $R1 || tb_fail "rs01 is not in service in $VS after quorum was gained"
sorry_in=$(tb_json lb1 list "[x['in_service'] for s in r['services'] if s['vip'] == '$VIP' for x in s['real_servers'] if x['sorry']][0]")
[ "$sorry_in" = False ] || tb_fail "the sorry server still in service after quorum was gained"
served $URL "$BOTH" "quorum gained"
echo "  both back: $(grep -o 'Gained quorum.*' "$TB_DIR/halb-lb1.log" | tail -n 1); quorum_up ran; 10 requests:$B"
tb_stop_halb lb1
exit 0
