#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The corpus test: every tests/conf-corpus/*.conf through `halb -t`, and
# through `keepalived -t` where keepalived is installed and we may make a
# network namespace. Each file says what it expects in its first lines:
#   # halb: accepted                      halb -t exits 0
#   # halb: refused                       halb -t exits 1 and prints, for
#                                         each line marked
#                                         "# expect-error: TEXT",
#                                         FILE:LINE: error: ...TEXT...
#                                         and no other error; and for
#                                         each "# expect-warning: TEXT",
#                                         FILE:LINE: warning: ...TEXT...
#                                         (a word keepalived does not know:
#                                         -t fails on it, a run skips it)
#   # keepalived: valid|invalid           keepalived -t exits 0 / non-zero
#   # keepalived: unchecked REASON        keepalived -t cannot judge it here
# and the two must agree on what is valid: what keepalived rejects, halb
# rejects; what keepalived accepts, halb accepts or refuses with FILE:LINE
# and "is not supported by halb" (a feature it does not have). keepalived
# runs in a namespace with eth0 and eth1 (a veth pair), the interfaces the
# files name, since it rejects interfaces that do not exist.
#   run.sh HALB [DIR]
set -u
HALB=$1
DIR=${2:-$(cd "$(dirname "$0")" && pwd)}
NS=halbcorpus$$
pass=0
fail=0
ka=0

if command -v keepalived >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
	ip netns add "$NS" 2>/dev/null; then
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	ip -n "$NS" link add eth0 type veth peer name eth1 &&
		ip -n "$NS" link set eth0 up && ip -n "$NS" link set eth1 up &&
		ip -n "$NS" addr add 10.0.0.6/24 dev eth0 &&
		ip -n "$NS" addr add 192.168.1.6/24 dev eth1 && ka=1
fi
[ "$ka" = 1 ] || echo "  keepalived -t: not run (needs keepalived, root and ip netns)"

bad() {
	echo "FAIL $1: $2"
	fail=$((fail + 1))
}

for f in "$DIR"/*.conf; do
	name=$(basename "$f")
	out=$("$HALB" -t -f "$f" -c "$DIR/corpus.cfg" 2>&1)
	rc=$?
	ok=1
	krc=unchecked
	if grep -q '^# halb: accepted' "$f"; then
		[ "$rc" = 0 ] || { bad "$name" "halb -t refused it:"; echo "$out"; ok=0; }
		halb_valid=1
	else
		[ "$rc" != 0 ] || { bad "$name" "halb -t accepted it"; ok=0; }
		halb_valid=0
		while IFS=: read -r line text; do
			text=${text#*# expect-error: }
			if ! grep -qF -- "$f:$line: error: " <<<"$out" ||
				! grep -F -- "$f:$line: error: " <<<"$out" | grep -qF -- "$text"; then
				bad "$name" "no error at line $line: $text"
				echo "$out"
				ok=0
			fi
		done < <(grep -n '# expect-error: ' "$f")
		while IFS=: read -r line text; do
			text=${text#*# expect-warning: }
			if ! grep -F -- "$f:$line: warning: " <<<"$out" | grep -qF -- "$text"; then
				bad "$name" "no warning at line $line: $text"
				echo "$out"
				ok=0
			fi
		done < <(grep -n '# expect-warning: ' "$f")
		# every error halb gives is one the file expects
		nerr=$(grep -c ': error: ' <<<"$out")
		nexp=$(grep -c '# expect-error: ' "$f")
		[ "$nerr" = "$nexp" ] || { bad "$name" "$nerr errors, $nexp expected"; echo "$out"; ok=0; }
	fi
	if [ "$ka" = 1 ] && ! grep -q '^# keepalived: unchecked' "$f"; then
		kout=$(ip netns exec "$NS" keepalived -t -f "$f" 2>&1)
		krc=$?
		if grep -q '^# keepalived: valid' "$f"; then
			[ "$krc" = 0 ] || { bad "$name" "keepalived -t rejected it:"; echo "$kout"; ok=0; }
			# halb may refuse only what it does not support
			if [ "$halb_valid" = 0 ] && grep ': error: ' <<<"$out" |
				grep -vq 'not supported by halb'; then
				bad "$name" "keepalived accepts it, halb refuses more than unsupported features"
				ok=0
			fi
		else
			[ "$krc" != 0 ] || { bad "$name" "keepalived -t accepted it"; ok=0; }
			[ "$halb_valid" = 0 ] || { bad "$name" "keepalived rejects it, halb accepts it"; ok=0; }
		fi
	fi
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
		if [ "$ka" = 1 ]; then
			echo "  ok $name (halb -t rc $rc, keepalived -t rc $krc)"
		else
			echo "  ok $name (halb -t rc $rc)"
		fi
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
