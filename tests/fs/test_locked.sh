#!/bin/bash
# test_locked.sh: production and uat are metadata-locked. Their metadata is
# read-only (EROFS, "Read-only file system") except quick actions,
# dashboards, searches and reports, which stay editable; refused writes
# change nothing and leave no temporary file behind.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
RO='Read-only file system'

for in in production uat; do
	I=$(inst "$in")
	F=$(obj "$in" metadata/Form/Incident.Default.xml)
	cp "$F" "$W/$in-form.xml"
	snap "$in" sedform
	check_err "$in: sed -i on a Form fails with 'Read-only file system'" "$RO" \
		sed -i "$(sed_desc "$F" tfsLocked)" "$F"
	check_file_bytes "$in: the Form is unchanged" "$F" "$W/$in-form.xml"
	expect_unchanged "$in: no history line, commit or transaction set" "$in" sedform
	check_eq "$in: no sedXXXXXX file left in metadata/Form" "" \
		"$(ls -A "$I/metadata/Form" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"
done

I=$PRD
F=$(obj production metadata/Form/Incident.Default.xml)
FD=$(dirname "$F")
BO=$(obj production metadata/BusinessObject/Incident.xml)
cp "$F" "$W/form.xml"
cp "$BO" "$W/bo.xml"
with_desc "$F" tfsLocked >"$W/form2.xml"
snap production ro
check_err "production: cp onto a Form fails with EROFS" "$RO" cp "$W/form2.xml" "$F"
check_err "production: cp onto a business object fails with EROFS" "$RO" cp "$W/form2.xml" "$BO"
check_err "production: cat > Form fails with EROFS" "$RO" bash -c 'cat "$1" >"$2"' _ "$W/form2.xml" "$F"
check_err "production: truncate of a Form fails with EROFS" "$RO" truncate -s 0 "$F"
check_err "production: rm of a Form fails with EROFS" "$RO" rm "$F"
printf '<Form name="Incident.TfsLockedNew" businessObject="Incident">\n</Form>\n' >"$W/new.xml"
check_err "production: creating a Form fails with EROFS" "$RO" cp "$W/new.xml" "$FD/Incident.TfsLockedNew.xml"
check "production: the refused new Form does not exist" test ! -e "$FD/Incident.TfsLockedNew.xml"
tfs_run bash -c 'cp "$1" "$2.tmp" && mv "$2.tmp" "$2"' _ "$W/form2.xml" "$F"
check_true "production: cp to a temp name + mv over the Form fails" "exit $RC" "$RC" -ne 0
check_match "production: ... with 'Read-only file system'" "$RO" "$ERR"
rm -f "$F.tmp" 2>/dev/null
check_fails "production: vim -es on a Form fails to write" \
	env HOME="$TFS_TMP/home" vim -es -c '%s/<Form /<Form description="v" /' -c wq "$F"
{ echo '<Form' >"$F"; } 2>/dev/null
check_file_bytes "production: the Form is unchanged after all that" "$F" "$W/form.xml"
check_file_bytes "production: the business object is unchanged" "$BO" "$W/bo.xml"
expect_unchanged "production: no history line, commit or transaction set" production ro
check_eq "production: no temporary file left in metadata/Form" "" \
	"$(ls -A "$FD" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"

# ---- searches, quick actions, dashboards, reports stay editable
S=$(obj production metadata/Search/Incident.MyOpenIncidents.xml)
snap production search
check "production: sed -i on a Search succeeds" sed -i "$(sed_desc "$S" tfsLockedSearch)" "$S"
check_match "production: the Search carries the change" 'description="tfsLockedSearch"' \
	"$(root_line "$S")"
check_size_matches "production: the Search's size is exact" "$S"
expect_one_commit "production: one history line, one commit on acme/production, one transaction set" \
	production search "$(rel "$S")"
for t in QuickAction Dashboard Report; do
	o=$(first_obj "$I/metadata/$t")
	snap production "$t"
	if prime production "metadata/$t/$o" "tfsLocked$t"; then
		ok "production: a $t stays editable (cp)"
		expect_one_commit "production: $t: one commit" production "$t" "metadata/$t/$o"
	fi
done

# ---- staging is not locked: the same sed -i works there
F=$(obj staging metadata/Form/Incident.Default.xml)
snap staging sed
check "staging: sed -i on the same Form succeeds" sed -i "$(sed_desc "$F" tfsUnlocked)" "$F"
expect_one_commit "staging: one commit" staging sed "$(rel "$F")"
check_eq "the production Form is still unchanged" "" "$(diff "$W/form.xml" "$PRD/metadata/Form/$(basename "$F")")"

tfs_done
