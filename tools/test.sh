#!/bin/bash
# tools/test.sh: the one command that builds and tests tenantfs.
#
#   tools/test.sh [--no-install] [--no-format] [--no-asan] [--no-tsan]
#                 [--no-fuzz]
#
# 1. Installs the Debian packages the build and the tests need, if any is
#    missing (as root, or through sudo).
# 2. Checks the formatting: clang-format --dry-run --Werror (clang-format
#    14, the .clang-format at the top) over the C sources git tracks
#    (git ls-files '*.c' '*.h'), one test (label format); a failure names
#    the files to run clang-format -i on.
# 3. Configures and builds build/ (debugoptimized), build-asan/
#    (-Db_sanitize=address,undefined -Db_lundef=false) and build-tsan/
#    (-Db_sanitize=thread -Db_lundef=false).
# 4. Runs meson test in build/, then the mount tests (suite fs) once more
#    there with tenantfs -o clone_fd (TFS_MOUNT_OPTS, label build-clonefd),
#    all but the console's operations (suite console: push, backup,
#    lifecycle, translations, users: engine rules, not the daemon's loop).
#    In build-asan/ all tests run but suite big (fs_push_big, fs_push,
#    fs_push_ops: minutes each; build/ only); the mount tests with leak
#    detection off and tenantfs in the foreground (TFS_FOREGROUND=1, so its
#    sanitizer reports reach the test log); every other suite keeps leak
#    detection.
#    In build-tsan/ the unit tests run (suite unit), halting on the first
#    data race; tests/tsan.supp names the races inside system libraries
#    that are not ours.
#    In build-fuzz/ (clang) tools/fuzz.sh 20 replays the crash inputs kept
#    in tests/fuzz/crashes/ and fuzzes each harness for 20 s: one test
#    per harness (label build-fuzz).
# 5. Prints one line per test, then "N skipped", and last exactly one line
#    "N passed, N failed". Exit status 0 only if nothing failed. Skipped
#    tests (exit 77: no /dev/fuse) are never counted as passed.
set -u
cd "$(dirname "$0")/.." || exit 1

install=1
format=1
asan=1
tsan=1
fuzz=1
for a in "$@"; do
	case $a in
	--no-install) install=0 ;;
	--no-format) format=0 ;;
	--no-asan) asan=0 ;;
	--no-tsan) tsan=0 ;;
	--no-fuzz) fuzz=0 ;;
	-h | --help) sed -n '2,33p' "$0"; exit 0 ;;
	*) echo "tools/test.sh: unknown argument $a" >&2; exit 2 ;;
	esac
done

PKGS="build-essential meson ninja-build pkg-config libfuse3-dev fuse3
libsqlite3-dev libxml2-dev libgit2-dev libssl-dev zlib1g-dev git vim python3
diffutils clang libclang-rt-14-dev clang-format"

LOGS=()       # "label<TAB>json log" pairs to summarize
EXTRA_FAIL=() # steps that failed before tests could run

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [ "$install" = 1 ]; then
	missing=()
	for p in $PKGS; do
		installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing: ${missing[*]}"
		SUDO=()
		[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
		if ! { "${SUDO[@]}" apt-get update &&
			"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y --no-install-recommends "${missing[@]}"; }; then
			EXTRA_FAIL+=("install: apt-get install ${missing[*]}")
		fi
	fi
fi

# The format check: one test, clang-format (label format), as a JSON line
# like meson's for the summary.  Run before the builds: it needs none.
if [ "$format" = 1 ]; then
	echo "== checking the format: clang-format --dry-run --Werror"
	format_json=$(mktemp)
	trap 'rm -f "$format_json"' EXIT
	start=$SECONDS
	result=OK
	if ! command -v clang-format >/dev/null; then
		echo "clang-format is not installed (Debian package clang-format)"
		result=FAIL
	elif ! out=$(git ls-files -z '*.c' '*.h' |
		xargs -0 -r clang-format --dry-run --Werror 2>&1); then
		bad=$(printf '%s\n' "$out" | sed -n \
			's/^\(.*\):[0-9]*:[0-9]*: error: .*clang-format-violations.*/\1/p' |
			sort -u)
		if [ -n "$bad" ]; then
			echo "not formatted as .clang-format says ($(clang-format --version)):"
			printf '%s\n' "$bad" | sed 's/^/  /'
			echo "fix: clang-format -i FILE..."
		else
			printf '%s\n' "$out" | tail -n 20
		fi
		result=FAIL
	fi
	printf '{"name": "clang-format", "result": "%s", "duration": %d}\n' \
		"$result" $((SECONDS - start)) >"$format_json"
	LOGS+=("format"$'\t'"$format_json")
fi

# build DIR OPTIONS...: configure (or reconfigure) and compile.
build()
{
	local dir=$1
	shift
	echo "== configuring $dir: $*"
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1 ||
			meson setup --wipe "$dir" "$@" >>"$dir.setup.log" 2>&1
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || {
		tail -n 40 "$dir.setup.log"
		EXTRA_FAIL+=("$dir: meson setup (see $dir.setup.log)")
		return 1
	}
	rm -f "$dir.setup.log"
	echo "== building $dir"
	if ! ninja -C "$dir"; then
		EXTRA_FAIL+=("$dir: build")
		return 1
	fi
}

# run_tests DIR LOGBASE LABEL [meson test options...]
run_tests()
{
	local dir=$1 base=$2 label=$3
	shift 3
	echo "== testing $label"
	rm -f "$dir/meson-logs/$base.json"
	meson test -C "$dir" --print-errorlogs --logbase "$base" "$@"
	local rc=$?
	if [ -f "$dir/meson-logs/$base.json" ]; then
		LOGS+=("$label"$'\t'"$dir/meson-logs/$base.json")
	elif [ "$rc" -ne 0 ]; then
		EXTRA_FAIL+=("$label: meson test exited $rc and wrote no log")
	fi
}

if build build -Dbuildtype=debugoptimized; then
	run_tests build testlog "build"
	# The same mount tests with libfuse's own loop, one /dev/fuse clone
	# per thread (fs/main.c); test_concurrency checks the clones exist.
	TFS_MOUNT_OPTS=clone_fd run_tests build testlog-clonefd "build-clonefd" \
		--suite fs --no-suite console
fi

if [ "$asan" = 1 ] && build build-asan -Dbuildtype=debug \
	-Db_sanitize=address,undefined -Db_lundef=false; then
	san="halt_on_error=1:abort_on_error=1:print_summary=1"
	ASAN_OPTIONS="$san" UBSAN_OPTIONS="$san:print_stacktrace=1" \
		run_tests build-asan testlog-nofs "build-asan" --no-suite fs
	# tenantfs -f in the background keeps the daemon's stderr, so its
	# sanitizer reports show in the test's output.
	TFS_FOREGROUND=1 ASAN_OPTIONS="detect_leaks=0:$san" \
		UBSAN_OPTIONS="$san:print_stacktrace=1" \
		run_tests build-asan testlog-fs "build-asan" --suite fs \
		--no-suite big
fi

# TSan needs the kernel's mmap randomization at 28 bits or less (with
# more it stops at start with "unexpected memory mapping"); as root we
# lower it, otherwise the tests run under setarch -R (no randomization).
tsan_prefix=()
if [ "$tsan" = 1 ]; then
	bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
	if [ "$bits" -gt 28 ]; then
		if [ "$(id -u)" -eq 0 ] && sysctl -q -w vm.mmap_rnd_bits=28; then
			:
		elif command -v setarch >/dev/null; then
			tsan_prefix=(--wrapper "setarch $(uname -m) -R")
		fi
	fi
fi
if [ "$tsan" = 1 ] && build build-tsan -Dbuildtype=debugoptimized \
	-Db_sanitize=thread -Db_lundef=false; then
	TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
		run_tests build-tsan testlog "build-tsan" --suite unit \
		"${tsan_prefix[@]}"
fi

# libFuzzer's runtime is in libclang-rt-14-dev (only recommended by
# clang, so installed explicitly above).
if [ "$fuzz" = 1 ]; then
	echo "== fuzzing (build-fuzz)"
	mkdir -p build-fuzz
	rm -f build-fuzz/fuzz.json
	FUZZ_JSON=$PWD/build-fuzz/fuzz.json tools/fuzz.sh 20
	rc=$?
	if [ -s build-fuzz/fuzz.json ]; then
		LOGS+=("build-fuzz"$'\t'"build-fuzz/fuzz.json")
	elif [ "$rc" -ne 0 ]; then
		EXTRA_FAIL+=("build-fuzz: tools/fuzz.sh exited $rc")
	fi
fi

echo "== results"
python3 - "${LOGS[@]}" -- "${EXTRA_FAIL[@]}" <<'EOF'
import json, sys
args = sys.argv[1:]
sep = args.index("--")
logs, extra = args[:sep], args[sep + 1:]
passed = failed = skipped = 0
seen = set()
for item in logs:
    label, path = item.split("\t", 1)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line)
            name, res = r.get("name", "?"), r.get("result", "?")
            key = (label, name)
            if key in seen:
                continue
            seen.add(key)
            if res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif res == "SKIP":
                skipped += 1
            else:
                failed += 1
            print("%-13s %-28s %s (%.1fs)" % (label, name, res, r.get("duration", 0)))
for e in extra:
    failed += 1
    print("%-13s %-28s FAIL" % ("step", e))
print("%d skipped" % skipped)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
