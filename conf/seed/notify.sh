#!/bin/bash
# Author: www.magedu.com
#
# The seed's notify script: mails root when this director changes VRRP state
# ("at what time, which host became what"). Install it as
# /etc/keepalived/notify.sh (chmod +x) and hook it into a vrrp_instance:
#     notify_master "/etc/keepalived/notify.sh master"
#     notify_backup "/etc/keepalived/notify.sh backup"
#     notify_fault "/etc/keepalived/notify.sh fault"
# The logic is the seed's, with its typographic quotes made ASCII.
contact='root@localhost'
notify() {
        mailsubject="$(hostname) to be $1: vip floating"
        mailbody="$(date +'%F %H:%M:%S'): vrrp transition, $(hostname) changed to be $1"
        echo $mailbody | mail -s "$mailsubject" $contact
}
case $1 in
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
        echo "Usage: $(basename $0) {master|backup|fault}"
        exit 1
;;
esac
