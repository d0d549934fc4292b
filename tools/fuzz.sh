#!/bin/bash
# tools/fuzz.sh: run the libFuzzer harnesses of tests/fuzz/.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#
# TARGET is doc (the document gate), pkg (the package reader) or conf (the
# .conf parser and the saves of console .conf files); all three by
# default.  Builds build-fuzz/ (clang,
# -Dfuzz=true, ASan and UBSan) if needed; then for each target:
#   1. replays every input of tests/fuzz/crashes/TARGET/ once (each is a
#      crash found and fixed earlier: a regression test);
#   2. fuzzes for SECONDS (default 60) from a copy of
#      tests/fuzz/corpus/TARGET/ (the committed corpus never grows), with
#      tests/fuzz/xml.dict for the XML targets.
# A crash, leak, timeout or failed check leaves its input under
# build-fuzz/fuzz-artifacts/TARGET/ and the log next to it; the path is
# printed.  One line per target "fuzz_TARGET OK|FAIL ..."; exit status 0
# only if every target passed.  With FUZZ_JSON=FILE, also one JSON line
# per target (name, result, duration) as meson test logs them, for
# tools/test.sh.
set -u
cd "$(dirname "$0")/.." || exit 2

secs=60
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(doc pkg conf)
for t in "${targets[@]}"; do
	case $t in
	doc | pkg | conf) ;;
	*) echo "tools/fuzz.sh: unknown target $t (doc, pkg, conf)" >&2; exit 2 ;;
	esac
done

dir=build-fuzz
json=${FUZZ_JSON:-}
[ -z "$json" ] || : >"$json"

if ! command -v clang >/dev/null; then
	echo "tools/fuzz.sh: clang is missing (apt-get install clang" \
		"libclang-rt-14-dev)" >&2
	exit 2
fi
if [ ! -f "$dir/meson-private/coredata.dat" ]; then
	echo "== configuring $dir"
	CC=clang meson setup "$dir" -Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		>"$dir.setup.log" 2>&1 || {
		tail -n 30 "$dir.setup.log"
		exit 2
	}
	rm -f "$dir.setup.log"
fi
echo "== building $dir"
ninja -C "$dir" "${targets[@]/#/tests/fuzz/fuzz_}" || exit 2

# Stop at the first UBSan report too (it only prints by default).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# report TARGET OK|FAIL SECONDS TEXT
report()
{
	echo "fuzz_$1 $2 ($3 s) $4"
	[ -z "$json" ] || printf '{"name": "fuzz_%s", "result": "%s", "duration": %s}\n' \
		"$1" "$2" "$3" >>"$json"
	[ "$2" = OK ] || failed=1
}

# fuzz_conf saves .conf files into a demo store, fuzz_pkg previews
# packages against one (FUZZ_STORE): made fresh for each with build/'s
# tenantctl when there is one (the instrumented one in build-fuzz/ takes
# 15 s and more).
demo_store()
{
	local ctl=build/tools/tenantctl
	if [ ! -x "$ctl" ]; then
		ctl=$dir/tools/tenantctl
		ninja -C "$dir" tools/tenantctl >/dev/null || return 1
	fi
	rm -rf "$work/store"
	ASAN_OPTIONS=detect_leaks=0 "$ctl" init --demo "$work/store" \
		>/dev/null || return 1
	export FUZZ_STORE=$work/store
}

for t in "${targets[@]}"; do
	exe=$dir/tests/fuzz/fuzz_$t
	art=$dir/fuzz-artifacts/$t
	start=$SECONDS
	mkdir -p "$art"
	if [ "$t" != doc ] && ! demo_store; then
		report "$t" FAIL $((SECONDS - start)) "cannot make a demo store"
		continue
	fi
	bad=""
	for f in tests/fuzz/crashes/"$t"/*; do
		[ -f "$f" ] || continue
		if ! "$exe" "$f" >"$art/replay.log" 2>&1; then
			bad=$f
			break
		fi
	done
	if [ -n "$bad" ]; then
		tail -n 30 "$art/replay.log"
		report "$t" FAIL $((SECONDS - start)) \
			"regression input fails again: $bad (log $art/replay.log)"
		continue
	fi
	rm -rf "$work/corpus"
	cp -r "tests/fuzz/corpus/$t" "$work/corpus"
	opts=(-max_total_time="$secs" -max_len=65536 -timeout=20
	      -print_final_stats=1 -artifact_prefix="$art/")
	[ "$t" = conf ] || opts+=(-dict=tests/fuzz/xml.dict)
	echo "== fuzzing $t for $secs s"
	if "$exe" "${opts[@]}" "$work/corpus" >"$art/fuzz.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$art/fuzz.log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' \
			"$art/fuzz.log")
		report "$t" OK $((SECONDS - start)) \
			"${runs:-?} runs, ${rate:-?} exec/s"
	else
		# (a harness's own check prints its message just before)
		grep -a -B 8 -A 30 '^==[0-9]*== \?ERROR\|runtime error' \
			"$art/fuzz.log" | head -n 60
		input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' \
			"$art/fuzz.log" | tail -n 1)
		report "$t" FAIL $((SECONDS - start)) \
			"crash input: ${input:-none written} (log $art/fuzz.log)"
	fi
done
exit $failed
