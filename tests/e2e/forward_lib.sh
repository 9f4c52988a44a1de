#!/bin/bash
# Helpers shared by the forwarding scenarios (test_forward_*.sh).

# fw_counts NAME...: how many client requests (for /test.html; health
# checks ask for /) each real server's nginx logged, as "name=count" words.
fw_counts() {
	local n
	for n in "$@"; do
		printf '%s=%s ' "$n" "$(grep -c 'GET /test.html' "$TB_DIR/nginx-$n/access.log")"
	done
}

# fw_clear NAME...: empties the access logs.
fw_clear() {
	local n
	for n in "$@"; do
		: >"$TB_DIR/nginx-$n/access.log"
	done
}

# fw_requests COUNT URL [CURL-ARGS...]: COUNT sequential requests from the
# client; prints the number that failed.
# With FW_PORTS set, each request's client port is appended to that file.
fw_requests() {
	local count=$1 url=$2 i failed=0
	shift 2
	for i in $(seq "$count"); do
		tb_in client curl -s -o /dev/null -w '%{local_port}\n' -f -m 2 "$@" "$url" \
			>>"${FW_PORTS:-/dev/null}" || failed=$((failed + 1))
	done
	echo "$failed"
}

# fw_share_ok A B EXPECTED_RATIO TOLERANCE: B/A within TOLERANCE of RATIO.
fw_share_ok() {
	python3 -c '
import sys
a, b, want, tol = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sys.exit(0 if a > 0 and abs(b / a - want) <= tol * want else 1)' "$@"
}

# fw_conf_variant SRC DST SED-EXPR...: a keepalived.conf variant.
fw_conf_variant() {
	local src=$1 dst=$2
	shift 2
	cp "$src" "$dst"
	for e in "$@"; do
		sed -i -E "$e" "$dst"
	done
}

# fw_healthy NAME N: succeeds when N real servers are healthy in service.
fw_healthy() {
	[ "$(tb_json "$1" list 'sum(1 for s in r["services"] for x in s["real_servers"] if x["healthy"] and x["in_service"])')" = "$2" ]
}
