#!/bin/bash
# Helpers of the connection sync scenarios (test_sync_*.sh), sourced after
# lib.sh and lib_vrrp.sh: the seed's configurations with lvs_sync_daemon, a
# keep-alive client (keepalive_client.py) whose rounds are started by GO
# files, a rate-limited download, and the checks of each round.
SEED=$TOP/conf/seed
VIP=172.17.100.100
CLIENT=$TOP/tests/e2e/keepalive_client.py
export TB_KEEPALIVE_S=300

# conf_with_sync SRC DST IF: the seed's file with lvs_sync_daemon IF VI_1.
conf_with_sync() {
	sed -E "s/^(global_defs \{)/\1\n   lvs_sync_daemon $3 VI_1/" "$1" >"$2"
	grep -q "lvs_sync_daemon $3 VI_1" "$2" || tb_fail "cannot add lvs_sync_daemon to $2"
}

installed() { tb_json "$1" sync 'r["received"]["installed"]'; }
# installed_ge NAME N: NAME's sync daemon installed at least N connections.
installed_ge() { [ "$(installed "$1")" -ge "$2" ]; }
role_is() { [ "$(tb_json "$1" sync 'r["role"]')" = "$2" ]; }

# The keep-alive client: N connections, rounds named by GO files.
client_start() {
	local name=$1 n=$2
	shift 2
	rm -f "$TB_DIR/$name".*
	tb_in client python3 "$CLIENT" --vip $VIP --n "$n" --ready "$TB_DIR/$name.ready" \
		--report "$TB_DIR/$name.report" "$@" >"$TB_DIR/$name.log" 2>&1 &
	tb_wait 20 test -s "$TB_DIR/$name.ready" || tb_fail "$name: keep-alive connections not opened: $(cat "$TB_DIR/$name.log")"
}

# report NAME ROUND FIELD
report() {
	tb_wait 40 test -s "$TB_DIR/$1.report.$2" || tb_fail "$1: no report of round $2: $(cat "$TB_DIR/$1.log")"
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$TB_DIR/$1.report.$2" "$3"
}

check_round() {
	local name=$1 round=$2 what=$3 broken gap same n
	n=$(report "$name" "$round" n)
	broken=$(report "$name" "$round" broken)
	gap=$(report "$name" "$round" gap_ms)
	same=$(report "$name" "$round" same_rs)
	echo "  $what: $broken of $n keep-alive connections broken; client-visible gap ${gap} ms; $same kept their real server"
	[ "$broken" = 0 ] || tb_fail "$what: $broken connections broke: $(report "$name" "$round" errors)"
	[ "$same" = "$n" ] || tb_fail "$what: $((n - same)) connections were answered by another real server"
}

download_start() {
	rm -f "$TB_DIR/dl"
	tb_in client curl -s -m 120 -o "$TB_DIR/dl" "http://$VIP/big.bin?rate=2000k" &
	DL_PID=$!
}

# download_running WHAT: the download is still under way before WHAT.
download_running() {
	kill -0 "$DL_PID" 2>/dev/null || tb_fail "the download had ended before $1"
}

download_check() {
	wait "$DL_PID" || tb_fail "$1: the download broke"
	[ "$(sha256sum <"$TB_DIR/dl" | cut -d' ' -f1)" = "$WANT" ] || tb_fail "$1: the download arrived corrupted"
	echo "  $1: the 20 MB download completed byte-exact"
}

big_file() {
	head -c 20000000 /dev/urandom >"$TB_DIR/big.bin"
	WANT=$(sha256sum <"$TB_DIR/big.bin" | cut -d' ' -f1)
	for rs in "$@"; do cp "$TB_DIR/big.bin" "$TB_DIR/nginx-$rs/www/big.bin"; done
}

