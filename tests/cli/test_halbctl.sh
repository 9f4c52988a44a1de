#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs halbctl against fake telemetry servers (fake_telemetry.py, serving
# replies.json and the deliberately broken odd.json) and compares exit status,
# stdout and stderr of each run with tests/cli/expected/NAME.out and NAME.err
# (a missing .err means stderr must be empty). On a difference it prints the
# diff. Times are shown in UTC, and the temporary directory as @TMP@, so the
# expected files hold for any machine.
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
	local name=$1 want=$2 status ok=1
	shift 2
	"$HALBCTL" "$@" >"$TMP/raw.out" 2>"$TMP/raw.err"
	status=$?
	sed "s|$TMP|@TMP@|g" "$TMP/raw.out" >"$TMP/out"
	sed "s|$TMP|@TMP@|g" "$TMP/raw.err" >"$TMP/err"
	if [ "$status" != "$want" ]; then
		echo "  exit status $status, expected $want"
		ok=0
	fi
	same_as stdout "$TMP/out" "$EXPECTED/$name.out" || ok=0
	same_as stderr "$TMP/err" "$EXPECTED/$name.err" || ok=0
	if [ $ok = 1 ]; then
		pass "$name: halbctl $*"
	else
		fail "$name: halbctl $*"
	fi
}

# Writes a /halb/conns reply with N entries (about 200 bytes each).
make_big_replies() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
n = int(sys.argv[2])
conns = [{"protocol": "TCP", "client": "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255),
          "client_port": 1024 + i % 60000, "vip": "172.17.100.100", "vport": 80,
          "rip": "172.17.1.7", "rport": 80, "forward": "DR", "state": "ESTABLISHED",
          "expires": 900, "template": False} for i in range(n)]
with open(sys.argv[1], "w") as f:
    json.dump({"/halb/conns": {"conns": conns, "total": n, "truncated": False}}, f)
EOF
}

start_server main "$HERE/replies.json"
start_server odd "$HERE/odd.json"
S=$TMP/main.sock
O=$TMP/odd.sock

echo "== usage"
check help 0 --help
check help 0 help
check version-flag 0 -v
check list-help 0 list --help
check conns-help 0 help conns
check no-command 2
check unknown-command 2 --socket "$S" frobnicate
check unknown-option 2 --socket "$S" list --frob
check unknown-short-option 2 -x list
check missing-value 2 list --socket
check stats-and-rate 2 --socket "$S" list --stats --rate
check conns-limit-zero 2 --socket "$S" conns -n 0
check conns-limit-big 2 --socket "$S" conns -n 100001
check extra-argument 2 --socket "$S" vrrp now
check help-unknown 2 help frobnicate
check bad-prefix 2 -P ../etc list

echo "== views"
check list 0 --socket "$S" list
check list 0 --socket "$S" list -n
check list 0 list --numeric --socket "$S"
check list-stats 0 --socket "$S" list --stats
check list-stats-exact 0 --socket "$S" list -n --stats --exact
check list-rate 0 --socket "$S" list --rate
check conns 0 --socket "$S" conns
check conns 0 --socket "$S" conns -n
check conns-2 0 --socket "$S" conns -n 2
check conns-2 0 --socket "$S" conns -n2
check conns-2 0 --socket "$S" conns --limit 2
check vrrp 0 --socket "$S" vrrp
check stats 0 --socket "$S" stats
check neigh 0 --socket "$S" neigh
check ports 0 --socket "$S" ports
check checks 0 --socket "$S" checks
check version 0 --socket "$S" version

echo "== --json"
check list-json 0 --socket "$S" --json list
check list-json 0 --socket "$S" list --stats --json
check conns-2-json 0 --json --socket "$S" conns -n 2
check vrrp-json 0 --socket "$S" vrrp --json
check stats-json 0 --socket "$S" --json stats

echo "== odd replies: printed with '-' where a field is missing or odd"
check odd-list 0 --socket "$O" list
check odd-list-stats 0 --socket "$O" list --stats
check odd-vrrp 0 --socket "$O" vrrp
check odd-stats 0 --socket "$O" stats

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
check string-value 1 --socket "$O" conns -n 5
check string-value-json 0 --socket "$O" conns -n 5 --json
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

echo "== big replies"
make_big_replies "$TMP/big.json" 3000
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
