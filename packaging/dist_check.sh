#!/usr/bin/env bash
# `make dist-check`: the application folder of `make dist` works on its own.
#
#   bash packaging/dist_check.sh DIST_DIR [INSTALLED_COOP_REBATES]
#
# Every bundled program runs with an empty HOME (a new user: the SQLite file is made in
# the user data directory), an environment emptied with `env -i`, and a PATH without the
# project's virtual environment (nor any Python it could fall back on being needed):
#   1. coop-rebates --smoke offscreen: the main window shows and the new database opens;
#   2. coop --version says the version of app/__init__.py;
#   3. coop db upgrade, demo, post, report estimated --out x.pdf (and x.csv): the PDF is a
#      PDF whose text (pdftotext) has each vendor's total of the CSV export;
#   4. start times: the bundled coop-rebates and the installed one (INSTALLED_COOP_REBATES,
#      e.g. .venv/bin/coop-rebates), to the main window shown, median of 3 each, on a
#      database at the latest schema; the aim is within 1.5x of the installed: above it the
#      check warns (a loaded machine moves single starts), above 3x it fails.
# Optional: DIST_CHECK_PG_URL=postgresql://… (an empty database to use) also runs the
# bundled coop through db upgrade, demo --if-empty and the report on that server.
set -euo pipefail

DIST_DIR=$(cd "$1" && pwd)
INSTALLED=${2:-}
[ -z "$INSTALLED" ] || INSTALLED=$(cd "$(dirname "$INSTALLED")" && pwd)/$(basename "$INSTALLED")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/app/__init__.py")
RUNS=3
LIMIT=1.5
HARD_LIMIT=3

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# PATH as given, less the project's virtual environment and any other active one.
CLEAN_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e "^$ROOT/\.venv" -e "^${VIRTUAL_ENV:-/nonexistent}" | paste -sd: -)

fail() { echo "dist-check: FAILED: $*" >&2; exit 1; }
step() { echo "dist-check: $*"; }

# run HOME PROGRAM ARGS…: in an emptied environment (a fresh desktop session's few variables).
run() {
    local home=$1
    shift
    env -i HOME="$home" PATH="$CLEAN_PATH" LANG=C.UTF-8 USER=clerk LOGNAME=clerk QT_QPA_PLATFORM=offscreen "$@"
}

# smoke HOME PROGRAM: start it with --smoke; prints "<seconds to the main window> <seconds to the database open>".
smoke() {
    local home=$1 program=$2 start out
    start=$(date +%s.%N)
    out=$(run "$home" timeout 180 "$program" --smoke 2>"$WORK/smoke.err") || {
        cat "$WORK/smoke.err" >&2
        fail "$program --smoke did not show its main window"
    }
    case $out in *"\"version\": \"$VERSION\""*) ;; *) fail "$program --smoke said: $out" ;; esac
    local shown ready
    shown=$(printf '%s' "$out" | sed -n 's/.*"shown_at": \([0-9.]*\).*/\1/p')
    ready=$(printf '%s' "$out" | sed -n 's/.*"ready_at": \([0-9.]*\).*/\1/p')
    awk -v s="$start" -v a="$shown" -v b="$ready" 'BEGIN { printf "%.3f %.3f\n", a - s, b - s }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

GUI=$DIST_DIR/coop-rebates
COOP=$DIST_DIR/coop
[ -x "$GUI" ] && [ -x "$COOP" ] || fail "no coop-rebates and coop in $DIST_DIR"
for tool in pdftotext; do command -v "$tool" >/dev/null || fail "$tool is needed (Debian: poppler-utils)"; done

# 1. The window, on a new user's empty database.
HOME1=$WORK/home
mkdir "$HOME1"
read -r shown ready < <(smoke "$HOME1" "$GUI")
[ -n "${shown:-}" ] && [ -n "${ready:-}" ] || fail "coop-rebates --smoke did not report its times"
step "coop-rebates: main window after ${shown}s, new database created after ${ready}s"
DB_FILE=$(find "$HOME1" -name coop.sqlite | head -1)
[ -n "$DB_FILE" ] || fail "no coop.sqlite under the empty HOME"
step "the database is the user's: ${DB_FILE#"$WORK"/}"

# 2. The version.
said=$(run "$HOME1" "$COOP" --version)
[ "$said" = "coop $VERSION" ] || fail "coop --version said '$said', not 'coop $VERSION'"
step "coop --version: $said"

# 3. The command line through a month's work, and the report.
cd "$WORK"
run "$HOME1" "$COOP" db upgrade
run "$HOME1" "$COOP" demo
run "$HOME1" "$COOP" post
run "$HOME1" "$COOP" report estimated --out x.pdf
run "$HOME1" "$COOP" report estimated --out x.csv

check_report() {  # PDF CSV: a PDF, and each vendor's total of the CSV in its text
    local pdf=$1 csv=$2
    [ "$(head -c 5 "$pdf")" = "%PDF-" ] || fail "$pdf is not a PDF"
    pdftotext -layout "$pdf" "$WORK/x.txt" || fail "pdftotext cannot read $pdf"
    # vendor code and rebate_earned of each ladder row of the CSV (the lump sums have their
    # own table in the PDF); counted from the end of the line: the names may have commas.
    local totals
    totals=$(awk 'NR == 1 { n = split($0, h, ","); for (i = 1; i <= n; i++) { if (h[i] == "rebate_earned") e = n - i
                                                                          if (h[i] == "lump_sum_amount") l = n - i }; next }
        { split($0, q, "\""); n = split($0, f, ","); if (f[n - l] == "") print q[2], f[n - e] }' "$csv" |
        awk '{ t[$1] += $2 } END { for (c in t) printf "%s %.2f\n", c, t[c] }' | sort)
    [ -n "$totals" ] || fail "$csv has no rows"
    local code total pretty checked=0
    while read -r code total; do
        pretty=$(printf '%s' "$total" | sed ':a; s/^\(-\?[0-9]\+\)\([0-9]\{3\}\)/\1,\2/; ta')
        grep -Eq "Total $code +$pretty( |$)" "$WORK/x.txt" || fail "$pdf has no 'Total $code $pretty' (the CSV's)"
        checked=$((checked + 1))
    done <<<"$totals"
    step "$pdf: a PDF with the $checked vendors' totals of the CSV export (e.g. $(head -1 <<<"$totals"))"
}
check_report x.pdf x.csv

if [ -n "${DIST_CHECK_PG_URL:-}" ]; then
    run "$HOME1" "$COOP" --db "$DIST_CHECK_PG_URL" db upgrade
    run "$HOME1" "$COOP" --db "$DIST_CHECK_PG_URL" demo --if-empty
    run "$HOME1" "$COOP" --db "$DIST_CHECK_PG_URL" report estimated --out pg.pdf
    run "$HOME1" "$COOP" --db "$DIST_CHECK_PG_URL" report estimated --out pg.csv
    check_report pg.pdf pg.csv
fi

# 4. Start times to the main window (the database exists and is at the latest schema). The
# two programs start in turn, so that a busy machine slows both alike.
: >"$WORK/bundled.times"
: >"$WORK/installed.times"
if [ -n "$INSTALLED" ]; then
    HOME2=$WORK/home-installed
    mkdir "$HOME2"
    smoke "$HOME2" "$INSTALLED" >/dev/null  # a first start makes its database
fi
for _ in $(seq "$RUNS"); do
    smoke "$HOME1" "$GUI" | cut -d' ' -f1 >>"$WORK/bundled.times"
    [ -z "$INSTALLED" ] || smoke "$HOME2" "$INSTALLED" | cut -d' ' -f1 >>"$WORK/installed.times"
done
bundled=$(median <"$WORK/bundled.times")
step "start to the main window, bundled: ${bundled}s (median of $RUNS: $(paste -sd' ' "$WORK/bundled.times"))"
if [ -n "$INSTALLED" ]; then
    installed=$(median <"$WORK/installed.times")
    ratio=$(awk -v a="$bundled" -v b="$installed" 'BEGIN { printf "%.2f", a / b }')
    step "start to the main window, installed ($INSTALLED): ${installed}s (median of $RUNS: $(paste -sd' ' "$WORK/installed.times"))"
    step "bundled/installed = $ratio"
    awk -v r="$ratio" -v l="$HARD_LIMIT" 'BEGIN { exit !(r <= l) }' || fail "the bundled program starts $ratio times slower (limit $HARD_LIMIT)"
    awk -v r="$ratio" -v l="$LIMIT" 'BEGIN { exit !(r <= l) }' ||
        echo "dist-check: WARNING: the bundled program started $ratio times slower than the installed one (aim $LIMIT)" >&2
fi
step "folder $(du -sh "$DIST_DIR" | cut -f1)"
step "OK"
