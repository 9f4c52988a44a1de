#!/bin/bash
# Old and new side by side, the same day on the same machine: builds the
# commit before data plane v2 (the parent of 4b0c35b, which replaced the
# shared rte_hash connection table with per-worker tables) in a git
# worktree under /tmp, builds this tree's halb-bench, and runs both with
# the same options, one connection level at a time and the old one first
# each time, so that a change in the machine's load touches both alike.
# Then prints the rows both have, side by side: median cycles per packet
# and Mpps per worker, instructions per packet, bytes per connection.
#
# Usage: bench/compare.sh [--old REV] [--out DIR] [--conns LIST] [--quick]
#                         [--e2e] [-- other halb-bench options both know]
#   --old REV     the old side (default 4b0c35b^)
#   --out DIR     where everything goes (default /tmp/halb-compare): the
#                 table (compare.txt), each run's output ({old,new}-N.txt)
#                 and JSON, and both sides' JSON merged (old.json, new.json:
#                 what docs/benchmarks*.json are)
#   --conns LIST  the levels (default 1000,1000000,10000000)
#   --quick       a smoke test of the script: 1000 connections, few packets
#   --e2e         then bench/e2e_compare.sh 10 too (root; DIR/e2e.txt)
# Options after -- go to both programs, so only those the old one knows:
# --runs --packets --workers --mem --sched --only --keep-preempted.
#
# On a shared machine: flock /tmp/halb-heavy.lock bench/compare.sh --e2e
# (about 12 minutes here: 8 for the levels, 2 for callgrind at 1M, 2 for
# bench/e2e_compare.sh).
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
OLD=4b0c35b^
OUT=/tmp/halb-compare
CONNS=1000,1000000,10000000
QUICK=
E2E=
EXTRA=()
while [ $# -gt 0 ]; do
	case $1 in
	--old) OLD=$2; shift ;;
	--out) OUT=$2; shift ;;
	--conns) CONNS=$2; shift ;;
	--quick) QUICK=1; CONNS=1000 ;;
	--e2e) E2E=1 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h | --help) sed -n '2,28p' "$0"; exit 0 ;;
	*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$QUICK" ] && EXTRA+=(--runs 2 --packets 20000)

OLD_SHA=$(git rev-parse --verify "$OLD^{commit}")
OLD_DIR=/tmp/halb-bench-old-${OLD_SHA:0:12}
mkdir -p "$OUT"

log() { echo "[$(date +%T)] $*" >&2; }

# ------------------------------------------------------------------ builds

if [ ! -d "$OLD_DIR" ]; then
	log "worktree of ${OLD_SHA:0:12} in $OLD_DIR"
	git worktree add --detach "$OLD_DIR" "$OLD_SHA" >/dev/null
fi
for tree in "$OLD_DIR" "$TOP"; do
	if [ ! -f "$tree/build/build.ninja" ]; then
		log "meson setup $tree/build"
		meson setup "$tree/build" "$tree" >"$OUT/setup.log" 2>&1 ||
			{ tail -n 20 "$OUT/setup.log" >&2; exit 1; }
	fi
	log "building $tree/build/bench/halb-bench"
	meson compile -C "$tree/build" bench/halb-bench >"$OUT/build.log" 2>&1 ||
		{ tail -n 20 "$OUT/build.log" >&2; exit 1; }
done
OLD_BIN=$OLD_DIR/build/bench/halb-bench
NEW_BIN=$TOP/build/bench/halb-bench
NEW_SHA=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- lib bench || echo "+changes")

# -------------------------------------------------------------------- runs

# run SIDE BIN LEVEL FIRST: one level of one side, its JSON and its output.
run() {
	local side=$1 bin=$2 level=$3 first=$4 cg=()
	[ "$first" = 1 ] && [ -z "$QUICK" ] || cg=(--no-callgrind)
	log "$side, $level connections ($(uptime | sed 's/.*load/load/'))"
	echo "$(uptime)" >"$OUT/$side-$level.load"
	"$bin" --conns "$level" "${cg[@]}" "${EXTRA[@]}" --json "$OUT/$side-$level.json" \
		>"$OUT/$side-$level.txt" 2>"$OUT/$side-$level.err" ||
		{ tail -n 20 "$OUT/$side-$level.err" >&2; exit 1; }
}

first=1
FILES=()
for level in ${CONNS//,/ }; do
	run old "$OLD_BIN" "$level" $first
	run new "$NEW_BIN" "$level" $first
	FILES+=("$level")
	first=0
done
# The new side's established cases under callgrind at 1M connections:
# simulated cache misses of a table larger than the last-level cache.
if [ -z "$QUICK" ]; then
	log "new, callgrind at 1000000 connections ($(uptime | sed 's/.*load/load/'))"
	"$NEW_BIN" --conns 1000 --runs 1 --packets 20000 --workers 1 --cg-conns 1000000 \
		--only established --json "$OUT/new-cg1m.json" >"$OUT/new-cg1m.txt" \
		2>"$OUT/new-cg1m.err" || { tail -n 20 "$OUT/new-cg1m.err" >&2; exit 1; }
fi

# ------------------------------------------------------------------- table

python3 - "$OUT" "${OLD_SHA:0:12}" "$NEW_SHA" "${FILES[@]}" <<'EOF' | tee "$OUT/compare.txt"
import json, sys

out, old_sha, new_sha, levels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
side = {"old": {}, "new": {}}
ir = {"old": {}, "new": {}}
tables = {"old": {}, "new": {}}
load = {}
for s in side:
    for lv in levels:
        with open(f"{out}/{s}-{lv}.json") as f:
            j = json.load(f)
        for r in j["forwarding"]:
            side[s][(r["case"], r["frames"], r["conns"], r["workers"])] = r
        for i in j.get("instructions", []):
            v = i.get("per_packet", i.get("per_unit"))
            if v is not None:
                ir[s][i["case"]] = v
        for t in j.get("tables", []):
            tables[s][t["conns"]] = t
        with open(f"{out}/{s}-{lv}.load") as f:
            load[(s, lv)] = f.read().strip().split("load average:")[-1].strip()

def conns(n):
    return f"{n // 1000000}M" if n >= 1000000 else f"{n // 1000}K" if n >= 1000 else str(n)

def med(r, k):
    return r[k]["median"]

print(f"old: {old_sha} (before data plane v2), new: {new_sha}")
print("load average (1, 5, 15 min) when each run started:")
for lv in levels:
    print(f"  {conns(int(lv)):>4}: old {load[('old', lv)]}, new {load[('new', lv)]}")
print()
print("Forwarding: cycles per packet, median and least of the runs (the least is the run")
print("the machine disturbed least), Mpps per worker (median); the rows both programs have")
print(f"{'case':<16} {'frame':<5} {'conns':>5} {'w':>2} {'old med':>8} {'min':>5} "
      f"{'new med':>8} {'min':>5} {'new/old':>7} {'Mpps old':>9} {'new':>6}")
common = sorted(set(side["old"]) & set(side["new"]),
                key=lambda k: (k[2], k[0], k[1], k[3]))
for k in common:
    o, n = side["old"][k], side["new"][k]
    co, cn = med(o, "cycles_per_packet"), med(n, "cycles_per_packet")
    print(f"{k[0]:<16} {k[1]:<5} {conns(k[2]):>5} {k[3]:>2} {co:>8.0f} "
          f"{o['cycles_per_packet']['min']:>5.0f} {cn:>8.0f} "
          f"{n['cycles_per_packet']['min']:>5.0f} {cn / co if co else 0:>7.2f} "
          f"{med(o, 'mpps_per_worker'):>9.2f} {med(n, 'mpps_per_worker'):>6.2f}")
only_new = sorted({k[0] for k in side["new"]} - {k[0] for k in side["old"]})
if only_new:
    print(f"(new only, see {out}/new-*.txt: {', '.join(only_new)})")
print()
print("Instructions per packet (callgrind, 1K connections, 1 worker)")
for c in sorted(set(ir["old"]) & set(ir["new"])):
    print(f"  {c:<16} old {ir['old'][c]:7.1f}  new {ir['new'][c]:7.1f}  "
          f"new/old {ir['new'][c] / ir['old'][c]:.2f}")
print()
# each side's levels merged into one file
for s in side:
    merged = None
    for lv in levels:
        with open(f"{out}/{s}-{lv}.json") as f:
            j = json.load(f)
        if merged is None:
            merged = j
            continue
        for key in ("forwarding", "tables", "floods", "sync_install"):
            merged.setdefault(key, []).extend(j.get(key, []))
        merged["seconds"] = merged.get("seconds", 0) + j.get("seconds", 0)
    merged["load_average"] = {lv: load[(s, lv)] for lv in levels}
    with open(f"{out}/{s}.json", "w") as f:
        json.dump(merged, f, indent=1)
try:
    with open(f"{out}/new-cg1m.json") as f:
        cg = json.load(f)["instructions"]
    print("New, under callgrind at 1M connections (simulated misses per packet)")
    for i in cg:
        print(f"  {i['case']:<16} instructions {i['per_unit']:7.1f}  L1d misses "
              f"{i.get('d1_misses', 0):5.2f}  LL misses {i.get('ll_misses', 0):5.2f}")
    print()
except (OSError, KeyError, ValueError):
    pass
print("Memory: bytes per connection of a table of exactly N (conn_table_create)")
for n in sorted(set(tables["old"]) & set(tables["new"])):
    o, w = tables["old"][n], tables["new"][n]
    print(f"  {conns(n):>4}: old {o['bytes_per_conn']:.1f}  new {w['bytes_per_conn']:.1f}"
          f"   fill, SYNs/s per worker (DR, NAT, TUN[, DR6]): old "
          + " ".join(f"{x / 1e6:.2f}M" for x in o["fill_inserts_per_s"]) + "  new "
          + " ".join(f"{x / 1e6:.2f}M" for x in w["fill_inserts_per_s"]))
EOF
if [ -n "$E2E" ]; then
	log "bench/e2e_compare.sh 10 ($(uptime | sed 's/.*load/load/'))"
	bench/e2e_compare.sh 10 >"$OUT/e2e.txt" 2>"$OUT/e2e.err" ||
		{ tail -n 20 "$OUT/e2e.err" >&2; exit 1; }
	cat "$OUT/e2e.txt"
fi
log "done: $OUT/compare.txt"
