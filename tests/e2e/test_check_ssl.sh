#!/bin/bash
# Health checks, SSL_GET: nginx on 443 with a self-signed certificate made by
# the test bed (TB_TLS=1), a DR virtual server on VIP:443 checked with
# SSL_GET { url { path /test.html digest MD5 } connect_timeout 2 retry 1
# delay_before_retry 1 }, delay_loop 2, the digests computed by the test
# with md5sum:
# - both servers healthy (SSL_GET ok, digest ok); https://VIP/test.html works
#   through halb (curl -k) and reaches both servers;
# - rs01's page changes, its digest no longer matches -> rs01 goes down within
#   what the settings allow, and https requests all reach rs02;
# - the page restored -> rs01 is back;
# - nginx stopped on rs02 -> rs02 down, https requests all reach rs01;
#   started -> back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100
VS=$VIP:443
URL=https://$VIP/test.html

tb_init cssl
tb_host client 172.17.0.2/16
TB_TLS=1 tb_rs rs01 172.17.1.7/16 "" $VIP
TB_TLS=1 tb_rs rs02 172.17.22.22/16 "" $VIP
tb_director lb1
tb_in rs01 curl -sk -m 2 https://172.17.1.7/test.html | grep -qx rs01 ||
	tb_fail "nginx on rs01 does not serve https"

d1=$(md5sum <"$TB_DIR/nginx-rs01/www/test.html" | cut -d' ' -f1)
d2=$(md5sum <"$TB_DIR/nginx-rs02/www/test.html" | cut -d' ' -f1)
DL=2 CT=2 RETRY=1 DBR=1 SLACK=5
DOWN_MAX=$((DL + (RETRY + 1) * CT + RETRY * DBR + SLACK))
UP_MAX=$((DL + CT + SLACK))

rs_block() {
	cat <<-EOF
		    real_server $1 443 {
		        weight 1
		        SSL_GET {
		            url {
		                path /test.html
		                digest $2
		            }
		            connect_timeout $CT
		            retry $RETRY
		            delay_before_retry $DBR
		        }
		    }
	EOF
}
cat >"$TB_DIR/keepalived.conf" <<EOF
global_defs {
    router_id check_ssl
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
    }
}
virtual_server $VIP 443 {
    delay_loop $DL
    lb_algo rr
    lb_kind DR
    protocol TCP
$(rs_block 172.17.1.7 "$d1")
$(rs_block 172.17.22.22 "$d2")
}
EOF
"$HALB" -t -f "$TB_DIR/keepalived.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/config-test.txt" 2>&1 ||
	tb_fail "halb -t rejects the SSL_GET configuration: $(cat "$TB_DIR/config-test.txt")"

tb_halb lb1 "$TB_DIR/keepalived.conf" "$SEED/dr-master.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
# Healthy because the checks passed, not because they have not run yet.
ok_checks() {
	[ "$(tb_json lb1 checks 'sum(1 for c in r["checks"] if c["type"] == "SSL_GET" and c["state"] == "UP" and c["checks"] > 0 and c["last_result"] == "ok")')" = 2 ]
}
tb_wait 20 ok_checks || tb_fail "the SSL_GET checks did not pass: $(tb_json lb1 checks 'r["checks"]')"
ck_up lb1 $VS 172.17.1.7 && ck_up lb1 $VS 172.17.22.22 || tb_fail "the real servers are not healthy"
echo "  SSL_GET with digests $d1 (rs01), $d2 (rs02): both UP ($(ck_check lb1 172.17.1.7 443 'c["reason"]'))"

both_served() {
	bodies=$(ck_bodies 10 $URL -k | sort | uniq -c | tr -s ' \n' ' ')
	[[ $bodies =~ ^\ [0-9]+\ rs01\ [0-9]+\ rs02\ $ ]]
}
both_served || tb_fail "10 https requests through the VIP gave:$bodies"
echo "  curl -k $URL: 10 requests:$bodies"

# rs01's page changes: the digest no longer matches.
echo "rs01 changed" >"$TB_DIR/nginx-rs01/www/test.html"
t0=$(ck_ms)
tb_wait $DOWN_MAX ck_down lb1 $VS 172.17.1.7 ||
	tb_fail "rs01 was not declared down within $DOWN_MAX s after its digest changed"
t1=$(ck_ms)
reason=$(ck_check lb1 172.17.1.7 443 'c["reason"]')
case $reason in *"digest mismatch"*) ;; *) tb_fail "rs01 is down, but not for its digest: $reason" ;; esac
ck_log lb1 "Removing service [172.17.1.7]:tcp:443 from VS [$VIP]:tcp:443" ||
	tb_fail "no 'Removing service [172.17.1.7]:tcp:443 ...' in the log"
echo "  rs01's page changed: down after $((t1 - t0)) ms (bound ${DOWN_MAX} s): $reason"
ck_up lb1 $VS 172.17.22.22 || tb_fail "rs02 went down too"
bodies=$(ck_bodies 10 $URL -k | sort | uniq -c | tr -s ' \n' ' ')
[ "$bodies" = " 10 rs02 " ] || tb_fail "with rs01 down, 10 https requests gave:$bodies"
echo "  rs01 down: 10 https requests, all served by rs02"

echo rs01 >"$TB_DIR/nginx-rs01/www/test.html"
t0=$(ck_ms)
tb_wait $UP_MAX ck_up lb1 $VS 172.17.1.7 ||
	tb_fail "rs01 did not come back within $UP_MAX s after its page was restored"
t1=$(ck_ms)
echo "  rs01's page restored: up after $((t1 - t0)) ms (bound ${UP_MAX} s)"
both_served || tb_fail "after rs01 came back, 10 https requests gave:$bodies"

# nginx stopped on rs02: the TLS connection is refused.
tb_nginx_stop rs02 || tb_fail "nginx did not stop on rs02"
t0=$(ck_ms)
tb_wait $DOWN_MAX ck_down lb1 $VS 172.17.22.22 ||
	tb_fail "rs02 was not declared down within $DOWN_MAX s after nginx stopped"
echo "  nginx stopped on rs02: down after $(($(ck_ms) - t0)) ms: $(ck_check lb1 172.17.22.22 443 'c["reason"]')"
bodies=$(ck_bodies 10 $URL -k | sort | uniq -c | tr -s ' \n' ' ')
[ "$bodies" = " 10 rs01 " ] || tb_fail "with rs02 down, 10 https requests gave:$bodies"
TB_TLS=1 tb_nginx rs02
t0=$(ck_ms)
tb_wait $UP_MAX ck_up lb1 $VS 172.17.22.22 || tb_fail "rs02 did not come back after nginx started"
echo "  nginx started on rs02: up after $(($(ck_ms) - t0)) ms; 10 https requests with rs02 down: all on rs01"
tb_stop_halb lb1
exit 0
