#!/bin/bash
# test_bench.sh: tools/bench --size small --runs 1 (10,000 objects; all
# groups but concurrency and push, whose applies and pushes would double
# its time) runs to its end and prints its table with every row, each
# with measurements (or "n/a (no apply/)" for the apply rows while
# packages are missing). It
# asserts nothing about speed: the verdicts are the bench's to report.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
	echo "SKIP: no /dev/fuse or fusermount3"
	exit 77
fi
for x in "$TFS_TENANTFS" "$TFS_TENANTCTL"; do
	if [ ! -x "$x" ]; then
		echo "not ok - $x is not built (set TFS_TENANTFS / TFS_TENANTCTL)"
		exit 1
	fi
done
# The bench mounts its stores itself, without TFS_MOUNT_OPTS: a second
# run of the suite with mount options (tools/test.sh, build-clonefd) has
# nothing more to learn from it.
if [ -n "${TFS_MOUNT_OPTS:-}" ]; then
	echo "SKIP: tools/bench does not take TFS_MOUNT_OPTS"
	exit 77
fi
TFS_TMP=$(mktemp -d /tmp/tenantfs-test.XXXXXXXX) || exit 1
trap tfs_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# sanitizer reports of the bench's programs land here (checked at exit)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TFS_TMP/san"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$TFS_TMP/san"

out=$TFS_TMP/bench.out
err=$TFS_TMP/bench.err
TFS_BENCH_TMP=$TFS_TMP TFS_TENANTFS=$TFS_TENANTFS TFS_TENANTCTL=$TFS_TENANTCTL \
	timeout 280 bash "$TFS_SRC/tools/bench" --size small --runs 1 \
	--only reads,history,apply,scale,perm >"$out" 2>"$err"
rc=$?
check_eq "tools/bench --size small --runs 1 exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || note "its stderr ends: $(tail -n 5 "$err")"
table=$(cat "$out")

check_match "the table has its header" \
	'^scenario +size +tenantfs +baseline +ratio +peak mem +bar +verdict' "$table"

NUM='[0-9]+\.[0-9]+s'
# row LABEL: the row exists and has a tenantfs time, a baseline time and a
# ratio.
row()
{
	local line
	line=$(printf '%s\n' "$table" | grep -F -- "$1" | head -n 1)
	if [ -z "$line" ]; then
		not_ok "row: $1" "no such row in:" "$table"
	elif printf '%s\n' "$line" | grep -Eq -- " $NUM +$NUM +[0-9]+\.[0-9]+ "; then
		ok "row: $1"
	else
		not_ok "row: $1 has times and a ratio" "$line"
	fi
}
row "stat every file, fresh mount"
row "stat every file, second pass"
row "diff -r staging production, fresh mount"
row "diff -r staging production, second pass"
row "tar of an instance, fresh mount"
row "(open+close of the diff -r files, warm)"
row "first history commit of an instance"
row "one sed -i save, end to end"
row "(listing: ls -lR"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	row "stat walk as a non-administrator, fresh mount"
	row "stat walk as a non-administrator, second pass"
else
	note "SKIP: the permission rows need root and setpriv"
fi

# The apply rows measure, unless the mount has no apply/ yet.
apply=$(printf '%s\n' "$table" | grep -F "apply a package of master records")
if printf '%s\n' "$apply" | grep -q "n/a (no apply/)"; then
	ok "apply row: n/a (no apply/)"
	check_match "memory row for applying is there" "^peak memory applying it" "$table"
else
	row "apply a package of master records"
	row "the same, reference size"
	check_match "memory row for applying has two figures and a ratio" \
		'^peak memory applying it .* [0-9]+ MB +[0-9]+ MB +[0-9]+\.[0-9]+ ' "$table"
fi
check_match "memory row for listing has two figures and a ratio" \
	'^daemon memory after listing everything .* [0-9]+ MB +[0-9]+ MB +[0-9]+\.[0-9]+ ' "$table"
check_nomatch "no row failed" 'failed|error' "$table"
check_match "every row has a verdict column" '(met|NOT met|-)$' "$table"
check_match "the footer gives the generate times" '^tenantctl generate 10,000 objects: ' "$table"

mounts=$(awk -v d="$TFS_TMP" 'index($2, d) == 1' /proc/self/mounts)
check_eq "the bench left nothing mounted" "" "$mounts"
left=$(find "$TFS_TMP" -maxdepth 1 -name 'tenantfs-bench.*' 2>/dev/null)
check_eq "the bench removed its directory" "" "$left"

tfs_done
