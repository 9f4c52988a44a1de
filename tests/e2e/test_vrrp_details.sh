#!/bin/bash
# VRRP details of keepalived.conf, across a routed hop:
#   lb1 (10.1.0.6) --- br0 --- router (10.1.0.1 | 10.2.0.1) --- br1 --- lb2 (10.2.0.6)
# VI_1 is unicast between lb1 and lb2, which are on different subnets:
# - lb1 reaches 10.2.0.0/24 through the dataplane file's route, lb2 reaches
#   10.1.0.0/24 through keepalived.conf's static_routes (halb's table and
#   the TAP's): unicast adverts follow those routes, the backup hears them
#   and stays BACKUP;
# - VI_1 has 300 VIPs: 255 advertised, 45 moved to the excluded list, all
#   300 held by the master; adverts still flow and pass the address check;
# - min_ttl 254 lets the adverts through after one hop (TTL 255 -> 254); a
#   reload of lb2 with min_ttl 255 makes them out of range: lb2 counts
#   ttl_out_of_range and takes over (what min_ttl is for);
# - lb2's vrrp_notify_fifo is read by its vrrp_notify_fifo_script, which
#   gets keepalived's lines (INSTANCE "VI_1" BACKUP 100, ... MASTER 100);
# - virtual_routes follow MASTER onto the TAP; static_ipaddress answers;
# - lb1 has vrrp_startup_delay 3: its instance waits in INIT that long.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"

tb_init vdt
# segment B: a second bridge in the switch namespace
ip -n "$TB-sw" link add br1 type bridge
ip -n "$TB-sw" link set br1 type bridge stp_state 0 forward_delay 0
ip -n "$TB-sw" link set br1 up
# link_b NS IFNAME: as tb_link, on br1
link_b() {
	TB_PORTS=$((TB_PORTS + 1))
	ip link add "$2" netns "$TB-$1" type veth peer name "p$TB_PORTS" netns "$TB-sw" ||
		tb_fail "cannot link $1"
	ip -n "$TB-sw" link set "p$TB_PORTS" master br1 up
	ip -n "$TB-$1" link set "$2" up
	ip netns exec "$TB-$1" ethtool -K "$2" tx off >/dev/null 2>&1
}

tb_host router 10.1.0.1/24
link_b router eth1
ip -n "$TB-router" addr add 10.2.0.1/24 dev eth1
tb_in router sysctl -qw net.ipv4.ip_forward=1
tb_director lb1
# lb2 as tb_director, on segment B
tb_ns lb2
link_b lb2 nic0
tb_in lb2 sysctl -qw net.ipv6.conf.nic0.disable_ipv6=1
tb_in lb2 nft -f - <<-EOF
	table netdev halb_hide {
		chain in {
			type filter hook ingress device nic0 priority 0; policy drop;
		}
	}
EOF

vt_dataplane lb1 10.1.0.6/24 '{ prefix = "10.2.0.0/24"; via = "10.1.0.1"; }' >"$TB_DIR/dp-lb1.cfg"
vt_dataplane lb2 10.2.0.6/24 '' >"$TB_DIR/dp-lb2.cfg"

vips() {
	for i in $(seq 0 299); do echo "        10.9.$((i / 200)).$((i % 200 + 1))"; done
}
# instance NAME PRIO SRC PEER GW MIN_TTL
instance() {
	cat <<-EOF
		vrrp_instance VI_1 {
		    state BACKUP
		    interface eth1
		    virtual_router_id 61
		    priority $2
		    advert_int 1
		    unicast_src_ip $3
		    unicast_peer {
		        $4 min_ttl $6
		    }
		    virtual_ipaddress {
		$(vips)
		    }
		    virtual_routes {
		        10.77.0.0/16 via $5
		    }
		}
	EOF
}
READER=$TB_DIR/reader.sh
FIFO_OUT=$TB_DIR/fifo.out
cat >"$READER" <<EOF
#!/bin/sh
# a notify FIFO reader as written for keepalived: one line per event
while read -r line; do echo "\$line" >>"$FIFO_OUT"; done <"\$1"
EOF
chmod 755 "$READER"
{
	printf 'global_defs {\n    vrrp_startup_delay 3\n}\n'
	instance lb1 150 10.1.0.6 10.2.0.6 10.1.0.1 254
} >"$TB_DIR/lb1.conf"
lb2_conf() { # MIN_TTL
	cat <<-EOF
		global_defs {
		    vrrp_notify_fifo $TB_DIR/lb2.fifo
		    vrrp_notify_fifo_script $READER
		}
		static_ipaddress {
		    10.2.0.60/24 dev eth1
		}
		static_routes {
		    10.1.0.0/24 via 10.2.0.1
		}
	EOF
	instance lb2 100 10.2.0.6 10.1.0.6 10.2.0.1 "$1"
}
lb2_conf 254 >"$TB_DIR/lb2.conf"
for n in lb1 lb2; do
	"$HALB" -t -f "$TB_DIR/$n.conf" -c "$TB_DIR/dp-$n.cfg" >"$TB_DIR/t.out" 2>&1 ||
		tb_fail "halb -t rejects $n's configuration: $(cat "$TB_DIR/t.out")"
	grep -q "the last 45, from this one on, are moved to virtual_ipaddress_excluded" \
		"$TB_DIR/t.out" || tb_fail "halb -t does not warn of the 45 VIPs an advert cannot hold"
done

t0=$(vt_ms)
tb_halb lb2 "$TB_DIR/lb2.conf" "$TB_DIR/dp-lb2.cfg"
tb_halb lb1 "$TB_DIR/lb1.conf" "$TB_DIR/dp-lb1.cfg"
# vrrp_startup_delay 3: lb1's instance waits in INIT
[ "$(tb_vrrp_state lb1 VI_1)" = INIT ] || tb_fail "lb1's VI_1 left INIT during vrrp_startup_delay"
tb_wait 10 grep -q 'vrrp_startup_delay over' "$TB_DIR/halb-lb1.log" ||
	tb_fail "lb1 logged no end of vrrp_startup_delay"
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }
lb1_master() { tb_vrrp_is lb1 VI_1 MASTER && tb_vrrp_is lb2 VI_1 BACKUP; }
tb_wait 25 lb1_master || tb_fail "lb1 is not MASTER with lb2 BACKUP: $(states)"
echo "  lb1 MASTER, lb2 BACKUP across the router after $(($(vt_ms) - t0)) ms"

# adverts flow for 4 s more, the backup accepts every one and stays BACKUP
rx0=$(vt_vrrp lb2 VI_1 'i["adverts_received"]')
sleep 4
rx1=$(vt_vrrp lb2 VI_1 'i["adverts_received"]')
rej=$(vt_vrrp lb2 VI_1 'sum(i["rejects"].values())')
[ $((rx1 - rx0)) -ge 3 ] || tb_fail "lb2 received $((rx1 - rx0)) adverts in 4 s: $(states)"
[ "$rej" = 0 ] || tb_fail "lb2 rejected adverts: $(vt_vrrp lb2 VI_1 'i["rejects"]')"
lb1_master || tb_fail "the election moved: $(states)"
[ "$(vt_vrrp lb2 VI_1 'i["transitions"][-1]["to"]')" = BACKUP ] || tb_fail "lb2 left BACKUP"
held=$(ip -n "$TB-lb1" -4 -o addr show | grep -c ' inet 10\.9\.')
[ "$held" = 300 ] || tb_fail "lb1 holds $held of the 300 VIPs on its TAP"
ip -n "$TB-lb2" -4 -o addr show | grep -q ' inet 10\.9\.' && tb_fail "lb2 holds VIPs as BACKUP"
adv=$(vt_vrrp lb1 VI_1 'i["vips_advertised"]')
[ "$adv" = 255 ] || tb_fail "lb1 advertises $adv VIPs, not 255"
echo "  300 VIPs (255 advertised): lb2 accepted $((rx1 - rx0)) adverts in 4 s, none rejected; lb1 holds all 300"

# the routes: static on lb2's TAP, virtual on the master's only
ip -n "$TB-lb2" route show 10.1.0.0/24 | grep -q 'via 10.2.0.1' ||
	tb_fail "lb2's TAP has no static route to 10.1.0.0/24: $(ip -n "$TB-lb2" route)"
ip -n "$TB-lb1" route show 10.77.0.0/16 | grep -q 'via 10.1.0.1' ||
	tb_fail "lb1 (MASTER) has no virtual route: $(ip -n "$TB-lb1" route)"
[ -z "$(ip -n "$TB-lb2" route show 10.77.0.0/16)" ] || tb_fail "lb2 (BACKUP) has the virtual route"
tb_wait 5 tb_in router ping -c 1 -W 1 10.2.0.60 || tb_fail "lb2's static_ipaddress does not answer"
echo "  static route and static_ipaddress on lb2, virtual route on the MASTER only"

# the FIFO reader got keepalived's line
tb_wait 5 grep -qx 'INSTANCE "VI_1" BACKUP 100' "$FIFO_OUT" ||
	tb_fail "the FIFO reader did not get INSTANCE \"VI_1\" BACKUP 100: $(cat "$FIFO_OUT" 2>&1)"

# min_ttl 255: one hop makes lb1's adverts out of range; lb2 takes over
lb2_conf 255 >"$TB_DIR/lb2.conf"
t0=$(vt_ms)
kill -HUP "$(tb_halb_pid lb2)"
tb_wait 15 tb_vrrp_is lb2 VI_1 MASTER || tb_fail "lb2 did not take over with min_ttl 255: $(states)"
took=$(($(vt_ms) - t0))
out=$(vt_vrrp lb2 VI_1 'i["rejects"].get("ttl_out_of_range", 0)')
[ "$out" -ge 1 ] || tb_fail "lb2 counts no ttl_out_of_range: $(vt_vrrp lb2 VI_1 'i["rejects"]')"
tb_wait 5 grep -qx 'INSTANCE "VI_1" MASTER 100' "$FIFO_OUT" ||
	tb_fail "the FIFO reader did not get INSTANCE \"VI_1\" MASTER 100: $(cat "$FIFO_OUT")"
tb_wait 5 sh -c "ip -n $TB-lb2 route show 10.77.0.0/16 | grep -q 'via 10.2.0.1'" ||
	tb_fail "lb2 (MASTER now) has no virtual route"
echo "  min_ttl 255 after a reload: $out adverts out of range, lb2 MASTER after $took ms"
echo "  FIFO lines read: $(paste -sd '|' "$FIFO_OUT")"
exit 0
