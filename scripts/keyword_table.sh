#!/bin/sh
# Rewrites the keyword table of docs/CONFIGURATION.md from the parser's
# keyword tables (what tests/unit/test_config_keywords.c compares).
# Run from the source tree after building in build/: scripts/keyword_table.sh
set -eu
cd "$(dirname "$0")/.."
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf '#include "halb_config.h"\nint main(void) { cfg_keyword_table_md(stdout); return 0; }\n' >"$t/gen.c"
cc -I lib/config "$t/gen.c" build/lib/config/libhalb_config.a -lconfig -o "$t/gen"
"$t/gen" >"$t/table.md"
python3 - "$t/table.md" <<'PY'
import sys
p = 'docs/CONFIGURATION.md'
s = open(p).read()
b = '<!-- keyword-table: made by cfg_keyword_table_md -->\n'
e = '<!-- keyword-table end -->'
i = s.index(b) + len(b)
j = s.index(e)
open(p, 'w').write(s[:i] + open(sys.argv[1]).read() + s[j:])
PY
