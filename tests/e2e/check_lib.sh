#!/bin/bash
# Helpers shared by the health-check scenarios (test_check_*.sh); sourced
# after lib.sh and forward_lib.sh.

# ck_ms: a monotonic-enough clock in milliseconds.
ck_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# ck_rs NAME VIP:PORT RIP PYTHON-EXPR: EXPR evaluated on real server RIP of
# that virtual server in /halb/services (the server as x, its service as s).
ck_rs() {
	local vip=${2%:*} port=${2#*:}
	tb_json "$1" list "[$4 for s in r['services'] for x in s['real_servers'] if s['vip'] == '$vip' and s['port'] == $port and x['ip'] == '$3' and not x['sorry']][0]"
}

# ck_up / ck_down NAME VIP:PORT RIP: healthy and in service / unhealthy and
# removed from the service.
ck_up() {
	[ "$(ck_rs "$1" "$2" "$3" 'x["healthy"] and x["in_service"]')" = True ]
}
ck_down() {
	[ "$(ck_rs "$1" "$2" "$3" 'x["healthy"] or x["in_service"]')" = False ]
}

# ck_check NAME RIP PORT PYTHON-EXPR: EXPR on the first /halb/checks entry
# for RIP:PORT (as c); with VIP:PORT as a fifth argument, of that service.
ck_check() {
	local cond="c['rip'] == '$2' and c['rport'] == $3"
	[ $# -ge 5 ] && cond="$cond and c['vip'] == '${5%:*}' and c['vport'] == ${5#*:}"
	tb_json "$1" checks "[$4 for c in r['checks'] if $cond][0]"
}

# ck_log NAME TEXT: succeeds when halb's log in director NAME has TEXT.
ck_log() {
	grep -qF -- "$2" "$TB_DIR/halb-$1.log"
}

# ck_bodies COUNT URL [CURL-ARGS...]: COUNT requests from the client; prints
# one word per request: the body's first line, or FAIL.
ck_bodies() {
	local count=$1 url=$2 i b
	shift 2
	for i in $(seq "$count"); do
		b=$(tb_in client curl -s -f -m 2 "$@" "$url") || b=FAIL
		printf '%s\n' "${b%%$'\n'*}"
	done
}

# ck_conf_value FILE KEYWORD: the first value of KEYWORD in a keepalived.conf.
ck_conf_value() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}
