#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The docs' examples against the programs.

What docs/*.md and README.md quote must be what halb and halbctl do:

  logs     every halb log line the docs show (timestamped lines in code
           blocks, the log table of OPERATIONS.md, any quoted VRRP
           transition) matches a format string of the sources (HALB_LOG,
           log_error, early_error), "..." standing for one %s and an
           upper-case word (N, REASON, FILE) for a value;
  errors   the configuration errors CONFIGURATION.md lists match a format
           of lib/config; halbctl's error lines in the docs match halbctl's;
  options  every flag of the docs' halb and halbctl option tables is in the
           program's --help; every halbctl command line the docs show (in
           a code block or quoted) is accepted by halbctl (exit status not
           2), run against a fake telemetry server;
  config   every dataplane file the docs show passes `halb -t`;
  limits   the limits the docs state (ports, workers, table sizes, the
           telemetry socket's) are where the programs and headers put them.

  test_docs.py HALB HALBCTL SOURCE_ROOT
"""

import glob
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HALB, HALBCTL, ROOT = sys.argv[1:4] if len(sys.argv) == 4 else (None, None, None)
FAILED = []
PASSED = [0]


def ok(what):
    PASSED[0] += 1


def fail(what):
    FAILED.append(what)
    print("FAIL  " + what)


def doc_files():
    return sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [os.path.join(ROOT, "README.md")]


def rel(path):
    return os.path.relpath(path, ROOT)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ------------------------------------------------------------ format strings

CONV = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|z|j|t|L)?([diouxXeEfgGcsp%])")
VALUE = r"(?:[-+]?\d[\d.]*(?:e[-+]?\d+)?|[A-Z][A-Z_]*)"


def c_string(literals):
    """The value of adjacent C string literals."""
    out = []
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', literals):
        out.append(lit.encode().decode("unicode_escape"))
    return "".join(out)


def format_regex(fmt):
    fmt = fmt.rstrip("\n")
    parts, pos = [], 0
    for m in CONV.finditer(fmt):
        parts.append(re.escape(fmt[pos:m.start()]))
        kind = m.group(4)
        if kind == "%":
            parts.append("%")
        elif kind in "sp":
            parts.append(".*")
        elif kind == "c":
            parts.append(".")
        else:
            parts.append(VALUE)
        pos = m.end()
    parts.append(re.escape(fmt[pos:]))
    return re.compile("".join(parts) + r"\Z", re.S)


def weak(fmt):
    """A format that is mostly conversions ("%s", "(%s) %s") would match any
    line: it says nothing about the text."""
    return len(re.sub(r"\s", "", CONV.sub("", fmt))) < 4


def formats(files, calls):
    """The format string of each call to one of calls in files (but weak
    ones)."""
    out = []
    pattern = re.compile(r"\b(%s)\s*\(" % "|".join(calls))
    for path in files:
        # "%" PRIu64 "..." is one format: the macro is a conversion's length
        text = re.sub(r'"\s*PRI[a-zA-Z]\w*\s*"', "llu", read(path))
        text = re.sub(r'"\s*PRI[a-zA-Z]\w*', 'llu"', text)
        for m in pattern.finditer(text):
            lit = re.match(r'[^";]*?((?:"(?:[^"\\]|\\.)*"\s*)+)', text[m.end():m.end() + 600])
            if lit and not weak(c_string(lit.group(1))):
                out.append(format_regex(c_string(lit.group(1))))
    return out


def vrrp_notes():
    """(NAME) NOTE lines: the notes lib/vrrp hands the glue to log as
    "(%s) %s" (lib/ctl/ctl_vrrp.c)."""
    out = []
    for path in sources("lib/vrrp"):
        for lit in re.findall(r'note\s*=\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', read(path)):
            out.append(re.compile(r"\(.+\) " + format_regex(c_string(lit)).pattern, re.S))
    return out


def sources(*dirs):
    return [p for d in dirs for p in glob.glob(os.path.join(ROOT, d, "**", "*.c"), recursive=True)]


def matches(line, fmts):
    return any(f.match(line) for f in fmts)


# ------------------------------------------------------------- the docs' text

FENCE = re.compile(r"^(\s*)```[^\n]*\n(.*?)^\s*```", re.S | re.M)
SPAN = re.compile(r"`([^`\n]+(?:\n[^`\n]+)*)`")
STAMP = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: (.*)$")
DPDK_LINES = ("EAL:", "TAP:", "qdisc_create_multiq", "Disabling rte flow")


def code_blocks(text):
    for m in FENCE.finditer(text):
        indent = len(m.group(1))
        yield "\n".join(line[indent:] for line in m.group(2).splitlines())


def prose(text):
    return FENCE.sub("", text)


def spans(text):
    for m in SPAN.finditer(prose(text)):
        yield " ".join(m.group(1).split())


def table_rows(text, header):
    """First cells of the rows of the table whose header line starts so."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header):
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                yield re.split(r"(?<!\\)\|", row)[1]


# ----------------------------------------------------------------------- logs

def check_logs():
    fmts = formats(sources("lib", "app/halb"), ["HALB_LOG", "log_error", "early_error"])
    fmts += vrrp_notes()
    lines = []
    for path in doc_files():
        text = read(path)
        for block in code_blocks(text):
            for line in block.splitlines():
                m = STAMP.match(line)
                if m and not m.group(1).startswith(DPDK_LINES):
                    lines.append((path, m.group(1)))
        for s in spans(text):
            if "Entering" in s and "STATE" in s and "Keepalived_vrrp" not in s:
                lines.append((path, s))
    ops = os.path.join(ROOT, "docs", "OPERATIONS.md")
    for cell in table_rows(read(ops), "| line | level | meaning |"):
        for s in SPAN.findall(cell):
            lines.append((ops, s))
    print("      %d log lines" % len(lines))
    for path, line in lines:
        if matches(line, fmts):
            ok(line)
        else:
            fail("%s: log line `%s` matches no log format of the sources" % (rel(path), line))


# --------------------------------------------------------------------- errors

# Messages halbctl puts together from several pieces (session.c).
HALBCTL_COMPOSED = [
    re.compile(r"halbctl: cannot reach halb( \(file prefix '.+'\))?: .+( \u2014 .+)?\Z"),
]


def check_errors():
    cfg = formats(sources("lib/config"), ["dp_err", "dp_warn", "cfg_diag_add"])
    conf = os.path.join(ROOT, "docs", "CONFIGURATION.md")
    text = read(conf)
    part = text[text.index("### Validation errors"):]
    for cell in table_rows(part, "| message | cause |"):
        for s in SPAN.findall(cell):
            if re.fullmatch(r"\w+", s):  # a setting's name, not a message
                continue
            if matches(s, cfg):
                ok(s)
            else:
                fail("docs/CONFIGURATION.md: error `%s` matches no message of lib/config" % s)
    ctl = formats(sources("app/halbctl"), ["fprintf", "usage_error", "tel_fail"])
    ctl = [re.compile("halbctl: " + f.pattern) for f in ctl] + ctl + HALBCTL_COMPOSED
    for path in doc_files():
        for block in code_blocks(read(path)):
            for line in block.splitlines():
                if line.startswith("halbctl: "):
                    if matches(line, ctl) or matches(line.replace("...", "X"), ctl):
                        ok(line)
                    else:
                        fail("%s: `%s` is no message of halbctl" % (rel(path), line))


# -------------------------------------------------------------------- options

def help_text(prog, *args):
    r = subprocess.run([prog, *args, "--help"], capture_output=True, text=True, timeout=10)
    return r.stdout


def check_option_tables():
    ops = read(os.path.join(ROOT, "docs", "OPERATIONS.md"))
    halb_help = help_text(HALB)
    for cell in table_rows(ops, "| flag | meaning |"):
        for flag in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", cell):
            if re.search(r"(?<![\w-])%s\b" % re.escape(flag), halb_help):
                ok(flag)
            else:
                fail("docs/OPERATIONS.md: halb flag %s is not in halb --help" % flag)
    usage = re.search(r"^halb \[-f FILE\].*$", ops, re.M)
    for flag in re.findall(r"\[(-\w)\b", usage.group(0) if usage else ""):
        if re.search(r"(?<![\w-])%s\b" % flag, halb_help):
            ok(flag)
        else:
            fail("docs/OPERATIONS.md: halb usage flag %s is not in halb --help" % flag)
    ctl_help = help_text(HALBCTL)
    for cmd in re.findall(r"^  ([a-z]+) ", ctl_help, re.M):
        ctl_help += help_text(HALBCTL, cmd)
    for cell in table_rows(ops, "| option | meaning |"):
        for flag in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", cell):
            if re.search(r"(?<![\w-])%s\b" % re.escape(flag), ctl_help):
                ok(flag)
            else:
                fail("docs/OPERATIONS.md: halbctl option %s is not in halbctl's help" % flag)
    for cell in table_rows(ops, "| command | telemetry | shows or does |"):
        words = SPAN.findall(cell)
        name = words[0].split()[0] if words else "?"
        if re.search(r"^  %s\b" % name, ctl_help, re.M):
            ok(name)
        else:
            fail("docs/OPERATIONS.md: halbctl command %s is not in halbctl --help" % name)


# Placeholders of the docs' examples, made concrete.
PLACEHOLDERS = [
    ("VIP:PORT", "172.17.100.100:80"), ("RS:PORT", "172.17.1.7:80"),
    ("RS[:PORT]", "172.17.1.7:80"), ("A[:P]", "172.17.1.7"), ("WEIGHT", "0"),
    ("-w W", "-w 0"),
]


def halbctl_examples():
    for path in doc_files():
        text = read(path)
        lines = []
        for block in code_blocks(text):
            lines += [l[2:] if l.startswith("$ ") else l for l in block.splitlines()]
        lines += list(spans(text))
        for line in lines:
            line = line.split("#")[0].strip()
            if not line.startswith("halbctl ") or "..." in line or "|" in line:
                continue
            if re.search(r"\[|\bCOMMAND\b|IPVSADM-OPTIONS|\bPATH\b|\bPREFIX\b|\bN\b", line):
                continue
            yield path, line


def check_halbctl_examples(sock):
    for path, line in halbctl_examples():
        args = line
        for a, b in PLACEHOLDERS:
            args = args.replace(a, b)
        argv = shlex.split(args)[1:]
        # -P names an instance: the fake socket stands for it
        while "-P" in argv:
            i = argv.index("-P")
            del argv[i:i + 2]
        # `halbctl -P NAME` or `halbctl weight` in a sentence names something
        if argv in ([], ["weight"]):
            continue
        argv = ["--socket", sock] + argv
        try:
            r = subprocess.run([HALBCTL] + argv, capture_output=True, text=True, timeout=10)
            status = r.returncode
        except subprocess.TimeoutExpired:
            status = 0  # a --watch example: it ran
        if status == 2:
            fail("%s: `%s` is refused by halbctl: %s" % (rel(path), line, r.stderr.strip()))
        else:
            ok(line)


# --------------------------------------------------------------------- config

MIN_CONF = "global_defs {\n    router_id docs\n}\n"


def halb_t(cfg_text):
    with tempfile.TemporaryDirectory() as d:
        conf, cfg = os.path.join(d, "k.conf"), os.path.join(d, "d.cfg")
        with open(conf, "w") as f:
            f.write(MIN_CONF)
        with open(cfg, "w") as f:
            f.write(cfg_text)
        r = subprocess.run([HALB, "-t", "-f", conf, "-c", cfg], capture_output=True,
                           text=True, timeout=20)
        return r.returncode, r.stderr


def check_dataplane_examples():
    for path in doc_files():
        for block in code_blocks(read(path)):
            if "..." in block:
                continue
            if block.lstrip().startswith("kernel_routes = ("):
                block = ('ports = ( { name = "eth1"; device = "0000:03:00.0";\n'
                         'addresses = ["172.17.1.6/16"];\n' + block + "\n} );\n")
            elif "ports = (" not in block:
                continue
            status, err = halb_t(block)
            if status == 0:
                ok(block)
            else:
                fail("%s: a dataplane example fails halb -t:\n%s" % (rel(path), err.strip()))


# --------------------------------------------------------------------- limits

def ports(n):
    return "ports = (%s);\n" % ",".join(
        '{ name = "p%d"; device = "0000:03:%02x.0"; }' % (i, i) for i in range(n))


def one_port(extra):
    return 'ports = ( { name = "eth1"; device = "0000:03:00.0"; %s } );\n' % extra


def addresses(n):
    return "addresses = [%s];" % ",".join('"10.%d.%d.1/24"' % (i // 256, i % 256) for i in range(n))


def kroutes(n):
    return ('addresses = ["10.0.0.1/8"]; kernel_routes = (%s);' %
            ",".join('{ prefix = "172.%d.%d.0/24"; via = "10.0.0.254"; }' % (16 + i // 256, i % 256)
                     for i in range(n)))


def routes(n):
    return one_port('addresses = ["10.0.0.1/8"];') + "routes = (%s);\n" % ",".join(
        '{ prefix = "172.%d.%d.0/24"; via = "10.0.0.254"; }' % (16 + i // 256, i % 256)
        for i in range(n))


def header_value(path, name):
    m = re.search(r"#define\s+%s\s+\(?([^)/\n]+)" % name, read(os.path.join(ROOT, path)))
    return eval(m.group(1).replace("u", "")) if m else None


# (doc file, what the docs say, dataplane refused with message, accepted)
LIMITS = [
    ("docs/OPERATIONS.md", r"At most 8 ports", ports(9), "more than 8 ports", ports(8)),
    ("docs/CONFIGURATION.md", r"\| `ports` \| .* \| 1\.\.8 entries \|", ports(9),
     "more than 8 ports", ports(8)),
    ("docs/OPERATIONS.md", r"64 workers", one_port("") + "workers = 65;",
     "workers 65 is out of range (1..64)", one_port("") + "workers = 64;"),
    ("docs/CONFIGURATION.md", r"\| `workers` \| integer \| 1\.\.64 \|", one_port("") + "workers = 65;",
     "workers 65 is out of range (1..64)", one_port("") + "workers = 64;"),
    ("docs/CONFIGURATION.md", r"\| `connections` \| integer \| 1024\.\.134217728 \|",
     one_port("") + "connections = 134217729;", "(1024..134217728)",
     one_port("") + "connections = 1024;"),
    ("docs/CONFIGURATION.md", r"at most 64 addresses|`a\.b\.c\.d/len`, the length required; at most 64",
     one_port(addresses(65)), "more than 64 addresses on one port", one_port(addresses(64))),
    ("docs/CONFIGURATION.md", r"\| `routes` \| .* \| at most 4096 \|", routes(4097),
     "more than 4096 routes", routes(4096)),
    ("docs/CONFIGURATION.md", r"\| `kernel_routes` \| .* \| at most 256", one_port(kroutes(257)),
     "more than 256 kernel routes on one port", one_port(kroutes(256))),
]

# (doc file, what the docs say, header, macro, value)
CONSTANTS = [
    ("docs/TELEMETRY.md", r"At most 64 clients", "lib/telemetry/halb_telemetry.h",
     "TEL_MAX_CLIENTS", 64),
    ("docs/TELEMETRY.md", r"at most\s+1023 bytes", "lib/telemetry/halb_telemetry.h",
     "TEL_MAX_REQUEST", 1024),
    ("docs/TELEMETRY.md", r"at most 192 KiB", "lib/telemetry/halb_telemetry.h",
     "TEL_MAX_OUTPUT", 192 * 1024),
    ("docs/TELEMETRY.md", r"idle for 60 s", "lib/telemetry/halb_telemetry.h",
     "TEL_IDLE_TIMEOUT_MS", 60000),
    ("docs/TELEMETRY.md", r"unread for 5 s", "lib/telemetry/halb_telemetry.h",
     "TEL_SEND_TIMEOUT_MS", 5000),
    ("docs/OPERATIONS.md", r"65536 distinct services and real", "lib/svc/halb_svc.h",
     "SVC_STAT_MAX", 65536),
]


def check_limits():
    for doc, said, bad, message, good in LIMITS:
        if not re.search(said, " ".join(read(os.path.join(ROOT, doc)).split())):
            fail("%s no longer says /%s/: update the limits of tests/cli/test_docs.py" % (doc, said))
            continue
        status, err = halb_t(bad)
        status_ok, err_ok = halb_t(good)
        if status != 0 and message in err and status_ok == 0:
            ok(said)
        else:
            fail("%s says /%s/ but halb -t %s" % (doc, said, "accepts beyond it" if status == 0
                 else "says %s" % (err.strip() if message not in err else err_ok.strip())))
    for doc, said, header, macro, value in CONSTANTS:
        text = " ".join(read(os.path.join(ROOT, doc)).split())
        have = header_value(header, macro)
        if not re.search(said, text):
            fail("%s no longer says /%s/: update tests/cli/test_docs.py" % (doc, said))
        elif have != value:
            fail("%s says /%s/ but %s has %s %s" % (doc, said, header, macro, have))
        else:
            ok(said)


def main():
    if HALB is None:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "fake.sock")
        fake = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "cli",
                                                               "fake_telemetry.py"),
                                 "--socket", sock, "--replies",
                                 os.path.join(ROOT, "tests", "cli", "replies.json")])
        try:
            for _ in range(50):
                if os.path.exists(sock):
                    break
                time.sleep(0.1)
            for name, check in (("logs", check_logs), ("errors", check_errors),
                                ("options", check_option_tables),
                                ("halbctl examples", lambda: check_halbctl_examples(sock)),
                                ("dataplane examples", check_dataplane_examples),
                                ("limits", check_limits)):
                before = len(FAILED)
                check()
                print("%-4s  %s" % ("ok" if len(FAILED) == before else "FAIL", name))
        finally:
            fake.send_signal(signal.SIGTERM)
            fake.wait()
    print("%d checked, %d failed" % (PASSED[0] + len(FAILED), len(FAILED)))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
