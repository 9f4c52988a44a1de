#!/bin/bash
# VRRP interoperability with Debian's keepalived 2.2 (`keepalived --vrrp`),
# which runs in a namespace of its own ("ka") and owns a normal interface
# eth1 (172.17.11.11/16) on the switch; halb runs on lb1 (172.17.1.6).
# Four cases, one virtual router (VRID 51, VIP 172.17.100.100, advert_int 1):
#   a) halb MASTER (100) + keepalived BACKUP (99), VRRPv2 with auth PASS
#   b) keepalived MASTER (100) + halb BACKUP (99), VRRPv2 with auth PASS
#   c) as a) with vrrp_version 3        d) as b) with vrrp_version 3
# In each: the master side becomes MASTER and the other stays BACKUP for
# longer than a master-down interval (so each accepts the other's adverts);
# the client's ARP entry for the VIP is the master's; kill -9 of the master:
# the other takes over (VIP on its interface, the client's ARP entry moves);
# the master restarts and takes the VIP back.
# keepalived's state is read from its log ("(VI_1) Entering MASTER STATE")
# and from `ip addr` in its namespace, halb's from halbctl vrrp.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

command -v keepalived >/dev/null || tb_fail "keepalived is not installed (scripts/install_deps.sh)"
tb_init vka
tb_host client 172.17.0.2/16
tb_director lb1
tb_ns ka
tb_link ka eth1
ip -n "$TB-ka" addr add 172.17.11.11/16 dev eth1
mac_halb=$(vt_mac lb1 nic0)
mac_ka=$(vt_mac ka eth1)

# --- keepalived in its namespace
KA_N=0
KA_PID=
# ka_conf FILE VERSION STATE PRIORITY: a VRRP-only keepalived.conf; the same
# text (interface eth1) is halb's keepalived.conf too.
ka_conf() {
	local auth=""
	[ "$2" = 2 ] && auth="authentication {
        auth_type PASS
        auth_pass along
    }"
	cat >"$1" <<-EOF
		global_defs {
		    router_id interop_$3
		    vrrp_version $2
		    vrrp_garp_master_delay 1
		}
		vrrp_instance VI_1 {
		    state $3
		    interface eth1
		    virtual_router_id 51
		    priority $4
		    advert_int 1
		    $auth
		    virtual_ipaddress {
		        $VIP
		    }
		}
	EOF
}
ka_start() {
	KA_N=$((KA_N + 1))
	KA_LOG=$TB_DIR/keepalived-$KA_N.log
	ip netns exec "$TB-ka" keepalived -n -l --vrrp -f "$1" -p "$TB_DIR/ka.pid" \
		-r "$TB_DIR/ka-vrrp.pid" >"$KA_LOG" 2>&1 &
	KA_PID=$!
	tb_wait 10 grep -q "Startup complete" "$KA_LOG" || tb_fail "keepalived did not start: $(cat "$KA_LOG")"
}
ka_state() { grep -o '(VI_1) Entering [A-Z]* STATE' "$KA_LOG" | tail -n 1 | cut -d' ' -f3; }
ka_is() { [ "$(ka_state)" = "$1" ]; }
ka_master() { ka_is MASTER && vt_has_addr ka $VIP; }
ka_backup() { ka_is BACKUP && ! vt_has_addr ka $VIP; }
# a crash: no priority 0 advert, nothing cleaned up. The parent is stopped
# first so that it neither restarts the VRRP child nor outlives it; the VIP
# a killed keepalived leaves on eth1 is removed as the dead host would lose it.
ka_kill9() {
	local child
	child=$(cat "$TB_DIR/ka-vrrp.pid")
	kill -STOP "$KA_PID"
	kill -KILL "$child"
	kill -KILL "$KA_PID"
	wait "$KA_PID" 2>/dev/null
	tb_wait 5 sh -c "! kill -0 $child" || tb_fail "keepalived's VRRP child survived kill -9"
	ip -n "$TB-ka" addr del "$VIP/32" dev eth1 2>/dev/null
	KA_PID=
}
ka_stop() {
	[ -n "$KA_PID" ] || return 0
	kill -TERM "$KA_PID"
	tb_wait 10 sh -c "! kill -0 $KA_PID" || tb_fail "keepalived did not stop on SIGTERM"
	wait "$KA_PID" 2>/dev/null
	KA_PID=
}

# --- the two sides, by role
halb_master() { tb_vrrp_is lb1 VI_1 MASTER && vt_has_addr lb1 $VIP; }
halb_backup() { tb_vrrp_is lb1 VI_1 BACKUP && ! vt_has_addr lb1 $VIP; }
arp_is() { vt_neigh_is client $VIP "$1"; }
halb_rejects() { vt_vrrp lb1 VI_1 'sorted(i["rejects"].items())'; }
# keepalived's words for an advert it drops (vrrp_check_packet and friends)
ka_rejects() {
	grep -h -i -E 'invalid|mismatch|bogus|not present|expecting|wrong|Dropping|ignoring' \
		"$TB_DIR"/keepalived-*.log
}

# run_case LABEL VERSION MASTER-SIDE (halb|ka)
run_case() {
	local label=$1 v=$2 side=$3 hconf=$TB_DIR/halb-$1.conf kconf=$TB_DIR/ka-$1.conf
	local t0 took back start
	# m_start, m_kill, m_is, s_start, s_is: functions for the two roles
	local m_mac s_mac m_name s_name
	if [ "$side" = halb ]; then
		ka_conf "$hconf" "$v" MASTER 100
		ka_conf "$kconf" "$v" BACKUP 99
		m_start() { tb_halb lb1 "$hconf" "$SEED/dr-master.cfg"; }
		m_kill() { vt_kill9 lb1; }
		m_is() { halb_master; }
		s_start() { ka_start "$kconf"; }
		s_is() { if [ "$1" = MASTER ]; then ka_master; else ka_backup; fi; }
		m_mac=$mac_halb s_mac=$mac_ka m_name=halb s_name=keepalived
	else
		ka_conf "$kconf" "$v" MASTER 100
		ka_conf "$hconf" "$v" BACKUP 99
		m_start() { ka_start "$kconf"; }
		m_kill() { ka_kill9; }
		m_is() { ka_master; }
		s_start() { tb_halb lb1 "$hconf" "$SEED/dr-master.cfg"; }
		s_is() { if [ "$1" = MASTER ]; then halb_master; else halb_backup; fi; }
		m_mac=$mac_ka s_mac=$mac_halb m_name=keepalived s_name=halb
	fi

	# the master side first, then the backup, which must stay BACKUP
	m_start
	tb_wait 15 m_is || tb_fail "$label: $m_name is not MASTER"
	s_start
	start=$(vt_ms)
	tb_wait 5 s_is BACKUP || tb_fail "$label: $s_name is not BACKUP"
	ip -n "$TB-client" neigh del $VIP dev eth0 2>/dev/null
	tb_in client ping -c 1 -W 1 $VIP >/dev/null 2>&1
	tb_wait 3 arp_is "$m_mac" || tb_fail "$label: the client's ARP entry for the VIP is $(vt_neigh_mac client $VIP), not the $m_name master's $m_mac"
	# a backup that rejected the master's adverts would take over after
	# 3 x 1 s + skew: still BACKUP 4.5 s after it is up means it accepts them
	while [ $(($(vt_ms) - start)) -lt 4500 ]; do sleep 0.2; done
	s_is BACKUP || tb_fail "$label: $s_name left BACKUP while the $m_name master runs (adverts rejected?)"
	m_is || tb_fail "$label: $m_name lost MASTER to the $s_name backup"
	[ "$(vt_vrrp lb1 VI_1 'i["version"]')" = "$v" ] || tb_fail "$label: halb does not run VRRPv$v"
	[ "$(halb_rejects)" = "[]" ] || tb_fail "$label: halb rejected adverts: $(halb_rejects)"
	if [ "$side" = ka ]; then
		[ "$(vt_vrrp lb1 VI_1 '"%s %d %d" % (i["master"], i["master_priority"], i["adverts_received"] > 0)')" = "172.17.11.11 100 1" ] ||
			tb_fail "$label: halb does not see keepalived as the master: $(vt_state_line lb1 VI_1)"
	fi
	echo "  $label: $m_name MASTER, $s_name BACKUP (stable), client ARP -> $m_name"

	# the master dies
	t0=$(vt_ms)
	m_kill
	tb_wait 10 s_is MASTER || tb_fail "$label: $s_name did not take over after kill -9 of $m_name"
	took=$(($(vt_ms) - t0))
	tb_wait 5 arp_is "$s_mac" || tb_fail "$label: the client's ARP entry did not move to $s_name ($(vt_neigh_mac client $VIP))"
	# and comes back
	t0=$(vt_ms)
	m_start
	tb_wait 15 m_is || tb_fail "$label: the returning $m_name does not take the VIP back"
	back=$(($(vt_ms) - t0))
	tb_wait 5 s_is BACKUP || tb_fail "$label: $s_name does not step down for the returning $m_name"
	tb_wait 5 arp_is "$m_mac" || tb_fail "$label: the client's ARP entry did not move back to $m_name"
	[ "$(halb_rejects)" = "[]" ] || tb_fail "$label: halb rejected adverts: $(halb_rejects)"
	[ -z "$(ka_rejects)" ] || tb_fail "$label: keepalived rejected halb's adverts: $(ka_rejects)"
	echo "  $label: kill -9 $m_name -> $s_name MASTER after $took ms; $m_name back, MASTER after $back ms"

	tb_stop_halb lb1 TERM
	ka_stop
}

run_case "v2-PASS halb-master" 2 halb
run_case "v2-PASS keepalived-master" 2 ka
run_case "v3 halb-master" 3 halb
run_case "v3 keepalived-master" 3 ka
exit 0
