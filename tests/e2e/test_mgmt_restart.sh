#!/bin/bash
# The management path through the TAP (in-band management, docs/OPERATIONS.md
# "Management layouts"): the dataplane file gives the kernel its routes on
# the TAP (kernel_routes), halb puts them there whenever it creates the TAP,
# so an operator's session comes back by itself after a restart.
#
# Hosts: the director lb1 (halb, TAP eth1 172.17.1.6/16); a router gw
# (172.17.0.1 on the switch, 10.9.0.1 towards the admin network); an admin
# host 10.9.0.2 behind it. The director's kernel reaches 10.9.0.2 only by the
# default route via 172.17.0.1 that kernel_routes puts on eth1. A TCP echo
# service on the director's kernel (port 2222) stands for sshd; a client on
# the admin host keeps a session to it, sends a line every 100 ms and
# reconnects when the session breaks, logging each answer.
#  1. the routes are on eth1 and in halbctl ports; the session works;
#  2. SIGHUP without kernel_routes takes them off: a new session cannot
#     reach the director; SIGHUP with them puts them back;
#  3. halb restarted: the TAP comes back with its addresses and routes, and
#     the admin's session reconnects. Printed: how long it was down.
. "$(dirname "$0")/lib.sh"

tb_init mgt
tb_director lb1
tb_ns gw
tb_link gw eth0
ip -n "$TB-gw" addr add 172.17.0.1/16 dev eth0
tb_in gw sysctl -qw net.ipv4.ip_forward=1
tb_ns admin
ip link add g0 netns "$TB-gw" type veth peer name a0 netns "$TB-admin"
ip -n "$TB-gw" addr add 10.9.0.1/24 dev g0
ip -n "$TB-gw" link set g0 up
ip -n "$TB-admin" addr add 10.9.0.2/24 dev a0
ip -n "$TB-admin" link set a0 up
ip -n "$TB-admin" route add default via 10.9.0.1

cat >"$TB_DIR/lb1.conf" <<'EOF'
global_defs {
    router_id lb1
}
EOF
dp_file() { # dp_file FILE WITH_ROUTES
	local routes=""
	[ "$2" = 1 ] && routes='kernel_routes = (
      { prefix = "0.0.0.0/0"; via = "172.17.0.1"; },
      { prefix = "10.99.0.0/16"; via = "172.17.0.1"; metric = 50; }
    );'
	cat >"$1" <<-EOF
		eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "lb1"];
		workers = 1;
		idle_sleep_us = 100;
		connections = 65536;
		ports = (
		  { name = "eth1";
		    device = "net_af_packet0,iface=nic0";
		    addresses = ["172.17.1.6/16"];
		    $routes
		  }
		);
	EOF
}
dp_file "$TB_DIR/with.cfg" 1

# The echo service on the director's kernel, and the admin's session to it.
cat >"$TB_DIR/echo.py" <<'EOF'
import socketserver
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer.daemon_threads = True
socketserver.ThreadingTCPServer(("0.0.0.0", 2222), Echo).serve_forever()
EOF
cat >"$TB_DIR/session.py" <<'EOF'
import socket, sys, time
log = open(sys.argv[1], "w", buffering=1)
s, n = None, 0
while True:
    n += 1
    try:
        if s is None:
            s = socket.create_connection(("172.17.1.6", 2222), timeout=0.3)
            log.write("%.3f connected\n" % time.time())
        s.settimeout(0.3)
        s.sendall(b"ping %d\n" % n)
        if s.recv(64).startswith(b"ping"):
            log.write("%.3f ok\n" % time.time())
        else:
            raise OSError("closed")
    except OSError:
        log.write("%.3f down\n" % time.time())
        if s is not None:
            s.close()
        s = None
    time.sleep(0.1)
EOF
tb_in lb1 python3 "$TB_DIR/echo.py" &
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/with.cfg"

routes_on_tap() { ip -n "$TB-lb1" -4 route show dev eth1 proto static | sort | tr '\n' ';'; }
want_routes='10.99.0.0/16 via 172.17.0.1 metric 50 ;default via 172.17.0.1 ;'
have_routes() { [ "$(routes_on_tap)" = "$want_routes" ]; }
connects() { tb_in admin python3 -c 'import socket; socket.create_connection(("172.17.1.6", 2222), timeout=1).close()' 2>/dev/null; }
session_ok_since() { # the session answered after time $1
	awk -v t="$1" '$2 == "ok" && $1 > t { found = 1 } END { exit !found }' "$TB_DIR/session.log"
}

# 1. The routes are there, halbctl shows them, the session works.
have_routes || tb_fail "kernel_routes are not on eth1: $(routes_on_tap)"
[ "$(tb_json lb1 ports '";".join(r["ports"][0]["kernel_routes"])')" = \
	"0.0.0.0/0 via 172.17.0.1;10.99.0.0/16 via 172.17.0.1 metric 50" ] ||
	tb_fail "halbctl ports does not list the kernel routes"
tb_in admin python3 "$TB_DIR/session.py" "$TB_DIR/session.log" &
t0=$(date +%s.%N)
tb_wait 10 session_ok_since "$t0" || tb_fail "the admin's session does not reach the director"
echo "  kernel routes on eth1: $(routes_on_tap)"

# 2. A reload takes them off, another puts them back.
dp_file "$TB_DIR/lb1.cfg.new" 0
sed -i -E 's/("--file-prefix", *")[^"]*"/\1'"$(tb_prefix lb1)"'"/' "$TB_DIR/lb1.cfg.new"
cp "$TB_DIR/lb1.cfg" "$TB_DIR/lb1.cfg.with"
mv "$TB_DIR/lb1.cfg.new" "$TB_DIR/lb1.cfg"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 sh -c "[ -z \"\$(ip -n $TB-lb1 -4 route show dev eth1 proto static)\" ]" ||
	tb_fail "a reload without kernel_routes left them on eth1: $(routes_on_tap)"
connects && tb_fail "the director still reaches the admin network without its default route"
cp "$TB_DIR/lb1.cfg.with" "$TB_DIR/lb1.cfg"
kill -HUP "$(tb_halb_pid lb1)"
tb_wait 10 have_routes || tb_fail "a reload did not put the kernel routes back: $(routes_on_tap)"
tb_wait 5 connects || tb_fail "the admin cannot connect after the routes came back"
echo "  reload: kernel routes taken off and put back"

# 3. Restart: the TAP and its routes come back, the session reconnects.
t_stop=$(date +%s.%N)
tb_stop_halb lb1
ip -n "$TB-lb1" link show eth1 >/dev/null 2>&1 && tb_fail "the TAP outlived halb"
sleep 1
t_start=$(date +%s.%N)
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/with.cfg"
have_routes || tb_fail "after the restart the routes are not on eth1: $(routes_on_tap)"
ip -n "$TB-lb1" -4 -o addr show dev eth1 | grep -q 'inet 172.17.1.6/16' ||
	tb_fail "after the restart eth1 lacks its address"
tb_wait 10 session_ok_since "$t_start" || tb_fail "the admin's session did not come back"
# the longest silence of the session from the stop on
gap=$(awk -v t="$t_stop" '$2 == "ok" { if (prev && $1 > t && $1 - prev > gap) gap = $1 - prev; prev = $1 }
	END { printf "%.1f", gap }' "$TB_DIR/session.log")
echo "  halb restarted ($(awk -v a="$t_stop" -v b="$t_start" 'BEGIN { printf "%.1f", b - a }') s down + start):" \
	"eth1 came back with 172.17.1.6/16 and its routes; the admin session was down $gap s"
tb_stop_halb lb1
exit 0
