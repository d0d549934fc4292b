#!/bin/bash
# test_edit.sh: objects can be edited with ordinary tools (cp, >, >>, tee,
# truncate, sed -i, vim -es, python3 open("w"), mv within a directory, rm,
# cat > to create); every save stores the canonical bytes and adds exactly
# one history line by admin, one commit on acme/staging and one transaction
# set in the active project; a save that changes nothing adds nothing.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
FD=$(dirname "$F")
FN=$(basename "$F")
OTHER=$(obj staging metadata/Search/Incident.MyOpenIncidents.xml)
other_mtime=$(stat -c %Y "$OTHER")
t0=$(date +%s)

# The Form gets a root description="<token>"; each later edit swaps the
# token in place, so the canonical bytes to expect are known exactly.
TOK=tfsCP
snap staging cp
with_desc "$F" "$TOK" >"$W/p.xml"
check "cp of a changed Form succeeds" cp "$W/p.xml" "$F"
check_match "cp: the stored Form carries the new description" \
	"description=\"$TOK\"" "$(root_line "$F")"
check_size_matches "cp: stat -c %s equals cat | wc -c right after the save" "$F"
expect_one_commit "cp: one history line by admin, one commit, one transaction set" \
	staging cp "$FR"
check_documents "cp: the stored Form is canonical" "$FD" metadata
check_true "cp: the Form's mtime is the time of the save" \
	"mtime $(stat -c %Y "$F"), save started $t0" "$(stat -c %Y "$F")" -ge "$t0"
cat "$F" >"$W/cur.xml"

# next NEWTOK: builds $W/exp.xml (the current bytes with the token swapped)
# and takes a snapshot named NEWTOK.
OLD=
next()
{
	OLD=$TOK
	replace_once "$W/cur.xml" "description=\"$OLD\"" "description=\"$1\"" \
		>"$W/exp.xml"
	TOK=$1
	snap staging "$1"
}

# landed DESC: the edit's tool exited 0 (RC), the Form has the expected
# bytes, and one commit came with it. Resynchronizes with what is stored.
landed()
{
	if [ "$RC" -eq 0 ]; then
		ok "$1: exits 0"
	else
		not_ok "$1: exits 0" "exit $RC" "stderr: $ERR"
	fi
	check_file_bytes "$1: the Form reads back with exactly the new bytes" "$F" "$W/exp.xml"
	expect_one_commit "$1: one history line by admin, one commit, one transaction set" \
		staging "$TOK" "$FR"
	cat "$F" >"$W/cur.xml"
	TOK=$(attr description "$W/cur.xml")
}

next tfsRedir
tfs_run bash -c 'cat "$1" >"$2"' _ "$W/exp.xml" "$F"
landed "cat new > Form (shell redirection)"

next tfsTee
tfs_run bash -c 'tee "$1" <"$2" >/dev/null' _ "$F" "$W/exp.xml"
landed "tee Form"

next tfsSed
tfs_run sed -i "s/description=\"$OLD\"/description=\"$TOK\"/" "$F"
landed "sed -i on the Form"
check_eq "sed -i leaves no sedXXXXXX file behind" "" "$(ls -A "$FD" | grep '^sed')"

next tfsVim
tfs_run env HOME="$TFS_TMP/home" vim -es -c "%s/$OLD/$TOK/" -c wq "$F"
landed "vim -es -c '%s/x/y/' -c wq on the Form"
check_eq "vim leaves no .swp, ~ or 4913 file behind" "" \
	"$(ls -A "$FD" | grep -E '\.sw[a-z]$|~$|^4913$')"

next tfsPy
tfs_run python3 -c '
import sys
data = open(sys.argv[2], encoding="utf-8").read()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(data)
' "$F" "$W/exp.xml"
landed "python3 open(..., \"w\").write"

# Rewrite in place: open r+, write shorter content, truncate, close.
next tfsT
tfs_run python3 -c '
import sys
data = open(sys.argv[2], encoding="utf-8").read()
with open(sys.argv[1], "r+", encoding="utf-8") as f:
    f.write(data)
    f.truncate()
' "$F" "$W/exp.xml"
landed "python3 open(..., \"r+\") write shorter + truncate()"

next tfsMv
tfs_run cp "$W/exp.xml" "$FD/$FN.tmp"
check_eq "cp to a temporary name ($FN.tmp) in the Form directory succeeds" 0 "$RC"
expect_unchanged "a temporary name stores nothing" staging "$TOK"
tfs_run mv "$FD/$FN.tmp" "$F"
landed "mv $FN.tmp $FN (within the directory)"
check "mv: the temporary name is gone" test ! -e "$FD/$FN.tmp"

next tfsBuiltin
content=$(cat "$W/exp.xml")
RC=0
ERR=
printf '%s\n' "$content" >"$F" || RC=$?
landed "a valid save through a shell builtin (printf > Form)"

# truncate(1)
snap staging trunc1
tfs_run truncate -s -1 "$F"
check_eq "truncate -s -1 (drops the final newline) exits 0" 0 "$RC"
check_file_bytes "truncate -s -1: the Form still reads canonical (newline kept)" "$F" "$W/cur.xml"
expect_unchanged "truncate -s -1: no change, no commit" staging trunc1
tfs_run truncate -s "$(stat -c %s "$F")" "$F"
check_eq "truncate to the same size exits 0" 0 "$RC"
check_file_bytes "truncate to the same size: bytes unchanged" "$F" "$W/cur.xml"
expect_unchanged "truncate to the same size: no commit" staging trunc1
tfs_run truncate -s 0 "$F"
check_true "truncate -s 0 of an object fails (an empty document is no object)" \
	"exit $RC" "$RC" -ne 0
check_file_bytes "truncate -s 0: bytes unchanged" "$F" "$W/cur.xml"
expect_unchanged "truncate -s 0: no commit" staging trunc1

# >> onto an existing object makes it invalid: refused, nothing changes
printf '<Form name="Incident.Default"/>\n' >"$W/extra.xml"
tfs_run bash -c 'cat "$1" >>"$2"' _ "$W/extra.xml" "$F"
check_true "cat >> an existing object (content after the root) fails" \
	"exit $RC" "$RC" -ne 0
check_file_bytes "cat >>: bytes unchanged" "$F" "$W/cur.xml"
expect_unchanged "cat >>: no commit" staging trunc1

# A save of identical bytes changes nothing
snap staging same
cp "$F" "$W/same.xml"
check "cp of the unchanged Form onto itself succeeds" cp "$W/same.xml" "$F"
check_file_bytes "unchanged save: bytes unchanged" "$F" "$W/cur.xml"
expect_unchanged "unchanged save: no history line, no commit" staging same

# ---- create with cat > (no guid: one gets assigned), with >>, rm
NEW=$FD/Incident.TfsNew.xml
printf '<Form name="Incident.TfsNew" businessObject="Incident">\n  <FieldRef name="Priority"/>\n</Form>\n' >"$W/new.xml"
snap staging new
tfs_run bash -c 'cat >"$1" <"$2"' _ "$NEW" "$W/new.xml"
check_eq "cat > creates a new Form referencing Incident" 0 "$RC"
check_match "the new Form got a guid, attributes name guid businessObject" \
	'^<Form name="Incident\.TfsNew" guid="[^"]+" businessObject="Incident">$' \
	"$(root_line "$NEW" 2>&1)"
check_match "the new Form keeps its FieldRef" '^  <FieldRef name="Priority"' \
	"$(cat "$NEW" 2>&1)"
check_ne "the new Form's guid is its own" "$(attr guid "$F")" "$(attr guid "$NEW")"
check_size_matches "the new Form: stat -c %s equals cat | wc -c" "$NEW"
check_match "ls shows the new Form" '^Incident\.TfsNew\.xml$' "$(ls "$FD")"
check_sorted "the Form directory still lists sorted" "$FD"
expect_one_commit "create: one history line, one commit, one transaction set" \
	staging new "metadata/Form/Incident.TfsNew.xml"
check_documents "the Form directory is canonical after the create" "$FD" metadata

APP=$FD/Incident.TfsAppend.xml
sed 's/Incident\.TfsNew/Incident.TfsAppend/' "$W/new.xml" >"$W/app.xml"
snap staging app
tfs_run bash -c 'cat "$1" >>"$2"' _ "$W/app.xml" "$APP"
check_eq "cat >> creates a new Form" 0 "$RC"
check_match "the >> Form is stored with a guid" \
	'^<Form name="Incident\.TfsAppend" guid="[^"]+"' "$(root_line "$APP" 2>&1)"
expect_one_commit ">> create: one history line, one commit, one transaction set" \
	staging app "metadata/Form/Incident.TfsAppend.xml"

snap staging rm
check "rm of an object succeeds" rm "$APP"
check "rm: the object is gone (stat fails)" test ! -e "$APP"
check_nomatch "rm: ls no longer shows it" 'TfsAppend' "$(ls "$FD")"
expect_one_commit "rm: one history line, one commit, one transaction set" \
	staging rm "metadata/Form/Incident.TfsAppend.xml"
check_nomatch "rm: the object is not in the branch's tree" 'TfsAppend' \
	"$(tfs_git ls-tree -r --name-only acme/staging)"

# ---- mv of an object to another object name: refused, or a real rename
REN=$FD/Incident.TfsRenamed.xml
cp "$NEW" "$W/beforemv.xml"
snap staging mv
tfs_run mv "$NEW" "$REN"
if [ "$RC" -ne 0 ]; then
	note "mv Incident.TfsNew.xml Incident.TfsRenamed.xml refused: $ERR"
	check_file_bytes "refused rename: the object is unchanged" "$NEW" "$W/beforemv.xml"
	check "refused rename: no new name" test ! -e "$REN"
	expect_unchanged "refused rename: no commit" staging mv
else
	check "rename: the old name is gone" test ! -e "$NEW"
	check_eq "rename: the object's name attribute follows its file name" \
		"Incident.TfsRenamed" "$(attr name "$REN")"
	check_eq "rename: the guid stays" "$(attr guid "$W/beforemv.xml")" "$(attr guid "$REN")"
	check_ne "rename: history has the change" "$(cat "$TFS_TMP/snap/mv/ghead")" \
		"$(git_head staging)"
fi

# ---- other kinds of objects
for r in "validation/$(first_obj "$STG/validation")" \
	"master/$(ls "$STG/master" | head -n 1)/$(first_obj "$STG/master/$(ls "$STG/master" | head -n 1)")"; do
	snap staging "$r"
	if prime staging "$r" tfsOther; then
		ok "cp of a changed $r succeeds"
		expect_one_commit "$r: one history line, one commit, one transaction set" \
			staging "$r" "$r"
	fi
done

# settings with a secret: it stays *** when saved unchanged or changed
SEC=$(grep -rlE '([Pp]assword|[Aa]pi[Kk]ey)="\*\*\*"' "$STG/settings" | head -n 1)
if [ -z "$SEC" ]; then
	not_ok "settings hold a secret shown as ***" "grep found none"
else
	SR=$(rel "$SEC")
	secattrs() { grep -oE '[A-Za-z]*([Pp]assword|[Ss]ecret|[Aa]pi[Kk]ey)="[^"]*"' "$1"; }
	s0=$(secattrs "$SEC")
	cp "$SEC" "$W/sec.xml"
	snap staging sec0
	check "saving $SR unchanged succeeds" cp "$W/sec.xml" "$SEC"
	check_eq "saved unchanged, its secrets still read ***" "$s0" "$(secattrs "$SEC")"
	check_file_bytes "saved unchanged, its bytes are unchanged" "$SEC" "$W/sec.xml"
	expect_unchanged "saved unchanged: no commit" staging sec0
	snap staging sec1
	if prime staging "$SR" tfsSecret; then
		ok "saving $SR with a changed description succeeds"
		check_eq "changed, its secrets still read ***" "$s0" "$(secattrs "$SEC")"
		expect_one_commit "$SR: one history line, one commit, one transaction set" \
			staging sec1 "$SR"
	fi
fi

# transactional data is stored but not versioned
DBO=$(ls "$STG/data" | head -n 1)
DR=data/$DBO/$(first_obj "$STG/data/$DBO")
snap staging data
if prime staging "$DR" tfsData; then
	ok "cp of a changed $DR succeeds"
	check_eq "data/ is not versioned: no commit for a record change" \
		"$(cat "$TFS_TMP/snap/data/ghead")" "$(git_head staging)"
	check_eq "data/ is not versioned: no history line for a record change" \
		"$(cat "$TFS_TMP/snap/data/hlog")" "$(cat "$STG/history/log")"
	ts=$(tset_list staging | comm -13 "$TFS_TMP/snap/data/tsets" -)
	[ -z "$ts" ] || note "a data record change made a transaction set: $ts"
fi

# ---- afterwards
check_eq "an untouched object keeps its mtime" "$other_mtime" "$(stat -c %Y "$OTHER")"
check_eq "no temporary name in history/log" "" "$(hist_messages staging | grep -E "$TEMP_RE")"
check_eq "no temporary name in git ls-tree acme/staging" "" \
	"$(tfs_git ls-tree -r --name-only acme/staging | grep -vE '\.xml$' | head -n 5)"
check_eq "no temporary file left in the Form directory" "" \
	"$(ls -A "$FD" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"

tfs_done
