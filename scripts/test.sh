#!/bin/bash
# Every test of halb, from a fresh Debian 12 machine:
#   unit tests (cmocka), packet fixtures, CLI tests and the benchmark's smoke
#   test (halb-bench --quick: it runs, nothing is asserted about speed), in a
#   -Werror build
#   the unit tests again under ASan/UBSan
#   each libFuzzer target for a bounded number of runs
#   the end-to-end scenarios in network namespaces (tests/e2e/test_*.sh),
#   and a few of them again with the daemon built with ASan/UBSan
# The last line is "N passed, N failed". Options:
#   --quick        skip the sanitizer build, the fuzzers and the e2e tests
#   --e2e PATTERN  run only the e2e scripts matching PATTERN (with --quick:
#                  skip the sanitizer build and the fuzzers)
#   --fuzz-runs N  inputs per fuzzer (default 20000)
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)

QUICK=0
E2E_PATTERN=""
FUZZ_RUNS=20000
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--e2e) E2E_PATTERN=$2; shift ;;
	--fuzz-runs) FUZZ_RUNS=$2; shift ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

PASSED=0
FAILED=0
FAILURES=()

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); FAILURES+=("$1"); echo "FAIL: $1"; }

# Counts the results of a meson test run from its JSON log.
meson_results() {
	local dir=$1 label=$2 name result
	while IFS=$'\t' read -r name result; do
		if [ "$result" = OK ] || [ "$result" = EXPECTEDFAIL ]; then
			pass "$label/$name"
		elif [ "$result" = SKIP ]; then
			echo "SKIP: $label/$name"
		else
			fail "$label/$name ($result)"
		fi
	done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(t["name"].split(" / ")[-1] + "\t" + t["result"])
' "$dir/meson-logs/testlog.json")
}

run_meson_tests() {
	local dir=$1 label=$2
	shift 2
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs "$@" >"$dir/test-output.txt" 2>&1
	if [ ! -f "$dir/meson-logs/testlog.json" ]; then
		if grep -q 'No suitable tests defined' "$dir/test-output.txt"; then
			echo "SKIP: $label (no such tests in this build)"
		else
			fail "$label (meson test did not run)"
			cat "$dir/test-output.txt"
		fi
		return
	fi
	meson_results "$dir" "$label"
	grep -q '^FAIL\|^ERROR\|TIMEOUT' "$dir/test-output.txt" && sed -n '/^=\+ .* =\+$/,$p' "$dir/test-output.txt" | tail -n 80
	return 0
}

build() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$TOP/$dir.setup.log" 2>&1 || { cat "$TOP/$dir.setup.log"; return 1; }
	fi
	meson compile -C "$dir" >"$dir/compile.log" 2>&1 || { tail -n 60 "$dir/compile.log"; return 1; }
}

echo "== dependencies"
"$TOP/scripts/install_deps.sh" -q || { echo "test.sh: dependencies missing"; echo "0 passed, 1 failed"; exit 1; }

echo "== build (-Werror)"
if build build -Dwerror=true; then
	pass "build"
	run_meson_tests build unit --suite unit
	run_meson_tests build pkt --suite pkt
	run_meson_tests build cli --suite cli
	run_meson_tests build bench --suite bench
else
	fail "build"
fi

if [ $QUICK = 0 ]; then
	echo "== unit tests under ASan/UBSan"
	if build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true; then
		pass "build-asan"
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			run_meson_tests build-asan asan --suite unit --suite pkt
	else
		fail "build-asan"
	fi

	echo "== fuzzers ($FUZZ_RUNS inputs each)"
	if CC=clang build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dtests=false -Dwerror=true; then
		for f in build-fuzz/tests/fuzz/fuzz_*; do
			[ -f "$f" ] && [ -x "$f" ] || continue
			name=${f##*/fuzz_}
			corpus=$(mktemp -d)
			[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
			if timeout 600 "$f" -runs="$FUZZ_RUNS" -max_len=4096 -timeout=10 "$corpus" \
				>"build-fuzz/fuzz_$name.log" 2>&1; then
				pass "fuzz/$name"
			else
				fail "fuzz/$name"
				tail -n 40 "build-fuzz/fuzz_$name.log"
			fi
			rm -rf "$corpus"
		done
	else
		fail "build-fuzz"
	fi
fi

if [ $QUICK = 0 ] || [ -n "$E2E_PATTERN" ]; then
	echo "== end to end (network namespaces)"
	for t in tests/e2e/test_*.sh; do
		[ -n "$E2E_PATTERN" ] && [[ $t != *$E2E_PATTERN* ]] && continue
		name=$(basename "$t" .sh)
		log=$(mktemp)
		start=$(date +%s)
		if timeout 900 bash "$t" >"$log" 2>&1; then
			pass "e2e/$name ($(($(date +%s) - start)) s)"
			grep '^  ' "$log" | head -n 40
		else
			fail "e2e/$name ($(($(date +%s) - start)) s)"
			# the reason first (the logs the test dumps may push it out of the tail)
			grep -m 5 '^FAIL: ' "$log" | sed 's/^/  /'
			tail -n 80 "$log"
		fi
		rm -f "$log"
	done
fi

if [ $QUICK = 0 ] && [ -x build-asan/app/halb/halb ]; then
	echo "== end to end with the ASan/UBSan daemon"
	for t in test_reload test_vrrp_dr test_check_misc; do
		log=$(mktemp)
		if HALB_BUILD=$TOP/build-asan timeout 900 bash "tests/e2e/$t.sh" >"$log" 2>&1; then
			pass "e2e-asan/$t"
		else
			fail "e2e-asan/$t"
			tail -n 80 "$log"
		fi
		rm -f "$log"
	done
fi

if [ ${#FAILURES[@]} -gt 0 ]; then
	echo "== failed:"
	printf '  %s\n' "${FAILURES[@]}"
fi
echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
