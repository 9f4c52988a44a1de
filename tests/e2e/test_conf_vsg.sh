#!/bin/bash
# virtual_server_group with an address range, seed scenario 1's hosts (DR):
#   virtual_server_group WEB { 172.17.100.100-101 80 }
#   virtual_server group WEB { ... rs01, rs02 each with a TCP_CHECK }
# - requests to both member VIPs are served, by the same two real servers;
# - the group is one service: one checker per real server (not one per
#   member), one set of counters that both members' connections add to;
# - nginx stops on rs01: its one checker fails and rs01 leaves the service
#   for every member: requests to both VIPs all go to rs02; it comes back
#   for both when nginx runs again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP1=172.17.100.100
VIP2=172.17.100.101
VS=$VIP1:80

tb_init cvsg
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" $VIP1 $VIP2
tb_rs rs02 172.17.22.22/16 "" $VIP1 $VIP2
tb_director lb1

cat >"$TB_DIR/lb1.conf" <<EOF2
global_defs {
   router_id lb1
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        $VIP1
        $VIP2
    }
}
virtual_server_group WEB {
    $VIP1-101 80
}
virtual_server group WEB {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 172.17.1.7 80 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
    real_server 172.17.22.22 80 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
EOF2
"$HALB" -t -f "$TB_DIR/lb1.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/t.out" 2>&1 ||
	tb_fail "halb -t rejects the group configuration: $(cat "$TB_DIR/t.out")"
tb_halb lb1 "$TB_DIR/lb1.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 20 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"

n_services=$(tb_json lb1 list 'len(r["services"])')
n_checks=$(tb_json lb1 checks 'len(r["checks"])')
[ "$n_services" = 1 ] || tb_fail "the group shows as $n_services services, not 1"
[ "$n_checks" = 2 ] || tb_fail "$n_checks checkers run, not one per real server (2)"
echo "  group of $VIP1-101: one service, $n_checks checkers (one per real server)"

conns() { tb_json lb1 list 'sum(x["conns"] for s in r["services"] for x in s["real_servers"])'; }
before=$(conns)
fw_clear rs01 rs02
f1=$(fw_requests 20 http://$VIP1/test.html)
f2=$(fw_requests 20 http://$VIP2/test.html)
[ "$f1" = 0 ] && [ "$f2" = 0 ] || tb_fail "$f1 requests to $VIP1 and $f2 to $VIP2 failed"
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
[ "$2" -gt 0 ] && [ "$4" -gt 0 ] && [ $(($2 + $4)) = 40 ] ||
	tb_fail "40 requests to the two VIPs: $1=$2 $3=$4"
after=$(conns)
[ $((after - before)) = 40 ] ||
	tb_fail "the group's counters grew by $((after - before)), not 40 (both members count)"
echo "  20 requests to each member, 0 failed: $1=$2 $3=$4; the group's counters +$((after - before))"

t0=$(ck_ms)
tb_nginx_stop rs01 || tb_fail "nginx did not stop on rs01"
tb_wait 10 ck_down lb1 $VS 172.17.1.7 || tb_fail "rs01 was not declared down"
took=$(($(ck_ms) - t0))
fw_clear rs01 rs02
f1=$(fw_requests 15 http://$VIP1/test.html)
f2=$(fw_requests 15 http://$VIP2/test.html)
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
[ "$f1" = 0 ] && [ "$f2" = 0 ] || tb_fail "with rs01 down, $f1 requests to $VIP1 and $f2 to $VIP2 failed"
[ "$2" = 0 ] && [ "$4" = 30 ] || tb_fail "with rs01 down, requests to both VIPs: $1=$2 $3=$4"
echo "  nginx stopped on rs01: down after $took ms; 15 requests to each member, all on rs02 ($3=$4)"

t0=$(ck_ms)
tb_nginx rs01
tb_wait 10 ck_up lb1 $VS 172.17.1.7 || tb_fail "rs01 did not come back"
took=$(($(ck_ms) - t0))
fw_clear rs01 rs02
f1=$(fw_requests 10 http://$VIP1/test.html)
f2=$(fw_requests 10 http://$VIP2/test.html)
set -- $(fw_counts rs01 rs02 | tr '=' ' ')
[ "$f1" = 0 ] && [ "$f2" = 0 ] && [ "$2" -gt 0 ] && [ "$4" -gt 0 ] ||
	tb_fail "rs01 back: $f1 and $f2 failed, $1=$2 $3=$4"
echo "  nginx started on rs01: back after $took ms for both members ($1=$2 $3=$4)"
exit 0
