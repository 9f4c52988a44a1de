#!/bin/bash
# VRRP notify scripts and mail alerts, on seed scenario 1 (DR): lb1 runs
# conf/seed/dr-master.conf with, in VI_1,
#   - the seed's notify line as the seed writes it (three statements on one
#     line), calling a copy of the seed's notify.sh that writes its line to a
#     file instead of mailing it;
#   - a generic `notify` script that records the arguments keepalived appends
#     (INSTANCE VI_1 MASTER 100);
#   - smtp_alert, with the seed's global_defs (notification_email root@localhost,
#     notification_email_from root@along.com, smtp_server 127.0.0.1,
#     smtp_connect_timeout 30) and a real SMTP server (aiosmtpd) on
#     127.0.0.1:25 in lb1's namespace;
#   - the seed's chk_down tracker, to drive a FAULT.
# lb2 runs dr-backup.conf as is. Asserted: each transition (BACKUP at start,
# MASTER, FAULT, BACKUP, MASTER) runs its notify_* script and the generic one
# with the right arguments; a mail per transition reaches the SMTP server
# from root@along.com to root@localhost naming the instance and the state;
# with the SMTP server gone (refused) or black-holed (connect hangs up to
# smtp_connect_timeout), transitions still happen at once and the failure is
# logged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
PY=/usr/bin/python3 # Debian's, which has python3-aiosmtpd

$PY -c 'import aiosmtpd' 2>/dev/null || tb_fail "python3-aiosmtpd is not installed (scripts/install_deps.sh)"
tb_init vno
tb_host client 172.17.0.2/16
tb_director lb1
tb_director lb2

DOWN=$TB_DIR/down
NOTIFY_OUT=$TB_DIR/notify.out
ANY_OUT=$TB_DIR/notify-any.out
MAILDIR=$TB_DIR/maildir
# the seed's notify.sh, its line going to a file instead of to mail(1)
cat >"$TB_DIR/notify.sh" <<EOF
#!/bin/bash
contact='root@localhost'
notify() {
        mailsubject="\$(hostname) to be \$1: vip floating"
        mailbody="\$(date +'%F %H:%M:%S'): vrrp transition, \$(hostname) changed to be \$1"
        echo "\$mailsubject | \$mailbody" >>$NOTIFY_OUT
}
case \$1 in
master)
        notify master
        exit 0
;;
backup)
        notify backup
        exit 0
;;
fault)
        notify fault
        exit 0
;;
*)
        echo "Usage: \$(basename \$0) {master|backup|fault}"
        exit 1
;;
esac
EOF
cat >"$TB_DIR/notify-any.sh" <<EOF
#!/bin/sh
echo "\$*" >>$ANY_OUT
EOF
chmod 755 "$TB_DIR/notify.sh" "$TB_DIR/notify-any.sh"
N=$TB_DIR/notify.sh
awk -v down="$DOWN" -v n="$N" -v any="$TB_DIR/notify-any.sh" '
/^vrrp_instance VI_1/ {
	print "vrrp_script chk_down {"
	print "   script \"[[ -f " down " ]] && exit 1 || exit 0\""
	print "   interval 1"
	print "}"
}
{ print }
/^vrrp_instance VI_1/ {
	print "    notify_backup \"" n " backup\" notify_master \"" n " master\" notify_fault \"" n " fault\""
	print "    notify \"" any "\""
	print "    smtp_alert"
	print "    track_script {"
	print "        chk_down"
	print "    }"
}' "$SEED/dr-master.conf" >"$TB_DIR/lb1.conf"
"$HALB" -t -f "$TB_DIR/lb1.conf" -c "$SEED/dr-master.cfg" >"$TB_DIR/t.out" 2>&1 ||
	tb_fail "halb -t rejects the notify configuration: $(cat "$TB_DIR/t.out")"

# --- the SMTP server in lb1's namespace, where smtp_server 127.0.0.1 points
smtp_start() {
	ip netns exec "$TB-lb1" $PY -m aiosmtpd -n -l 127.0.0.1:25 -c aiosmtpd.handlers.Mailbox \
		"$MAILDIR" >>"$TB_DIR/smtp.log" 2>&1 &
	SMTP_PID=$!
	tb_wait 10 sh -c "ip netns exec $TB-lb1 ss -ltn | grep -q '127.0.0.1:25 '" ||
		tb_fail "the SMTP server did not start: $(cat "$TB_DIR/smtp.log")"
}
smtp_stop() {
	kill "$SMTP_PID"
	wait "$SMTP_PID" 2>/dev/null
	tb_wait 5 sh -c "! ip netns exec $TB-lb1 ss -ltn | grep -q '127.0.0.1:25 '" ||
		tb_fail "the SMTP server did not stop"
}
# mails: one line per message received, "ENVFROM|ENVTO|From|To|Subject"
mails() {
	$PY - "$MAILDIR" <<'EOF'
import mailbox, sys
for key, m in sorted(mailbox.Maildir(sys.argv[1], create=False).items(),
                     key=lambda kv: kv[1].get_date()):
    print("|".join(str(m.get(h, "")) for h in ("X-MailFrom", "X-RcptTo", "From", "To", "Subject")))
EOF
}
mails_at_least() { [ "$(mails 2>/dev/null | wc -l)" -ge "$1" ]; }
# mail_for STATE: the line of a mail about VI_1 entering STATE
mail_for() { mails 2>/dev/null | grep "VI_1" | grep -m 1 "Entering $1 "; }
lines() { wc -l <"$1" 2>/dev/null || echo 0; }
# notified FILE N TEXT: FILE's line N (1-based) contains TEXT
notified() { sed -n "$2p" "$1" 2>/dev/null | grep -q -- "$3"; }
states() { echo "lb1 $(vt_state_line lb1 VI_1); lb2 $(vt_state_line lb2 VI_1)"; }

smtp_start
tb_halb lb1 "$TB_DIR/lb1.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"

# --- start-up: BACKUP, then MASTER
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER: $(states)"
tb_wait 5 notified "$NOTIFY_OUT" 2 "changed to be master" ||
	tb_fail "notify_backup/notify_master did not run in order: $(cat "$NOTIFY_OUT" 2>&1)"
notified "$NOTIFY_OUT" 1 "changed to be backup" || tb_fail "notify_backup did not run at start-up: $(cat "$NOTIFY_OUT")"
tb_wait 5 notified "$ANY_OUT" 2 "^INSTANCE VI_1 MASTER 100$" ||
	tb_fail "the generic notify did not get 'INSTANCE VI_1 MASTER 100': $(cat "$ANY_OUT" 2>&1)"
notified "$ANY_OUT" 1 "^INSTANCE VI_1 BACKUP 100$" || tb_fail "the generic notify did not get 'INSTANCE VI_1 BACKUP 100': $(cat "$ANY_OUT")"
echo "  start-up: notify.sh backup, master; notify: $(sed -n 2p "$ANY_OUT")"
tb_wait 10 mail_for MASTER >/dev/null || tb_fail "no mail for the MASTER transition: [$(mails 2>&1)]"
IFS='|' read -r env_from env_to hdr_from hdr_to subject <<<"$(mail_for MASTER)"
[ "$env_from" = root@along.com ] && [ "$hdr_from" = root@along.com ] ||
	tb_fail "the mail's sender is '$env_from' / From: '$hdr_from', not root@along.com"
[ "$env_to" = root@localhost ] && [ "$hdr_to" = root@localhost ] ||
	tb_fail "the mail's recipient is '$env_to' / To: '$hdr_to', not root@localhost"
grep -q "SMTP alert sent" "$TB_DIR/halb-lb1.log" || tb_fail "halb did not log the mail it sent"
echo "  mail: from $env_from to $env_to, \"$subject\""

# --- FAULT and back: notify_fault, notify_backup, notify_master
touch "$DOWN"
tb_wait 5 tb_vrrp_is lb1 VI_1 FAULT || tb_fail "lb1 is not FAULT with the down file: $(states)"
tb_wait 5 notified "$NOTIFY_OUT" 3 "changed to be fault" || tb_fail "notify_fault did not run: $(cat "$NOTIFY_OUT")"
tb_wait 5 notified "$ANY_OUT" 3 "^INSTANCE VI_1 FAULT 100$" || tb_fail "the generic notify did not get the FAULT: $(cat "$ANY_OUT")"
tb_wait 10 mail_for FAULT >/dev/null || tb_fail "no mail for the FAULT transition: [$(mails 2>&1)]"
rm -f "$DOWN"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "lb1 is not MASTER again: $(states)"
tb_wait 5 notified "$NOTIFY_OUT" 5 "changed to be master" || tb_fail "notify_backup/master did not run after the FAULT: $(cat "$NOTIFY_OUT")"
notified "$NOTIFY_OUT" 4 "changed to be backup" || tb_fail "notify_backup did not run after the FAULT: $(cat "$NOTIFY_OUT")"
tb_wait 5 notified "$ANY_OUT" 5 "^INSTANCE VI_1 MASTER 100$" || tb_fail "the generic notify missed a transition: $(cat "$ANY_OUT")"
[ "$(lines "$NOTIFY_OUT")" = 5 ] || tb_fail "notify.sh ran $(lines "$NOTIFY_OUT") times for 5 transitions: $(cat "$NOTIFY_OUT")"
tb_wait 10 mails_at_least 5 ||
	tb_fail "fewer than 5 mails for 5 transitions: [$(mails 2>&1)]"
echo "  FAULT and back: notify.sh $(sed 's/.*changed to be //' "$NOTIFY_OUT" | tr '\n' ' ')"
echo "  notify arguments: $(tr '\n' ',' <"$ANY_OUT")"
echo "  mails received: $(mails | wc -l) ($(mails | cut -d'|' -f5 | sed 's/.*Entering \([A-Z]*\).*/\1/' | tr '\n' ' '))"

# --- no SMTP server at all (connection refused): transitions and a log line
smtp_stop
t0=$(vt_ms)
touch "$DOWN"
tb_wait 5 tb_vrrp_is lb1 VI_1 FAULT || tb_fail "no FAULT without an SMTP server: $(states)"
fault=$(($(vt_became lb1 VI_1 FAULT) - t0))
tb_wait 10 grep -q "SMTP alert not sent" "$TB_DIR/halb-lb1.log" ||
	tb_fail "halb did not log the mail it could not send"
rm -f "$DOWN"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "no MASTER without an SMTP server: $(states)"
tb_wait 5 notified "$NOTIFY_OUT" 8 "changed to be master" || tb_fail "notify scripts did not run without an SMTP server: $(cat "$NOTIFY_OUT")"
# FAULT, BACKUP and MASTER: three mails refused, three log lines
not_sent() { grep -c "SMTP alert not sent" "$TB_DIR/halb-lb1.log"; }
not_sent_ge() { [ "$(not_sent)" -ge "$1" ]; }
tb_wait 5 not_sent_ge 3 || tb_fail "halb did not log each mail it could not send"
echo "  no SMTP server: FAULT after $fault ms, back to MASTER; logged: $(grep -m 1 "SMTP alert not sent" "$TB_DIR/halb-lb1.log" | sed 's/^[^:]*:[^:]*:[^:]*: //')"
# --- a black-holed SMTP server (connect hangs up to 30 s): never blocks VRRP
tb_in lb1 nft -f - <<-EOF
	table inet smtp_hole {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp dport 25 drop
		}
	}
EOF
t0=$(vt_ms)
touch "$DOWN"
tb_wait 5 tb_vrrp_is lb1 VI_1 FAULT || tb_fail "no FAULT while the SMTP server is black-holed: $(states)"
rm -f "$DOWN"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || tb_fail "no MASTER while the SMTP server is black-holed: $(states)"
took=$(($(vt_became lb1 VI_1 MASTER) - t0))
tb_halbctl lb1 version >/dev/null || tb_fail "halbctl gets no answer while mails hang"
tb_wait 5 notified "$NOTIFY_OUT" 11 "changed to be master" || tb_fail "notify scripts stalled behind the mails: $(cat "$NOTIFY_OUT")"
[ "$(not_sent)" -eq 3 ] ||
	tb_fail "a mail failed before smtp_connect_timeout (30 s) with a black-holed server"
echo "  SMTP black-holed: FAULT and back to MASTER in $took ms, notify scripts ran, mails pending"

exit 0
