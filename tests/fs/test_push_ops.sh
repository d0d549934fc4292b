#!/bin/bash
# test_push_ops.sh: INTERFACE.md (v2) "Push migrations", the operations
# other than copy-to-replace and no-op, staging -> uat in the demo with the
# development project disabled (sed -i of tenant.conf) and uat's metadata
# unlocked (sed -i of instance.conf), each push checked for its bytes
# (cmp of the objects it must copy, keep or delete), that it touched
# nothing else (diff -r of the other directories against a copy taken
# before), its version, history commit and Sandbox/Copy event:
#  - copy-configuration: updates and new objects copied; delete_missing
#    none / Form / all; a Search newer in uat kept unless replace_newer
#    names Search; validation lists; settings, master and data untouched;
#  - copy-settings: settings = PasswordPolicy: new records always,
#    changed ones only with settings_update_changed, settings_delete_missing;
#    other types untouched; settings = all;
#  - copy-master-data: user-related (org units, new teams),
#    escalation-schedule, service-request, a named business object
#    (Location), master_delete_missing;
#  - copy-data: data = Incident (edit, new, delete only with
#    data_delete_missing), a child business object (FRS_Knowledge.QandA)
#    only when named itself; the git tree does not change (data is not
#    versioned) but the push is still one commit;
#  - copy-configuration-and-master-data; copy-translation (newer or
#    different only, never deletes; skipped while there is no
#    translations/); simple (the seed's Simple Mode: Form deletions
#    propagate, Counter deletions do not, a Search newer in the target is
#    kept, PasswordPolicy changes are copied);
#  - an instance just made (mkdir) takes a copy-to-replace from another
#    tenant's instance (the source's version + 1, its bytes); a filled
#    instance of another tenant refuses one.
# shellcheck disable=SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=push_lib.sh
. "$(dirname "$0")/push_lib.sh"
tfs_setup
cd "$W" || exit 1

check "sed -i metadata_locked = false in uat's instance.conf" sed -i \
	's/^metadata_locked = .*/metadata_locked = false/' "$UAT/instance.conf"
if [ "$(ver staging)" = "$(ver uat)" ]; then
	psnap uat noop -
	req noop.conf source=staging operation=no-op
	push uat noop.conf
	expect_pushed "no-op staging -> uat (to open the path)" uat noop no-op staging Sandbox/NoOp
fi

# op LABEL OP KEY=VALUE...: a push staging -> uat of OP with those options,
# after psnap uat LABEL; returns 1 if it was not pushed.
op()
{
	local lab=$1 o=$2
	shift 2
	psnap uat "$lab"
	req "$lab.conf" source=staging operation="$o" "$@"
	push uat "$lab.conf"
	# Sandbox/Copy, or a name of its own (the contract lists Sandbox/Copy,
	# "...")
	expect_pushed "$o $*" uat "$lab" "$o" staging 'Sandbox/Copy[A-Za-z]*'
}

# rm_some DIR [SKIP...]: rm the first object of DIR but the SKIP file
# names that can be removed (one that nothing references); prints its
# file name.
rm_some()
{
	local d=$1 f s
	shift
	for f in $(ls "$d" | head -n 300); do
		for s in "$@"; do
			[ "$f" = "$s" ] && continue 2
		done
		rm "$d/$f" 2>/dev/null && { echo "$f"; return 0; }
	done
	return 1
}

# same DESC A B: the two files have the same bytes (cmp).
same() { check "$1" cmp "$2" "$3"; }
# kept DESC INST-FILE LABEL REL: the file is as it was at psnap LABEL.
kept() { check "$1" cmp "$TFS_TMP/ps/$3/tree/$4" "$2/$4"; }
untouched() { check_eq "$1: uat's $3 did not change" "" "$(same_dirs uat "$2" "$3")"; }

# copy-master-data and copy-data are allowed with the development
# project enabled; the configuration pushes below need it disabled
# ======================================================== copy-master-data
M=master
OU=master/OrgUnit/$(first_obj "$STG/master/OrgUnit")
check "staging: edit $OU" edit_desc "$STG/$OU" tfsOpsOU
TN=tfsOps.NewTeam
check "staging: a new Team $TN" new_copy "$STG/$M/Team/$(first_obj "$STG/$M/Team")" "$TN" "$STG/$M/Team"
ES=$M/EscalationSchedule/$(first_obj "$STG/$M/EscalationSchedule")
check "staging: edit $ES" edit_desc "$STG/$ES" tfsOpsES
RO=$M/RequestOffering/$(first_obj "$STG/$M/RequestOffering")
check "staging: edit $RO" edit_desc "$STG/$RO" tfsOpsRO
LO=$M/Location/$(first_obj "$STG/$M/Location")
check "staging: edit $LO" edit_desc "$STG/$LO" tfsOpsLO
check "staging: a new Location tfsOps.NewLoc" new_copy "$STG/$LO" tfsOps.NewLoc "$STG/$M/Location"
check "uat: a Location tfsOps.UatLoc only there" new_copy "$UAT/$LO" tfsOps.UatLoc "$UAT/$M/Location"
if op m1 copy-master-data master=user-related; then
	same "m1: user-related copies the edited OrgUnit" "$STG/$OU" "$UAT/$OU"
	same "m1: ... and the new Team" "$STG/$M/Team/$TN.xml" "$UAT/$M/Team/$TN.xml"
	kept "m1: the EscalationSchedule is not copied" "$UAT" m1 "$ES"
	kept "m1: the RequestOffering is not copied" "$UAT" m1 "$RO"
	kept "m1: the Location is not copied" "$UAT" m1 "$LO"
	check_fails "m1: the new Location is not copied" test -e "$UAT/$M/Location/tfsOps.NewLoc.xml"
	untouched m1 m1 "metadata validation settings data"
fi
if op m2 copy-master-data master=escalation-schedule; then
	same "m2: escalation-schedule copies the EscalationSchedule" "$STG/$ES" "$UAT/$ES"
	kept "m2: the RequestOffering is not copied" "$UAT" m2 "$RO"
fi
if op m3 copy-master-data master=service-request; then
	same "m3: service-request copies the RequestOffering" "$STG/$RO" "$UAT/$RO"
	kept "m3: the Location is not copied" "$UAT" m3 "$LO"
fi
if op m4 copy-master-data master=Location master_delete_missing=false; then
	same "m4: master = Location copies the edited Location" "$STG/$LO" "$UAT/$LO"
	same "m4: ... and the new one" "$STG/$M/Location/tfsOps.NewLoc.xml" \
		"$UAT/$M/Location/tfsOps.NewLoc.xml"
	check "m4: uat's own Location stays" test -f "$UAT/$M/Location/tfsOps.UatLoc.xml"
fi
if op m5 copy-master-data master=Location master_delete_missing=true; then
	check_fails "m5: master_delete_missing removes uat's own Location" \
		test -e "$UAT/$M/Location/tfsOps.UatLoc.xml"
	untouched m5 m5 "metadata validation settings data"
fi

# =============================================================== copy-data
D=data
IA=$D/Incident/$(ls "$STG/$D/Incident" | head -n 1)
check "staging: edit $IA (Subject)" sed -i \
	's#<Value field="Subject">[^<]*</Value>#<Value field="Subject">tfs ops subject</Value>#' "$STG/$IA"
check "staging: a new Incident tfsOps-1" new_copy "$STG/$IA" tfsOps-1 "$STG/$D/Incident"
ID=$D/Incident/$(rm_some "$STG/$D/Incident" "${IA##*/}" tfsOps-1.xml)
check_ne "staging: rm of an Incident no record links to ($ID)" "$D/Incident/" "$ID"
TK=$D/Task/$(ls "$STG/$D/Task" | head -n 1)
check "staging: edit $TK" edit_desc "$STG/$TK" tfsOpsTask
KN=$D/FRS_Knowledge/$(first_obj "$STG/$D/FRS_Knowledge")
check "staging: edit $KN" edit_desc "$STG/$KN" tfsOpsKn
QA=$D/FRS_Knowledge.QandA/$(first_obj "$STG/$D/FRS_Knowledge.QandA")
check "staging: edit $QA" edit_desc "$STG/$QA" tfsOpsQA
if op d1 copy-data data=Incident; then
	same "d1: data = Incident copies the edited Incident" "$STG/$IA" "$UAT/$IA"
	same "d1: ... and the new one" "$STG/$D/Incident/tfsOps-1.xml" "$UAT/$D/Incident/tfsOps-1.xml"
	check "d1: the Incident removed in staging stays (data_delete_missing unset)" test -f "$UAT/$ID"
	kept "d1: the Task is not copied" "$UAT" d1 "$TK"
	check_eq "d1: uat's git tree did not change (data is not versioned)" \
		"$(cat "$TFS_TMP/ps/d1/gtree")" "$(gtree uat)"
	untouched d1 d1 "metadata validation settings master"
fi
if op d2 copy-data data=FRS_Knowledge; then
	same "d2: data = FRS_Knowledge copies the parent's record" "$STG/$KN" "$UAT/$KN"
	kept "d2: ... not the child FRS_Knowledge.QandA's (not named)" "$UAT" d2 "$QA"
fi
if op d3 copy-data data=FRS_Knowledge.QandA; then
	same "d3: naming FRS_Knowledge.QandA copies its record" "$STG/$QA" "$UAT/$QA"
fi
if op d4 copy-data data=Incident data_delete_missing=true; then
	check_fails "d4: data_delete_missing removes the Incident staging lacks" test -e "$UAT/$ID"
	dir_equal "d4: diff -r staging/data/Incident uat/data/Incident is empty" \
		staging uat data/Incident
fi

# ------------------------------------ the development project disabled
check "sed -i development_project = false in acme's tenant.conf" sed -i \
	's/^development_project = .*/development_project = false/' "$TEN/tenant.conf"
check_eq "acme's development project is disabled" false \
	"$(conf_get "$TEN/tenant.conf" development_project)"

# ===================================================== copy-configuration
F=metadata/Form
FA=$F/$(ls "$STG/$F" | sed -n 2p)
check "staging: edit $FA" edit_desc "$STG/$FA" tfsOpsA
check "staging: a new Form tfsOps.New" new_copy "$STG/$FA" tfsOps.New "$STG/$F"
# items staging lacks: made in uat (every demo Form is referenced by a
# layout, so none can be removed in staging)
FB=$F/tfsOps.UatForm.xml
check "uat: a Form only there ($FB)" new_copy "$UAT/$FA" tfsOps.UatForm "$UAT/$F"
G=metadata/Report
GB=$G/tfsOps.UatReport.xml
check "uat: a Report only there ($GB)" new_copy "$UAT/$G/$(first_obj "$UAT/$G")" \
	tfsOps.UatReport "$UAT/$G"
S=metadata/Search/$(first_obj "$STG/metadata/Search")
check "staging: edit $S" edit_desc "$STG/$S" tfsOpsSrcS
V=validation/$(first_obj "$STG/validation")
check "staging: edit $V" edit_desc "$STG/$V" tfsOpsV
PP=settings/PasswordPolicy/$(first_obj "$STG/settings/PasswordPolicy")
check "staging: edit $PP" edit_desc "$STG/$PP" tfsOpsP
OU3=master/OrgUnit/$(ls "$STG/master/OrgUnit" | sed -n 3p)
check "staging: edit $OU3" edit_desc "$STG/$OU3" tfsOpsOU3
sleep 1.1
check "uat: edit $S later (newer in the target)" edit_desc "$UAT/$S" tfsOpsTgtS

if op c1 copy-configuration delete_missing=none; then
	same "c1: the edited Form has staging's bytes" "$STG/$FA" "$UAT/$FA"
	same "c1: the new Form has staging's bytes (guid kept)" "$STG/$F/tfsOps.New.xml" \
		"$UAT/$F/tfsOps.New.xml"
	check "c1: uat's own Form stays (delete_missing = none)" test -f "$UAT/$FB"
	check "c1: uat's own Report stays" test -f "$UAT/$GB"
	check_match "c1: the Search newer in uat is kept" 'description="tfsOpsTgtS"' \
		"$(head -n 2 "$UAT/$S")"
	same "c1: the validation list has staging's bytes" "$STG/$V" "$UAT/$V"
	untouched c1 c1 "settings master data"
fi
if op c2 copy-configuration delete_missing=Form replace_newer=Search; then
	check_fails "c2: delete_missing = Form removes uat's own Form (staging lacks it)" test -e "$UAT/$FB"
	check "c2: ... but not the Report" test -f "$UAT/$GB"
	same "c2: replace_newer = Search replaces the newer Search" "$STG/$S" "$UAT/$S"
	untouched c2 c2 "settings master data"
fi
if op c3 copy-configuration delete_missing=all validation_delete_missing=true; then
	check_fails "c3: delete_missing = all removes the Report" test -e "$UAT/$GB"
	dir_equal "c3: diff -r staging uat of metadata and validation is empty" \
		staging uat "metadata validation"
	untouched c3 c3 "settings master data"
fi

# ========================================================== copy-settings
PN=tfsOps.NewPolicy
check "staging: a new PasswordPolicy $PN" new_copy "$STG/$PP" "$PN" "$STG/settings/PasswordPolicy"
GC=settings/GlobalConstant/$(first_obj "$STG/settings/GlobalConstant")
check "staging: edit $GC" edit_desc "$STG/$GC" tfsOpsGC
PT=tfsOps.UatPolicy
check "uat: a PasswordPolicy $PT only there" new_copy "$UAT/$PP" "$PT" "$UAT/settings/PasswordPolicy"
if op s1 copy-settings settings=PasswordPolicy settings_update_changed=false \
	settings_delete_missing=false; then
	same "s1: the new PasswordPolicy is copied" "$STG/settings/PasswordPolicy/$PN.xml" \
		"$UAT/settings/PasswordPolicy/$PN.xml"
	kept "s1: the changed one is not (settings_update_changed = false)" "$UAT" s1 "$PP"
	kept "s1: the GlobalConstant is not (not named)" "$UAT" s1 "$GC"
	check "s1: uat's own PasswordPolicy stays" test -f "$UAT/settings/PasswordPolicy/$PT.xml"
	untouched s1 s1 "metadata validation master data"
fi
if op s2 copy-settings settings=PasswordPolicy settings_update_changed=true; then
	same "s2: settings_update_changed = true copies the changed one" "$STG/$PP" "$UAT/$PP"
	check "s2: uat's own PasswordPolicy stays" test -f "$UAT/settings/PasswordPolicy/$PT.xml"
	kept "s2: the GlobalConstant is not copied" "$UAT" s2 "$GC"
fi
if op s3 copy-settings settings=all settings_update_changed=true settings_delete_missing=true; then
	check_fails "s3: settings_delete_missing removes uat's own PasswordPolicy" \
		test -e "$UAT/settings/PasswordPolicy/$PT.xml"
	dir_equal "s3: diff -r staging/settings uat/settings is empty" staging uat settings
	untouched s3 s3 "metadata validation master data"
fi

# ============================================ copy-configuration-and-master-data
FC=$F/$(ls "$STG/$F" | sed -n 4p)
check "staging: edit $FC" edit_desc "$STG/$FC" tfsOpsCM
OU2=master/OrgUnit/$(ls "$STG/master/OrgUnit" | sed -n 2p)
check "staging: edit $OU2" edit_desc "$STG/$OU2" tfsOpsCM
if op cm copy-configuration-and-master-data master=user-related; then
	same "cm: the Form is copied" "$STG/$FC" "$UAT/$FC"
	same "cm: the OrgUnit is copied" "$STG/$OU2" "$UAT/$OU2"
	untouched cm cm "settings data"
fi

# ======================================================== copy-translation
if ! ls "$STG/translations" >/dev/null 2>&1; then
	note "SKIP copy-translation: ls staging/translations fails (translations/ is not there yet)"
else
	mapfile -t TR < <(cd "$STG" && find translations -name '*.xml' | sort | head -n 3)
	if [ "${#TR[@]}" -lt 2 ]; then
		not_ok "staging has translations to copy" "found: ${TR[*]}"
	else
		check "staging: edit ${TR[0]} (the first string's text)" sed -i \
			'0,/\(<String [^>]*>\)[^<]*</s//\1tfsOpsTr</' "$STG/${TR[0]}"
		check "staging: rm ${TR[1]}" rm "$STG/${TR[1]}"
		if op tr copy-translation; then
			check_match "tr: the changed string reaches uat" '>tfsOpsTr<' \
				"$(cat "$UAT/${TR[0]}" 2>&1)"
			# (psnap does not copy translations/: the file is there)
			check "tr: the one staging lacks stays (never deletes)" \
				test -s "$UAT/${TR[1]}"
			untouched tr tr "metadata validation settings master data"
		fi
	fi
fi

# ================================================================== simple
FS=$F/tfsOps.UatForm2.xml
check "uat: a Form only there ($FS)" new_copy "$UAT/$FA" tfsOps.UatForm2 "$UAT/$F"
CT=metadata/Counter/tfsOps.UatCounter.xml
check "uat: a Counter only there ($CT)" new_copy \
	"$UAT/metadata/Counter/$(first_obj "$UAT/metadata/Counter")" tfsOps.UatCounter \
	"$UAT/metadata/Counter"
check "staging: edit $PP again" edit_desc "$STG/$PP" tfsOpsSimple
check "staging: edit $S again" edit_desc "$STG/$S" tfsOpsSimpleS
sleep 1.1
check "uat: edit $S later again" edit_desc "$UAT/$S" tfsOpsSimpleT
if op sm simple; then
	check_fails "simple: the Form staging lacks is deleted" test -e "$UAT/$FS"
	check "simple: the Counter staging lacks stays" test -f "$UAT/$CT"
	check_match "simple: the Search newer in uat is kept" 'description="tfsOpsSimpleT"' \
		"$(head -n 2 "$UAT/$S")"
	same "simple: the PasswordPolicy change is copied" "$STG/$PP" "$UAT/$PP"
fi

# ====================================== a new instance, from another tenant
# An instance just made takes a copy-to-replace from any instance of any
# tenant; a filled one of another tenant does not (no migration path).
NT=$MNT/tenants/tfsnew
check "mkdir tenants/tfsnew" mkdir "$NT"
check "tfsnew: sed -i landscape_group = SMALL" \
	sed -i 's/^landscape_group =.*/landscape_group = SMALL/' "$NT/tenant.conf"
check "mkdir tenants/tfsnew/production (empty)" mkdir "$NT/production"
check_eq "tfsnew/production is empty (no Form)" "" "$(ls "$NT/production/metadata/Form" 2>/dev/null)"
VAP=$(ver production)
psnap tfsnew/production new
req new.conf source=acme/production operation=copy-to-replace
push tfsnew/production new.conf
if expect_pushed "copy-to-replace acme/production -> the new tfsnew/production" \
	tfsnew/production new copy-to-replace acme/production Sandbox/Replace; then
	check_eq "the new instance's version is the source's + 1" "$((VAP + 1))" \
		"$(ver tfsnew/production)"
	dir_equal "the new instance: diff -r metadata, validation, settings, data against acme/production is empty" \
		production tfsnew/production "metadata validation settings data"
	check_eq "the new instance: master/ is acme/production's but for the Disabled field" "" \
		"$(master_diff "$PRD/master" "$NT/production/master")"
fi
if [ -d "$MNT/tenants/globex/staging/metadata" ]; then
	psnap globex/staging gx
	req gx.conf source=acme/production operation=copy-to-replace
	push globex/staging gx.conf
	expect_refused "copy-to-replace acme/production -> globex/staging (filled, another tenant)" \
		globex/staging gx 'path|tenant'
else
	not_ok "demo v2: tenant globex has a staging instance"
fi

tfs_done
