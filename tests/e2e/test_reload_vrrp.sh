#!/bin/bash
# A reload loses nothing VRRP holds, and 1000 mh services do not stall it.
# lb1 (priority 150) tracks a weight-0 vrrp_script and serves 1000 virtual
# servers with lb_algo mh, each health-checked (TCP_CHECK) on rs01; lb2
# (priority 100) has the same VIP.
# - the script fails: lb1 FAULT, lb2 MASTER. SIGHUP lb1 with the script
#   unchanged: lb1 is still FAULT 5 s later and lb2 still MASTER, without a
#   transition (before, a reload restarted the script as "not yet run" and
#   let lb1 leave FAULT and take over while the check still failed);
# - the script changes (now it succeeds) and SIGHUP: a changed script
#   starts afresh, lb1 leaves FAULT and takes the VIP back;
# - health flap: rs01's nginx stops until all 1000 services lost their
#   server, then starts until all 1000 have it again (1000 Maglev tables
#   rebuilt). lb1's adverts are captured on the wire; the largest gap must
#   stay under 3 advert intervals (Master_Down_Interval is 3 intervals plus
#   the skew): the backup never takes over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
VIP=172.17.100.100
N=1000

tb_init rvr
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP
tb_director lb1
tb_director lb2

vt_dataplane lb1 172.17.1.6/16 >"$TB_DIR/dp-lb1.cfg"
vt_dataplane lb2 172.17.1.5/16 >"$TB_DIR/dp-lb2.cfg"

instance() { # PRIO [TRACK]
	cat <<-EOF
		vrrp_instance VI_1 {
		    state BACKUP
		    interface eth1
		    virtual_router_id 71
		    priority $1
		    advert_int 1
		    virtual_ipaddress {
		        $VIP
		    }
		    ${2:-}
		}
	EOF
}
lb1_conf() { # SCRIPT
	cat <<-EOF
		vrrp_script chk {
		    script "$1"
		    interval 1
		    weight 0
		}
	EOF
	instance 150 'track_script { chk }'
	for i in $(seq 0 $((N - 1))); do
		cat <<-EOF
			virtual_server $VIP $((10000 + i)) {
			    delay_loop 2
			    lb_algo mh
			    lb_kind DR
			    protocol TCP
			    real_server 172.17.1.7 $((10000 + i)) {
			        TCP_CHECK {
			            connect_port 80
			            connect_timeout 1
			        }
			    }
			}
		EOF
	done
}
lb1_conf /bin/false >"$TB_DIR/lb1.conf"
instance 100 >"$TB_DIR/lb2.conf"
"$HALB" -t -f "$TB_DIR/lb1.conf" -c "$TB_DIR/dp-lb1.cfg" >"$TB_DIR/t.out" 2>&1 ||
	tb_fail "halb -t rejects lb1's configuration: $(tail -5 "$TB_DIR/t.out")"

tb_halb lb2 "$TB_DIR/lb2.conf" "$TB_DIR/dp-lb2.cfg"
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/dp-lb1.cfg"
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }
faulted() { tb_vrrp_is lb1 VI_1 FAULT && tb_vrrp_is lb2 VI_1 MASTER; }
tb_wait 20 faulted || tb_fail "lb1 is not FAULT with lb2 MASTER: $(states)"
echo "  the weight-0 script fails: lb1 FAULT, lb2 MASTER"

# SIGHUP, the script unchanged: FAULT stays
ntr1=$(vt_vrrp lb1 VI_1 'len(i["transitions"])')
ntr2=$(vt_vrrp lb2 VI_1 'len(i["transitions"])')
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 20 sh -c "grep -q 'Reloaded' '$TB_DIR/halb-lb1.log'" || tb_fail "lb1 logged no reload"
end=$(($(vt_ms) + 5000))
while [ "$(vt_ms)" -lt $end ]; do
	faulted || tb_fail "after SIGHUP: $(states)"
	sleep 0.5
done
[ "$(vt_vrrp lb1 VI_1 'len(i["transitions"])')" = "$ntr1" ] || tb_fail "lb1 made a transition"
[ "$(vt_vrrp lb2 VI_1 'len(i["transitions"])')" = "$ntr2" ] || tb_fail "lb2 made a transition"
echo "  SIGHUP with the script unchanged: lb1 still FAULT 5 s later, lb2 still MASTER, no transition"

# SIGHUP with the script changed: it starts afresh (and now succeeds)
lb1_conf /bin/true >"$TB_DIR/lb1.conf"
t0=$(vt_ms)
kill -HUP "$(tb_halb_pid lb1)"
lb1_master() { tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb2 VI_1 BACKUP; }
tb_wait 20 lb1_master || tb_fail "lb1 did not take over with the changed script: $(states)"
echo "  SIGHUP with the script changed: lb1 MASTER after $(($(vt_ms) - t0)) ms"

# the health flap, with lb1's adverts captured. /halb/services with 1000
# entries is too long a reply: the log says what changed, one line each.
logged() { grep -c "$1 service \[172.17.1.7\]" "$TB_DIR/halb-lb1.log"; }
logged_is() { [ "$(logged "$1")" -ge "$2" ]; }
removed0=$(logged Removing)
added0=$(logged Adding)
ntr2=$(vt_vrrp lb2 VI_1 'len(i["transitions"])')
CAP=$TB_DIR/adverts.txt
tb_in client timeout 80 tcpdump -i eth0 -nn -tt -l 'ip proto 112 and src 172.17.1.6' \
	>"$CAP" 2>"$CAP.err" &
cap=$!
tb_wait 5 grep -q "listening on" "$CAP.err" || tb_fail "tcpdump did not start"
sleep 2
t0=$(vt_ms)
tb_nginx_stop rs01 || tb_fail "nginx on rs01 did not stop"
tb_wait 30 logged_is Removing $((removed0 + N)) ||
	tb_fail "$(($(logged Removing) - removed0)) of $N services lost their real server"
down=$(($(vt_ms) - t0))
t0=$(vt_ms)
tb_nginx rs01
tb_wait 30 logged_is Adding $((added0 + N)) ||
	tb_fail "$(($(logged Adding) - added0)) of $N services got their real server back"
up=$(($(vt_ms) - t0))
sleep 2
kill "$cap" 2>/dev/null
wait "$cap" 2>/dev/null
n=$(grep -c 'VRRPv2, Advertisement' "$CAP")
gap=$(awk '/VRRPv2, Advertisement/ { if (p) { g = ($1 - p) * 1000; if (g > m) m = g } p = $1 }
	END { printf "%d", m }' "$CAP")
echo "  health flap of $N mh services: all down in $down ms, all up again in $up ms"
echo "  $n adverts of lb1 on the wire meanwhile, largest gap $gap ms (bound: 3 advert intervals, 3000 ms)"
[ "$n" -ge 5 ] || tb_fail "only $n adverts of lb1 captured"
lb1_master || tb_fail "the health flap moved the election: $(states)"
[ "$(vt_vrrp lb2 VI_1 'len(i["transitions"])')" = "$ntr2" ] ||
	tb_fail "lb2 made a transition: $(vt_vrrp lb2 VI_1 'i["transitions"][-3:]')"
[ "$gap" -lt 3000 ] || tb_fail "adverts stalled for $gap ms: the backup could take over"
exit 0
