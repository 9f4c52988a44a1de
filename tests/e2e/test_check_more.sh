#!/bin/bash
# Health checks PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK and FILE_CHECK
# against real peers, one director with a virtual server per kind, all on
# one real server host (rs1) and quick timings (delay_loop 1, retry 0):
# - PING_CHECK: rs1 stops answering echoes (icmp_echo_ignore_all) -> down,
#   out of the service; answers again -> up. The director's namespace keeps
#   ping_group_range at "1 0", so the echo goes out of a raw socket;
# - UDP_CHECK (payload, require_reply with an x nibble) to a UDP echo:
#   the echo stops -> ICMP port unreachable -> down; it comes back -> up;
# - DNS_CHECK (type A) to dnsmasq: dnsmasq stops -> down; back -> up;
# - SMTP_CHECK with two host blocks (ports 25 and 2525, aiosmtpd): two
#   checkers in /halb/checks; the 2525 server stops -> the real server is
#   down; back -> up;
# - FILE_CHECK: weight 0 on one file (1 -> down, 0 -> up) and weight 3 on
#   another (2 -> the real server's weight goes from 1 to 7, 0 -> 1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_lib.sh"
SEED=$TOP/conf/seed
PY=/usr/bin/python3 # Debian's, which has python3-aiosmtpd
R=172.17.2.1
VPING=172.17.100.1:80
VUDP=172.17.100.2:7777
VDNS=172.17.100.3:53
VSMTP=172.17.100.4:25
VFILE=172.17.100.5:80

$PY -c 'import aiosmtpd' 2>/dev/null || tb_fail "python3-aiosmtpd is not installed (scripts/install_deps.sh)"
command -v dnsmasq >/dev/null || tb_fail "dnsmasq is not installed (scripts/install_deps.sh)"

tb_init cmore
tb_host rs1 $R/16
tb_director lb1

# --- the peers, each a process of its own in rs1 (ip netns exec execs it,
# so $! is the server itself)
udp_start() {
	ip netns exec "$TB-rs1" $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7777))
while True:
    d, a = s.recvfrom(65535)
    s.sendto(d, a)' $R >"$TB_DIR/udp.log" 2>&1 &
	UDP_PID=$!
}
dns_start() {
	ip netns exec "$TB-rs1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address=$R --port=53 --user=root \
		--host-record=www.halb.test,172.17.2.9 --pid-file="$TB_DIR/dnsmasq.pid" \
		>"$TB_DIR/dnsmasq.log" 2>&1 &
	DNS_PID=$!
}
smtp_start() { # PORT
	ip netns exec "$TB-rs1" $PY -m aiosmtpd -n -l $R:$1 >"$TB_DIR/smtp-$1.log" 2>&1 &
	eval "SMTP_PID_$1=$!"
}
listening() { # PROTO PORT
	tb_in rs1 ss -Hln"$1" "sport = :$2" | grep -q .
}
stop_pid() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
udp_start
dns_start
smtp_start 25
smtp_start 2525
for p in "u 7777" "u 53" "t 25" "t 2525"; do
	tb_wait 10 listening $p || tb_fail "nothing listens on $p in rs1"
done
echo 0 >"$TB_DIR/state"
echo 0 >"$TB_DIR/weight"

cat >"$TB_DIR/keepalived.conf" <<EOF
global_defs {
    router_id check_more
}
track_file state {
    file $TB_DIR/state
}
track_file weight {
    file $TB_DIR/weight
}
virtual_server ${VPING%:*} ${VPING#*:} {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $R 80 {
        PING_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
virtual_server ${VUDP%:*} ${VUDP#*:} {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol UDP
    real_server $R 7777 {
        UDP_CHECK {
            connect_timeout 1
            retry 0
            payload 68 61 6c 62 21
            require_reply 6861 6X 62
            min_reply_length 5
            max_reply_length 5
        }
    }
}
virtual_server ${VDNS%:*} ${VDNS#*:} {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol UDP
    real_server $R 53 {
        DNS_CHECK {
            type A
            name www.halb.test
            connect_timeout 1
            retry 0
        }
    }
}
virtual_server ${VSMTP%:*} ${VSMTP#*:} {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $R 25 {
        SMTP_CHECK {
            helo_name lb1.halb.test
            retry 0
            host {
                connect_port 25
                connect_timeout 2
            }
            host {
                connect_port 2525
                connect_timeout 2
            }
        }
    }
}
virtual_server ${VFILE%:*} ${VFILE#*:} {
    lb_algo wrr
    lb_kind DR
    protocol TCP
    real_server $R 80 {
        weight 1
        FILE_CHECK {
            track_file state
            weight 0
        }
        FILE_CHECK {
            track_file weight
            weight 3
        }
    }
}
EOF
"$HALB" -t -f "$TB_DIR/keepalived.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/config-test.txt" 2>&1 ||
	tb_fail "halb -t rejects the configuration: $(cat "$TB_DIR/config-test.txt")"
tb_halb lb1 "$TB_DIR/keepalived.conf" "$SEED/dr-master.cfg"
all_up() {
	[ "$(tb_json lb1 checks 'sum(1 for c in r["checks"] if c["state"] == "UP" and c["checks"] > 0 and c["last_result"] == "ok")')" = 7 ] &&
		[ "$(tb_json lb1 checks 'len(r["checks"])')" = 7 ]
}
tb_wait 20 all_up || tb_fail "the checks did not all pass: $(tb_json lb1 checks 'r["checks"]')"
for vs in $VPING $VUDP $VDNS $VSMTP $VFILE; do
	ck_up lb1 $vs $R || tb_fail "$R is not in service in $vs at start"
done
reason() { # VIP:PORT TYPE [TARGET]: the reason of that checker
	tb_json lb1 checks "[c['reason'] for c in r['checks'] if c['vip'] == '${1%:*}' and c['vport'] == ${1#*:} and c['type'] == '$2' and ('${3:-}' == '' or c['target'] == '${3:-}')][0]"
}
echo "  seven checkers UP: PING ($(reason $VPING PING_CHECK)), UDP ($(reason $VUDP UDP_CHECK)),"
echo "  DNS ($(reason $VDNS DNS_CHECK)), SMTP x2, FILE x2"
ck_log lb1 "PING_CHECK: net.ipv4.ping_group_range leaves out group" ||
	tb_fail "the director's namespace should have made PING_CHECK use a raw socket"

# timed WHAT SECS CMD...: waits for CMD; says how long it took.
timed() {
	local what=$1 secs=$2 t0
	shift 2
	t0=$(ck_ms)
	tb_wait "$secs" "$@" || tb_fail "$what: not within $secs s: $(tb_json lb1 checks 'r["checks"]')"
	echo "  $what: $(($(ck_ms) - t0)) ms (bound $secs s)"
}
BOUND=6

# PING_CHECK
tb_in rs1 sysctl -qw net.ipv4.icmp_echo_ignore_all=1
timed "rs1 ignores echoes -> PING_CHECK down, out of $VPING" $BOUND ck_down lb1 $VPING $R
ck_log lb1 "Removing service [$R]:tcp:80 from VS [${VPING%:*}]:tcp:80" ||
	tb_fail "no 'Removing service' logged for $VPING"
ck_up lb1 $VUDP $R || tb_fail "$R left $VUDP too"
tb_in rs1 sysctl -qw net.ipv4.icmp_echo_ignore_all=0
timed "rs1 answers echoes again -> up" $BOUND ck_up lb1 $VPING $R

# UDP_CHECK
stop_pid $UDP_PID
timed "the UDP echo stops -> UDP_CHECK down" $BOUND ck_down lb1 $VUDP $R
r=$(ck_check lb1 $R 7777 'c["last_result"]')
[ "$r" = "ICMP port unreachable" ] || tb_fail "UDP_CHECK failed for another reason: $r"
echo "  UDP_CHECK: $r"
udp_start
timed "the UDP echo is back -> up" $BOUND ck_up lb1 $VUDP $R

# DNS_CHECK
stop_pid $DNS_PID
timed "dnsmasq stops -> DNS_CHECK down" $BOUND ck_down lb1 $VDNS $R
echo "  DNS_CHECK: $(ck_check lb1 $R 53 'c["last_result"]')"
dns_start
timed "dnsmasq is back -> up" $BOUND ck_up lb1 $VDNS $R
[ "$(reason $VDNS DNS_CHECK)" = "answer NOERROR" ] || tb_fail "DNS_CHECK: $(reason $VDNS DNS_CHECK)"

# SMTP_CHECK: one checker per host block (the SMTP_CHECK has no connection
# setting of its own, so it is none itself)
targets=$(tb_json lb1 checks "sorted(c['target'] for c in r['checks'] if c['type'] == 'SMTP_CHECK')")
[ "$targets" = "['$R:25', '$R:2525']" ] || tb_fail "SMTP_CHECK host blocks: checkers $targets"
stop_pid $SMTP_PID_2525
timed "the SMTP server on 2525 stops -> the real server is down" $BOUND ck_down lb1 $VSMTP $R
echo "  SMTP_CHECK $R:2525: $(reason $VSMTP SMTP_CHECK $R:2525); $R:25: $(reason $VSMTP SMTP_CHECK $R:25)"
smtp_start 2525
timed "it is back -> up" $BOUND ck_up lb1 $VSMTP $R

# FILE_CHECK
echo 1 >"$TB_DIR/state"
timed "state file reads 1 (weight 0) -> down" 4 ck_down lb1 $VFILE $R
echo 0 >"$TB_DIR/state"
timed "state file reads 0 -> up" 4 ck_up lb1 $VFILE $R
weight_is() { [ "$(ck_rs lb1 $VFILE $R 'x["weight"]')" = "$1" ]; }
echo 2 >"$TB_DIR/weight"
timed "weight file reads 2 (weight 3) -> weight 1 + 6 = 7" 4 weight_is 7
ck_log lb1 "Changing weight of [$R]:tcp:80 in VS [${VFILE%:*}]:tcp:80 to 7" ||
	tb_fail "no 'Changing weight ... to 7' logged"
echo 0 >"$TB_DIR/weight"
timed "weight file reads 0 -> weight 1" 4 weight_is 1

tb_halbctl lb1 checks | sed 's/^/  /'
tb_stop_halb lb1
exit 0
