#!/bin/bash
# Prometheus metrics: the seed's DR master with metrics_listen on its DIP.
# - /metrics is scraped from a client through the TAP (a kernel socket) and
#   parsed with prometheus_client's text parser (the format is valid);
# - after N requests through the VIP, the service and its real servers count
#   exactly N connections, the real servers are up with their weights, VI_1
#   is MASTER with its transitions, the checks have run, the port and the
#   worker counters moved, the connection table holds the connections;
# - anything but /metrics is a 404; metrics_listen off serves nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forward_lib.sh"
SEED=$TOP/conf/seed
N=12

tb_init met
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_rs rs02 172.17.22.22/16 "" 172.17.100.100
tb_director lb1

fw_conf_variant "$SEED/dr-master.conf" "$TB_DIR/k.conf" '/persistence_timeout/d'
{
	cat "$SEED/dr-master.cfg"
	echo 'metrics_listen = "172.17.1.6:9469";'
} >"$TB_DIR/d.cfg"
tb_halb lb1 "$TB_DIR/k.conf" "$TB_DIR/d.cfg"
tb_wait 20 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 did not become MASTER"
tb_wait 30 fw_healthy lb1 2 || tb_fail "the real servers are not healthy"
grep -q 'metrics on http://172.17.1.6:9469/metrics' "$TB_DIR/halb-lb1.log" ||
	tb_fail "halb does not log where the metrics are"

scrape() { tb_in client curl -s -f -m 5 http://172.17.1.6:9469/metrics; }
tb_wait 10 scrape || tb_fail "cannot scrape http://172.17.1.6:9469/metrics from the client"
scrape >"$TB_DIR/before.txt"

failed=$(fw_requests $N http://172.17.100.100/test.html)
[ "$failed" = 0 ] || tb_fail "$failed of $N requests failed"
start=$(date +%s%N)
scrape >"$TB_DIR/after.txt" || tb_fail "the second scrape failed"
ms=$((($(date +%s%N) - start) / 1000000))

/usr/bin/python3 - "$TB_DIR/before.txt" "$TB_DIR/after.txt" $N <<'PY' || tb_fail "the metrics are wrong (above)"
import sys
from prometheus_client.parser import text_string_to_metric_families

def load(path):
    out = {}
    for fam in text_string_to_metric_families(open(path).read()):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out

before, after, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
svc = (("port", "80"), ("proto", "TCP"), ("vip", "172.17.100.100"))
rs = [tuple(sorted(dict(svc, rs=r).items())) for r in ("172.17.1.7:80", "172.17.22.22:80")]
bad = []

def get(m, name, labels=()):
    key = (name, tuple(sorted(labels)))
    if key not in m:
        bad.append("missing %s%s" % (name, dict(labels)))
        return 0
    return m[key]

def expect(cond, what):
    if not cond:
        bad.append(what)

d = get(after, "halb_service_connections_total", svc) - get(before, "halb_service_connections_total", svc)
expect(d == n, "service connections rose by %s, not %d" % (d, n))
per_rs = [get(after, "halb_real_server_connections_total", r) - get(before, "halb_real_server_connections_total", r) for r in rs]
expect(sum(per_rs) == n, "real servers' connections rose by %s, not %d in all" % (per_rs, n))
expect(min(per_rs) > 0, "wrr 1:2 sent nothing to one real server: %s" % per_rs)
pk = get(after, "halb_service_incoming_packets_total", svc) - get(before, "halb_service_incoming_packets_total", svc)
expect(pk >= 3 * n, "only %s incoming packets for %d connections" % (pk, n))
by = get(after, "halb_service_incoming_bytes_total", svc) - get(before, "halb_service_incoming_bytes_total", svc)
expect(by > 60 * pk * 0.5, "incoming bytes %s for %s packets" % (by, pk))
for r, w in zip(rs, (1, 2)):
    expect(get(after, "halb_real_server_up", r) == 1, "%s not up" % (r,))
    expect(get(after, "halb_real_server_weight", r) == w, "%s weight not %d" % (r, w))
    expect(get(after, "halb_real_server_configured_weight", r) == w, "%s configured weight not %d" % (r, w))
    chk = tuple(sorted(dict(r, type="HTTP_GET").items()))
    expect(get(after, "halb_check_up", chk) == 1, "check of %s not up" % (r,))
    expect(get(after, "halb_check_runs_total", chk) >= 1, "check of %s never ran" % (r,))
vi = {"instance": "VI_1", "interface": "eth1", "vrid": "51"}
expect(get(after, "halb_vrrp_state", dict(vi, state="MASTER").items()) == 1, "VI_1 not MASTER")
expect(get(after, "halb_vrrp_state", dict(vi, state="BACKUP").items()) == 0, "VI_1 BACKUP too")
expect(get(after, "halb_vrrp_transitions_total", {"instance": "VI_1"}.items()) >= 2, "VI_1 transitions < 2 (INIT->BACKUP->MASTER)")
expect(get(after, "halb_vrrp_priority", {"instance": "VI_1"}.items()) == 100, "VI_1 priority not 100")
expect(get(after, "halb_vrrp_adverts_sent_total", {"instance": "VI_1"}.items()) >= 1, "no advert sent")
expect(get(after, "halb_service_owned", svc) == 1, "the service's VIP is not owned")
rx = get(after, "halb_port_receive_packets_total", {"port": "eth1"}.items()) - get(before, "halb_port_receive_packets_total", {"port": "eth1"}.items())
expect(rx >= pk, "port eth1 received %s frames, fewer than the service's %s" % (rx, pk))
busy = sum(v for (nm, l), v in after.items() if nm == "halb_worker_polls_total" and ("result", "busy") in l)
idle = sum(v for (nm, l), v in after.items() if nm == "halb_worker_polls_total" and ("result", "idle") in l)
expect(busy > 0 and idle > 0, "worker polls busy %s idle %s" % (busy, idle))
conns = get(after, "halb_connections")
expect(n <= conns <= n + 4, "the connection table holds %s connections after %d" % (conns, n))
# connections = 65536 IPv4 entries, and connections6's default, a quarter
expect(get(after, "halb_connection_table_size") == 65536 + 16384, "table size not 65536 + 16384")
expect(("halb_drops_total", (("reason", "no_connection"),)) in after, "no drop reasons")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("  scraped %d samples; service connections +%d (rs %s), incoming packets +%d, table %d, polls busy %d idle %d"
      % (len(after), n, "/".join(str(int(x)) for x in per_rs), pk, conns, busy, idle))
PY
echo "  one scrape took $ms ms"

code=$(tb_in client curl -s -o /dev/null -w '%{http_code}' -m 5 http://172.17.1.6:9469/nope)
[ "$code" = 404 ] || tb_fail "/nope answered $code, not 404"
tb_stop_halb lb1

# Off by default: the same director without metrics_listen serves nothing.
tb_halb lb1 "$TB_DIR/k.conf" "$SEED/dr-master.cfg"
tb_in client curl -s -m 2 http://172.17.1.6:9469/metrics >/dev/null &&
	tb_fail "metrics are served without metrics_listen"
echo "  without metrics_listen: nothing listens on 9469"
tb_stop_halb lb1
exit 0
