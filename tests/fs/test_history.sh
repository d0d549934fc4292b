#!/bin/bash
# test_history.sh: history/log and the git branches tell the same story.
# On the fresh demo history/log matches git log line for line; one sed -i
# in staging makes diff -r against production show exactly that one file,
# adds one history line by admin (newest first) that is git log's newest
# commit, and one transaction set in the active project; history/<n>/ is a
# read-only snapshot that diff -r compares with the live tree; temporary
# names never reach history.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
RO='Read-only file system'
LINE_RE='^[0-9]+ [0-9a-f]{7,64} [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [^ ]+ .+$'

# log_matches_git INST: every history/log line's id is the commit at the
# same position of git log, n counts down to 1.
log_matches_git()
{
	local in=$1 hl gl bad='' k=0 n id rest total
	hl=$(cat "$(inst "$in")/history/log")
	gl=$(tfs_git log --format=%H "acme/$in" 2>/dev/null)
	total=$(printf '%s\n' "$hl" | grep -c .)
	check_eq "$in: history/log has one line per commit of git log acme/$in" \
		"$(printf '%s\n' "$gl" | grep -c .)" "$total"
	check_eq "$in: every history/log line is '<n> <commit id> <UTC time> <user> <message>'" \
		"" "$(printf '%s\n' "$hl" | grep . | grep -vE "$LINE_RE" | head -n 3)"
	while read -r n id rest; do
		[ -n "$n" ] || continue
		k=$((k + 1))
		[ "$n" = $((total - k + 1)) ] || bad="$bad
line $k has n=$n, expected $((total - k + 1)) (newest first, counting from 1)"
		case $(printf '%s\n' "$gl" | sed -n "${k}p") in
		"$id"*) ;;
		*) bad="$bad
line $k: $id is not git log's commit #$k ($(printf '%s\n' "$gl" | sed -n "${k}p"))" ;;
		esac
	done <<<"$hl"
	check_eq "$in: history/log is newest first and its ids are git log's, in order" "" "${bad#$'\n'}"
	: "$rest"
}

for in in production staging uat; do
	check_match "git branch acme/$in exists" "^refs/heads/acme/$in\$" \
		"$(tfs_git for-each-ref --format='%(refname)' refs/heads/)"
	log_matches_git "$in"
done

# ---- the "Done when" sed -i: one attribute in staging
F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
P=$PRD/$FR
cp "$F" "$W/orig.xml"
N0=$(hist_top_n staging)
snap staging sed
check "sed -i changing one attribute of a staging Form succeeds" \
	sed -i "$(sed_desc "$F" tfsHistory)" "$F"
check_match "the Form carries the change" 'description="tfsHistory"' "$(root_line "$F")"
tfs_run diff -rq "$STG/metadata" "$PRD/metadata"
check_eq "diff -r staging/metadata production/metadata now shows exactly one file" \
	"Files $STG/metadata/${FR#metadata/} and $PRD/metadata/${FR#metadata/} differ" "$OUT"
check_eq "... and diff -r exits 1" 1 "$RC"
tfs_run diff "$P" "$F"
check_eq "diff of the two Forms shows one line out, one line in" "1 1" \
	"$(printf '%s\n' "$OUT" | grep -c '^<') $(printf '%s\n' "$OUT" | grep -c '^>')"
expect_one_commit "sed -i: one history line by admin, one commit on acme/staging, one transaction set" \
	staging sed "$FR"
top=$(hist_top staging)
check_match "the new history/log line is on top and well-formed" "$LINE_RE" "$top"
id=$(printf '%s\n' "$top" | awk '{print $2}')
check_match "git log acme/staging shows the same commit" "^$id" \
	"$(tfs_git log --format=%H acme/staging | head -n 1)"
GP=$(tfs_git ls-tree -r --name-only acme/staging | grep -E "(^|/)$FR\$" | head -n 1)
check_eq "the branch's tree holds the Form as .../$FR" "$FR" "${GP:+${GP: -${#FR}}}"
check_eq "git show of the commit has the new bytes" "$(cat "$F")" \
	"$(tfs_git show "acme/staging:$GP" 2>&1)"
check_eq "git show of the commit's parent has the old bytes" "$(cat "$W/orig.xml")" \
	"$(tfs_git show "acme/staging~1:$GP" 2>&1)"
N1=$(hist_top_n staging)
log_matches_git staging
proj=$(active_project staging)
ts=$(comm -13 "$TFS_TMP/snap/sed/tsets" <(tset_list staging) | head -n 1)
if [ -n "$ts" ]; then
	tsf=$STG/projects/${ts#./}
	check_match "the transaction set is by admin" 'user="admin"' "$(cat "$tsf")"
	check_match "the transaction set is an update of the Form" \
		"<transaction [^>]*op=\"U\"[^>]*path=\"$FR\"" "$(cat "$tsf")"
	check_match "the transaction set names the active project $proj" \
		"project=\"$proj\"" "$(cat "$tsf")"
	check_match "the transaction's base is the SHA-256 of the old bytes" \
		"base=\"$(sha256sum "$W/orig.xml" | cut -d ' ' -f 1)\"" "$(cat "$tsf")"
fi

# ---- history/<n>/ snapshots
check "history/$N1/ exists" test -d "$STG/history/$N1"
if [ "$N0" -gt 0 ]; then
	H=$STG/history/$N0
	check "history/$N0/ exists" test -d "$H"
	for d in metadata validation settings master; do
		check "history/$N0/$d/ exists" test -d "$H/$d"
	done
	check "history/$N0/ holds no data/ (not versioned)" test ! -e "$H/data"
	tfs_run diff -rq "$H/metadata" "$STG/metadata"
	check_eq "diff -r history/$N0/metadata metadata shows exactly the later change" \
		"Files $H/metadata/${FR#metadata/} and $STG/metadata/${FR#metadata/} differ" "$OUT"
	check_file_bytes "history/$N0/$FR has the old bytes" "$H/$FR" "$W/orig.xml"
	check "diff -r history/$N1/metadata metadata is empty" \
		diff -r "$STG/history/$N1/metadata" "$STG/metadata"
	check "diff -r history/$N0/validation validation is empty" \
		diff -r "$H/validation" "$STG/validation"
	check_err "history/$N0/: cp onto a file fails with EROFS" "$RO" cp "$W/orig.xml" "$H/$FR"
	check_err "history/$N0/: creating a file fails with EROFS" "$RO" \
		cp "$W/orig.xml" "$H/metadata/Form/Incident.TfsNew.xml"
	check_err "history/$N0/: rm fails with EROFS" "$RO" rm "$H/$FR"
	check_err "history/$N0/: mkdir fails with EROFS" "$RO" mkdir "$H/metadata/NewType"
	check_err "history/$N0/: touch fails with EROFS" "$RO" touch "$H/$FR"
	check_err "history/$N0/: sed -i fails with EROFS" "$RO" sed -i 's/a/b/' "$H/$FR"
	check_file_bytes "history/$N0/ is unchanged after the refused writes" "$H/$FR" "$W/orig.xml"
	check_documents "history/$N0/metadata is canonical" "$H/metadata"
	check_sorted "history/$N0/metadata/Form lists sorted" "$H/metadata/Form"
	# every file of a snapshot directory is git's blob at that commit,
	# also once the kernel has forgotten the entries (drop_caches)
	cid=$(awk -v n="$N0" '$1 == n { print $2 }' "$STG/history/log")
	for pass in listed forgotten; do
		bad=
		for f in "$H"/metadata/Form/*.xml "$H"/settings/*/*.xml; do
			[ -e "$f" ] || continue
			tfs_git show "$cid:${f#"$H"/}" | cmp -s - "$f" || bad="$bad ${f#"$H"/}"
			[ "$(stat -c %s "$f")" = "$(tfs_git cat-file -s "$cid:${f#"$H"/}")" ] ||
				bad="$bad size:${f#"$H"/}"
		done
		check_eq "history/$N0 (entries $pass): each file of metadata/Form and settings is git's blob, size and bytes" "" "$bad"
		sync
		echo 2 2>/dev/null >/proc/sys/vm/drop_caches
	done
else
	not_ok "the fresh demo has a first commit (history/log was empty)"
fi
check_fails "history/log cannot be written" bash -c 'echo x >>"$1"' _ "$STG/history/log"
check_eq "history/ lists log and one directory per commit" \
	"$( (seq 1 "$N1"; echo log) | sort)" "$(ls "$STG/history" | sort)"
check_err "rm history/log fails" "." rm "$STG/history/log"

# ---- a delete and its history
NEW=$STG/metadata/Form/Incident.TfsHist.xml
printf '<Form name="Incident.TfsHist" businessObject="Incident">\n  <FieldRef name="Priority"/>\n</Form>\n' >"$W/new.xml"
snap staging create
check "create a Form" cp "$W/new.xml" "$NEW"
expect_one_commit "create: one commit" staging create "metadata/Form/Incident.TfsHist.xml"
cp "$NEW" "$W/created.xml"
NC=$(hist_top_n staging)
snap staging delete
check "rm the new Form" rm "$NEW"
expect_one_commit "rm: one commit" staging delete "metadata/Form/Incident.TfsHist.xml"
check_file_bytes "history/$NC/ still has the deleted Form" \
	"$STG/history/$NC/metadata/Form/Incident.TfsHist.xml" "$W/created.xml"
check "history/$((NC + 1))/ does not" test ! -e "$STG/history/$((NC + 1))/metadata/Form/Incident.TfsHist.xml"

# ---- temporary names never reach history
FD=$STG/metadata/Form
snap staging temps
for t in 4913 ".Incident.Default.xml.swp" "Incident.Default.xml~" sedAb12Cd \
	"Incident.Default.xml.tmp"; do
	check "a temporary file $t can be created" cp "$W/orig.xml" "$FD/$t"
	check_file_bytes "the temporary file $t reads back" "$FD/$t" "$W/orig.xml"
	check "the temporary file $t can be removed" rm "$FD/$t"
	check "the temporary file $t is gone" test ! -e "$FD/$t"
done
tfs_run env HOME="$TFS_TMP/home" vim -es -c '%s/tfsHistory/tfsHistoryVim/' -c wq "$F"
check_eq "vim -es on the Form succeeds" 0 "$RC"
expect_one_commit "vim: exactly one commit" staging temps "$FR"
check_eq "no temporary name in history/log" "" "$(hist_messages staging | grep -E "$TEMP_RE")"
check_eq "no temporary name in any commit of acme/staging" "" \
	"$(tfs_git log --format= --name-only acme/staging | grep -E "$TEMP_RE" | sort -u)"
check_eq "every file in git ls-tree acme/staging is an object (*.xml)" "" \
	"$(tfs_git ls-tree -r --name-only acme/staging | grep -vE '(^|/)[A-Za-z0-9._#-]+\.xml$' | head -n 5)"
check_eq "no temporary file left in the Form directory" "" \
	"$(ls -A "$FD" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"

# ---- other branches are untouched
check_eq "production's history/log is unchanged" "$(grep -c . "$PRD/history/log")" \
	"$(tfs_git rev-list --count acme/production)"
log_matches_git staging

tfs_done
