#!/bin/bash
# test_reject.sh: bad saves are refused. A malformed document (cp bad.xml,
# printf '<Form' | tee), a name that does not match the file, a wrong root
# element, dangling references, an unknown key in instance.conf: the writing
# command exits non-zero (EINVAL / EBADMSG), the bytes (read at once, so no
# stale page cache either), the history and the transaction sets stay as
# they were, and the reason goes to the instance's log and to events. The
# same saves through a shell builtin (echo '<Form' > file), whose close
# errors the shell ignores, change nothing either. An attribute the object
# schema does not know (engine/SCHEMA.md, "5 Rules common to every
# element"; by cp, by sed -i, in a package dropped into apply/) and a
# description past 64 KiB are refused the same way (issue 15).
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

re_esc() { printf '%s' "$1" | sed 's/[][\.^$*+?(){}|]/\\&/g'; }

F=$(obj staging metadata/Form/Incident.Default.xml)
FN=$(objname "$F")
FD=$(dirname "$F")
CONF=$STG/instance.conf
BOF=$STG/metadata/BusinessObject/Incident.xml
cp "$BOF" "$W/bo-orig.xml"
cp "$F" "$W/orig.xml"
ERRNO_RE='Invalid argument|Bad message'

# unchanged LABEL DESC: F's bytes (and size), history and transaction sets
# are as before, and the reason was logged.
unchanged()
{
	check_file_bytes "$2: the Form's bytes are unchanged" "$F" "$W/orig.xml"
	expect_unchanged "$2: no history line, commit or transaction set" staging "$1"
	expect_logged "$2: the reason is in the instance's log and in events" \
		staging "$1" "$3"
	restore
}

# restore: puts back what a wrongly accepted save changed, so that one
# failure does not spoil the checks after it.
restore()
{
	if ! cmp -s "$W/orig.xml" "$F"; then
		note "restoring the Form after a wrongly accepted save"
		cp "$W/orig.xml" "$F" 2>/dev/null || note "... and could not"
	fi
	rm -f "$FD/Incident.TfsDangling.xml" 2>/dev/null
	if [ -f "$W/bo-orig.xml" ] && ! cmp -s "$W/bo-orig.xml" "$BOF" 2>/dev/null; then
		note "restoring the business object after a wrongly accepted rm"
		cp "$W/bo-orig.xml" "$BOF" 2>/dev/null || note "... and could not"
	fi
}

# ---- cp of a malformed document
head -c 60 "$W/orig.xml" >"$W/bad.xml"
snap staging cpbad
check_err "cp bad.xml (truncated XML) onto the Form fails with EINVAL/EBADMSG" \
	"$ERRNO_RE" cp "$W/bad.xml" "$F"
unchanged cpbad "cp bad.xml" "$FN"

# ---- printf '<Form' | tee
snap staging tee
printf '<Form' | tee "$F" >/dev/null 2>"$W/tee.err"
rc=${PIPESTATUS[1]}
check_true "printf '<Form' | tee Form exits non-zero" "exit $rc: $(cat "$W/tee.err")" "$rc" -ne 0
unchanged tee "printf '<Form' | tee" "$FN"

# ---- cat > with bad content (cat reports the close error)
snap staging catbad
tfs_run bash -c 'printf "<Form name=\"%s\">\n  <Unclosed>\n</Form>\n" "$2" | cat >"$1"' _ "$F" "$FN"
check_true "cat > with mismatched tags exits non-zero" "exit $RC" "$RC" -ne 0
unchanged catbad "cat > mismatched tags" "$FN"

# ---- a name that does not match the file
sed "0,/name=\"$FN\"/s//name=\"$FN.Other\"/" "$W/orig.xml" >"$W/misnamed.xml"
snap staging name
check_err "cp of a document whose name does not match the file fails" \
	"$ERRNO_RE" cp "$W/misnamed.xml" "$F"
unchanged name "name mismatch" "name"

# ---- wrong root element for the directory
sed -e '0,/<Form /s//<Grid /' -e 's#</Form>#</Grid>#' "$W/orig.xml" >"$W/grid.xml"
snap staging root
check_err "cp of a <Grid> document into metadata/Form/ fails" "$ERRNO_RE" cp "$W/grid.xml" "$F"
unchanged root "wrong root element" "$FN"

# ---- dangling references
sed '0,/<FieldRef name="[^"]*"/s//<FieldRef name="NoSuchField"/' "$W/orig.xml" >"$W/field.xml"
snap staging fieldref
check_err "a FieldRef to a field Incident lacks is refused" "$ERRNO_RE" cp "$W/field.xml" "$F"
unchanged fieldref "dangling FieldRef" "NoSuchField|$FN"
sed '0,/businessObject="Incident"/s//businessObject="NoSuchBO"/' "$W/orig.xml" >"$W/bo.xml"
snap staging boref
check_err "businessObject naming no business object is refused" "$ERRNO_RE" cp "$W/bo.xml" "$F"
unchanged boref "dangling businessObject" "NoSuchBO|$FN"
NEWF=$FD/Incident.TfsDangling.xml
printf '<Form name="Incident.TfsDangling" businessObject="NoSuchBO">\n</Form>\n' >"$W/dangling.xml"
snap staging newdangling
check_err "creating a Form for a missing business object fails" "$ERRNO_RE" \
	cp "$W/dangling.xml" "$NEWF"
check "the refused new Form does not exist" test ! -e "$NEWF"
expect_unchanged "refused create: no commit" staging newdangling
restore

# ---- not UTF-8; entities are not expanded
printf '<Form name="%s" businessObject="Incident" description="caf\351">\n</Form>\n' "$FN" >"$W/latin1.xml"
snap staging utf8
check_err "a document that is not UTF-8 is refused" "$ERRNO_RE" cp "$W/latin1.xml" "$F"
unchanged utf8 "not UTF-8" "$FN"
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE Form [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
	sed "0,/<Form name=\"$FN\"/s//<Form name=\"$FN\" description=\"\&x;\"/" "$W/orig.xml"
} >"$W/xxe.xml"
snap staging xxe
tfs_run cp "$W/xxe.xml" "$F"
check_nomatch "an external entity is never expanded into the object" 'root:' "$(cat "$F")"
check_nomatch "an external entity is never expanded into history" 'root:' \
	"$(tfs_git log -p -3 acme/staging 2>/dev/null)"
restore

# ---- truncate -s 0
snap staging trunc
check_fails "truncate -s 0 of the Form fails" truncate -s 0 "$F"
unchanged trunc "truncate -s 0" "$FN"

# ---- rm of a business object that forms still reference
snap staging rmbo
check_fails "rm of the Incident business object (forms reference it) fails" rm "$BOF"
check_file_bytes "the referenced business object is still there" "$BOF" "$W/bo-orig.xml"
expect_unchanged "refused rm: no commit" staging rmbo
restore

# ---- instance.conf
# The conf changes on its own (last_update follows every save), so each
# bad conf is made from the current one, right before it is written.
fresh() { cat "$CONF" >"$W/orig.conf"; }
conf_rejected()
{
	check_file_bytes "$1: instance.conf is unchanged" "$CONF" "$W/orig.conf"
	expect_unchanged "$1: no history line, commit or transaction set" staging "$2"
	expect_logged "$1: the reason is in the instance's log and in events" staging "$2" "$3"
}
fresh
{ cat "$W/orig.conf"; echo "bogus_key = 1"; } >"$W/unknown.conf"
snap staging unknown
check_err "cp instance.conf with an unknown key fails" "$ERRNO_RE" cp "$W/unknown.conf" "$CONF"
conf_rejected "unknown key" unknown "bogus_key"
fresh
sed -E 's/^(session_timeout[[:space:]]*=).*/\1 abc/' "$W/orig.conf" >"$W/badval.conf"
snap staging badval
check_err "instance.conf with session_timeout = abc fails" "$ERRNO_RE" cp "$W/badval.conf" "$CONF"
conf_rejected "bad value" badval "session_timeout"
fresh
sed -E 's/^(version[[:space:]]*=).*/\1 987/' "$W/orig.conf" >"$W/ro.conf"
snap staging rokey
tfs_run cp "$W/ro.conf" "$CONF"
check_true "instance.conf with a new value for read-only version fails" "exit $RC" "$RC" -ne 0
conf_rejected "read-only key" rokey "version"

# ---- attributes the object schema does not know, and values past their
# bound (issue 15; engine/SCHEMA.md, sections 3 and 5): refused, not stored
sed "0,/<Form name=\"$FN\"/s//<Form name=\"$FN\" tfsColour=\"red\"/" \
	"$W/orig.xml" >"$W/unknown-attr.xml"
check "the test's document carries the unknown attribute" \
	grep -q 'tfsColour="red"' "$W/unknown-attr.xml"
snap staging unkcp
check_err "cp of a Form with an unknown attribute fails with EINVAL/EBADMSG" \
	"$ERRNO_RE" cp "$W/unknown-attr.xml" "$F"
unchanged unkcp "cp, unknown attribute" \
	"Form '$(re_esc "$FN")': unknown attribute tfsColour"
check_match "the log names the line, the element and the attribute" \
	"line [0-9]+: Form '$(re_esc "$FN")': unknown attribute tfsColour" \
	"$(cat "$STG/log")"
snap staging unksed
check_fails "sed -i adding an unknown attribute to a Field ref fails" \
	sed -i '0,/<FieldRef name="\([^"]*\)"/s//<FieldRef name="\1" tfsWidth="3"/' "$F"
unchanged unksed "sed -i, unknown attribute" "FieldRef '[^']*': unknown attribute tfsWidth"
with_desc "$W/orig.xml" "$(head -c 70000 /dev/zero | tr '\0' x)" >"$W/long-desc.xml"
snap staging longdesc
check_err "cp of a Form whose description is 70,000 bytes fails" \
	"$ERRNO_RE" cp "$W/long-desc.xml" "$F"
unchanged longdesc "description past 64 KiB" "attribute description is longer than 65536 bytes"
# a package (apply/) carrying the object is rejected with the seq
python3 - "$W/unknown-attr.xml" "$F" "$W/tfsUnknownAttr.xml" <<'PYEOF'
import hashlib, re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
doc = re.sub(r"^<\?xml[^>]*\?>\s*", "", doc)
base = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
open(sys.argv[3], "w", encoding="utf-8").write(
    '<package format="1" name="tfsUnknownAttr" type="incremental" '
    'state="closed">\n<transaction-set id="1" project="default" '
    'user="admin" created="2026-11-22T10:00:00Z">\n<transaction seq="5" '
    'op="U" path="metadata/Form/%s.xml" base="%s">\n%s</transaction>\n'
    '</transaction-set>\n</package>\n'
    % (re.search(r'name="([^"]*)"', doc).group(1), base, doc))
PYEOF
snap staging unkpkg
check_fails "apply/ of a package whose Form has an unknown attribute fails" \
	cp "$W/tfsUnknownAttr.xml" "$STG/apply/"
check_match "its result names the seq, the path and the attribute" \
	"^error seq=5: metadata/Form/$(re_esc "$FN").xml: .*unknown attribute tfsColour" \
	"$(cat "$STG/apply/tfsUnknownAttr.xml.result" 2>&1)"
check_file_bytes "the package left the Form unchanged" "$F" "$W/orig.xml"
expect_unchanged "the package made no commit or transaction set" staging unkpkg
restore

# ---- the same bad saves through shell builtins: nothing changes
snap staging echo1
echo '<Form' >"$F"
unchanged echo1 "echo '<Form' > Form (builtin)" "$FN"
snap staging echo2
echo '<Form' >>"$F"
unchanged echo2 "echo '<Form' >> Form (builtin)" "$FN"
snap staging echo3
printf '%s\n' "$(cat "$W/misnamed.xml")" >"$F"
unchanged echo3 "printf misnamed > Form (builtin)" "name"
fresh
snap staging echo4
echo 'bogus_key = 1' >>"$CONF"
conf_rejected "echo 'bogus_key = 1' >> instance.conf (builtin)" echo4 "bogus_key"
fresh
snap staging echo5
echo 'status = nonsense' >"$CONF"
check_file_bytes "echo 'status = nonsense' > instance.conf (builtin): unchanged" "$CONF" "$W/orig.conf"

# ---- afterwards everything is still what it was
check_documents "the Form directory is still canonical" "$FD" metadata
check_eq "no stray file in the Form directory" "" \
	"$(ls -A "$FD" | grep -vE '^[A-Za-z0-9._#-]+\.xml$')"
check "diff -r staging/metadata production/metadata is still empty" \
	diff -r "$STG/metadata" "$PRD/metadata"

tfs_done
