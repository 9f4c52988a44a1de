#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs halbctl against fake telemetry servers (fake_telemetry.py, serving
# replies.json and the deliberately broken odd.json) and compares exit status,
# stdout and stderr of each run with tests/cli/expected/NAME.out and NAME.err
# (a missing .err means stderr must be empty). On a difference it prints the
# diff. Times are shown in UTC, and the temporary directory as @TMP@, so the
# expected files hold for any machine. halbctl's ipvsadm layouts are compared
# with what ipvsadm_expected.sh writes from ipvsadm's own format strings;
# the requests halbctl sends are read back from the fake's log; listings are
# followed through a fake that serves big tables in pages (make_tables.py).
#
#   test_halbctl.sh PATH/TO/halbctl
#
# After a deliberate change of the output, HALBCTL_UPDATE_EXPECTED=1 rewrites
# the expected files from the current output; review them with git diff.
set -u

HALBCTL=${1:?usage: test_halbctl.sh PATH/TO/halbctl}
HERE=$(cd "$(dirname "$0")" && pwd)
EXPECTED=$HERE/expected
UPDATE=${HALBCTL_UPDATE_EXPECTED:-0}
TMP=$(mktemp -d /tmp/halbctl-test.XXXXXX)
export TZ=UTC LC_ALL=C

server_pids=()
passed=0
failed=0

cleanup() {
	local pid
	for pid in "${server_pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME REPLIES [fake_telemetry.py options]: serves $TMP/NAME.sock
start_server() {
	local name=$1 replies=$2
	shift 2
	python3 "$HERE/fake_telemetry.py" --socket "$TMP/$name.sock" --replies "$replies" "$@" &
	server_pids+=($!)
	for _ in $(seq 50); do
		[ -S "$TMP/$name.sock" ] && return 0
		sleep 0.1
	done
	echo "test_halbctl: the fake server $name did not come up" >&2
	exit 1
}

pass() {
	passed=$((passed + 1))
	echo "ok    $*"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL  $*"
}

# same_as WHAT ACTUAL EXPECTED_FILE: compares, prints the diff when they differ
same_as() {
	local what=$1 actual=$2 expected=$3
	if [ "$UPDATE" = 1 ]; then
		if [ -s "$actual" ] || [ "${expected##*.}" = out ]; then
			cp "$actual" "$expected"
		else
			rm -f "$expected"
		fi
		return 0
	fi
	if [ -f "$expected" ]; then
		diff -u --label "expected $what" --label "actual $what" "$expected" "$actual" && return 0
	elif [ -s "$actual" ]; then
		echo "  unexpected $what:"
		sed 's/^/  | /' "$actual"
	else
		return 0
	fi
	return 1
}

# check NAME WANT_STATUS [halbctl arguments...]
check() {
	check_in "$EXPECTED" "$@"
}

# check_in DIR NAME WANT_STATUS [halbctl arguments...]: expected files in DIR
check_in() {
	local dir=$1 name=$2 want=$3 status ok=1
	shift 3
	"$HALBCTL" "$@" >"$TMP/raw.out" 2>"$TMP/raw.err"
	status=$?
	sed "s|$TMP|@TMP@|g" "$TMP/raw.out" >"$TMP/out"
	sed "s|$TMP|@TMP@|g" "$TMP/raw.err" >"$TMP/err"
	if [ "$status" != "$want" ]; then
		echo "  exit status $status, expected $want"
		ok=0
	fi
	same_as stdout "$TMP/out" "$dir/$name.out" || ok=0
	same_as stderr "$TMP/err" "$dir/$name.err" || ok=0
	if [ $ok = 1 ]; then
		pass "$name: halbctl $*"
	else
		fail "$name: halbctl $*"
	fi
}

# check_request NAME REQUEST [halbctl arguments...]: halbctl succeeds and the
# last request the main fake logged is REQUEST.
check_request() {
	local name=$1 want=$2 got status
	shift 2
	: >"$TMP/requests.log"
	"$HALBCTL" "$@" >/dev/null 2>"$TMP/err"
	status=$?
	got=$(tail -n 1 "$TMP/requests.log")
	if [ "$status" = 0 ] && [ "$got" = "$want" ]; then
		pass "$name: halbctl $* -> $want"
	else
		fail "$name: halbctl $* sent '$got' (exit status $status), expected '$want'"
		sed 's/^/  | /' "$TMP/err"
	fi
}

# paged NAME TEST [halbctl arguments...]: halbctl succeeds on the paged fake
# and the shell test TEST holds of its output ($TMP/out, $TMP/err).
paged() {
	local name=$1 test=$2 status=0
	shift 2
	"$HALBCTL" --socket "$TMP/paged.sock" "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
	if [ $status = 0 ] && eval "$test"; then
		pass "$name: halbctl $*"
	else
		fail "$name: halbctl $* (exit status $status): $(head -c 300 "$TMP/err")"
	fi
}

start_server main "$HERE/replies.json" --log "$TMP/requests.log"
start_server odd "$HERE/odd.json"
S=$TMP/main.sock
O=$TMP/odd.sock

echo "== usage: one line and where to read more"
check help 0 --help
check help 0 help
check version-flag 0 -v
check list-help 0 list --help
check conns-help 0 help conns
check weight-help 0 weight --help
check no-command 2
check unknown-command 2 --socket "$S" frobnicate
check unknown-option 2 --socket "$S" list --frob
check unknown-short-option 2 -x list
check missing-value 2 list --socket
check stats-and-rate 2 --socket "$S" list --stats --rate
check conns-n-number 2 --socket "$S" conns -n 0
check conns-limit-zero 2 --socket "$S" conns --limit 0
check conns-limit-word 2 --socket "$S" conns --limit many
check extra-argument 2 --socket "$S" vrrp now
check help-unknown 2 help frobnicate
check bad-prefix 2 -P ../etc list
check bad-vip 2 --socket "$S" conns --vip 172.17.100
check bad-service 2 --socket "$S" list -t 172.17.100.100
check bad-service6 2 --socket "$S" list -t 2001:db8::100:80
check watch-json 2 --socket "$S" list --watch --json
check watch-not-here 2 --socket "$S" ports --watch
check watch-bad 2 --socket "$S" stats --watch=0
check count-and-stats 2 --socket "$S" list --count --stats
check weight-args 2 --socket "$S" weight 172.17.100.100:80 172.17.1.7:80
check weight-big 2 --socket "$S" weight 172.17.100.100:80 172.17.1.7:80 65536
check weight-no-port 2 --socket "$S" weight 172.17.100.100 172.17.1.7:80 1
check ipvsadm-two-commands 2 --socket "$S" -L -Z
check ipvsadm-add 2 --socket "$S" -A -t 172.17.100.100:80
check ipvsadm-set 2 --socket "$S" --set 900 120 300
check ipvsadm-edit-no-weight 2 --socket "$S" -e -t 172.17.100.100:80 -r 172.17.1.7:80
check ipvsadm-conns-stats 2 --socket "$S" -L -c --stats
check ipvsadm-stray 2 --socket "$S" -Ln list

echo "== views"
check list 0 --socket "$S" list
check list 0 --socket "$S" list -n
check list 0 list --numeric --socket "$S"
check list 0 --socket "$S" list --sort -n
check list-stats 0 --socket "$S" list --stats
check list-stats-exact 0 --socket "$S" list -n --stats --exact
check list-rate 0 --socket "$S" list --rate
check list-one 0 --socket "$S" list -t 172.17.100.100:80
check list-none 1 --socket "$S" list -t 172.17.100.100:8080
check list-count 0 --socket "$S" list --count
check conns 0 --socket "$S" conns
check conns 0 --socket "$S" conns -n
check conns 0 --socket "$S" conns --sort
check conns-2 0 --socket "$S" conns --limit 2
check conns-n-2 0 --socket "$S" conns -n 2
check conns-count 0 --socket "$S" conns --count
check vrrp 0 --socket "$S" vrrp
check stats 0 --socket "$S" stats
check neigh 0 --socket "$S" neigh
check ports 0 --socket "$S" ports
check checks 0 --socket "$S" checks
check announce 0 --socket "$S" announce
check checks-count 0 --socket "$S" checks --count
check version 0 --socket "$S" version
check weight 0 --socket "$S" weight 172.17.100.100:80 172.17.1.7:80 0
check weight-reset 0 --socket "$S" weight 172.17.100.100:80 172.17.1.7 reset
check weight-refused 1 --socket "$S" weight 172.17.100.100:80 172.17.1.9:80 3
check zero 0 --socket "$S" zero

echo "== ipvsadm's spellings print ipvsadm's layout"
I=$TMP/ipvsadm
mkdir -p "$I"
bash "$HERE/ipvsadm_expected.sh" "$I"
check_in "$I" ipvsadm-Ln 0 --socket "$S" -Ln
check_in "$I" ipvsadm-Ln 0 --socket "$S" -L -n
check_in "$I" ipvsadm-Ln 0 --socket "$S" -l -n --sort
check_in "$I" ipvsadm-Ln 0 --socket "$S" --list --numeric
check_in "$I" ipvsadm-Ln 0 --socket "$S" -L
check_in "$I" ipvsadm-Ln 0 --socket "$S" list --ipvsadm
check_in "$I" ipvsadm-Ln-t 0 --socket "$S" -Ln -t 172.17.100.100:80
check_in "$I" ipvsadm-Ln-stats 0 --socket "$S" -Ln --stats
check_in "$I" ipvsadm-Ln-stats 0 --socket "$S" list --ipvsadm --stats
check_in "$I" ipvsadm-Ln-exact 0 --socket "$S" -L -n --stats --exact
check_in "$I" ipvsadm-Ln-rate 0 --socket "$S" -Ln --rate
check_in "$I" ipvsadm-Lnc 0 --socket "$S" -Lnc
check_in "$I" ipvsadm-Lnc 0 --socket "$S" -L -c -n
check_in "$I" ipvsadm-Lnc 0 --socket "$S" conns

echo "== requests: filters and changes reach halb as parameters"
check_request conns-filters "/halb/conns,vip=172.17.100.100:80,rs=172.17.1.7,client=172.17.0.2:40000" \
	--socket "$S" conns --vip 172.17.100.100:80 --rs 172.17.1.7 --client 172.17.0.2:40000
check_request conns-filters6 "/halb/conns,vip=[2001:db8::100]:80,rs=2001:db8::7,client=[2001:db8::2]:40000" \
	--socket "$S" conns --vip [2001:db8::100]:80 --rs 2001:db8::7 --client [2001:db8::2]:40000
check_request conns-service "/halb/conns,vip=172.17.100.101:53,proto=udp" \
	--socket "$S" conns -u 172.17.100.101:53
check_request conns-limit "/halb/conns,limit=2" --socket "$S" conns --limit 2
check_request conns-count "/halb/conns,count=1" --socket "$S" conns --count
check_request checks-filter "/halb/checks,vip=172.17.100.100:80,rs=172.17.1.8" \
	--socket "$S" checks --vip 172.17.100.100:80 --rs 172.17.1.8
check_request list-service "/halb/version" --socket "$S" list -u 172.17.100.101:53
check_request weight "/halb/weight,vip=172.17.100.100:80,rs=172.17.1.7:80,weight=0" \
	--socket "$S" weight 172.17.100.100:80 172.17.1.7:80 0
check_request weight-tcp "/halb/weight,vip=172.17.100.100:80,proto=tcp,rs=172.17.1.7:80,weight=0" \
	--socket "$S" weight -t 172.17.100.100:80 172.17.1.7:80 0
check_request ipvsadm-edit "/halb/weight,vip=172.17.100.100:80,proto=tcp,rs=172.17.1.7:80,weight=0" \
	--socket "$S" -e -t 172.17.100.100:80 -r 172.17.1.7:80 -w 0
check_request ipvsadm-zero "/halb/zero" --socket "$S" -Z
check_request ipvsadm-zero-one "/halb/zero,vip=172.17.100.100:80,proto=tcp" \
	--socket "$S" -Z -t 172.17.100.100:80
check_request zero-one "/halb/zero,vip=172.17.100.100:80,proto=tcp" \
	--socket "$S" zero -t 172.17.100.100:80
check_request ipvsadm-zero-one6 "/halb/zero,vip=[2001:db8::100]:80,proto=tcp" \
	--socket "$S" -Z -t [2001:db8::100]:80

echo "== --watch"
status=0
timeout 3.5 "$HALBCTL" --socket "$S" stats --watch=1 >"$TMP/out" 2>"$TMP/err" || status=$?
frames=$(grep -c '^Every 1s: halbctl stats --watch=1 ' "$TMP/out")
if [ "$status" = 124 ] && [ "$frames" -ge 3 ] && grep -q '^Per second, over the last 1\.' "$TMP/out" &&
	grep -q '^  Received packets *0$' "$TMP/out" && [ ! -s "$TMP/err" ]; then
	pass "watch: stats --watch=1 refreshed $frames times, as rates after the first"
else
	fail "watch: stats --watch=1: exit status $status, $frames frames"
	head -n 30 "$TMP/out" "$TMP/err" | sed 's/^/  | /'
fi
status=0
timeout 2.5 "$HALBCTL" --socket "$S" list --rate --watch=1 >"$TMP/out" 2>"$TMP/err" || status=$?
frames=$(grep -c '^Prot LocalAddress:Port  *CPS' "$TMP/out")
if [ "$status" = 124 ] && [ "$frames" -ge 2 ]; then
	pass "watch: list --rate --watch=1 refreshed $frames times"
else
	fail "watch: list --rate --watch=1: exit status $status, $frames frames"
fi

echo "== --json"
check list-json 0 --socket "$S" --json list
check list-json 0 --socket "$S" list --stats --json
check list-count-json 0 --json --socket "$S" list --count
check conns-2-json 0 --json --socket "$S" conns --limit 2
check conns-json 0 --json --socket "$S" conns
check weight-json 0 --json --socket "$S" weight 172.17.100.100:80 172.17.1.7:80 0
check vrrp-json 0 --socket "$S" vrrp --json
check stats-json 0 --socket "$S" --json stats

echo "== odd replies: printed with '-' where a field is missing or odd"
check odd-list 0 --socket "$O" list
check odd-list-stats 0 --socket "$O" list --stats
check odd-vrrp 0 --socket "$O" vrrp
check odd-stats 0 --socket "$O" stats
check odd-announce 0 --socket "$O" announce

echo "== failures"
check no-socket 1 -P no-such-halb-prefix list
check no-socket-path 1 --socket "$TMP/nothing/here.sock" vrrp
python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET).bind(sys.argv[1])' "$TMP/stale.sock"
check stale-socket 1 --socket "$TMP/stale.sock" list
check null-reply 1 --socket "$O" neigh
check null-reply 1 --socket "$O" --json neigh
check error-reply 1 --socket "$O" ports
check error-reply 1 --socket "$O" ports --json
check malformed-reply 1 --socket "$O" checks
check not-an-object 1 --socket "$O" version
check string-value 1 --socket "$O" conns --limit 5
check string-value 1 --socket "$O" conns --limit 5 --json
check reply-timeout 1 --socket "$O" conns
start_server mute "$HERE/replies.json" --no-greeting
check greeting-timeout 1 --socket "$TMP/mute.sock" list

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# $TMP is mode 0700: another user cannot even reach the socket.
	status=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$HALBCTL" --socket "$S" list \
		>"$TMP/out" 2>"$TMP/err" || status=$?
	sed -i "s|$TMP|@TMP@|g" "$TMP/err"
	if [ $status = 1 ] && same_as stderr "$TMP/err" "$EXPECTED/permission-denied.err" &&
		[ ! -s "$TMP/out" ]; then
		pass "permission-denied: halbctl as nobody"
	else
		fail "permission-denied: halbctl as nobody (exit status $status)"
	fi
else
	echo "skip  permission-denied: needs root and setpriv"
fi

echo "== listings in pages (a fake that pages as halb does)"
python3 "$HERE/make_tables.py" paged "$TMP/paged.json"
start_server paged "$TMP/paged.json" --page-size 1000 --log "$TMP/paged.log"
start_server reload "$TMP/paged.json" --page-size 1000 --restart-once
: >"$TMP/paged.log"
paged paged-list '[ $(grep -c "^  -> 10\.0\." "$TMP/out") = 7500 ] &&
	[ $(grep -c "^TCP  172\.17\.100\.10[0-2]:80 rr$" "$TMP/out") = 3 ] &&
	[ "$(sed -n "5p;2504p;2505p" "$TMP/out" | tr -s " " | tr "\n" /)" = " -> 10.0.0.1:80 Route 1 1 2 up/ -> 10.0.9.250:80 Route 1 1 2 up/TCP 172.17.100.101:80 rr/" ]' list
echo "  halbctl list: $(wc -l <"$TMP/paged.log") requests for 3 services of 2500 real servers"
paged paged-list-count '[ "$(grep "^Real servers" "$TMP/out" | tr -s " ")" = "Real servers 7500" ]' \
	list --count
paged paged-checks '[ $(grep -c "^TCP " "$TMP/out") = 10000 ]' checks
paged paged-checks-count '[ "$(grep -A2 "^Checks" "$TMP/out" | tr -s " " | tr "\n" /)" = "Checks 10000/ UP 5000/ DOWN 5000/" ]' \
	checks --count
paged paged-conns '[ $(wc -l <"$TMP/out") = 25002 ] && [ $(sort -u "$TMP/out" | wc -l) = 25002 ]' conns
paged paged-conns-limit '[ $(wc -l <"$TMP/out") = 1502 ] &&
	grep -q "^halbctl: 1500 entries shown (--limit); halb holds 25000 connections$" "$TMP/err"' \
	conns --limit 1500
paged paged-conns-json 'python3 -c "import json,sys; sys.exit(len(json.load(open(sys.argv[1]))[\"conns\"]) != 25000)" "$TMP/out"' \
	--json conns
paged paged-conns-count '[ "$(grep "^Connections" "$TMP/out" | tr -s " ")" = "Connections 25000" ]' \
	conns --count
paged paged-neigh '[ $(wc -l <"$TMP/out") = 3001 ]' neigh
status=0
"$HALBCTL" --socket "$TMP/reload.sock" list --count >"$TMP/out" 2>"$TMP/err" || status=$?
if [ $status = 0 ] && [ "$(grep "^Real servers" "$TMP/out" | tr -s " ")" = "Real servers 7500" ]; then
	pass "paged-restart: a listing overtaken by a reload starts again, nothing counted twice"
else
	fail "paged-restart: exit status $status: $(cat "$TMP/out" "$TMP/err")"
fi

echo "== big replies"
python3 "$HERE/make_tables.py" big "$TMP/big.json" 3000
start_server big "$TMP/big.json"
status=0
"$HALBCTL" --socket "$TMP/big.sock" conns >"$TMP/out" 2>"$TMP/err" || status=$?
lines=$(wc -l <"$TMP/out")
if [ $status = 0 ] && [ "$lines" = 3002 ] && [ ! -s "$TMP/err" ]; then
	pass "big-reply: 3000 connections, $(wc -c <"$TMP/big.json") bytes, in one message"
else
	fail "big-reply: exit status $status, $lines lines, stderr: $(cat "$TMP/err")"
fi
start_server small "$TMP/big.json" --max-output-len 16384
check reply-too-big 1 --socket "$TMP/small.sock" conns

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
