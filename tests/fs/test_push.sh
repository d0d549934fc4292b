#!/bin/bash
# test_push.sh: INTERFACE.md (v2) "Push migrations", the rules and
# copy-to-replace, on the demo tenant acme (three-tier group DEMO,
# development project enabled).
#
#  - the demo's versions (production 0, staging 1, uat 1);
#  - bad requests (unknown key, operation, mode, backup, option value, a
#    line without "=", an empty file, no source, a source that does not
#    exist, the target as its own source): cp fails, rejected with a
#    reason, nothing changed (diff -r of every directory, instance.conf,
#    history, git, no Sandbox event);
#  - equal versions are refused; no-op raises the version only (no object
#    changes, one commit, Sandbox/NoOp) and so opens the path; a path the
#    group lacks (uat -> staging) is refused; staging -> production only
#    while production is at version 0; with the development project
#    enabled the configuration operations are refused with the reason;
#  - copy-to-replace production -> staging after edits in staging:
#    afterwards diff -r of metadata, validation, settings and data against
#    production is empty, and of master/ too but for the Employees'
#    Disabled field (the contract only names keep_users_enabled), the git
#    trees of metadata, validation and settings are equal, staging's
#    version + 1 (a no-op first where the two versions are equal),
#    Sandbox/Replace, production untouched;
#  - its options: scrub_user_email (every address in master/ moves to
#    it.com, nothing else changes), scrub_other_email (the same in data/),
#    trim_days = 90 (exactly the records neither created nor modified in
#    the last 90 days are gone; those a newer record links to are told
#    apart), keep_users_enabled (a user enabled in staging stays enabled
#    though production's is disabled: the guide's "keep existing users
#    enabled in the target"), shrink;
#  - mode = preview (push/<name>.diff, which patch applies to a copy of
#    the target to give what the same push carried out gives, with a
#    count line for data; nothing changed) and mode = save (the
#    request stays as push/<name>; writing it again runs it).
# shellcheck disable=SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=push_lib.sh
. "$(dirname "$0")/push_lib.sh"
tfs_setup
cd "$W" || exit 1

# ------------------------------------------------------------ the demo
check_eq "demo v2: versions production 0, staging 1, uat 1" "0 1 1" \
	"$(ver production) $(ver staging) $(ver uat)"
check "ls push/ works (an empty drop directory)" ls "$STG/push"
check_eq "push/ is empty" "" "$(ls -A "$STG/push" 2>&1)"
# uat is a copy of production; staging too, but for its translators'
# later edits (translations/: copy-translation's material).
check_eq "uat: git's tree equals production's (the demo's copy)" \
	"$(gtree production)" "$(gtree uat)"
for d in metadata validation settings master; do
	check_eq "staging: $d/ in git equals production's" \
		"$(tfs_git rev-parse "acme/production:$d")" \
		"$(tfs_git rev-parse "acme/staging:$d")"
done
check "staging's translations differ from production's" \
	test "$(tfs_git rev-parse acme/production:translations)" != \
	"$(tfs_git rev-parse acme/staging:translations)"

# ------------------------------------------------------- bad requests
# The base request would be carried out (production -> staging,
# copy-master-data is allowed with the development project); each
# variant breaks one thing.
bad_request()
{
	local name=$1 re=$2
	psnap staging bad # each one on its own: one carried out spoils no other
	push staging "$name"
	expect_refused "bad request $name ($3)" staging bad "$re"
}
req b-key.conf source=production operation=copy-master-data \
	master=user-only colour=blue
bad_request b-key.conf colour "unknown key colour"
req b-op.conf source=production operation=copy-everything
bad_request b-op.conf 'copy-everything|operation' "unknown operation"
req b-nosrc.conf operation=copy-master-data master=user-only
bad_request b-nosrc.conf source "no source"
req b-nowhere.conf source=nowhere operation=copy-master-data master=user-only
bad_request b-nowhere.conf nowhere "source does not exist"
req b-self.conf source=staging operation=copy-master-data master=user-only
bad_request b-self.conf 'source|same|itself|target' "source = target"
req b-mode.conf source=production operation=copy-master-data \
	master=user-only mode=later
bad_request b-mode.conf 'mode|later' "mode = later"
req b-backup.conf source=production operation=copy-master-data \
	master=user-only backup=sometimes
bad_request b-backup.conf 'backup|sometimes' "backup = sometimes"
req b-bo.conf source=production operation=copy-master-data \
	master='user-only NoSuchObject'
bad_request b-bo.conf NoSuchObject "master names a business object that does not exist"
req b-trim.conf source=production operation=copy-to-replace trim_days=-5
bad_request b-trim.conf 'trim_days|-5' "trim_days = -5"
req b-line.conf source=production operation=copy-master-data master=user-only
echo 'copy everything please' >>"$W/b-line.conf"
bad_request b-line.conf 'line|copy everything|=' "a line without ="
: >"$W/b-empty.conf"
bad_request b-empty.conf 'source|operation|empty' "an empty file"
rm -f "$STG/push/b-empty.conf" 2>/dev/null # if it stayed: the checks below start clean
req b-noop-opt.conf source=production operation=no-op trim_days=90
bad_request b-noop-opt.conf 'trim_days|option' "an option no-op does not take"

# ------------------------------------------------- versions and no-op
# the demo has staging and uat at the same version; if a push above was
# carried out where it should not have been, no-ops bring them level again
for _ in 1 2 3 4; do
	VS=$(ver staging)
	VU=$(ver uat)
	[ "$VS" = "$VU" ] && break
	note "staging at $VS, uat at $VU: a no-op to bring them level"
	if [ "$VU" -lt "$VS" ]; then
		req level.conf source=staging operation=no-op
		push uat level.conf
	else
		req level.conf source=production operation=no-op
		push staging level.conf
	fi
done
VS=$(ver staging)
VU=$(ver uat)
check_eq "staging and uat are at the same version" "$VS" "$VU"
psnap uat eq
req eq.conf source=staging operation=copy-master-data master=user-only
push uat eq.conf
expect_refused "staging -> uat at equal versions" uat eq 'version'

# the no-op opens the path
req noop.conf source=staging operation=no-op
push uat noop.conf
if expect_pushed "no-op staging -> uat" uat eq no-op staging Sandbox/NoOp; then
	check_eq "no-op: uat's git tree is the same (no object changed)" \
		"$(cat "$TFS_TMP/ps/eq/gtree")" "$(gtree uat)"
	check_eq "no-op: diff -r of every directory of uat is empty" "" "$(same_dirs uat eq)"
	for k in created updated deleted; do
		if printf '%s\n' "$RESULT" | grep -q "^$k:"; then
			check_eq "no-op: $k: 0" 0 "$(rfield "$k")"
		fi
	done
fi

# now staging -> uat is open: a master record reaches uat
EMP=$(ls "$STG/master/Employee" | head -n 1)
check_true "staging has master/Employee records" "got '$EMP'" -n "$EMP"
check "staging: sed -i the Title of Employee $EMP" \
	sed -i 's#<Value field="Title">[^<]*</Value>#<Value field="Title">Push Tester</Value>#' \
	"$STG/master/Employee/$EMP"
NEWEMP=tfs.newpush
check "staging: a new Employee $NEWEMP (cp)" new_copy "$STG/master/Employee/$EMP" \
	"$NEWEMP" "$STG/master/Employee"
psnap uat um
req um.conf source=staging operation=copy-master-data master=user-only
push uat um.conf
if expect_pushed "copy-master-data staging -> uat once the no-op opened the path" \
	uat um copy-master-data staging Sandbox/Copy; then
	check "copy-master-data: the new Employee reached uat with staging's bytes (guid kept)" \
		cmp "$STG/master/Employee/$NEWEMP.xml" "$UAT/master/Employee/$NEWEMP.xml"
	check_eq "copy-master-data: uat's metadata, validation, settings and data did not change" "" \
		"$(same_dirs uat um "metadata validation settings data")"
fi

# ---------------------------------------------------------------- paths
VU=$(ver uat)
VS=$(ver staging)
check_ne "uat and staging differ in version now" "$VS" "$VU"
psnap staging path
req path.conf source=uat operation=no-op
push staging path.conf
expect_refused "uat -> staging is not a migration path of a three-tier group" \
	staging path 'path'
check_nomatch "the dashboard lists no path uat -> staging" \
	'^ *uat -> staging' "$(cat "$TEN/dashboard" 2>&1)"

# the development project is enabled: configuration pushes are refused
psnap uat dev
for op in copy-configuration copy-configuration-and-master-data \
	copy-settings copy-translation simple; do
	req "dev-$op.conf" source=staging operation="$op"
	push uat "dev-$op.conf"
	expect_refused "$op into uat with the development project enabled" \
		uat dev 'development project'
done

# staging -> production only while production is at version 0
check_eq "production is at version 0" 0 "$(ver production)"
psnap production p0
req p0.conf source=staging operation=no-op
push production p0.conf
expect_pushed "no-op staging -> production while production is at version 0" \
	production p0 no-op staging Sandbox/NoOp
check_match "the dashboard shows production's version 1" \
	'^production +[a-z]+ +[a-z-]+ +1 ' "$(cat "$TEN/dashboard" 2>&1)"

# ------------------------------------------- copy-to-replace, the plain one
FORM=$(first_obj "$STG/metadata/Form")
SETT=$(first_obj "$STG/settings/PasswordPolicy")
VAL=$(first_obj "$STG/validation")
check "staging: edit metadata/Form/$FORM" edit_desc "$STG/metadata/Form/$FORM" tfsStgForm
check "staging: edit settings/PasswordPolicy/$SETT" edit_desc \
	"$STG/settings/PasswordPolicy/$SETT" tfsStgSett
check "staging: edit validation/$VAL" edit_desc "$STG/validation/$VAL" tfsStgVal
check "staging: a new Form tfsOnlyInStaging" new_copy "$STG/metadata/Form/$FORM" \
	tfsOnlyInStaging.Form "$STG/metadata/Form"
# an incident no record links to (a linked one cannot be removed)
grep -rhoE '<Link businessObject="Incident" [^>]*key="[^"]*"' "$STG/data" "$STG/master" |
	sed -E 's/.*key="([^"]*)".*/\1.xml/' | sort -u >"$W/inc-linked"
INC=$(ls "$STG/data/Incident" | sort | comm -23 - "$W/inc-linked" | sed -n 2p)
check "staging: rm data/Incident/$INC" rm "$STG/data/Incident/$INC"
check "staging: sed -i data/Incident (Subject of the first)" sed -i \
	's#<Value field="Subject">[^<]*</Value>#<Value field="Subject">tfs stg subject</Value>#' \
	"$STG/data/Incident/$(ls "$STG/data/Incident" | head -n 1)"
# a user disabled in production (for keep_users_enabled below)
KU=$(ls "$PRD/master/Employee" | sed -n 3p)
check_match "production's Employee $KU is enabled" '<Value field="Disabled">false<' \
	"$(cat "$PRD/master/Employee/$KU")"
check "production: disable Employee $KU (sed -i)" sed -i \
	's#<Value field="Disabled">false<#<Value field="Disabled">true<#' "$PRD/master/Employee/$KU"

check_ne "before the push staging's tree differs from production's" \
	"$(gtree production)" "$(gtree staging)"
open_path production staging
psnap staging r1
psnap production r1p
req refresh.conf source=production operation=copy-to-replace
push staging refresh.conf
if expect_pushed "copy-to-replace production -> staging" staging r1 \
	copy-to-replace production Sandbox/Replace; then
	dir_equal "copy-to-replace: diff -r production staging is empty (metadata, validation, settings, data)" \
		production staging "metadata validation settings data"
	check_eq "copy-to-replace: diff -r production/master staging/master is empty but for the Employees' Disabled field" \
		"" "$(master_diff "$PRD/master" "$STG/master")"
	note "copy-to-replace: Employee records whose Disabled differs from production's: $(diff -r "$PRD/master" "$STG/master" | grep -c '^diff') (the contract names keep_users_enabled only)"
	for x in metadata validation settings; do
		check_eq "copy-to-replace: staging's git tree of $x is production's" \
			"$(tfs_git rev-parse "acme/production:$x")" "$(tfs_git rev-parse "acme/staging:$x")"
	done
	check_true "copy-to-replace: the result counts what changed (created + updated + deleted > 0)" \
		"result: $RESULT" "$(($(rfield created) + $(rfield updated) + $(rfield deleted)))" -gt 0
fi
expect_same "copy-to-replace leaves its source alone" production r1p

# staging -> production is closed now that production is not at version 0
open_path production staging
check_ne "staging and production differ in version" "$(ver staging)" "$(ver production)"
psnap production p1
req p1.conf source=staging operation=copy-data data=Incident
push production p1.conf
expect_refused "staging -> production once production is past version 0" \
	production p1 'version 0'

# ------------------------------------------------- copy-to-replace options
# e-mail addresses of a tree, and the tree with every domain moved to it.com
cat >"$W/mail.py" <<'EOF'
import os, re, sys
MAIL = re.compile(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
cmd, top = sys.argv[1], sys.argv[2]
for dp, dns, fns in os.walk(top):
    dns.sort()
    for fn in sorted(fns):
        p = os.path.join(dp, fn)
        t = open(p, encoding="utf-8").read()
        if cmd == "list":
            for m in MAIL.finditer(t):
                print(m.group(0))
        elif cmd == "scrub":
            out = os.path.join(sys.argv[3], os.path.relpath(p, top))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            open(out, "w", encoding="utf-8").write(MAIL.sub(lambda m: m.group(1) + "@it.com", t))
EOF
mails() { python3 "$W/mail.py" list "$1"; }
scrubbed_copy() { rm -rf "$2"; python3 "$W/mail.py" scrub "$1" "$2"; }

# replace_with LABEL NAME KEY=VALUE...: a copy-to-replace production ->
# staging with those options; returns 1 if it was not pushed.
replace_with()
{
	local lab=$1 name=$2
	shift 2
	open_path production staging
	psnap staging "$lab"
	req "$name" source=production operation=copy-to-replace "$@"
	push staging "$name"
	expect_pushed "copy-to-replace $*" staging "$lab" copy-to-replace \
		production Sandbox/Replace
}

# scrub_user_email
PM=$(mails "$PRD/master" | grep -vc '@it\.com$')
check_true "production's master/ holds e-mail addresses outside it.com" "got $PM" "$PM" -gt 0
if replace_with su su.conf scrub_user_email=true; then
	scrubbed_copy "$PRD/master" "$W/exp-master"
	check_eq "scrub_user_email: staging/master is production's with every address @it.com (but for Disabled)" \
		"" "$(master_diff "$W/exp-master" "$STG/master")"
	check_eq "scrub_user_email: no address in staging/master outside it.com" "" \
		"$(mails "$STG/master" | grep -v '@it\.com$' | head -n 5)"
	dir_equal "scrub_user_email: metadata, validation, settings and data are production's" \
		production staging "metadata validation settings data"
	check_true "scrub_user_email: the result counts scrubbed > 0" "result: $RESULT" \
		"$(rfield scrubbed)" -gt 0
fi

# scrub_other_email
PD=$(mails "$PRD/data" | grep -vc '@it\.com$')
check_true "demo v2: production's data/ holds customers' e-mail addresses" "got $PD" "$PD" -gt 0
if replace_with so so.conf scrub_other_email=true; then
	scrubbed_copy "$PRD/data" "$W/exp-data"
	check "scrub_other_email: staging/data is production's with every address @it.com" \
		diff -r "$W/exp-data" "$STG/data"
	dir_equal "scrub_other_email: metadata, validation and settings are production's" \
		production staging "metadata validation settings"
	check_eq "scrub_other_email: master/ is production's but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$STG/master")"
	if [ "$PD" -gt 0 ]; then
		check_true "scrub_other_email: the result counts scrubbed > 0" "result: $RESULT" \
			"$(rfield scrubbed)" -gt 0
	fi
fi

# trim_days = 90: the records of production's data/ that must go, and
# those too near the limit (a day either side) to judge
cat >"$W/trim.py" <<'EOF'
import os, re, sys, time, calendar
top, days = sys.argv[1], int(sys.argv[2])
limit = time.time() - days * 86400
LINK = re.compile(r'<Link businessObject="([^"]+)" [^>]*key="([^"]*)"')
def when(t, f):
    m = re.search(r'<Value field="%s">(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)<' % f, t)
    return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ")) if m else None
cls, links = {}, {}
for bo in sorted(os.listdir(top)):
    for fn in sorted(os.listdir(os.path.join(top, bo))):
        k = bo + "/" + fn
        t = open(os.path.join(top, k), encoding="utf-8").read()
        links[k] = [b + "/" + key + ".xml" for b, key in LINK.findall(t)]
        ds = [d for d in (when(t, "CreatedDateTime"), when(t, "LastModDateTime")) if d]
        if not ds:
            cls[k] = "keep"
        elif abs(max(ds) - limit) < 86400:
            cls[k] = "near"
        else:
            cls[k] = "gone" if max(ds) < limit else "keep"
# old records that a kept (or near) record links to, directly or not
todo = [k for k, c in cls.items() if c != "gone"]
while todo:
    for l in links[todo.pop()]:
        if cls.get(l) == "gone":
            cls[l] = "linked"
            todo.append(l)
for k in sorted(cls):
    print(cls[k], k)
EOF
python3 "$W/trim.py" "$PRD/data" 90 >"$W/trim.txt"
NGONE=$(grep -c '^gone' "$W/trim.txt")
NLINK=$(grep -c '^linked' "$W/trim.txt")
NKEEP=$(grep -c '^keep' "$W/trim.txt")
NNEAR=$(grep -c '^near' "$W/trim.txt")
note "trim_days = 90 over production's data/: $NGONE old, $NLINK old but linked from newer records, $NKEEP newer, $NNEAR within a day of the limit"
check_true "production's data/ has records older than 90 days ($NGONE) and newer ($NKEEP)" \
	"" "$NGONE" -gt 0 -a "$NKEEP" -gt 0
if replace_with tr tr.conf trim_days=90; then
	bad=$(cd "$STG/data" && while read -r what f; do
		case $what in
		gone) [ -e "$f" ] && echo "still there: $f" ;;
		keep) cmp -s "$f" "$PRD/data/$f" || echo "missing or different: $f" ;;
		esac
	done <"$W/trim.txt" | head -n 10)
	check_eq "trim_days = 90: the $NGONE records neither created nor modified in 90 days (and not linked from newer ones) are gone, the $NKEEP newer ones have production's bytes" \
		"" "$bad"
	left=$(cd "$STG/data" && grep '^linked' "$W/trim.txt" | while read -r _ f; do
		[ -e "$f" ] && echo "$f"; done)
	check_eq "trim_days = 90: the $NLINK old records that newer ones link to are gone too (the contract: records neither created nor modified in the last N days are not copied)" \
		"" "$(printf '%s\n' "$left" | grep . | head -n 5)"
	note "trim_days = 90: $(printf '%s\n' "$left" | grep -c .) of the $NLINK linked old records were kept"
	n=$(rfield trimmed)
	check_true "trim_days = 90: the result's trimmed: counts what was left out ($NGONE to $((NGONE + NLINK + NNEAR)))" \
		"result: $RESULT" "${n:-x}" -ge "$NGONE" -a "${n:-0}" -le "$((NGONE + NLINK + NNEAR))"
	dir_equal "trim_days: metadata, validation, settings are production's" \
		production staging "metadata validation settings"
	check_eq "trim_days: master/ is production's but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$STG/master")"
fi

# keep_users_enabled: staging's enabled user stays enabled although
# production's is disabled
check_match "production's Employee $KU is still disabled" \
	'<Value field="Disabled">true<' "$(cat "$PRD/master/Employee/$KU" 2>&1)"
if grep -q '<Value field="Disabled">true<' "$STG/master/Employee/$KU"; then
	check "staging: enable Employee $KU (sed -i)" sed -i \
		's#<Value field="Disabled">true<#<Value field="Disabled">false<#' "$STG/master/Employee/$KU"
fi
check_match "staging's Employee $KU is enabled before the push" \
	'<Value field="Disabled">false<' "$(cat "$STG/master/Employee/$KU" 2>&1)"
cp "$STG/master/Employee/$KU" "$W/ku-enabled.xml"
if replace_with ku ku.conf keep_users_enabled=true; then
	check_match "keep_users_enabled: Employee $KU is still enabled in staging" \
		'<Value field="Disabled">false<' "$(cat "$STG/master/Employee/$KU" 2>&1)"
	check_eq "keep_users_enabled: master/ is production's but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$STG/master")"
	dir_equal "keep_users_enabled: metadata, validation, settings and data are production's" \
		production staging "metadata validation settings data"
fi

# shrink: the same bytes
if replace_with sh sh.conf shrink=true; then
	dir_equal "shrink: diff -r production staging is empty (metadata, validation, settings, data)" \
		production staging "metadata validation settings data"
	check_eq "shrink: master/ is production's but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$STG/master")"
fi

# ------------------------------------------------------------ preview
check "staging: edit metadata/Form/$FORM again" edit_desc "$STG/metadata/Form/$FORM" tfsPreview
check "staging: edit master/Employee/$EMP" sed -i \
	's#<Value field="Title">[^<]*</Value>#<Value field="Title">Preview Tester</Value>#' \
	"$STG/master/Employee/$EMP"
check "staging: sed -i data/Incident (Subject of the first) again" sed -i \
	's#<Value field="Subject">[^<]*</Value>#<Value field="Subject">tfs preview subject</Value>#' \
	"$STG/data/Incident/$(ls "$STG/data/Incident" | head -n 1)"
open_path production staging
psnap staging pv
req pv.conf source=production operation=copy-to-replace mode=preview
push staging pv.conf
if [ "$RC" -eq 0 ]; then ok "preview: cp exits 0"; else not_ok "preview: cp exits 0" "exit $RC: $ERR" "$RESULT"; fi
check_eq "preview: the result's first line is previewed" previewed "$(result_head)"
expect_same "preview changes nothing" staging pv
DIFF=$STG/push/pv.conf.diff
[ -e "$DIFF" ] || [ ! -e "$STG/push/pv.diff" ] || DIFF=$STG/push/pv.diff
cat "$DIFF" >"$W/pv.diff" 2>"$W/pv.err"
check "preview: push/pv.conf.diff can be read" test -s "$W/pv.diff"
check_match "preview: the diff names the edited form" \
	"^(---|\\+\\+\\+) .*metadata/Form/$(re_esc "$FORM")" "$(cat "$W/pv.diff")"
check_match "preview: the diff removes staging's edit" '^-.*tfsPreview' "$(cat "$W/pv.diff")"
check_match "preview: the diff has hunks" '^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@' \
	"$(cat "$W/pv.diff")"
# the diff applied to a copy of staging's versioned directories gives what
# the same push carried out gives
rm -rf "$W/pv"
mkdir -p "$W/pv"
cp -r "$TFS_TMP/ps/pv/tree/"{metadata,validation,settings,master} "$W/pv/"
applied=
[ -s "$W/pv.diff" ] && for p in 1 0; do
	if patch -s -f --dry-run -p$p -d "$W/pv" <"$W/pv.diff" >/dev/null 2>&1; then
		patch -s -f -p$p -d "$W/pv" <"$W/pv.diff" >/dev/null 2>&1 && applied=$p
		break
	fi
done
if [ -n "$applied" ]; then
	ok "preview: patch -p$applied applies the diff to a copy of staging"
else
	not_ok "preview: patch applies the diff to a copy of staging" \
		"$(patch -f --dry-run -p1 -d "$W/pv" <"$W/pv.diff" 2>&1 | head -n 10)"
fi
check_match "preview: the diff has a count line for data (an incident differs)" \
	'^[^-+ @].*[Dd]ata.*[0-9]|^[^-+ @].*[0-9].*[Dd]ata' "$(cat "$W/pv.diff")"
PV_RESULT=$RESULT
req pvx.conf source=production operation=copy-to-replace
push staging pvx.conf
if expect_pushed "the previewed push, carried out" staging pv copy-to-replace \
	production Sandbox/Replace && [ -n "$applied" ]; then
	bad=
	for x in metadata validation settings master; do
		out=$(diff -r "$W/pv/$x" "$STG/$x" 2>&1) || bad="$bad
$x: $(printf '%s\n' "$out" | head -n 12)"
	done
	check_eq "preview: staging's copy patched with the diff is what the push made of staging" \
		"" "${bad#$'\n'}"
	for k in created updated deleted disabled; do
		printf '%s\n' "$RESULT" | grep -q "^$k:" || continue
		check_eq "preview: the preview's $k: is the push's" "$(rfield "$k")" \
			"$(printf '%s\n' "$PV_RESULT" | sed -n "s/^$k: //p")"
	done
fi

# --------------------------------------------------------------- save
open_path production staging
psnap staging sv
req saved.conf source=production operation=copy-to-replace mode=save
push staging saved.conf
if [ "$RC" -eq 0 ]; then ok "save: cp exits 0"; else not_ok "save: cp exits 0" "exit $RC: $ERR" "$RESULT"; fi
check_eq "save: the result's first line is saved" saved "$(result_head)"
expect_same "save changes nothing" staging sv
check "save: the request stays as push/saved.conf" test -f "$STG/push/saved.conf"
check_match "save: it reads back the operation" '^operation *= *copy-to-replace' \
	"$(cat "$STG/push/saved.conf" 2>&1)"
check_match "save: ... and the source" '^source *= *production' \
	"$(cat "$STG/push/saved.conf" 2>&1)"
# writing it again runs it
cat "$STG/push/saved.conf" >"$W/again.conf" 2>&1
tfs_run cp "$W/again.conf" "$STG/push/saved.conf"
RESULT=$(cat "$RESFILE" 2>&1)
if expect_pushed "save: writing push/saved.conf again runs it" staging sv \
	copy-to-replace production Sandbox/Replace; then
	dir_equal "save: ... and staging is production's again (metadata, validation, settings, data)" \
		production staging "metadata validation settings data"
	check_eq "save: ... master/ too but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$STG/master")"
fi

tfs_done
