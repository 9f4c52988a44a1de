#!/usr/bin/python3
"""The man pages against the programs: halb(8) and halbctl(8) against their
--help (every option and command both ways, the exit statuses, the default
file prefix), halb.cfg(5) against the dataplane parser's own list of keys
(dp_keys), keepalived's flags in halb(8) against what halb accepts, and each
page rendered by man -l without a warning.

usage: test_man.py HALB HALBCTL DP_KEYS MANDIR
"""
import os
import re
import subprocess
import sys

halb, halbctl, dp_keys, mandir = sys.argv[1:5]
problems = []


def run(*args):
    return subprocess.run(args, capture_output=True, text=True)


def page(name):
    """The page's roff source with \\- and \\(dq made plain."""
    with open(os.path.join(mandir, name)) as f:
        text = f.read().replace("\\-", "-").replace("\\(dq", '"')
    return re.sub(r"\\f[BIRP]", " ", text)


def section(src, title):
    """The text of .SH TITLE up to the next .SH."""
    m = re.search(r"^\.SH " + re.escape(title) + r"\n(.*?)(?=^\.SH |\Z)", src, re.M | re.S)
    if not m:
        problems.append("no section %s" % title)
        return ""
    return m.group(1)


def options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z_-]*|-[A-Za-z])(?![\w-])", text))


def exit_codes(text):
    m = re.search(r"Exit status:(.*)", text, re.S)
    return set(re.findall(r"(?:^|[\s;])([0-9])\s", m.group(1))) if m else set()


# 1. Every page renders without a warning.
for name in ("halb.8", "halbctl.8", "halb.cfg.5"):
    env = dict(os.environ, MANWIDTH="80")
    r = subprocess.run(["man", "--warnings", "-l", os.path.join(mandir, name)],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0 or r.stderr.strip():
        problems.append("man -l %s: exit %d, warnings:\n%s" % (name, r.returncode, r.stderr))
    if len(r.stdout) < 500:
        problems.append("man -l %s rendered almost nothing" % name)

# 2. halb(8) against halb --help.
halb_help = run(halb, "--help").stdout
src = page("halb.8")
# The options each .TP entry of OPTIONS is about (its head line).
own = options("\n".join(re.findall(r"^\.TP\n(.*)$", section(src, "OPTIONS"), re.M)))
kflags = options(section(src, "KEEPALIVED FLAGS"))
help_opts = options(halb_help.split("keepalived's")[0])
for o in sorted(help_opts - options(src)):
    problems.append("halb --help has %s, halb(8) does not" % o)
for o in sorted(own - help_opts):
    problems.append("halb(8) OPTIONS has %s, halb --help does not" % o)
# keepalived's flags: halb must accept each (exit 0 or 1 here, never 2).
for o in sorted(kflags):
    if o in ("-c",):
        continue
    r = run(halb, "-t", "-f", "/nonexistent", "--dataplane", "/nonexistent", o, "--version")
    if r.returncode == 2:
        problems.append("halb(8) lists keepalived's %s but halb refuses it: %s" % (o, r.stderr.strip()))
for o in ("-X", "-I", "-S", "-d", "-D", "--vrrp", "--check", "-R", "-r", "-x", "--dont-respawn",
          "-a", "-m", "-M", "-g"):
    if o not in own | kflags:
        problems.append("halb(8) does not document keepalived's %s" % o)
if exit_codes(halb_help) != set(re.findall(r"^\.B ([0-9])$", section(src, "EXIT STATUS"), re.M)):
    problems.append("exit statuses differ: halb --help %s, halb(8) %s" % (
        sorted(exit_codes(halb_help)), section(src, "EXIT STATUS")))

# 3. halbctl(8) against halbctl --help.
ctl_help = run(halbctl, "--help").stdout
src = page("halbctl.8")
cmds_help = set(re.findall(r"^  ([a-z]+)\b", ctl_help.split("Options")[0].split("Commands:")[1]
                          .split("ipvsadm's spellings")[0], re.M))
cmds_man = set(re.findall(r"^\.B ([a-z]+)\b", section(src, "COMMANDS"), re.M))
if not cmds_help:
    problems.append("no commands found in halbctl --help")
for c in sorted(cmds_help ^ cmds_man):
    problems.append("halbctl command %s: in %s only" % (c, "--help" if c in cmds_help else "halbctl(8)"))
help_opts = options(ctl_help)
for o in sorted(help_opts - options(src)):
    problems.append("halbctl --help has %s, halbctl(8) does not" % o)
for o in sorted(options(section(src, "OPTIONS")) - help_opts):
    problems.append("halbctl(8) OPTIONS has %s, halbctl --help does not" % o)
if exit_codes(ctl_help) != set(re.findall(r"^\.B ([0-9])$", section(src, "EXIT STATUS"), re.M)):
    problems.append("exit statuses differ between halbctl --help and halbctl(8)")

# 4. halb.cfg(5) against the parser's keys; the default prefix everywhere.
known, prefix = set(), None
for line in run(dp_keys).stdout.splitlines():
    group, key = line.split()
    if group == "prefix":
        prefix = key
    else:
        known.add(key)
src = page("halb.cfg.5")
documented = set(re.findall(r"^\.TP\n\.B ([a-z_0-9]+)$", section(src, "SETTINGS"), re.M))
for k in sorted(known - documented):
    problems.append("the parser knows '%s', halb.cfg(5) does not document it" % k)
for k in sorted(documented - known):
    problems.append("halb.cfg(5) documents '%s', which the parser does not know" % k)
if prefix is None or "default '%s'" % prefix not in halb_help:
    problems.append("halb --help does not give the default file prefix '%s'" % prefix)
if "(default: %s)" % prefix not in ctl_help:
    problems.append("halbctl's default -P is not halb's default prefix '%s'" % prefix)
if "--file-prefix %s" % prefix not in src:
    problems.append("halb.cfg(5) does not give the default prefix '%s'" % prefix)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("man pages agree with halb --help (%d options, %d keepalived flags), halbctl --help "
      "(%d commands) and the parser (%d keys)" % (len(own), len(kflags), len(cmds_help), len(known)))
