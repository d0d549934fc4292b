#!/bin/bash
# test_crash.sh: a large package and a crash. A package of 200,000 new
# Employee master records (one transaction set, op C) is copied into
# staging/apply/ in the background; once apply/<P>.result reads running (with
# an "objects: <done>/<total>" line) the tenantfs daemon gets SIGKILL: early
# (some objects done) and, if that left the package unapplied, late (every
# object done, the commit under way). After unmounting the dead mount
# (fusermount3 -u, else umount -l) and mounting again the instance is either fully
# before (no record, history, git branch, transaction sets and version as
# they were) or fully after (every record, one commit "Apply package ...",
# version + 1), git fsck is clean, history/log is git log acme/staging line
# for line, the git tree agrees with the mount, and a sed -i edit still
# works. Then a 20,000-record package applies: ls master/Employee | wc -l
# grows by exactly that, the records read back with their bytes.
#
# Environment: TFS_CRASH_RECORDS (200000) and TFS_BIG_RECORDS (20000)
# change the two sizes.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2002,SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
N_CRASH=${TFS_CRASH_RECORDS:-200000}
N_BIG=${TFS_BIG_RECORDS:-20000}
ED=$STG/master/Employee

version() { conf_get "$(inst "$1")/instance.conf" version; }

# mkbig FILE NAME PREFIX COUNT: a closed incremental package NAME of COUNT
# new Employee records PREFIX000001... (FirstName First000001...), one
# transaction set, op C, base "", written to FILE; the canonical bytes of
# the first and the last record go to FILE.first and FILE.last.
mkbig()
{
	python3 - "$1" "$2" "$3" "$4" "$(git_head uat)" <<'EOF'
import sys, time, uuid
out, name, prefix, n, commit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
def record(i, guid):
    key = "%s%06d" % (prefix, i)
    return key, ('<Record name="%s" guid="%s" businessObject="Employee">\n'
                 '  <Value field="FirstName">First%06d</Value>\n'
                 '</Record>\n' % (key, guid, i))
with open(out, "w", encoding="utf-8") as f:
    w = f.write
    w('<package format="1" name="%s" type="incremental" state="closed" '
      'source-tenant="acme" source-instance="uat" source-commit="%s">\n' % (name, commit))
    w('  <transaction-set id="900001" project="default" user="admin" created="%s">\n' % now)
    for i in range(1, n + 1):
        guid = str(uuid.uuid4())
        key, doc = record(i, guid)
        w('    <transaction seq="%d" op="C" path="master/Employee/%s.xml" base="">\n' % (i, key))
        w("".join("      " + line + "\n" for line in doc.splitlines()))
        w('    </transaction>\n')
        if i == 1:
            open(out + ".first", "w").write(doc)
        if i == n:
            open(out + ".last", "w").write(doc)
    w('  </transaction-set>\n</package>\n')
EOF
}

# count_mnt PREFIX / count_git PREFIX: PREFIX###### records in staging's
# master/Employee, as the mount shows them / as acme/staging's tree holds them.
count_mnt() { ls "$ED" | grep -cE "^$1[0-9]{6}\\.xml\$"; }
count_git()
{
	tfs_git ls-tree -r --name-only acme/staging 2>/dev/null |
		grep -cE "(^|/)master/Employee/$1[0-9]{6}\\.xml\$"
}

# log_matches_git: history/log has one line per commit of git log
# acme/staging, the same ids in the same order, n counting down to 1.
log_matches_git()
{
	local hl gl bad='' k=0 n id rest total
	hl=$(cat "$STG/history/log")
	gl=$(tfs_git log --format=%H acme/staging 2>/dev/null)
	total=$(printf '%s\n' "$hl" | grep -c .)
	check_eq "$1: history/log has one line per commit of git log acme/staging" \
		"$(printf '%s\n' "$gl" | grep -c .)" "$total"
	while read -r n id rest; do
		[ -n "$n" ] || continue
		k=$((k + 1))
		[ "$n" = $((total - k + 1)) ] || bad="$bad
line $k has n=$n, expected $((total - k + 1))"
		case $(printf '%s\n' "$gl" | sed -n "${k}p") in
		"$id"*) ;;
		*) bad="$bad
line $k: $id is not git log's commit #$k ($(printf '%s\n' "$gl" | sed -n "${k}p"))" ;;
		esac
	done <<<"$hl"
	check_eq "$1: history/log's ids are git log's, line for line" "" "${bad#$'\n'}"
	: "$rest"
}

# fsck_clean DESC: git fsck --full of the store exits 0 and reports nothing
# broken (dangling objects, left by an interrupted commit, are only noted).
fsck_clean()
{
	tfs_run tfs_git fsck --full
	local bad
	bad=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -Ei 'error|missing|broken|corrupt|bad |invalid' )
	if [ "$RC" -eq 0 ] && [ -z "$bad" ]; then
		ok "$1"
	else
		not_ok "$1" "git fsck --full: exit $RC" "$bad" "stdout: $OUT" "stderr: $ERR"
	fi
	printf '%s\n' "$OUT" | grep -q dangling &&
		note "git fsck: $(printf '%s\n' "$OUT" | grep -c dangling) dangling objects"
	return 0
}

# ====================================================== crash in the middle
t0=$(date +%s)
mkbig "$W/tfsCrash.xml" tfsCrash E "$N_CRASH"
note "made a package of $N_CRASH records ($(wc -c <"$W/tfsCrash.xml") bytes) in $(($(date +%s) - t0)) s"
check "the crash package is well-formed XML" python3 -c \
	'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$W/tfsCrash.xml"
RES=$STG/apply/tfsCrash.xml.result

# crash_round WHEN: drops the crash package into staging/apply/, waits for
# running, then (WHEN early) until some objects are done or (WHEN late)
# until all are, so that the kill lands in the final commit, kills the
# daemon, unmounts, remounts and checks all-or-nothing. CRASH_STATE is
# before or after.
CRASH_STATE=
crash_round()
{
	local when=$1 seen='' prog r i p pids alive rc n g others0 v0 t0 tag
	tag="crash ($when)"
	others0=$(ls "$ED" | grep -vE '^E[0-9]{6}\.xml$')
	v0=$(version staging)
	snap staging "crash-$when"

	cp "$W/tfsCrash.xml" "$STG/apply/" 2>"$W/cp.err" &
	CP=$!
	t0=$(date +%s)
	for i in $(seq 600); do
		r=$(cat "$RES" 2>/dev/null)
		if [ "$(printf '%s\n' "$r" | head -n 1)" = running ]; then
			seen=$r
			break
		fi
		tfs_alive "$CP" || break
		sleep 0.1
	done
	if [ -n "$seen" ]; then
		ok "$tag: apply/tfsCrash.xml.result reads running while the package is applied (after $(($(date +%s) - t0)) s)"
		# early: some way in (5 s at most); late: every object done, the
		# commit under way (60 s at most)
		for i in $(seq 1200); do
			r=$(cat "$RES" 2>/dev/null)
			[ "$(printf '%s\n' "$r" | head -n 1)" = running ] || break
			seen=$r
			prog=$(printf '%s\n' "$r" | sed -nE 's#^objects: ([0-9]+)/([0-9]+)$#\1 \2#p')
			if [ "$when" = early ]; then
				[ -n "$prog" ] && [ "${prog%% *}" -gt 0 ] && break
				[ "$i" -ge 100 ] && break
			else
				[ -n "$prog" ] && [ "${prog##* }" -gt 0 ] &&
					[ "${prog%% *}" = "${prog##* }" ] && break
			fi
			sleep 0.05
		done
		check_match "$tag: ... with a progress line objects: <done>/$N_CRASH" \
			"^objects: [0-9]+/$N_CRASH\$" "$seen"
		note "$tag: at the kill: $(printf '%s\n' "$r" | head -n 3 | tr '\n' ' ')"
	elif tfs_alive "$CP"; then
		not_ok "$tag: apply/tfsCrash.xml.result reads running while the package is applied" \
			"60 s after cp started it reads: $(cat "$RES" 2>&1 | head -n 3)"
	else
		not_ok "$tag: apply/tfsCrash.xml.result reads running while the package is applied" \
			"cp finished first (it never read running): $(cat "$RES" 2>&1 | head -n 3)"
	fi

	# SIGKILL the daemon: the tenantfs of this store, by its command line
	pids=$(pgrep -f -- "tenantfs.*store=$STORE( |,|\$)")
	check_true "$tag: pgrep finds the tenantfs daemon of this store" "pgrep found: '$pids'" -n "$pids"
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	for i in $(seq 100); do
		alive=
		for p in $pids; do
			tfs_alive "$p" && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	check_eq "$tag: kill -9: the daemon is gone" "" "$alive"
	if [ -n "$TFS_FG_PID" ]; then
		{ wait "$TFS_FG_PID"; } 2>/dev/null
		TFS_FG_PID=
	fi
	TFS_DAEMON_PID=
	for i in $(seq 300); do
		tfs_alive "$CP" || break
		sleep 0.1
	done
	if tfs_alive "$CP"; then
		not_ok "$tag: cp returns once the daemon is killed" "still running 30 s later; stopping it"
		kill "$CP" 2>/dev/null
	fi
	wait "$CP"
	rc=$?
	note "$tag: the killed cp exited $rc: $(head -c 300 "$W/cp.err")"

	if tfs_umount; then
		ok "$tag: the dead mount is unmounted (fusermount3 -u / umount -l)"
	else
		not_ok "$tag: the dead mount is unmounted (fusermount3 -u / umount -l)" \
			"$(grep -F " $MNT " /proc/self/mounts)"
	fi
	t0=$(date +%s)
	tfs_mount
	note "$tag: remounted in $(($(date +%s) - t0)) s"

	n=$(count_mnt E)
	g=$(count_git E)
	note "$tag: $n of $N_CRASH records in the mount, $g in acme/staging's tree"
	if [ "$n" = 0 ]; then
		CRASH_STATE=before
		ok "$tag: the instance is fully before or fully after the package (before: no record)"
		expect_unchanged "$tag: fully before: history/log, git acme/staging and the transaction sets are unchanged" \
			staging "crash-$when"
		check_eq "$tag: fully before: the version is unchanged" "$v0" "$(version staging)"
		check_eq "$tag: fully before: the git tree holds no record either" 0 "$g"
		check_eq "$tag: fully before: no Package/Apply event" "" \
			"$(cat "$MNT/events" | diff "$TFS_TMP/snap/crash-$when/events" - |
				sed -n 's/^> //p' | awk -F '\t' '$3 == "Package/Apply"')"
	elif [ "$n" = "$N_CRASH" ]; then
		CRASH_STATE=after
		ok "$tag: the instance is fully before or fully after the package (after: all $N_CRASH records)"
		expect_one_commit "$tag: fully after: one history line, one commit, one transaction set" \
			staging "crash-$when"
		check_match "$tag: fully after: the history message starts 'Apply package tfsCrash'" \
			'^Apply package tfsCrash( |$)' "$(hist_top staging | cut -d ' ' -f 5-)"
		check_eq "$tag: fully after: the version is one more" "$((v0 + 1))" "$(version staging)"
		check_eq "$tag: fully after: the git tree holds every record" "$N_CRASH" "$g"
	else
		CRASH_STATE=partial
		not_ok "$tag: the instance is fully before or fully after the package" \
			"$n of $N_CRASH records in master/Employee ($g in git)"
	fi
	check_eq "$tag: the demo's employees are all there, and nothing else" "$others0" \
		"$(ls "$ED" | grep -vE '^E[0-9]{6}\.xml$')"
	check_eq "$tag: apply/ holds no half-copied package" "" \
		"$(ls -A "$STG/apply" 2>&1 | grep -v '\.result$')"
	fsck_clean "$tag: git fsck --full of history.git is clean"
	log_matches_git "$tag"
	check_eq "$tag: git acme/staging's head is history/log's top commit" \
		"$(hist_top staging | awk '{print $2}')" \
		"$(git_head staging | cut -c 1-"$(hist_top staging | awk '{print length($2)}')")"
	: "$i" "$prog"
}

crash_round early
if [ "$CRASH_STATE" = before ]; then
	crash_round late
else
	note "the early crash left the package applied; no second round"
fi

F=$(obj staging metadata/Form/Incident.Default.xml)
snap staging sed
check "after the crashes: sed -i on a staging Form succeeds" sed -i "$(sed_desc "$F" tfsCrashAfter)" "$F"
check_match "the Form carries the change" 'description="tfsCrashAfter"' "$(root_line "$F")"
expect_one_commit "after the crashes: the edit is one commit" staging sed "$(rel "$F")"
log_matches_git "after the edit"

# ================================================= a large package applies
t0=$(date +%s)
mkbig "$W/tfsBig.xml" tfsBig L "$N_BIG"
note "made a package of $N_BIG records in $(($(date +%s) - t0)) s"
n0=$(ls "$ED" | wc -l)
v0=$(version staging)
snap staging big
t0=$(date +%s)
tfs_run cp "$W/tfsBig.xml" "$STG/apply/"
note "the $N_BIG-record apply took $(($(date +%s) - t0)) s"
RESULT=$(cat "$STG/apply/tfsBig.xml.result" 2>&1)
check_eq "cp of the $N_BIG-record package into staging/apply/ exits 0" "0" "$RC"
check_eq "apply/tfsBig.xml.result's first line is applied" applied "$(printf '%s\n' "$RESULT" | head -n 1)"
check_match "apply/tfsBig.xml.result names the commit" "^commit: $(hist_top_n staging)\$" "$RESULT"
check_eq "ls master/Employee | wc -l grows by $N_BIG" "$((n0 + N_BIG))" "$(ls "$ED" | wc -l)"
check_eq "ls -U master/Employee counts the same" "$((n0 + N_BIG))" "$(ls -U "$ED" | wc -l)"
check_eq "find master/Employee -type f counts the same" "$((n0 + N_BIG))" "$(find "$ED" -type f | wc -l)"
expect_one_commit "the large package is one history line, one commit, one transaction set" staging big
check_match "the history message starts 'Apply package tfsBig'" \
	'^Apply package tfsBig( |$)' "$(hist_top staging | cut -d ' ' -f 5-)"
check_eq "the version is one more" "$((v0 + 1))" "$(version staging)"
check_eq "the git tree holds every record" "$N_BIG" "$(count_git L)"
last=$(printf 'L%06d' "$N_BIG")
check_file_bytes "the first record reads back with its bytes" "$ED/L000001.xml" "$W/tfsBig.xml.first"
check_file_bytes "the last record ($last) reads back with its bytes" "$ED/$last.xml" "$W/tfsBig.xml.last"
check_eq "apply/ holds only results" "" "$(ls -A "$STG/apply" 2>&1 | grep -v '\.result$')"
fsck_clean "git fsck --full is clean after the large apply"
log_matches_git "after the large apply"

tfs_done
