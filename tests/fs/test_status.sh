#!/bin/bash
# test_status.sh: console administration (INTERFACE.md "Console
# administration"): status with each instance's API key state and its
# problems, `echo fix > status` (administrators only, anything else
# refused), licenses and tenants/<t>/licenses against instance.conf and
# the master data, and the events of one tenant or one instance, also
# after the store's events are upgraded from a store made before them.
# Run as real uids (setpriv) against a mount with -o allow_other, as
# test_users.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP: needs root and setpriv to run commands as other uids"
	exit 77
fi
TFS_MOUNT_OPTS="${TFS_MOUNT_OPTS:+$TFS_MOUNT_OPTS,}allow_other"
tfs_setup
chmod 755 "$TFS_TMP" "$TFS_TMP/work"
W=$TFS_TMP/work
S=$MNT/status
JDOE=61101 GWEN=61102

as() { local u=$1; shift; (cd "$W" && setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"); }
kx() { printf 's#^(%s[[:space:]]*=).*#\\1 %s#' "$1" "$2"; }
set_key() { sed -i -E "$(kx "$2" "$3")" "$1"; }
# key_state INSTANCE: the api key column of status for tenant/instance.
key_state() { awk -v i="$1" '$1 == i { print $NF }' "$S"; }
key_problems() { grep -c 'API key is' "$S"; }
# scope_lines TENANT [INSTANCE]: the lines of events about them.
scope_lines()
{
	awk -F '\t' -v t="$1" -v i="${2:-}" \
		'$5 == t && (i == "" || $6 == i)' "$MNT/events"
}
# sql SQL: a query (one statement) or statements on console.db.
# (Only while unmounted: a SQLite client beside the daemon is not safe.)
sql() { python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
if sys.argv[2].lstrip().upper().startswith("SELECT"):
    for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))
else:
    c.executescript(sys.argv[2])
c.commit()' "$STORE/console.db" "$1"; }

check "admin maps jdoe (Acme Corporation) to uid $JDOE" \
	set_key "$MNT/users/jdoe.conf" uid "$JDOE"
check "admin maps gwen (Globex Inc) to uid $GWEN" \
	set_key "$MNT/users/gwen.conf" uid "$GWEN"

# ---- the files are there, with the modes of the contract
check_eq "the root lists licenses and status" "licenses status" \
	"$(ls "$MNT" | grep -E '^(licenses|status)$' | tr '\n' ' ' | sed 's/ $//')"
check_eq "status is 0644" 644 "$(stat -c %a "$S")"
check_eq "tenants/acme lists events and licenses" "events licenses" \
	"$(ls "$TEN" | grep -E '^(events|licenses)$' | tr '\n' ' ' | sed 's/ $//')"
check "tenants/acme/staging has events" test -f "$STG/events"

# ---- status: every instance ok to begin with
for i in acme/production acme/staging acme/uat globex/production globex/staging; do
	check_eq "status: $i's API key is ok" ok "$(key_state "$i")"
done
check_eq "status reports no API key problem" 0 "$(key_problems)"
check_nomatch "status: the demo servers' locations are reachable" \
	"^landscapes/.*/servers/" "$(cat "$S")"
SRV=$MNT/landscapes/DEMO/production/servers/sql-prod-01.conf
mkdir -p "$W/data" "$W/backup" "$W/log"
check "admin points sql-prod-01 at directories of this machine" sh -c \
	"sed -i -E -e '$(kx data_location "$W/data")' \
	 -e '$(kx backup_location "$W/backup")' -e '$(kx log_location "$W/log")' '$SRV'"
check_nomatch "status: sql-prod-01 has no problem now" "sql-prod-01: " "$(cat "$S")"
check_nomatch "status: nor has sql-prod-02" "sql-prod-02: " "$(cat "$S")"
check "its backup directory is removed" rmdir "$W/backup"
check_match "status: the backup location does not exist" \
	"^landscapes/DEMO/production/servers/sql-prod-01: backup location '$W/backup' does not exist" \
	"$(cat "$S")"
check "its log directory becomes a file" sh -c "rmdir '$W/log' && : > '$W/log'"
check_match "status: the log location is not a directory" \
	"sql-prod-01: log location '$W/log' is not a directory" "$(cat "$S")"
check_nomatch "status: its data location is fine" "sql-prod-01: data" "$(cat "$S")"

# ---- two instances share a key, one has none; the store as one made
# before events had their tenant and instance (columns dropped)
tfs_umount || bail "unmount"
check "sqlite3: acme/staging gets acme/production's key, globex/staging none" \
	sql "UPDATE instances SET api_key = (SELECT i.api_key FROM instances i
	     JOIN tenants t ON t.id = i.tenant_id WHERE t.name = 'acme' AND
	     i.name = 'production') WHERE name = 'staging' AND tenant_id =
	     (SELECT id FROM tenants WHERE name = 'acme');
	     UPDATE instances SET api_key = '' WHERE name = 'staging' AND
	     tenant_id = (SELECT id FROM tenants WHERE name = 'globex')"
check "sqlite3: events as in an older store (no tenant/instance columns)" \
	python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for s in ("DROP INDEX events_tenant", "DROP INDEX events_instance",
          "ALTER TABLE events DROP COLUMN tenant_id",
          "ALTER TABLE events DROP COLUMN instance_id",
          "ALTER TABLE events DROP COLUMN tenant_off",
          "ALTER TABLE events DROP COLUMN instance_off"):
    c.execute(s)
c.commit()' "$STORE/console.db"
prod_key=$(sql "SELECT i.api_key FROM instances i JOIN tenants t ON
	t.id = i.tenant_id WHERE t.name = 'acme' AND i.name = 'production'")
tfs_mount

check_eq "status: acme/production's key is duplicate" duplicate "$(key_state acme/production)"
check_eq "status: acme/staging's key is duplicate" duplicate "$(key_state acme/staging)"
check_eq "status: globex/staging's key is blank" blank "$(key_state globex/staging)"
check_eq "status: acme/uat's key is still ok" ok "$(key_state acme/uat)"
check_eq "status reports three API key problems" 3 "$(key_problems)"
check_match "status names the blank key" "^globex/staging: API key is blank" "$(cat "$S")"
check_nomatch "status shows no key itself" "$prod_key" "$(cat "$S")"

# ---- the upgraded store's scoped events
check_eq "tenants/acme/events: the acme lines of events (upgraded store)" \
	"$(scope_lines acme)" "$(cat "$TEN/events")"
check_eq "tenants/acme/staging/events: the acme/staging lines" \
	"$(scope_lines acme staging)" "$(cat "$STG/events")"
check_eq "tenants/globex/events: the globex lines" \
	"$(scope_lines globex)" "$(cat "$MNT/tenants/globex/events")"
check_true "tenants/acme/events is not empty" "" -n "$(cat "$TEN/events")"
check_size_matches "tenants/acme/events: stat size is its length" "$TEN/events"

# ---- fix: administrators only, and only "fix"
check_err "jdoe cannot fix status" 'Permission denied' \
	as $JDOE sh -c "echo fix > '$S'"
check_match "the refusal is in events, by jdoe" "	jdoe	Conf/Reject	status: " \
	"$(tail -n 1 "$MNT/events")"
EV_N=$(grep -c '' "$MNT/events")
for _ in 1 2 3; do as $JDOE ls -l "$MNT" >/dev/null 2>&1; as $JDOE cat "$S" >/dev/null 2>&1; done
check_eq "jdoe's next refusals within the minute (ls -l of the root, cat status) add no events" \
	"$EV_N" "$(grep -c '' "$MNT/events")"
check_eq "still three API key problems" 3 "$(key_problems)"
check_err "garbage written to status is refused" 'Invalid argument' \
	bash -c "echo garbage > '$S'"
check_err "'fixx' is refused" 'Invalid argument' bash -c "printf fixx > '$S'"
check_err "'fi' alone is refused (at close)" 'Invalid argument' \
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b"fi")
os.close(fd)' "$S"
check_eq "still three API key problems after the refusals" 3 "$(key_problems)"
check_match "a refusal is in events with the reason" \
	"	admin	Conf/Reject	status: status takes only 'fix'" "$(cat "$MNT/events")"

napi=$(grep -c 'Instance/ApiKey' "$MNT/events")
check "admin: echo fix > status" sh -c "echo fix > '$S'"
for i in acme/production acme/staging acme/uat globex/production globex/staging; do
	check_eq "after fix: $i's API key is ok" ok "$(key_state "$i")"
done
check_eq "after fix: no API key problem" 0 "$(key_problems)"
check_eq "two Instance/ApiKey events" $((napi + 2)) "$(grep -c 'Instance/ApiKey' "$MNT/events")"
check_match "acme/staging's events have its new key" "Instance/ApiKey.*duplicate" "$(cat "$STG/events")"
check_match "globex/staging's events have its new key" "Instance/ApiKey.*blank" \
	"$(cat "$MNT/tenants/globex/staging/events")"
check_eq "instance.conf still hides the key" "***" \
	"$(sed -n 's/^api_key[[:space:]]*=[[:space:]]*//p' "$STG/instance.conf")"
check "a second fix" sh -c "echo fix > '$S'"
check_match "fixes nothing" "	Status/Fix	0 API keys fixed" "$(tail -n 1 "$MNT/events")"

# ---- licenses
today=$(date -u +%F)
check "admin sets acme/staging's licenses" sh -c \
	"sed -i -E '$(kx named_licenses 123)' '$STG/instance.conf' &&
	 sed -i -E '$(kx concurrent_licenses 45)' '$STG/instance.conf'"
E=$STG/master/Employee
# users: Employee records neither disabled nor inactive
users=$(grep -L -e '<Value field="Disabled">true</Value>' \
	-e '<Value field="Status">Inactive</Value>' "$E"/*.xml | grep -c .)
check_true "staging has licensed employees" "users=$users" "$users" -gt 0
check_eq "licenses: header" "date,tenant,instance,license_type,licenses,used" \
	"$(head -n 1 "$MNT/licenses")"
check_eq "licenses: one row per instance and type" 10 "$(tail -n +2 "$MNT/licenses" | grep -c .)"
check_match "licenses: acme/staging named 123, used $users" \
	"^$today,acme,staging,named,123,$users\$" "$(cat "$MNT/licenses")"
check_match "licenses: acme/staging concurrent 45, used 0" \
	"^$today,acme,staging,concurrent,45,0\$" "$(cat "$MNT/licenses")"
check_eq "tenants/acme/licenses: the acme rows of licenses" \
	"$(grep -E '^(date|[^,]*,acme,)' "$MNT/licenses")" "$(cat "$TEN/licenses")"
check_size_matches "licenses: stat size is its length" "$MNT/licenses"

f=$(ls "$E" | head -n 1)
sed -e 's/ name="[^"]*"/ name="tfs.newhire"/' -e 's/ guid="[^"]*"//' \
	-e 's#<Value field="LoginID">[^<]*#<Value field="LoginID">tfs.newhire#' \
	-e 's#<Value field="Disabled">[^<]*</Value>#<Value field="Disabled">false</Value>#' \
	"$E/$f" >"$W/named.xml"
sed -e 's/tfs.newhire/tfs.shift/g' \
	-e 's#<Value field="Disabled">false</Value>#&\n  <Value field="LicenseType">Concurrent</Value>#' \
	"$W/named.xml" >"$W/conc.xml"
check "cp of a new employee into master/" cp "$W/named.xml" "$E/tfs.newhire.xml"
check_match "licenses: named used goes up by one" \
	"^$today,acme,staging,named,123,$((users + 1))\$" "$(cat "$TEN/licenses")"
check "cp of a concurrent employee into master/" cp "$W/conc.xml" "$E/tfs.shift.xml"
check_match "licenses: concurrent used goes up by one" \
	"^$today,acme,staging,concurrent,45,1\$" "$(cat "$TEN/licenses")"
check "the new employee is disabled" sed -i \
	's#<Value field="Disabled">false</Value>#<Value field="Disabled">true</Value>#' "$E/tfs.newhire.xml"
check_match "licenses: a disabled employee holds none" \
	"^$today,acme,staging,named,123,$users\$" "$(cat "$TEN/licenses")"
check_match "licenses: production's count did not move" \
	"^$today,acme,production,named,[0-9]+,$users\$" "$(cat "$TEN/licenses")"

# ---- scoped events grow with their tenant's and instance's edits only
size() { stat -c %s "$1"; }
a0=$(size "$TEN/events") s0=$(size "$STG/events") u0=$(size "$UAT/events")
g0=$(size "$MNT/tenants/globex/events")
check "an edit in acme/staging" sed -i \
	's#<Value field="Title">[^<]*#<Value field="Title">Status Tester#' "$E/tfs.shift.xml"
check_true "tenants/acme/events grew" "$a0 -> $(size "$TEN/events")" "$(size "$TEN/events")" -gt "$a0"
check_true "acme/staging/events grew" "$s0 -> $(size "$STG/events")" "$(size "$STG/events")" -gt "$s0"
check_eq "acme/uat/events did not" "$u0" "$(size "$UAT/events")"
check_eq "tenants/globex/events did not" "$g0" "$(size "$MNT/tenants/globex/events")"
check_match "the edit is the last line of acme/staging/events" \
	"Object/Update.*tfs.shift" "$(tail -n 1 "$STG/events")"
check_eq "acme/staging/events: still exactly the acme/staging lines" \
	"$(scope_lines acme staging)" "$(cat "$STG/events")"
check_eq "acme/uat/events: exactly the acme/uat lines" \
	"$(scope_lines acme uat)" "$(cat "$UAT/events")"
check_size_matches "acme/staging/events: stat size is its length" "$STG/events"
G=$MNT/tenants/globex/staging
gs0=$(size "$G/events")
check "an edit of globex's tenant.conf" set_key "$MNT/tenants/globex/tenant.conf" contact "tfs-status@globex.example"
check_true "tenants/globex/events grew" "$g0" "$(size "$MNT/tenants/globex/events")" -gt "$g0"
check_eq "globex/staging/events did not (a tenant event)" "$gs0" "$(size "$G/events")"
check_eq "acme/staging/events did not" "$(scope_lines acme staging | wc -c)" "$(size "$STG/events")"

# ---- non-administrators
check_err "jdoe cannot read status" 'Permission denied' as $JDOE cat "$S"
check_err "jdoe cannot read licenses" 'Permission denied' as $JDOE cat "$MNT/licenses"
check "jdoe reads tenants/acme/licenses" as $JDOE cat "$TEN/licenses"
check_eq "jdoe's tenants/acme/licenses is the admin's" "$(cat "$TEN/licenses")" "$OUT"
check "jdoe reads tenants/acme/events" as $JDOE cat "$TEN/events"
check_eq "jdoe's tenants/acme/events is the acme lines" "$(scope_lines acme)" "$OUT"
check "jdoe reads tenants/acme/staging/events" as $JDOE cat "$STG/events"
check_err "jdoe cannot read tenants/globex/events" 'No such file|Permission denied' \
	as $JDOE cat "$MNT/tenants/globex/events"
check_err "jdoe cannot read tenants/globex/staging/events" 'No such file|Permission denied' \
	as $JDOE cat "$G/events"
check_err "jdoe cannot read tenants/globex/licenses" 'No such file|Permission denied' \
	as $JDOE cat "$MNT/tenants/globex/licenses"
check "gwen reads tenants/globex/events" as $GWEN cat "$MNT/tenants/globex/events"
check_err "gwen cannot read tenants/acme/events" 'No such file|Permission denied' \
	as $GWEN cat "$TEN/events"

# ---- the keys as stored (unmounted)
tfs_umount || bail "unmount"
check_eq "after fix: every key is set and unique" "5|5|0" \
	"$(sql "SELECT count(*), count(DISTINCT api_key), sum(api_key = '') FROM instances")"
check_eq "acme/production (the oldest) keeps its key" "$prod_key" \
	"$(sql "SELECT i.api_key FROM instances i JOIN tenants t ON
	t.id = i.tenant_id WHERE t.name = 'acme' AND i.name = 'production'")"
check_match "new keys are 32 hex digits" '^[0-9A-F]{32}$' \
	"$(sql "SELECT api_key FROM instances WHERE name = 'staging' AND tenant_id = (SELECT id FROM tenants WHERE name = 'globex')")"
tfs_done
