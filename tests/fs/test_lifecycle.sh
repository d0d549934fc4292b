#!/bin/bash
# test_lifecycle.sh: tenants and instances, INTERFACE.md "Tenants and
# instances: lifecycle" and "The demo store" (v2), through a real mount.
#
# The demo v2 as a user finds it (ls, cat, grep); mkdir tenants/<t> and
# tenant.conf's landscape_group (set once); mkdir tenants/<t>/<type> (a
# new, empty instance on the landscape's patterns, production first, only
# types the group has); rmdir of an instance (only in maintenance: EBUSY
# otherwise, then a backup and a refs/deleted/ branch) and of a tenant
# (only without instances: ENOTEMPTY otherwise); an instance in
# maintenance, on-hold, closed or expired refusing edits (cp, sed -i, rm,
# mv), package applies and reverts with EROFS and the reason in its log,
# while the administrator's instance.conf changes still work; the
# development project disabled refusing packages/ and the drop
# directories with EACCES.  Every refusal changes nothing: history, git,
# transaction sets and bytes are checked after each.
# shellcheck disable=SC2002,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
GLX=$MNT/tenants/globex
T=$MNT/tenants/initech
CONSOLE="file:$STORE/console.db?mode=ro"

# names DIR: the entries of DIR on one line, space-separated.
names() { ls "$1" | tr '\n' ' ' | sed 's/ $//'; }
# new_events LABEL: event lines added since `mark_events LABEL`.
mark_events() { cat "$MNT/events" >"$TFS_TMP/ev.$1"; }
new_events() { cat "$MNT/events" | diff "$TFS_TMP/ev.$1" - | sed -n 's/^> //p'; }

# ---------------------------------------------------------------- demo v2

check_eq "tenants/ lists acme and globex" "acme globex" \
	"$(names "$MNT/tenants")"
check_eq "users/ lists admin, gwen, jdoe, mops" \
	"admin.conf gwen.conf jdoe.conf mops.conf" "$(names "$MNT/users")"
check_eq "admin has uid 0" "0" "$(conf_get "$MNT/users/admin.conf" uid)"
for u in gwen jdoe mops; do
	check_eq "$u has no uid" "none" "$(conf_get "$MNT/users/$u.conf" uid)"
done
check_eq "mops is an administrator of Hosting Provider" "true Hosting Provider" \
	"$(conf_get "$MNT/users/mops.conf" administrator) $(conf_get "$MNT/users/mops.conf" company)"
check_eq "gwen is Globex Inc's, not an administrator" "false Globex Inc" \
	"$(conf_get "$MNT/users/gwen.conf" administrator) $(conf_get "$MNT/users/gwen.conf" company)"
check_eq "jdoe is Acme Corporation's, not an administrator" "false Acme Corporation" \
	"$(conf_get "$MNT/users/jdoe.conf" administrator) $(conf_get "$MNT/users/jdoe.conf" company)"
check_eq "landscape group SMALL is two-tier" "two-tier" \
	"$(conf_get "$MNT/landscapes/SMALL/group.conf" tiers)"
check_eq "SMALL has production and staging landscapes" \
	"group.conf production staging" "$(names "$MNT/landscapes/SMALL")"
check_eq "globex: company, group, no development project" \
	"Globex Inc SMALL false" \
	"$(conf_get "$GLX/tenant.conf" company) $(conf_get "$GLX/tenant.conf" landscape_group) $(conf_get "$GLX/tenant.conf" development_project)"
check_eq "globex has production and staging" "dashboard events licenses production staging tenant.conf" \
	"$(names "$GLX")"
for iv in acme/production:0 acme/staging:1 acme/uat:1 globex/production:0 \
	globex/staging:1; do
	check_eq "${iv%:*} is at version ${iv#*:}" "${iv#*:}" \
		"$(conf_get "$MNT/tenants/${iv%:*}/instance.conf" version)"
	check_eq "${iv%:*} has its initial commit" 1 \
		"$(grep -c . "$MNT/tenants/${iv%:*}/history/log")"
done
check_match "an incident carries the customer's e-mail address" \
	'<Value field="CustomerEmail">[a-z.]+@acme\.example</Value>' \
	"$(cat "$PRD/data/Incident/INC-10001.xml")"
jrn=$(grep -l -m 1 'field="EmailFrom"' "$PRD"/data/Journal/JRN-1000*.xml | head -n 1)
check_match "an e-mail journal entry names sender and recipient" \
	'<Value field="EmailTo">[a-z.]+@acme\.example</Value>' "$(cat "$jrn" 2>&1)"

# ------------------------------------------------------ mkdir tenants/<t>

mark_events t1
check_err "mkdir tenants/Bad_Name fails (EINVAL)" 'Invalid argument' \
	mkdir "$MNT/tenants/Bad_Name"
check "... and does not exist" test ! -e "$MNT/tenants/Bad_Name"
check_match "... the refusal and its reason are in events" \
	'Tenant/CreateReject.*invalid tenant name' "$(new_events t1)"
check_err "mkdir tenants/acme fails (EEXIST)" 'File exists' mkdir "$MNT/tenants/acme"
check "mkdir tenants/initech" mkdir "$T"
check_eq "tenant.conf has its keys in order" \
	"name company contact landscape_group development_project created" \
	"$(conf_keys "$T/tenant.conf" | xargs)"
check_eq "... no landscape group yet, development project on" " true" \
	"$(conf_get "$T/tenant.conf" landscape_group) $(conf_get "$T/tenant.conf" development_project)"
check_match "events: Tenant/Create initech" $'\tadmin\tTenant/Create\t.*\tinitech\t' \
	"$(new_events t1)"

mark_events t2
check_err "mkdir initech/production before a landscape group: EINVAL" \
	'Invalid argument' mkdir "$T/production"
check_match "... events say to set landscape_group first" \
	'Instance/CreateReject.*landscape_group' "$(new_events t2)"
cp "$T/tenant.conf" "$W/tenant.conf.0"
check_err "landscape_group = NOPE is refused" 'Invalid argument' \
	sed -i 's/^landscape_group =.*/landscape_group = NOPE/' "$T/tenant.conf"
check "... tenant.conf unchanged" cmp "$W/tenant.conf.0" "$T/tenant.conf"
check "sed -i landscape_group = SMALL" \
	sed -i 's/^landscape_group =.*/landscape_group = SMALL/' "$T/tenant.conf"
check_eq "... reads SMALL" SMALL "$(conf_get "$T/tenant.conf" landscape_group)"
check_err "landscape_group is set once (DEMO refused)" 'Invalid argument' \
	sed -i 's/^landscape_group =.*/landscape_group = DEMO/' "$T/tenant.conf"
check_eq "... still SMALL" SMALL "$(conf_get "$T/tenant.conf" landscape_group)"

# ------------------------------------------------- mkdir tenants/<t>/<type>

mark_events i1
check_err "mkdir initech/staging before production: EINVAL" 'Invalid argument' \
	mkdir "$T/staging"
check_err "mkdir initech/uat: SMALL has no uat landscape (EINVAL)" \
	'Invalid argument' mkdir "$T/uat"
check_err "mkdir initech/qa: not a landscape type (EINVAL)" 'Invalid argument' \
	mkdir "$T/qa"
check_match "... events give the reasons" 'create production first' "$(new_events i1)"
check_match "... and" 'has no uat landscape' "$(new_events i1)"
check "mkdir initech/production" mkdir "$T/production"
check "mkdir initech/staging" mkdir "$T/staging"
check_err "mkdir initech/staging again: EEXIST" 'File exists' mkdir "$T/staging"
check_eq "initech lists its instances" "dashboard events licenses production staging tenant.conf" \
	"$(names "$T")"
check_eq "staging's uri follows the landscape's patterns" \
	"https://initech.stg.small.itsm.example.com" "$(conf_get "$T/staging/instance.conf" uri)"
check_eq "staging's database follows the landscape's patterns" "SB-INITECH-STG" \
	"$(conf_get "$T/staging/instance.conf" database)"
check_eq "production's database" "SB-INITECH" "$(conf_get "$T/production/instance.conf" database)"
check_eq "new instances are active, version 0" "active 0" \
	"$(conf_get "$T/staging/instance.conf" status) $(conf_get "$T/staging/instance.conf" version)"
check_eq "... and empty: no history" "" "$(cat "$T/staging/history/log")"
check_eq "... no objects" "" "$(find "$T/staging/metadata" "$T/staging/master" -type f)"
check_fails "... no git branch yet" tfs_git rev-parse -q --verify refs/heads/initech/staging
keys=$(sqlite3 "$CONSOLE" "SELECT api_key FROM instances WHERE tenant_id = (SELECT id FROM tenants WHERE name = 'initech')")
check_match "each new instance has an API key" '^[0-9a-f-]{36}$' "$keys"
check_eq "... unique in the store" "" \
	"$(sqlite3 "$CONSOLE" "SELECT api_key FROM instances GROUP BY api_key HAVING count(*) > 1")"
check_match "events: Instance/Create of initech staging" \
	$'\tInstance/Create\t.*\tinitech\tstaging\tstaging\t' "$(new_events i1)"
check "the new instance's database exists" test -s "$STORE/instances/initech/staging.db"

# --------------------------------------------------------------- rmdir

mark_events r1
check_err "rmdir initech/staging outside maintenance: EBUSY" \
	'Device or resource busy' rmdir "$T/staging"
check "... it is still there" test -d "$T/staging"
check_match "... its log says why" 'only an instance in maintenance can be deleted' \
	"$(cat "$T/staging/log")"
check_err "rmdir initech with instances: ENOTEMPTY" 'Directory not empty' rmdir "$T"
check_match "... events say why" 'Tenant/DeleteReject.*still has instances' "$(new_events r1)"
check "staging into maintenance" \
	sed -i 's/^in_maintenance = false/in_maintenance = true/' "$T/staging/instance.conf"
check "rmdir initech/staging" rmdir "$T/staging"
check "... gone" test ! -e "$T/staging"
check_eq "... initech lists production only" "dashboard events licenses production tenant.conf" "$(names "$T")"
check "... its database went to the backups first" \
	bash -c 'ls "$1"/backups/initech/staging/*-deleted.db' _ "$STORE"
check "... its database file is removed" test ! -e "$STORE/instances/initech/staging.db"
check_match "... events: Instance/Delete" $'\tInstance/Delete\t.*\tinitech\tstaging\t' \
	"$(new_events r1)"
check "mkdir initech/staging again" mkdir "$T/staging"
check_eq "... a new, empty one" "" "$(cat "$T/staging/history/log")"
check_eq "... not in maintenance" false "$(conf_get "$T/staging/instance.conf" in_maintenance)"
for i in staging production; do
	sed -i 's/^in_maintenance = false/in_maintenance = true/' "$T/$i/instance.conf"
	check "rmdir initech/$i" rmdir "$T/$i"
done
check "rmdir initech (no instances left)" rmdir "$T"
check_eq "tenants/ lists acme and globex again" "acme globex" "$(names "$MNT/tenants")"
check_match "events: Tenant/Delete initech" $'\tTenant/Delete\t.*\tinitech\t' "$(new_events r1)"

# An instance with history: acme/uat.
n_uat=$(sqlite3 "file:$STORE/instances/acme/uat.db?mode=ro" "SELECT count(*) FROM objects")
head_uat=$(git_head uat)
check "acme/uat into maintenance" \
	sed -i 's/^in_maintenance = false/in_maintenance = true/' "$UAT/instance.conf"
check "rmdir acme/uat" rmdir "$UAT"
check_eq "acme lists production and staging" "dashboard events licenses production staging tenant.conf" \
	"$(names "$TEN")"
bk=$(ls "$STORE"/backups/acme/uat/*-deleted.db 2>/dev/null | head -n 1)
check_eq "its backup holds every object ($n_uat)" "$n_uat" \
	"$(sqlite3 "file:$bk?mode=ro" "SELECT count(*) FROM objects" 2>&1)"
check_match "... the .info names the last commit" '^commit: 1 ' "$(cat "${bk%.db}.info" 2>&1)"
check_fails "refs/heads/acme/uat is gone" tfs_git rev-parse -q --verify refs/heads/acme/uat
check_eq "its history is kept under refs/deleted/acme/uat/" "$head_uat" \
	"$(tfs_git for-each-ref --format='%(objectname)' refs/deleted/acme/uat)"

# ------------------------------- made and deleted while others read

# Readers of acme (cat, ls, stat) in the background while tenants and
# instances come and go: every read answers as it would alone.
reader()
{
	local end=$(( $(date +%s) + 120 )) bad=0 n=0
	while [ ! -e "$W/stop" ] && [ "$(date +%s)" -lt $end ]; do
		grep -q '^status = active$' "$PRD/instance.conf" || bad=$((bad + 1))
		[ "$(ls "$PRD/metadata/Form" | wc -l)" -gt 10 ] || bad=$((bad + 1))
		ls "$MNT/tenants" >/dev/null || bad=$((bad + 1))
		cat "$MNT/status" >/dev/null || bad=$((bad + 1))
		n=$((n + 1))
	done
	echo "$n $bad" >"$W/reader.$1"
}
reader 1 &
r1=$!
reader 2 &
r2=$!
made=0
for k in 1 2 3 4 5; do
	t=$MNT/tenants/busy$k
	mkdir "$t" &&
		sed -i 's/^landscape_group =.*/landscape_group = SMALL/' "$t/tenant.conf" &&
		mkdir "$t/production" "$t/staging" &&
		ls "$t/staging/metadata" >/dev/null &&
		sed -i 's/^in_maintenance = false/in_maintenance = true/' \
			"$t/staging/instance.conf" "$t/production/instance.conf" &&
		rmdir "$t/staging" "$t/production" "$t" && made=$((made + 1))
done
touch "$W/stop"
wait "$r1" "$r2"
check_eq "5 tenants with 2 instances each made and deleted meanwhile" 5 "$made"
for i in 1 2; do
	read -r n bad <"$W/reader.$i"
	check_true "reader $i: $n rounds, none failed" "failed: $bad" "$bad" = 0 -a "$n" -gt 0
done
check_eq "tenants/ lists acme and globex" "acme globex" "$(names "$MNT/tenants")"

# --------------------------------------------------- states that refuse

# A package that staging accepts while active (applied at the end).
cat >"$W/LcPkg.xml" <<'EOF'
<package format="1" name="LcPkg" type="incremental" state="closed" source-tenant="acme" source-instance="staging" source-commit="">
  <transaction-set id="1" project="default" user="admin" created="2026-11-22T10:00:00Z">
    <transaction seq="1" op="C" path="metadata/Form/LcPkg.Form.xml" base="">
      <Form name="LcPkg.Form" guid="0b9f6a52-6c1e-4b7e-9a55-3c2d1e0f4a11" businessObject="Incident">
        <FieldRef name="Subject"/>
      </Form>
    </transaction>
  </transaction-set>
</package>
EOF
F=$(obj staging metadata/Form/Incident.Default.xml)
cp "$F" "$W/form.0"
sed 's/name="Incident.Default"/name="Lc.One"/' "$F" | sed -E 's/ guid="[^"]*"//' >"$W/new.xml"
sed 's/name="Lc.One"/name="Lc.Two"/' "$W/new.xml" >"$W/new2.xml"
check "while active: cp a new Form (commit 2)" cp "$W/new.xml" "$STG/metadata/Form/Lc.One.xml"
ncommit=$(hist_top_n staging)
for st in "in_maintenance = true" "status = on-hold" "status = closed" \
	"expiration = 2001-01-01"; do
	key=${st%% =*}
	old=$(conf_get "$STG/instance.conf" "$key")
	check "set $st" sed -i "s/^$key = .*/$st/" "$STG/instance.conf"
	snap staging s
	check_err "[$st] cp of a new Form: EROFS" 'Read-only file system' \
		cp "$W/new2.xml" "$STG/metadata/Form/Lc.Two.xml"
	check "[$st] ... not created" test ! -e "$STG/metadata/Form/Lc.Two.xml"
	check_err "[$st] sed -i of a Form: EROFS" 'Read-only file system' \
		sed -i 's/<FieldRef name="Subject"\/>/<FieldRef name="Subject"\/>\n  <FieldRef name="Status"\/>/' "$F"
	check "[$st] ... its bytes are unchanged" cmp "$W/form.0" "$F"
	check_err "[$st] rm of a Form: EROFS" 'Read-only file system' \
		rm "$STG/metadata/Form/Lc.One.xml"
	check_err "[$st] mv of a Form: EROFS" 'Read-only file system' \
		mv "$STG/metadata/Form/Lc.One.xml" "$STG/metadata/Form/Lc.Moved.xml"
	check "[$st] ... still there" test -f "$STG/metadata/Form/Lc.One.xml"
	check "[$st] echo $ncommit > revert (refused in revert.result)" \
		bash -c 'echo "$1" > "$2"' _ "$ncommit" "$STG/revert"
	check_match "[$st] ... revert.result: rejected" '^rejected$' "$(cat "$STG/revert.result")"
	check_fails "[$st] cp of a package into apply/ fails" cp "$W/LcPkg.xml" "$STG/apply/"
	check_match "[$st] ... apply/LcPkg.xml.result: rejected" '^rejected$' \
		"$(cat "$STG/apply/LcPkg.xml.result")"
	check "[$st] ... the package's Form is not there" \
		test ! -e "$STG/metadata/Form/LcPkg.Form.xml"
	expect_unchanged "[$st] history, git and transaction sets unchanged" staging s
	expect_logged "[$st] the log and events say why" staging s \
		"(in maintenance|not active|expired).*refused"
	check_match "[$st] ... for edits, reverts and package applies" 'edits refused' \
		"$(cat "$STG/log")"
	check_match "[$st] ..." 'reverts refused' "$(cat "$STG/log")"
	check_match "[$st] ..." 'package applies refused' "$(cat "$STG/log")"
	check "[$st] the administrator still changes instance.conf" \
		sed -i 's/^named_licenses = .*/named_licenses = 26/' "$STG/instance.conf"
	check_eq "[$st] ... named_licenses = 26" 26 "$(conf_get "$STG/instance.conf" named_licenses)"
	sed -i 's/^named_licenses = .*/named_licenses = 25/' "$STG/instance.conf"
	check "back to $key = $old" sed -i "s/^$key = .*/$key = $old/" "$STG/instance.conf"
	rm -f "$STG/apply/LcPkg.xml.result"
done
check_err "status = onhold is not a status (active on-hold closed)" 'Invalid argument' \
	sed -i 's/^status = .*/status = onhold/' "$STG/instance.conf"
snap staging a
check "active again: the package applies" cp "$W/LcPkg.xml" "$STG/apply/"
check "... its Form is there" test -f "$STG/metadata/Form/LcPkg.Form.xml"
check "active again: an edit is taken" cp "$W/new2.xml" "$STG/metadata/Form/Lc.Two.xml"

# ------------------------------------- development project disabled

GS=$GLX/staging
h0=$(cat "$GS/history/log")
mark_events d1
check_err "globex: ls packages/ is refused (EACCES)" 'Permission denied' ls "$GS/packages"
check_err "globex: mkdir packages/P (EACCES)" 'Permission denied' mkdir "$GS/packages/P"
for d in apply validate apply-unvalidated preview; do
	check_err "globex: cp a package into $d/ (EACCES)" 'Permission denied' \
		cp "$W/LcPkg.xml" "$GS/$d/"
	check_err "globex: ls $d/ (EACCES)" 'Permission denied' ls "$GS/$d"
done
check_match "... globex staging's log says why" \
	'development project of tenant globex is disabled' "$(cat "$GS/log")"
check_match "... events: Package/Reject" \
	$'\tPackage/Reject\t.*development project.*\tglobex\tstaging\t' "$(new_events d1)"
check_eq "... no history commit" "$h0" "$(cat "$GS/history/log")"
check_fails "... no package was made" test -e "$GS/packages/P"
check "development_project = true in tenant.conf" \
	sed -i 's/^development_project = false/development_project = true/' "$GLX/tenant.conf"
check "... mkdir packages/P now works" mkdir "$GS/packages/P"
check "... ls packages/ lists it" bash -c 'ls "$1" | grep -qx P' _ "$GS/packages"
check "back to development_project = false" \
	sed -i 's/^development_project = true/development_project = false/' "$GLX/tenant.conf"
check_err "... packages/ refuses again" 'Permission denied' ls "$GS/packages"

tfs_done
