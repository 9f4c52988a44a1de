#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Finds every keyword the installed keepalived accepts, block by block.

keepalived has no way to list its keywords, so this asks keepalived -t: a
word it does not know in a block draws "Unknown keyword 'WORD'". The
candidate words are every word-like tail of every string in the keepalived
binary (the compiler merges a keyword into the tail of a longer string, so
"router_id" lives inside "virtual_router_id"). Each block gets all the
candidates at once, one per line, followed by a sentinel word; when the
sentinel is not reported (a known keyword swallowed the lines after it, or
made keepalived exit) or a '{' went missing, the batch is split in two,
down to single words. Writes "BLOCK KEYWORD" lines on stdout; the output
is tests/conf-corpus/keepalived-2.2.7-keywords.txt. Takes a few minutes.

    python3 tests/conf-corpus/probe_keywords.py > keywords.txt
"""
import os
import re
import subprocess
import sys
import tempfile

CTX = {
    'top': '{B}',
    'global_defs': 'global_defs {{\n{B}\n}}',
    'vrrp_instance': 'vrrp_instance VI {{\n{B}\n}}',
    'authentication': 'vrrp_instance VI {{\nauthentication {{\n{B}\n}}\n}}',
    'vrrp_sync_group': 'vrrp_sync_group G {{\n{B}\n}}',
    'vrrp_script': 'vrrp_script S {{\n{B}\n}}',
    'vrrp_track_file': 'vrrp_track_file F {{\n{B}\n}}',
    'vrrp_track_process': 'vrrp_track_process P {{\n{B}\n}}',
    'bfd_instance': 'bfd_instance B {{\n{B}\n}}',
    'garp_group': 'garp_group {{\n{B}\n}}',
    'SSL': 'SSL {{\n{B}\n}}',
    'virtual_server': 'virtual_server 1.1.1.1 80 {{\n{B}\n}}',
    'real_server': 'virtual_server 1.1.1.1 80 {{\nreal_server 2.2.2.2 80 {{\n{B}\n}}\n}}',
}
RS = 'virtual_server 1.1.1.1 80 {{\nreal_server 2.2.2.2 80 {{\n'
for chk in ['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK',
            'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']:
    CTX[chk] = RS + chk + ' {{\n{B}\n}}\n}}\n}}'
CTX['url'] = RS + 'HTTP_GET {{\nurl {{\n{B}\n}}\n}}\n}}\n}}'
CTX['host'] = RS + 'SMTP_CHECK {{\nhost {{\n{B}\n}}\n}}\n}}\n}}'
SENTINEL = 'zzsentinel'


def candidates(binary):
    out = subprocess.run(['strings', '-n', '3', binary], capture_output=True, text=True).stdout
    words = set()
    for line in out.splitlines():
        m = re.search(r'[A-Za-z_][A-Za-z0-9_-]*$', line)
        if not m:
            continue
        w = m.group(0)
        for i in range(len(w) - 1):
            s = w[i:]
            if re.fullmatch(r'[a-z][a-z0-9_-]*|[A-Z][A-Z0-9_]*', s):
                words.add(s)
    return sorted(words)


def run(path, ctx, ws):
    with open(path, 'w') as f:
        f.write(CTX[ctx].format(B='\n'.join(ws + [SENTINEL])) + '\n')
    try:
        r = subprocess.run(['keepalived', '-t', '-f', path], capture_output=True, text=True,
                           timeout=20)
        return r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return ''


def probe(path, ctx, ws, known):
    out = run(path, ctx, ws)
    if ("Unknown keyword '%s'" % SENTINEL) in out and "Missing '{'" not in out:
        known.extend(w for w in ws if ("Unknown keyword '%s'" % w) not in out)
    elif len(ws) == 1:
        if ("Unknown keyword '%s'" % ws[0]) not in out:
            known.append(ws[0])
    else:
        h = len(ws) // 2
        probe(path, ctx, ws[:h], known)
        probe(path, ctx, ws[h:], known)


def main():
    words = candidates('/usr/sbin/keepalived')
    print('# The keywords keepalived 2.2.7 (Debian 12) accepts, by block, found by')
    print('# tests/conf-corpus/probe_keywords.py. Format: BLOCK KEYWORD')
    with tempfile.TemporaryDirectory() as d:
        for ctx in (sys.argv[1:] or CTX):
            known = []
            probe(os.path.join(d, 'k.conf'), ctx, words, known)
            for w in sorted(set(known)):
                print(ctx, w)


if __name__ == '__main__':
    main()
