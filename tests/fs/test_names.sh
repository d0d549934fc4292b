#!/bin/bash
# test_names.sh: names. Objects named with #, dots, _ and - (MyNewBO#,
# FRS_Knowledge.QandA) work; names with anything else (space, backslash,
# colon, non-ASCII, a leading dot) and editors' temporary files (4913,
# .x.swp, x~, sedXXXXXX) are refused or kept as temporary files, never
# stored as objects and never in history; symlinks, hard links and special
# files fail with ENOTSUP; a type directory cannot be made up.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
BOD=$STG/metadata/BusinessObject
FD=$STG/metadata/Form
F=$(obj staging metadata/Form/Incident.Default.xml)
cp "$F" "$W/form.xml"

bo()
{
	printf '<BusinessObject name="%s">\n  <Field name="Title" type="Text" length="100" nullable="true" unique="false" indexed="false"/>\n</BusinessObject>\n' "$1"
}

# ---- odd but valid names
bo 'MyNewBO#' >"$W/bo.xml"
snap staging bo
check "create business object MyNewBO# (cp)" cp "$W/bo.xml" "$BOD/MyNewBO#.xml"
check_match "ls shows MyNewBO#.xml" '^MyNewBO#\.xml$' "$(ls "$BOD")"
check_match "it reads back with its name and a guid" '^<BusinessObject name="MyNewBO#" guid="[^"]+"' \
	"$(root_line "$BOD/MyNewBO#.xml" 2>&1)"
expect_one_commit "MyNewBO#: one history line, one commit, one transaction set" staging bo \
	"metadata/BusinessObject/MyNewBO#.xml"
check_match "git ls-tree shows MyNewBO#.xml" 'BusinessObject/MyNewBO#\.xml$' \
	"$(tfs_git ls-tree -r --name-only acme/staging)"
printf '<Form name="MyNewBO#.Default" businessObject="MyNewBO#">\n  <FieldRef name="Title"/>\n</Form>\n' >"$W/boform.xml"
snap staging boform
check "create Form MyNewBO#.Default for it" cp "$W/boform.xml" "$FD/MyNewBO#.Default.xml"
expect_one_commit "MyNewBO#.Default: one commit" staging boform "metadata/Form/MyNewBO#.Default.xml"
check_sorted "BusinessObject/ lists sorted with the new names" "$BOD"

for n in FRS_Knowledge FRS_Knowledge.QandA; do
	if [ -f "$BOD/$n.xml" ]; then
		check_match "$n.xml (from the demo) reads with its name" "^<BusinessObject name=\"$n\"" \
			"$(root_line "$BOD/$n.xml")"
		check_size_matches "$n.xml: stat -c %s equals cat | wc -c" "$BOD/$n.xml"
	else
		bo "$n" >"$W/$n.xml"
		snap staging "$n"
		check "create business object $n" cp "$W/$n.xml" "$BOD/$n.xml"
		check_eq "$n.xml reads back named $n" "$n" "$(attr name "$BOD/$n.xml")"
		expect_one_commit "$n: one commit" staging "$n" "metadata/BusinessObject/$n.xml"
	fi
done
bo 'Odd-Name_1.x' >"$W/odd.xml"
check "a name with - _ . and digits (Odd-Name_1.x) is fine" cp "$W/odd.xml" "$BOD/Odd-Name_1.x.xml"

# ---- names that are not allowed: refused, or temporary; never stored
for n in 'bad name' 'back\slash' 'co:lon' 'Incid€nt' 'semi;colon' 'qu"ote' 'star*' '.Hidden'; do
	bo "$n" >"$W/badname.xml"
	snap staging bad
	tfs_run cp "$W/badname.xml" "$BOD/$n.xml"
	if [ "$RC" -ne 0 ]; then
		ok "'$n.xml' is refused ($(printf '%s' "$ERR" | sed 's/.*: //'))"
	else
		note "'$n.xml' was accepted as a temporary file"
		check "'$n.xml' (temporary) can be removed" rm "$BOD/$n.xml"
	fi
	expect_unchanged "'$n.xml' never becomes an object (no commit)" staging bad
	check_nomatch "'$n.xml' is not in git" "$(printf '%s' "$n" | sed 's/[].[*^$\\]/\\&/g')" \
		"$(tfs_git ls-tree -r --name-only acme/staging)"
	check "'$n.xml' is gone" test ! -e "$BOD/$n.xml"
done
bo 'MyNewBO#' >"$W/slash.xml"
check_fails "a name with a slash cannot be made (no such directory)" \
	cp "$W/slash.xml" "$BOD/My/NewBO.xml"

# ---- temporary files of editors and tools
snap staging tmp
for t in 4913 .Incident.Default.xml.swp .Incident.Default.xml.swx Incident.Default.xml~ \
	sedX1y2Z3 .Incident.Default.xml.AbC123 Incident.Default.xml.tmp '#Incident.Default.xml#'; do
	check "temporary $t: create" cp "$W/form.xml" "$FD/$t"
	check_file_bytes "temporary $t: reads back what was written" "$FD/$t" "$W/form.xml"
	check "temporary $t: append" bash -c 'echo "junk <" >>"$1"' _ "$FD/$t"
	check "temporary $t: rm" rm "$FD/$t"
	check "temporary $t: gone" test ! -e "$FD/$t"
done
check "a temporary file may hold anything (cp /bin/true)" cp /bin/true "$FD/4913"
check "and be renamed to another temporary name" mv "$FD/4913" "$FD/4914~"
check "and removed" rm "$FD/4914~"
expect_unchanged "temporary files: no history line, commit or transaction set" staging tmp
check_eq "no temporary name in history/log" "" "$(hist_messages staging | grep -E "$TEMP_RE|AbC123")"
check_eq "git ls-tree holds only *.xml objects" "" \
	"$(tfs_git ls-tree -r --name-only acme/staging | grep -vE '(^|/)[A-Za-z0-9._#-]+\.xml$')"
check_eq "no temporary file left" "" "$(ls -A "$FD" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"
check "the Form is unchanged" cmp "$W/form.xml" "$F"

# editor backup by rename: mv x x~, write x, rm x~ (vim with backupcopy=no)
snap staging bak
with_desc "$W/form.xml" tfsBak >"$W/bak.xml"
tfs_run bash -c 'mv "$1" "$1~" && cat "$2" >"$1" && rm "$1~"' _ "$F" "$W/bak.xml"
check_eq "mv x x~; cat > x; rm x~ succeeds" 0 "$RC"
check "the Form exists afterwards" test -f "$F"
check_match "the Form has the new content" 'description="tfsBak"' "$(root_line "$F" 2>&1)"
check_eq "the Form keeps its guid" "$(attr guid "$W/form.xml")" "$(attr guid "$F")"
check_true "history gained one or two commits, never a trace of the ~ name" \
	"$(hist_lines staging) lines now" "$(hist_lines staging)" -gt "$(grep -c . "$TFS_TMP/snap/bak/hlog")"
check_eq "no ~ name in history or git" "" \
	"$(hist_messages staging | grep '~'; tfs_git log --format= --name-only acme/staging | grep '~')"
if [ ! -f "$F" ]; then
	note "the Form is gone after the backup-by-rename dance; putting it back"
	cp "$W/bak.xml" "$F" 2>/dev/null
fi
tfs_run env HOME="$TFS_TMP/home" vim -es -c 'set nobackup writebackup backupcopy=no' \
	-c '%s/tfsBak/tfsBakVim/' -c wq "$F"
check_eq "vim with backupcopy=no (rename the original away) saves" 0 "$RC"
check_match "... the Form has vim's change" 'description="tfsBakVim"' "$(root_line "$F")"
check_eq "... and leaves no ~ file" "" "$(ls -A "$FD" | grep '~$')"
[ -f "$F" ] || cp "$W/bak.xml" "$F" 2>/dev/null
S=$(obj staging metadata/Search/Incident.MyOpenIncidents.xml)

# ---- links and special files
check_err "ln -s fails with ENOTSUP" 'Operation not supported' ln -s Incident.Default.xml "$FD/Link.xml"
check_err "ln (hard link) fails with ENOTSUP" 'Operation not supported' ln "$S" "$FD/Hard.xml"
check_err "mkfifo fails with ENOTSUP" 'Operation not supported' mkfifo "$FD/Fifo.xml"
check_err "mknod of a socket fails with ENOTSUP" 'Operation not supported' python3 -c \
	'import os, stat, sys; os.mknod(sys.argv[1], stat.S_IFSOCK | 0o644)' "$FD/Node.xml"
check_err "ln -s of a temporary name fails with ENOTSUP" 'Operation not supported' ln -s x "$FD/4913"
check "none of them exists" test ! -e "$FD/Link.xml" -a ! -e "$FD/Hard.xml" -a ! -e "$FD/Fifo.xml" -a ! -e "$FD/Node.xml"

# ---- no made-up directories
check_fails "mkdir metadata/NoSuchType fails" mkdir "$STG/metadata/NoSuchType"
check_fails "mkdir metadata/Form/sub fails" mkdir "$FD/sub"
check_fails "a file directly in metadata/ fails" cp "$W/form.xml" "$STG/metadata/Incident.Default.xml"
check_fails "rmdir metadata/Form fails" rmdir "$FD"
check_fails "rmdir of an instance's metadata/ fails" rmdir "$STG/metadata"
check_eq "metadata/ still has exactly the 22 type directories" \
	"$(sorted_words "$METADATA_TYPES")" "$(ls "$STG/metadata")"

tfs_done
