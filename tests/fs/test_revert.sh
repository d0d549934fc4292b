#!/bin/bash
# test_revert.sh: `echo N > revert` undoes commit N as one new commit by
# admin and restores the object's earlier bytes at once (even right after
# the object was read, so nothing stale is cached), leaves other changes
# alone, undoes creates and deletes, and refuses (revert.result, nothing
# changed) when a later commit touched the same object or N is no commit.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
S=$(obj staging metadata/Search/Incident.MyOpenIncidents.xml)
REV=$STG/revert
RES=$STG/revert.result
cp "$F" "$W/f0.xml"

# edit FILE LABEL VALUE: sed -i the root description, expect one commit.
edit()
{
	snap staging "$2"
	check "sed -i $(rel "$1") ($3)" sed -i "$(sed_desc "$1" "$3")" "$1"
	expect_one_commit "$3: one commit" staging "$2" "$(rel "$1")"
}

result_head() { head -n 1 "$RES" 2>/dev/null; }

# ---- revert an earlier commit; a later commit on another object stays
edit "$F" a tfsRevA
NA=$(hist_top_n staging)
cp "$F" "$W/fa.xml"
edit "$S" b tfsRevB
cp "$S" "$W/sb.xml"

cat "$F" >/dev/null
stat "$F" >/dev/null
snap staging rev1
echo "$NA" >"$REV"
check_file_bytes "echo $NA > revert: the Form has its earlier bytes at once (after a cat)" \
	"$F" "$W/f0.xml"
expect_one_commit "revert: one new commit by admin" staging rev1 "$FR"
check_file_bytes "revert: the later change to the Search stays" "$S" "$W/sb.xml"
check_nomatch "revert.result does not say it failed" '^(rejected|failed|conflict)' \
	"$(result_head)"
check "diff -r staging/metadata production/metadata shows only the Search now" \
	test "$(diff -rq "$STG/metadata" "$PRD/metadata" | wc -l)" = 1
tfs_git show "acme/staging:$(tfs_git ls-tree -r --name-only acme/staging |
	grep -E "(^|/)$FR\$")" >"$W/git-f.xml" 2>&1
check "git's tree agrees with the reverted Form" cmp "$W/f0.xml" "$W/git-f.xml"

# ---- refuse when a later commit touched the same object
edit "$F" c tfsRevC
NC=$(hist_top_n staging)
edit "$F" d tfsRevD
ND=$(hist_top_n staging)
cp "$F" "$W/fd.xml"
snap staging rev2
echo "$NC" >"$REV"
check_file_bytes "echo $NC > revert (commit $ND changed the Form since): the Form is unchanged" \
	"$F" "$W/fd.xml"
expect_unchanged "refused revert: no history line, commit or transaction set" staging rev2
check_match "revert.result's first line is one word saying it was refused" \
	'^(rejected|failed|conflict|refused)$' "$(result_head)"
check_match "revert.result names the object or the later commit" \
	"Incident\\.Default|(^|[^0-9])$ND([^0-9]|\$)" "$(cat "$RES" 2>&1)"
tfs_run bash -c 'printf "%s\n" "$1" >"$2"' _ "$NC" "$REV"
[ "$RC" -ne 0 ] && note "a refused revert also fails the write (exit $RC): good"

# ---- revert a create and a delete
NEW=$STG/metadata/Form/Incident.TfsRev.xml
printf '<Form name="Incident.TfsRev" businessObject="Incident">\n  <FieldRef name="Priority"/>\n</Form>\n' >"$W/new.xml"
snap staging create
check "create a Form" cp "$W/new.xml" "$NEW"
expect_one_commit "create: one commit" staging create "metadata/Form/Incident.TfsRev.xml"
NN=$(hist_top_n staging)
cp "$NEW" "$W/created.xml"
snap staging revcreate
echo "$NN" >"$REV"
check "revert of the create: the Form is gone at once" test ! -e "$NEW"
check_nomatch "revert of the create: ls no longer shows it" 'TfsRev' "$(ls "$STG/metadata/Form")"
expect_one_commit "revert of the create: one commit" staging revcreate \
	"metadata/Form/Incident.TfsRev.xml"
NR=$(hist_top_n staging)
snap staging revdelete
echo "$NR" >"$REV"
check_file_bytes "revert of that revert: the Form is back, same bytes and guid" \
	"$NEW" "$W/created.xml"
expect_one_commit "revert of the revert: one commit" staging revdelete \
	"metadata/Form/Incident.TfsRev.xml"
snap staging rm
check "rm the Form" rm "$NEW"
NDEL=$(hist_top_n staging)
snap staging revrm
echo "$NDEL" >"$REV"
check_file_bytes "revert of an rm: the Form is back with its bytes" "$NEW" "$W/created.xml"
check_match "revert of an rm: ls shows it again" '^Incident\.TfsRev\.xml$' \
	"$(ls "$STG/metadata/Form")"
expect_one_commit "revert of an rm: one commit" staging revrm "metadata/Form/Incident.TfsRev.xml"
check_size_matches "revert of an rm: stat -c %s equals cat | wc -c" "$NEW"

# ---- nonsense
cp "$F" "$W/fnow.xml"
snap staging bad
echo 99999 >"$REV"
check_match "echo 99999 > revert: revert.result says it was refused" \
	'^(rejected|failed|conflict|refused)$' "$(result_head)"
echo abc >"$REV"
echo 0 >"$REV"
echo -1 >"$REV"
check_file_bytes "revert of no commit / garbage: the Form is unchanged" "$F" "$W/fnow.xml"
expect_unchanged "revert of no commit / garbage: no commit" staging bad
check_fails "a tool that reports close errors sees printf 99999 > revert fail" \
	bash -c 'printf "99999\n" | cat >"$1"' _ "$REV"

tfs_done
