# shellcheck shell=bash
# Reading through cat is the point here (it is the user's tool), and the
# variables set are for the scripts that source this file.
# shellcheck disable=SC2002,SC2034
# tests/fs/lib.sh: sourced by every tests/fs/test_*.sh.
#
# Gives each test a fresh demo store mounted by a real tenantfs in a
# temporary directory, tears it down on exit, and offers assertion helpers
# that print "ok - ..." / "not ok - ..." (with the expected and got detail),
# keep going after a failure, and make the script exit 1 at the end if any
# check failed. Exit 77 means skip (no /dev/fuse or fusermount3); meson
# reports it as skipped.
#
# Environment:
#   TFS_TENANTFS   tenantfs executable  (default: <source>/build/fs/tenantfs)
#   TFS_TENANTCTL  tenantctl executable (default: <source>/build/tools/tenantctl)
#   TFS_KEEP=1     keep the temporary directory (and print its path)
#   TFS_VERBOSE=1  print every command's output in failure details, uncut
#   TFS_FOREGROUND=1  run tenantfs -f in the background instead of letting it
#                  daemonize: its stderr and exit status are checked (for
#                  sanitizer builds)
#   TFS_MOUNT_OPTS extra mount options for every tfs_mount, comma-separated
#                  as for -o (e.g. clone_fd: tools/test.sh runs the suite
#                  once with it)
#
# Variables set for the tests (after tfs_setup):
#   TFS_TMP  temporary directory        STORE  the store directory
#   MNT      the mount point            TEN    $MNT/tenants/acme
#   STG PRD UAT  the three instances of the demo tenant
#   T_MOUNT  epoch seconds just before the first mount (after init)

set -u
export LC_ALL=C
export TZ=UTC
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE VIMINIT EXINIT MYVIMRC \
	PYTHONSTARTUP 2>/dev/null || true

TFS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TFS_NAME=$(basename "$0" .sh)

tfs_abspath()
{
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) if [ -e "$1" ]; then
		printf '%s/%s\n' "$(pwd)" "$1"
	   else
		printf '%s/%s\n' "$TFS_SRC" "$1"
	   fi ;;
	esac
}

TFS_TENANTFS=$(tfs_abspath "${TFS_TENANTFS:-build/fs/tenantfs}")
TFS_TENANTCTL=$(tfs_abspath "${TFS_TENANTCTL:-build/tools/tenantctl}")

TFS_PASS=0
TFS_FAIL=0
TFS_DONE=0
TFS_TMP=
STORE=
MNT=
TEN=
STG=
PRD=
UAT=
T_MOUNT=0
TFS_DAEMON_PID=

# ---------------------------------------------------------------- output

# Prints detail lines as TAP-style diagnostics ("#   ..."), cut to 40
# lines each unless TFS_VERBOSE=1.
tfs_diag()
{
	local d
	for d in "$@"; do
		if [ "${TFS_VERBOSE:-0}" = 1 ]; then
			printf '%s\n' "$d" | sed 's/^/#   /'
		else
			printf '%s\n' "$d" | head -n 40 | sed 's/^/#   /'
			if [ "$(printf '%s\n' "$d" | wc -l)" -gt 40 ]; then
				echo "#   ... (cut; TFS_VERBOSE=1 shows all)"
			fi
		fi
	done
}

note() { printf '# %s\n' "$*"; }

ok()
{
	TFS_PASS=$((TFS_PASS + 1))
	printf 'ok - %s\n' "$1"
}

# not_ok DESC [DETAIL...]
not_ok()
{
	TFS_FAIL=$((TFS_FAIL + 1))
	printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && tfs_diag "$@"
	return 0
}

# Stops the test: a failure that makes the rest meaningless.
bail()
{
	not_ok "$@"
	echo "Bail out! $1"
	exit 1
}

# ------------------------------------------------------------ assertions

# tfs_run CMD...: runs CMD, sets RC, OUT (stdout) and ERR (stderr).
RC=0
OUT=
ERR=
tfs_run()
{
	local o e
	o=$(mktemp "$TFS_TMP/run.XXXXXX")
	e=$(mktemp "$TFS_TMP/run.XXXXXX")
	"$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
	return 0
}

# check DESC CMD...: CMD must exit 0.
check()
{
	local desc=$1
	shift
	tfs_run "$@"
	if [ "$RC" -eq 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "expected: exit 0" "got: exit $RC" \
			"stderr: $ERR" "stdout: $OUT"
	fi
	return 0
}

# check_fails DESC CMD...: CMD must exit non-zero.
check_fails()
{
	local desc=$1
	shift
	tfs_run "$@"
	if [ "$RC" -ne 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "expected: non-zero exit" \
			"got: exit 0" "stdout: $OUT"
	fi
	return 0
}

# check_err DESC ERE CMD...: CMD must exit non-zero with stderr matching ERE.
check_err()
{
	local desc=$1 re=$2
	shift 2
	tfs_run "$@"
	if [ "$RC" -ne 0 ] && printf '%s\n' "$ERR" | grep -Eq -- "$re"; then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" \
			"expected: non-zero exit, stderr matching /$re/" \
			"got: exit $RC, stderr: $ERR"
	fi
	return 0
}

# check_eq DESC EXPECTED GOT
check_eq()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected: $2" "got:      $3"
	fi
	return 0
}

# check_ne DESC UNEXPECTED GOT
check_ne()
{
	if [ "$2" != "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected anything but: $2" "got: $3"
	fi
	return 0
}

# check_match DESC ERE STRING: some line of STRING matches ERE.
check_match()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1" "expected a line matching: /$2/" "got: $3"
	fi
	return 0
}

# check_nomatch DESC ERE STRING: no line of STRING matches ERE.
check_nomatch()
{
	local hits
	hits=$(printf '%s\n' "$3" | grep -E -- "$2")
	if [ -z "$hits" ]; then
		ok "$1"
	else
		not_ok "$1" "expected no line matching: /$2/" "got: $hits"
	fi
	return 0
}

# check_true DESC DETAIL TEST-ARGS...: "[ TEST-ARGS ]" must hold.
check_true()
{
	local desc=$1 detail=$2
	shift 2
	if [ "$@" ]; then
		ok "$desc"
	else
		not_ok "$desc" "expected: [ $* ]" "$detail"
	fi
	return 0
}

# check_file_bytes DESC FILE EXPECTED-FILE: FILE (read with cat) has
# exactly the bytes of EXPECTED-FILE, and stat's size agrees.
check_file_bytes()
{
	local desc=$1 f=$2 exp=$3 got size n
	got=$(mktemp "$TFS_TMP/got.XXXXXX")
	if ! cat -- "$f" >"$got" 2>"$got.err"; then
		not_ok "$desc" "cat $f failed: $(cat "$got.err")"
		rm -f "$got" "$got.err"
		return 0
	fi
	size=$(stat -c %s -- "$f" 2>&1)
	n=$(wc -c <"$got")
	if ! cmp -s "$exp" "$got"; then
		not_ok "$desc" "file: $f" "diff -u expected got:" \
			"$(diff -u "$exp" "$got" | tail -n +3)"
	elif [ "$size" != "$n" ]; then
		not_ok "$desc" "file: $f: bytes are right but stat -c %s says $size, cat returns $n"
	else
		ok "$desc"
	fi
	rm -f "$got" "$got.err"
	return 0
}

# check_size_matches DESC FILE: stat -c %s equals cat | wc -c.
check_size_matches()
{
	local size n
	size=$(stat -c %s -- "$2" 2>&1)
	n=$(cat -- "$2" | wc -c)
	check_eq "$1" "$size" "$n"
}

# ------------------------------------------------------------ lifecycle

tfs_find_daemon()
{
	local p cmd
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case $cmd in
		*tenantfs*"store=$STORE"*"$MNT"*) echo "${p#/proc/}"; return 0 ;;
		esac
	done
	return 1
}

# tfs_mount [EXTRA-ARGS...]: mounts $STORE on $MNT (daemonized) with the
# options of TFS_MOUNT_OPTS if set, waits until it is a mount point (10 s). Bails out if it cannot. With
# TFS_FOREGROUND=1 it runs tenantfs -f in the background instead, so that
# its stderr (sanitizer reports included) is kept and its exit status is
# checked at unmount.
TFS_MOUNT_IMMEDIATE=0
TFS_FG_PID=
# shellcheck disable=SC2120
tfs_mount()
{
	local i rc=0 extra=()
	[ -n "${TFS_MOUNT_OPTS:-}" ] && extra=(-o "$TFS_MOUNT_OPTS")
	if [ "${TFS_FOREGROUND:-0}" = 1 ]; then
		"$TFS_TENANTFS" -f "$@" "${extra[@]}" -o "store=$STORE" "$MNT" \
			>>"$TFS_TMP/tenantfs.out" 2>>"$TFS_TMP/tenantfs.err" &
		TFS_FG_PID=$!
		TFS_MOUNT_IMMEDIATE=1
	else
		"$TFS_TENANTFS" "$@" "${extra[@]}" -o "store=$STORE" "$MNT" \
			>>"$TFS_TMP/tenantfs.out" 2>>"$TFS_TMP/tenantfs.err"
		rc=$?
		if mountpoint -q "$MNT"; then
			TFS_MOUNT_IMMEDIATE=1
		else
			TFS_MOUNT_IMMEDIATE=0
		fi
	fi
	if [ "$rc" -ne 0 ]; then
		bail "tenantfs mounts the store" \
			"command: $TFS_TENANTFS $* ${extra[*]} -o store=$STORE $MNT" \
			"exit $rc, stderr: $(cat "$TFS_TMP/tenantfs.err")"
	fi
	for i in $(seq 100); do
		mountpoint -q "$MNT" && break
		[ -n "$TFS_FG_PID" ] && ! tfs_alive "$TFS_FG_PID" && break
		sleep 0.1
	done
	if ! mountpoint -q "$MNT"; then
		bail "tenantfs mounts the store" \
			"$MNT is not a mount point 10 s after tenantfs started" \
			"stderr: $(cat "$TFS_TMP/tenantfs.err")"
	fi
	if [ -n "$TFS_FG_PID" ]; then
		TFS_DAEMON_PID=$TFS_FG_PID
	else
		TFS_DAEMON_PID=$(tfs_find_daemon) || TFS_DAEMON_PID=
	fi
	[ -n "$TFS_DAEMON_PID" ] || note "(could not find the tenantfs daemon's pid)"
	: "$i"
}

# tfs_reap_fg: collects the exit status of a foreground (-f) tenantfs;
# anything but 0 is a failure, shown with the end of its stderr.
tfs_reap_fg()
{
	local rc i
	[ -n "$TFS_FG_PID" ] || return 0
	for i in $(seq 100); do
		tfs_alive "$TFS_FG_PID" || break
		sleep 0.1
	done
	if tfs_alive "$TFS_FG_PID"; then
		not_ok "tenantfs -f exits after unmount" \
			"pid $TFS_FG_PID still runs 10 s after the unmount; stopping it"
		kill "$TFS_FG_PID" 2>/dev/null
	fi
	: "$i"
	wait "$TFS_FG_PID" 2>/dev/null
	rc=$?
	TFS_FG_PID=
	if [ "$rc" -ne 0 ]; then
		not_ok "tenantfs -f exits 0 after unmount" "exit $rc; its stderr ends:" \
			"$(tail -n 40 "$TFS_TMP/tenantfs.err")"
	fi
}

# tfs_alive PID: the process exists and is not a zombie.
tfs_alive()
{
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# tfs_mounted DIR: DIR is a mount point, live or dead (a crashed daemon
# leaves a mount whose stat fails with ENOTCONN, which mountpoint misses).
tfs_mounted()
{
	mountpoint -q "$1" 2>/dev/null && return 0
	awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/self/mounts
}

# tfs_umount: unmounts, retrying while busy, and waits (10 s) for the daemon
# to exit so that the store is free. Returns non-zero if it cannot.
tfs_umount()
{
	local i
	if ! tfs_mounted "$MNT"; then
		tfs_reap_fg
		return 0
	fi
	if [ -n "$TFS_DAEMON_PID" ] && ! tfs_alive "$TFS_DAEMON_PID"; then
		not_ok "tenantfs runs until it is unmounted" \
			"the daemon (pid $TFS_DAEMON_PID) died during the test; see any sanitizer report below"
		TFS_DAEMON_PID=
	fi
	for i in $(seq 20); do
		fusermount3 -u "$MNT" 2>/dev/null && break
		sleep 0.25
	done
	if tfs_mounted "$MNT"; then
		note "fusermount3 -u $MNT keeps failing; lazy unmount"
		fusermount3 -uz "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	if [ -n "$TFS_DAEMON_PID" ]; then
		for i in $(seq 100); do
			tfs_alive "$TFS_DAEMON_PID" || break
			sleep 0.1
		done
		if tfs_alive "$TFS_DAEMON_PID"; then
			not_ok "tenantfs exits after unmount" \
				"pid $TFS_DAEMON_PID still runs 10 s after fusermount3 -u"
			kill "$TFS_DAEMON_PID" 2>/dev/null
			sleep 1
		fi
		TFS_DAEMON_PID=
	fi
	tfs_reap_fg
	! tfs_mounted "$MNT"
}

# Sanitizer reports of any program the test ran (tenantfs included, whose
# stderr is gone once it daemonizes) land in $TFS_TMP/san.*; each one is a
# failure.
tfs_check_sanitizers()
{
	local f
	for f in "$TFS_TMP"/san.*; do
		[ -e "$f" ] || continue
		not_ok "no sanitizer report ($(basename "$f"))" "$(cat "$f")"
	done
}

tfs_cleanup()
{
	local status=$?
	trap - EXIT INT TERM HUP
	cd / || true
	if [ -n "$MNT" ]; then
		tfs_umount || note "could not unmount $MNT"
	fi
	if [ -n "$TFS_TMP" ]; then
		tfs_check_sanitizers
		if [ "$TFS_DONE" != 1 ]; then
			not_ok "test script ran to its end" "it stopped early (exit $status)"
		fi
		if [ -n "$MNT" ] && tfs_mounted "$MNT"; then
			note "$MNT is still mounted: leaving $TFS_TMP in place"
		elif [ "${TFS_KEEP:-0}" = 1 ]; then
			note "kept $TFS_TMP"
		else
			rm -rf -- "$TFS_TMP"
		fi
	fi
	if [ "$TFS_FAIL" -gt 0 ]; then
		echo "# $TFS_NAME: $TFS_PASS passed, $TFS_FAIL failed"
		exit 1
	fi
	echo "# $TFS_NAME: $TFS_PASS passed, 0 failed"
	[ "$status" -eq 77 ] && exit 77
	exit "$status"
}

# tfs_setup: skip without FUSE; create a temporary demo store, mount it.
tfs_setup()
{
	if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
		echo "SKIP: no /dev/fuse or fusermount3"
		exit 77
	fi
	local x
	for x in "$TFS_TENANTFS" "$TFS_TENANTCTL"; do
		if [ ! -x "$x" ]; then
			echo "not ok - $x is not built (set TFS_TENANTFS / TFS_TENANTCTL)"
			exit 1
		fi
	done
	TFS_TMP=$(mktemp -d /tmp/tenantfs-test.XXXXXXXX) || exit 1
	trap tfs_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	STORE=$TFS_TMP/store
	MNT=$TFS_TMP/mnt
	mkdir -p "$MNT" "$TFS_TMP/home" "$TFS_TMP/work"
	export HOME=$TFS_TMP/home
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TFS_TMP/san"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$TFS_TMP/san"
	if ! "$TFS_TENANTCTL" init --demo "$STORE" >"$TFS_TMP/init.out" 2>&1; then
		bail "tenantctl init --demo makes a store" "$(cat "$TFS_TMP/init.out")"
	fi
	T_MOUNT=$(date +%s)
	# shellcheck disable=SC2119
	tfs_mount
	TEN=$MNT/tenants/acme
	STG=$TEN/staging
	PRD=$TEN/production
	UAT=$TEN/uat
	W=$TFS_TMP/work
}

# tfs_done: ends the script; exit 1 if any check failed.
tfs_done()
{
	TFS_DONE=1
	exit 0
}

# ----------------------------------------------------- store and history

tfs_git() { git --git-dir="$STORE/history.git" "$@"; }

# inst NAME -> the instance directory
inst() { printf '%s/%s\n' "$TEN" "$1"; }

active_project() { tr -d ' \n\t' <"$(inst "$1")/active-project"; }

# Lists every transaction set file of an instance, all projects.
tset_list()
{
	(cd "$(inst "$1")/projects" 2>/dev/null &&
		find . -path '*/transaction-sets/*' -type f | sort)
}

git_count() { tfs_git rev-list --count "acme/$1" 2>/dev/null || echo 0; }
git_head() { tfs_git rev-parse "acme/$1" 2>/dev/null || echo none; }
hist_lines() { grep -c . "$(inst "$1")/history/log" 2>/dev/null || true; }
hist_top() { head -n 1 "$(inst "$1")/history/log" 2>/dev/null; }
hist_top_n()
{
	local n
	n=$(hist_top "$1" | awk '{print $1}')
	echo "${n:-0}"
}

# snap INST LABEL: records the instance's history state, its log and the
# events in $TFS_TMP/snap/LABEL for expect_* below.
snap()
{
	local d=$TFS_TMP/snap/$2 i
	i=$(inst "$1")
	rm -rf "$d"
	mkdir -p "$d"
	cat "$i/history/log" >"$d/hlog" 2>/dev/null
	git_head "$1" >"$d/ghead"
	git_count "$1" >"$d/gcount"
	tset_list "$1" >"$d/tsets"
	cat "$i/log" >"$d/log" 2>/dev/null
	cat "$MNT/events" >"$d/events" 2>/dev/null
}

# expect_unchanged DESC INST LABEL: no history line, commit or transaction
# set since snap LABEL.
expect_unchanged()
{
	local desc=$1 d=$TFS_TMP/snap/$3 i bad=
	i=$(inst "$2")
	if ! cat "$i/history/log" | cmp -s - "$d/hlog"; then
		bad="history/log changed: $(cat "$i/history/log" | diff "$d/hlog" -)"
	fi
	if [ "$(git_head "$2")" != "$(cat "$d/ghead")" ]; then
		bad="$bad
git acme/$2 moved: $(cat "$d/ghead") -> $(git_head "$2") ($(tfs_git log -1 --format='%an: %s' "acme/$2"))"
	fi
	if [ "$(tset_list "$2")" != "$(cat "$d/tsets")" ]; then
		bad="$bad
transaction sets changed: $(tset_list "$2" | diff "$d/tsets" -)"
	fi
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$bad"
	fi
	return 0
}

# expect_one_commit DESC INST LABEL [PATH] [USER]: exactly one history line
# (format "<n> <commit id> <UTC time> <user> <message>", user admin, n one
# more than before, on top), one commit on acme/INST with the same id and
# author, touching only PATH (relative to the instance) if given, and one
# new transaction set in the active project since snap LABEL.
expect_one_commit()
{
	local desc=$1 in=$2 d=$TFS_TMP/snap/$3 path=${4:-} user=${5:-admin}
	local i bad='' before after top n id t u msg oldn g0 g1 head an files
	local ts_new proj now tt
	i=$(inst "$in")
	before=$(grep -c . "$d/hlog")
	after=$(hist_lines "$in")
	top=$(hist_top "$in")
	if [ "$after" != $((before + 1)) ]; then
		bad="history/log: expected $((before + 1)) lines, got $after
new lines: $(cat "$i/history/log" | diff "$d/hlog" - | grep '^>')"
	fi
	read -r n id t u msg <<<"$top"
	oldn=$(head -n 1 "$d/hlog" | awk '{print $1}')
	oldn=${oldn:-0}
	if [ "$n" != $((oldn + 1)) ]; then
		bad="$bad
top line number: expected $((oldn + 1)), got '$n' (line: $top)"
	fi
	if ! [[ $id =~ ^[0-9a-f]{7,64}$ ]]; then
		bad="$bad
commit id field is not a hex id: '$id' (line: $top)"
	fi
	if ! [[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]; then
		bad="$bad
time field is not UTC yyyy-mm-ddThh:mm:ssZ: '$t' (line: $top)"
	else
		now=$(date -u +%s)
		tt=$(date -u -d "${t%Z}" +%s 2>/dev/null || echo 0)
		if [ $((now - tt)) -gt 600 ] || [ $((tt - now)) -gt 60 ]; then
			bad="$bad
time field $t is not now (now $(date -u +%Y-%m-%dT%H:%M:%SZ))"
		fi
	fi
	if [ "$u" != "$user" ]; then
		bad="$bad
user field: expected $user, got '$u' (line: $top)"
	fi
	if [ -z "$msg" ]; then
		bad="$bad
message field is empty (line: $top)"
	fi
	g0=$(cat "$d/gcount")
	g1=$(git_count "$in")
	if [ "$g1" != $((g0 + 1)) ]; then
		bad="$bad
git log acme/$in: expected $((g0 + 1)) commits, got $g1"
	fi
	head=$(git_head "$in")
	case $head in
	"$id"*) ;;
	*) bad="$bad
git acme/$in head $head is not history/log's top commit '$id'" ;;
	esac
	an=$(tfs_git log -1 --format=%an "acme/$in" 2>/dev/null)
	if [ "$an" != "$user" ]; then
		bad="$bad
git author: expected $user, got '$an'"
	fi
	if [ -n "$path" ] && [ "$g1" = $((g0 + 1)) ]; then
		files=$(tfs_git diff-tree --no-commit-id --name-only -r --root "acme/$in")
		if [ "$(printf '%s\n' "$files" | grep -c .)" != 1 ] ||
			! printf '%s\n' "$files" | grep -qF -- "$path"; then
			bad="$bad
commit should change exactly $path; it changes:
$files"
		fi
	fi
	ts_new=$(tset_list "$in" | comm -13 "$d/tsets" -)
	proj=$(active_project "$in")
	if [ "$(printf '%s' "$ts_new" | grep -c .)" != 1 ]; then
		bad="$bad
expected one new transaction set, got: '${ts_new}'"
	elif [[ $ts_new != "./$proj/transaction-sets/"* ]]; then
		bad="$bad
new transaction set $ts_new is not in the active project $proj"
	elif [ -n "$path" ] && ! grep -qF -- "$path" "$i/projects/${ts_new#./}"; then
		bad="$bad
transaction set $ts_new does not name $path:
$(head -c 2000 "$i/projects/${ts_new#./}")"
	fi
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$bad"
	fi
	return 0
}

# expect_logged DESC INST LABEL ERE: the instance's log and the events got
# new lines since snap LABEL, and some new line of each matches ERE
# (case-insensitive).
expect_logged()
{
	local desc=$1 d=$TFS_TMP/snap/$3 re=$4 i nl ne bad=
	i=$(inst "$2")
	nl=$(cat "$i/log" 2>/dev/null | diff "$d/log" - | sed -n 's/^> //p')
	ne=$(cat "$MNT/events" 2>/dev/null | diff "$d/events" - | sed -n 's/^> //p')
	if ! printf '%s\n' "$nl" | grep -Eiq -- "$re"; then
		bad="the instance's log: no new line matching /$re/; new lines: '$nl'"
	fi
	if ! printf '%s\n' "$ne" | grep -Eiq -- "$re"; then
		bad="$bad
events: no new line matching /$re/; new lines: '$ne'"
	fi
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "$bad"
	fi
	return 0
}

# hist_messages INST: the message field (5th on) of every history/log line.
hist_messages() { cut -d ' ' -f 5- "$(inst "$1")/history/log"; }

# Names editors and tools use for temporary and backup files, as an ERE
# over a path or a word (4913, .x.swp/.swx, x~, sedXXXXXX, x.tmp, #x#).
TEMP_RE='(^|[ /])(4913|4914|\.[^ /]*\.sw[a-z]|[^ /]*~|sed[A-Za-z0-9]{6}|[^ /]*\.tmp|#[^ /]*#)( |$)'

# ------------------------------------------------------------ documents

# obj INST REL: the path of a promised object (REL like
# metadata/Form/Incident.Default.xml); if missing, the first file of the
# same directory, with a note.
obj()
{
	local i p f
	i=$(inst "$1")
	p=$i/$2
	if [ -f "$p" ]; then
		printf '%s\n' "$p"
		return 0
	fi
	f=$(first_obj "$(dirname "$p")")
	note "promised $2 is missing in $1; using ${f:-nothing}" >&2
	printf '%s\n' "$(dirname "$p")/${f:-missing.xml}"
}

# rel PATH: PATH relative to its instance directory.
rel() { printf '%s\n' "$1" | sed -E 's#^.*/tenants/[^/]+/[^/]+/##'; }

# base NAME of an object file (without .xml).
objname() { basename "$1" .xml; }

# root_line FILE: the root element's start tag line.
root_line() { grep -m 1 -E '^[[:space:]]*<[A-Za-z]' "$1"; }

# attr NAME FILE: value of attribute NAME on the root element.
attr()
{
	root_line "$2" | sed -nE "s/.*[[:space:]]$1=\"([^\"]*)\".*/\\1/p"
}

# with_desc FILE VALUE > OUT: FILE's text with the root element's description
# attribute set to VALUE (added after the other attributes if absent). The
# engine may move the attribute when it canonicalizes: compare to what is
# read back afterwards, not to this.
with_desc()
{
	python3 - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
val = sys.argv[2]
m = re.search(r"<[A-Za-z][^>]*>", re.sub(r"<\?.*?\?>|<!--.*?-->", lambda x: " " * len(x.group(0)), text, flags=re.S))
if not m:
    sys.exit("no root element in " + sys.argv[1])
s, e = m.span()
tag = text[s:e]
if re.search(r'\sdescription="[^"]*"', tag):
    tag = re.sub(r'(\sdescription=")[^"]*(")', lambda x: x.group(1) + val + x.group(2), tag, count=1)
else:
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    tag = tag[:end].rstrip() + ' description="' + val + '"' + tag[end:]
sys.stdout.write(text[:s] + tag + text[e:])
EOF
}

# replace_once FILE OLD NEW > OUT: FILE's text with the first OLD replaced.
replace_once()
{
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
if sys.argv[2] not in t:
    sys.exit("'%s' not in %s" % (sys.argv[2], sys.argv[1]))
sys.stdout.write(t.replace(sys.argv[2], sys.argv[3], 1))
EOF
}

# sed_desc FILE VALUE: a sed script that sets the root element's description
# attribute to VALUE (adding it after the others if absent).
sed_desc()
{
	if root_line "$1" | grep -q ' description="'; then
		echo "0,/ description=\"[^\"]*\"/s// description=\"$2\"/"
	else
		printf '%s\n' "0,/^\\(<[A-Za-z][A-Za-z]* [^>]*[^/]\\)\\(\\/\\?>\\)/s//\\1 description=\"$2\"\\2/"
	fi
}

# prime INST REL TOKEN: gives object REL a root description="TOKEN" (one
# save through cp), so that later edits can swap the unique TOKEN in place
# and know the canonical bytes to expect. Returns non-zero (after a
# not ok) if that save fails.
prime()
{
	local f
	f=$(inst "$1")/$2
	with_desc "$f" "$3" >"$W/prime.xml" || {
		not_ok "prime $2 with description=$3" "cannot build the document"
		return 1
	}
	if ! cp "$W/prime.xml" "$f" 2>"$W/prime.err"; then
		not_ok "prime $2 with description=$3 (cp)" "$(cat "$W/prime.err")"
		return 1
	fi
	if ! grep -qF "description=\"$3\"" "$f"; then
		not_ok "prime $2 with description=$3" \
			"after cp the file does not carry it:" "$(head -c 1500 "$f")"
		return 1
	fi
	return 0
}

# check_documents DESC DIR [KIND]: every *.xml under DIR is a canonical
# object document: UTF-8, well-formed, ending in a newline, two-space
# indentation with one element per line, root element named after its type
# directory (ValidationList under validation/, Record under master/ and
# data/ with businessObject naming its directory, Translation under
# translations/), name equal to the file's
# base name, name then guid first, businessObject next when present, file
# names only of letters, digits, . _ - #.
check_documents()
{
	local desc=$1 dir=$2 kind=${3:-auto} out
	if out=$(python3 - "$dir" "$kind" <<'EOF'
import os, re, sys
import xml.etree.ElementTree as ET
top, kind = sys.argv[1], sys.argv[2]
if kind == "auto":
    kind = os.path.basename(top.rstrip("/"))
bad, n = [], 0
namere = re.compile(r"^[A-Za-z0-9._#-]+\.xml$")
for dp, dns, fns in os.walk(top):
    dns.sort()
    for fn in sorted(fns):
        p = os.path.join(dp, fn)
        relp = os.path.relpath(p, top)
        if not namere.match(fn):
            bad.append("%s: file name not allowed" % relp)
            continue
        n += 1
        try:
            raw = open(p, "rb").read()
        except OSError as e:
            bad.append("%s: read: %s" % (relp, e)); continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append("%s: not UTF-8: %s" % (relp, e)); continue
        if not text.endswith("\n"):
            bad.append("%s: does not end in a newline" % relp)
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as e:
            bad.append("%s: not well-formed: %s" % (relp, e)); continue
        parent = os.path.basename(dp)
        want = {"metadata": parent, "settings": parent,
                "validation": "ValidationList",
                "translations": "Translation"}.get(kind, "Record")
        if root.tag != want:
            bad.append("%s: root element %s, expected %s" % (relp, root.tag, want))
        if root.get("name") != fn[:-4]:
            bad.append("%s: name=%r, expected %r" % (relp, root.get("name"), fn[:-4]))
        if not root.get("guid"):
            bad.append("%s: no guid" % relp)
        if kind in ("master", "data") and root.get("businessObject") != parent:
            bad.append("%s: businessObject=%r, expected %r" % (relp, root.get("businessObject"), parent))
        lines = text.split("\n")[:-1]
        start = 1 if lines and lines[0].startswith("<?xml") else 0
        m = re.match(r"<[A-Za-z][\w.:-]*((?:\s+[\w.:-]+=\"[^\"]*\")*)", lines[start] if len(lines) > start else "")
        attrs = re.findall(r"([\w.:-]+)=\"", m.group(1)) if m else []
        exp = ["name", "guid"] + (["businessObject"] if "businessObject" in attrs else [])
        if attrs[:len(exp)] != exp:
            bad.append("%s: root attributes start %s, expected %s" % (relp, attrs[:3], exp))
        depth = 0
        for ln, line in enumerate(lines[start:], start + 1):
            s = line.lstrip(" ")
            ind = len(line) - len(s)
            if "\t" in line[:ind + 1] or line != line.rstrip():
                bad.append("%s:%d: tab or trailing blank" % (relp, ln)); break
            if not s.startswith("<"):
                continue  # text content
            if s.startswith("</"):
                depth -= 1
            if ind != 2 * depth:
                bad.append("%s:%d: indented %d, expected %d" % (relp, ln, ind, 2 * depth)); break
            if re.search(r">\s*<(?!/)", s):
                bad.append("%s:%d: more than one element on a line" % (relp, ln)); break
            if not s.startswith("</") and not s.endswith("/>") and "</" not in s:
                depth += 1
print("checked %d files" % n)
for b in bad[:30]:
    print(b)
if len(bad) > 30:
    print("... %d problems in all" % len(bad))
sys.exit(1 if bad or n == 0 else 0)
EOF
	); then
		ok "$desc ($(printf '%s\n' "$out" | head -n 1))"
	else
		not_ok "$desc" "$out"
	fi
	return 0
}

# check_sorted DESC DIR: readdir order (ls -U) is sorted (byte order, or
# numeric order for numbered entries) and the same on a second listing.
check_sorted()
{
	local raw raw2 c v
	raw=$(ls -1UA -- "$2" 2>&1)
	raw2=$(ls -1UA -- "$2" 2>&1)
	c=$(printf '%s\n' "$raw" | LC_ALL=C sort)
	v=$(printf '%s\n' "$raw" | LC_ALL=C sort -V)
	if [ "$raw" != "$raw2" ]; then
		not_ok "$1" "two listings of $2 differ:" "$(diff <(echo "$raw") <(echo "$raw2"))"
	elif [ "$raw" = "$c" ] || [ "$raw" = "$v" ]; then
		ok "$1"
	else
		not_ok "$1" "readdir order of $2 is not sorted:" \
			"$(diff <(echo "$c") <(echo "$raw") | head -n 20)"
	fi
	return 0
}

# conf_keys FILE: the keys of a key = value file, in order.
conf_keys() { sed -nE 's/^[[:space:]]*([A-Za-z_][A-Za-z0-9_.-]*)[[:space:]]*=.*/\1/p' "$1"; }

# conf_get FILE KEY: the value of KEY.
conf_get()
{
	sed -nE "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]?(.*)\$/\\1/p" "$1" |
		head -n 1 | sed -E 's/[[:space:]]+$//'
}

INSTANCE_KEYS="status in_maintenance metadata_locked expiration named_licenses
concurrent_licenses session_timeout contact email_listener version landscape
uri database api_key created last_update last_update_by"
METADATA_TYPES="BusinessObject Counter Form Grid Layout QuickAction Rule
RuleOverride Trigger Branding Role ValidationListDefinition BusinessRule Search
Dashboard ChartPart GridPart SpecialPart ViewPart Workflow WorkflowType Report
Image"
SETTINGS_TYPES="AllowedAttachments AuthenticationProvider BulkUploadProfile
DynamicStyle GlobalConstant IntegrationSetting LdapConfiguration
ObjectMatchingList PasswordPolicy VoiceIntegration WatchListItem
EmailConfiguration"

# sorted_words WORDS: one per line, byte order.
# shellcheck disable=SC2086
sorted_words() { printf '%s\n' $1 | LC_ALL=C sort; }
# lines WORDS: one per line, in the given order.
# shellcheck disable=SC2086
lines() { printf '%s\n' $1; }

# first_obj DIR: the first *.xml in DIR (base name with .xml).
first_obj()
{
	local f
	for f in "$1"/*.xml; do
		[ -f "$f" ] && { basename "$f"; return 0; }
	done
	return 1
}

# wait_bg PID...: waits for background jobs of this shell; sets WAIT_RCS to
# their exit codes ("0 0 ..."). Not in $(...): a subshell cannot wait.
WAIT_RCS=
wait_bg()
{
	local p rc
	WAIT_RCS=
	for p in "$@"; do
		wait "$p"
		rc=$?
		WAIT_RCS="$WAIT_RCS $rc"
	done
	WAIT_RCS=${WAIT_RCS# }
}
