#!/bin/bash
# test_admin.sh: console administration of landscapes, INTERFACE.md
# "Console administration", through a real mount (-o allow_other, other
# callers run with setpriv as in test_users.sh).
#
# mkdir landscapes/<group> and group.conf (tiers written as 2/3 or
# two-tier/three-tier, read back two-tier/three-tier; going to two tiers
# refused with EBUSY while a tenant has a uat instance there, allowed
# once it has none); mkdir landscapes/<group>/<type> (one of each, known
# types only) and landscape.conf's patterns (must keep {tenantName}),
# which a new instance's uri and database then follow; servers/<name>.conf
# created with cp (locations: existing writable directories, else EINVAL
# and nothing created), edited, deleted (EBUSY while instances live on
# its landscape); rmdir of landscapes and groups (ENOTEMPTY unless
# empty); the events of each, refusals included; non-administrators
# refused; and a store made before these keys existed mounting with
# their defaults.  Every refusal is followed by a check that nothing
# changed.
# shellcheck disable=SC2012
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP: needs root and setpriv to run commands as other uids"
	exit 77
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: needs the sqlite3 shell to make an old store"
	exit 77
fi
TFS_MOUNT_OPTS="${TFS_MOUNT_OPTS:+$TFS_MOUNT_OPTS,}allow_other"
tfs_setup
chmod 755 "$TFS_TMP" "$TFS_TMP/work"
cd "$W" || exit 1
L=$MNT/landscapes
G=$L/NEWGRP
JDOE=61101 NOBODY=61104

as() { local u=$1; shift; (cd "$W" && setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"); }
# kx KEY VALUE: the sed -E expression that sets KEY to VALUE (no | in it).
kx() { printf 's|^(%s[[:space:]]*=).*|\\1 %s|' "$1" "$2"; }
set_key() { sed -i -E "$(kx "$2" "$3")" "$1"; }
names() { ls "$1" | tr '\n' ' ' | sed 's/ $//'; }
mark_events() { cat "$MNT/events" >"$TFS_TMP/ev.$1"; }
new_events() { cat "$MNT/events" | diff "$TFS_TMP/ev.$1" - | sed -n 's/^> //p'; }

# ------------------------------------------------------------ groups

mark_events g1
check "mkdir landscapes/NEWGRP" mkdir "$G"
check_eq "NEWGRP holds only group.conf" "group.conf" "$(names "$G")"
check_eq "group.conf keys" "name tiers description backup_engine backup_type" \
	"$(conf_keys "$G/group.conf" | tr '\n' ' ' | sed 's/ $//')"
check_eq "a new group is three-tier, backup engine mssql" "three-tier mssql" \
	"$(conf_get "$G/group.conf" tiers) $(conf_get "$G/group.conf" backup_engine)"
check_match "LandscapeGroup/Create by admin is in events" \
	'	admin	LandscapeGroup/Create	landscape group NEWGRP created' \
	"$(new_events g1)"
check_err "mkdir landscapes/NEWGRP again fails (EEXIST)" 'File exists' mkdir "$G"
# (the kernel answers EEXIST itself from the entry it holds: nothing
# reaches tenantfs to record)
check_err "mkdir of a group named 'a b' fails (EINVAL)" 'Invalid argument' \
	mkdir "$L/a b"
check "... and does not exist" test ! -e "$L/a b"
check_match "... the refusal is in events" \
	'LandscapeGroup/Reject	mkdir landscapes/a b refused: invalid group name' \
	"$(new_events g1)"

check "tiers = 2" set_key "$G/group.conf" tiers 2
check_eq "... reads back two-tier" "two-tier" "$(conf_get "$G/group.conf" tiers)"
check "tiers = three-tier" set_key "$G/group.conf" tiers three-tier
check_eq "... reads back three-tier" "three-tier" "$(conf_get "$G/group.conf" tiers)"
check "tiers = 2, then 3" sh -c "sed -i -E '$(kx tiers 2)' '$G/group.conf' && sed -i -E '$(kx tiers 3)' '$G/group.conf'"
check_eq "... reads back three-tier" "three-tier" "$(conf_get "$G/group.conf" tiers)"
cp "$G/group.conf" "$W/g.before"
check_err "tiers = 4 fails (EINVAL)" 'Invalid argument' set_key "$G/group.conf" tiers 4
check_err "backup_engine = oracle fails (EINVAL)" 'Invalid argument' \
	set_key "$G/group.conf" backup_engine oracle
check_file_bytes "group.conf unchanged after the refusals" "$G/group.conf" "$W/g.before"
check "backup_engine = litespeed, description" sh -c \
	"sed -i -E -e '$(kx backup_engine litespeed)' -e '$(kx description 'New customers')' '$G/group.conf'"
check_eq "... read back" "litespeed New customers" \
	"$(conf_get "$G/group.conf" backup_engine) $(conf_get "$G/group.conf" description)"

# -------------------------------------------------------- landscapes

mark_events l1
for t in production staging uat; do
	check "mkdir NEWGRP/$t" mkdir "$G/$t"
done
check_eq "NEWGRP lists its landscapes" "group.conf production staging uat" "$(names "$G")"
check_eq "a landscape holds landscape.conf and servers/" "landscape.conf servers" \
	"$(names "$G/staging")"
check_eq "landscape.conf keys" \
	"type tenant_pattern database_pattern email_domain allow_all_backup_options config_service_url" \
	"$(conf_keys "$G/staging/landscape.conf" | tr '\n' ' ' | sed 's/ $//')"
check_eq "staging's default patterns" "{tenantName}.staging {dbName}-STAGING" \
	"$(conf_get "$G/staging/landscape.conf" tenant_pattern) $(conf_get "$G/staging/landscape.conf" database_pattern)"
check_match "Landscape/Create is in events" '	Landscape/Create	landscape NEWGRP/uat created' \
	"$(new_events l1)"
check_err "a second production fails (EEXIST)" 'File exists' mkdir "$G/production"
check_err "an unknown type fails (EINVAL)" 'Invalid argument' mkdir "$G/qa"
check "... and does not exist" test ! -e "$G/qa"
check_match "... the refusal is in events" \
	'Landscape/Reject	mkdir landscapes/NEWGRP/qa refused: unknown landscape type' \
	"$(new_events l1)"
check_err "mkdir inside servers/ fails" 'Permission denied' mkdir "$G/uat/servers/x"

P=$G/production/landscape.conf
cp "$P" "$W/p.before"
mark_events l2
check_err "tenant_pattern without {tenantName} fails (EINVAL)" 'Invalid argument' \
	set_key "$P" tenant_pattern 'fixed.host'
check_err "database_pattern without {tenantName} fails (EINVAL)" 'Invalid argument' \
	set_key "$P" database_pattern 'DB-ONE'
check_file_bytes "landscape.conf unchanged after the refusals" "$P" "$W/p.before"
check_match "the refusals name the key, in events" \
	'Conf/Reject	landscapes/NEWGRP/production/landscape.conf: database_pattern: .DB-ONE. does not contain \{tenantName\}' \
	"$(new_events l2)"
check "new patterns, e-mail domain, config service" sh -c \
	"sed -i -E -e '$(kx tenant_pattern '{tenantName}-new')' -e '$(kx database_pattern 'NG_{tenantName}')' -e '$(kx email_domain new.example.com)' -e '$(kx config_service_url https://cfg.example.com/x)' '$P'"
check_eq "... read back" "{tenantName}-new NG_{tenantName} https://cfg.example.com/x" \
	"$(conf_get "$P" tenant_pattern) $(conf_get "$P" database_pattern) $(conf_get "$P" config_service_url)"

# ---- a tenant on the new group: its instances follow the patterns
T=$MNT/tenants/zeta
check "mkdir tenants/zeta" mkdir "$T"
check "zeta's landscape_group = NEWGRP" set_key "$T/tenant.conf" landscape_group NEWGRP
check "mkdir tenants/zeta/production" mkdir "$T/production"
check_eq "production's uri follows the changed tenant_pattern" \
	"https://zeta-new.new.example.com" "$(conf_get "$T/production/instance.conf" uri)"
check_eq "production's database follows the changed database_pattern" \
	"NG_zeta" "$(conf_get "$T/production/instance.conf" database)"
check "mkdir tenants/zeta/uat" mkdir "$T/uat"
check_eq "uat's database follows its default pattern" "ZETA-UAT" \
	"$(conf_get "$T/uat/instance.conf" database)"

# ---- tiers: two tiers would strand zeta/uat
mark_events g2
cp "$G/group.conf" "$W/g.before"
check_err "tiers = 2 fails while zeta/uat exists (EBUSY)" 'Device or resource busy' \
	set_key "$G/group.conf" tiers 2
check_err "tiers = two-tier fails too" 'Device or resource busy' \
	set_key "$G/group.conf" tiers two-tier
check_file_bytes "group.conf unchanged" "$G/group.conf" "$W/g.before"
check_match "the refusal names the stranded instance, in events" \
	'	admin	Conf/Reject	landscapes/NEWGRP/group.conf: tiers: .*uat landscape: zeta/uat' \
	"$(new_events g2)"
check "zeta/uat: in_maintenance = true" set_key "$T/uat/instance.conf" in_maintenance true
check "rmdir tenants/zeta/uat" rmdir "$T/uat"
check "tiers = 2 now succeeds" set_key "$G/group.conf" tiers 2
check_eq "... reads two-tier" "two-tier" "$(conf_get "$G/group.conf" tiers)"
check_err "mkdir tenants/zeta/uat in a two-tier group fails" 'Invalid argument' \
	mkdir "$T/uat"
check "... and does not exist" test ! -e "$T/uat"
check "tiers = 3 again" set_key "$G/group.conf" tiers 3

# ------------------------------------------------------------ servers

S=$G/production/servers
D1=$(mktemp -d "$TFS_TMP/data.XXXXXX")
D2=$(mktemp -d "$TFS_TMP/backup.XXXXXX")
D3=$(mktemp -d "$TFS_TMP/log.XXXXXX")
: >"$TFS_TMP/plain-file"
server_conf()
{
	printf 'host = %s\ndata_location = %s\nbackup_location = %s\nlog_location = %s\nlogin = sa\npassword = Tfs-db-pw-77\n' \
		"$1" "$2" "$3" "$4"
}
server_conf sql1.example.com "$D1" "$D2" "$D3" >"$W/db1.conf"
mark_events s1
check "cp db1.conf servers/db1.conf" cp "$W/db1.conf" "$S/db1.conf"
check_eq "servers/ lists db1.conf" "db1.conf" "$(names "$S")"
check_eq "server keys" "name host data_location backup_location log_location login password" \
	"$(conf_keys "$S/db1.conf" | tr '\n' ' ' | sed 's/ $//')"
check_eq "host and locations read back" "sql1.example.com $D1 $D2 $D3" \
	"$(conf_get "$S/db1.conf" host) $(conf_get "$S/db1.conf" data_location) $(conf_get "$S/db1.conf" backup_location) $(conf_get "$S/db1.conf" log_location)"
check_eq "the password reads back ***" "***" "$(conf_get "$S/db1.conf" password)"
check_eq "the password is not in events" "" "$(grep -F Tfs-db-pw-77 "$MNT/events")"
check_match "Server/Create is in events" \
	'	admin	Server/Create	landscapes/NEWGRP/production/servers/db1.conf created' \
	"$(new_events s1)"

mark_events s2
server_conf sql2 "$D1" "$TFS_TMP/plain-file" "$D3" >"$W/db2.conf"
check_err "a server whose backup_location is a file fails (EINVAL)" 'Invalid argument' \
	cp "$W/db2.conf" "$S/db2.conf"
check "... and is not created" test ! -e "$S/db2.conf"
check_match "... Server/Reject names backup_location" \
	'Server/Reject	creating server db2 refused: backup_location: .* is not a directory' \
	"$(new_events s2)"
server_conf sql2 "$TFS_TMP/no-such-dir" "$D2" "$D3" >"$W/db2.conf"
check_err "a server whose data_location does not exist fails" 'Invalid argument' \
	sh -c "cat '$W/db2.conf' > '$S/db2.conf'"
check "... and is not created" test ! -e "$S/db2.conf"
check_match "... Server/Reject names data_location" \
	'Server/Reject	creating server db2 refused: data_location: .*no-such-dir: No such file' \
	"$(new_events s2)"
server_conf sql2 "$D1" "$D2" "relative/dir" >"$W/db2.conf"
check_err "a relative log_location fails" 'Invalid argument' cp "$W/db2.conf" "$S/db2.conf"
server_conf sql2 "$D1" "$D2" "" >"$W/db2.conf"
check_err "a missing log_location fails" 'Invalid argument' cp "$W/db2.conf" "$S/db2.conf"
check_eq "servers/ still lists only db1.conf" "db1.conf" "$(names "$S")"
check_eq "no Server/Create for db2" "" "$(new_events s2 | grep Server/Create)"

cp "$S/db1.conf" "$W/s.before"
check_err "editing db1's data_location to a missing directory fails" 'Invalid argument' \
	set_key "$S/db1.conf" data_location "$TFS_TMP/gone"
check_file_bytes "db1.conf unchanged" "$S/db1.conf" "$W/s.before"
check_match "... the refusal names the file and key, in events" \
	'Conf/Reject	landscapes/NEWGRP/production/servers/db1.conf: data_location: .*gone: No such file' \
	"$(tail -n 1 "$MNT/events")"
check "editing db1's log_location to another directory" \
	set_key "$S/db1.conf" log_location "$D1"
check_eq "... reads back" "$D1" "$(conf_get "$S/db1.conf" log_location)"

mark_events s3
check_err "rm db1.conf fails while zeta/production is on its landscape (EBUSY)" \
	'Device or resource busy' rm "$S/db1.conf"
check "... it is still there" test -f "$S/db1.conf"
check_match "... Server/Reject names the instance" \
	'Server/Reject	rm landscapes/NEWGRP/production/servers/db1.conf refused: .*zeta/production' \
	"$(new_events s3)"
check "a server on staging (no instances)" cp "$W/db1.conf" "$G/staging/servers/stg1.conf"
check "rm it" rm "$G/staging/servers/stg1.conf"
check "... it is gone" test ! -e "$G/staging/servers/stg1.conf"
check_match "Server/Delete is in events" \
	'	admin	Server/Delete	landscapes/NEWGRP/staging/servers/stg1.conf deleted' \
	"$(new_events s3)"

# ---- the demo's servers: their locations are directories of this machine
DS=$L/DEMO/production/servers/sql-prod-01.conf
for k in data_location backup_location log_location; do
	check "demo sql-prod-01's $k is a directory" test -d "$(conf_get "$DS" $k)"
done
check "the demo server's host can be edited" set_key "$DS" host sql-prod-01b.example.com
check_eq "... reads back" "sql-prod-01b.example.com" "$(conf_get "$DS" host)"

# ------------------------------------------------------------ rmdir

check_err "rmdir NEWGRP/production fails (instances, servers)" 'Directory not empty' \
	rmdir "$G/production"
check "... it is still there" test -d "$G/production"
check_err "rmdir NEWGRP fails (landscapes, tenants)" 'Directory not empty' rmdir "$G"
check "rmdir NEWGRP/staging (empty)" rmdir "$G/staging"
check_eq "NEWGRP lists production and uat" "group.conf production uat" "$(names "$G")"
check "mkdir landscapes/EMPTY, rmdir it" sh -c "mkdir '$L/EMPTY' && rmdir '$L/EMPTY'"
check "... it is gone" test ! -e "$L/EMPTY"
check_match "LandscapeGroup/Delete is in events" '	LandscapeGroup/Delete	landscape group EMPTY deleted' \
	"$(cat "$MNT/events")"

# ------------------------------------------------- non-administrators

check "jdoe gets uid $JDOE" set_key "$MNT/users/jdoe.conf" uid "$JDOE"
chmod 644 "$W"/*.conf
for who in "jdoe $JDOE" "unmapped $NOBODY"; do
	set -- $who
	check_err "$1: mkdir landscapes/X is refused" 'Permission denied' \
		as "$2" mkdir "$L/X"
	check_err "$1: mkdir NEWGRP/pilot is refused" 'Permission denied' \
		as "$2" mkdir "$G/pilot"
	check_err "$1: writing group.conf is refused" 'Permission denied' \
		as "$2" sh -c "echo 'tiers = 2' > '$G/group.conf'"
	check_err "$1: creating a server is refused" 'Permission denied' \
		as "$2" cp "$W/db1.conf" "$S/db9.conf"
	check_err "$1: rm of a server is refused" 'Permission denied' \
		as "$2" rm "$S/db1.conf"
	check_err "$1: rmdir NEWGRP/uat is refused" 'Permission denied' \
		as "$2" rmdir "$G/uat"
done
check "nothing was made or removed" sh -c "test ! -e '$L/X' && test ! -e '$G/pilot' && test ! -e '$S/db9.conf' && test -f '$S/db1.conf' && test -d '$G/uat'"
check_eq "NEWGRP is still three-tier" "three-tier" "$(conf_get "$G/group.conf" tiers)"

# ------------------------------------------- a store from before these keys

tfs_umount
# What the previous build made: the same tables without the new columns.
for tc in groups.backup_engine landscapes.config_service_url servers.host \
	servers.log_location servers.login servers.password; do
	sqlite3 "$STORE/console.db" "ALTER TABLE ${tc%.*} DROP COLUMN ${tc#*.}" ||
		bail "dropping $tc from the store"
done
check_eq "the old store has no backup_engine column" "0" \
	"$(sqlite3 "$STORE/console.db" "SELECT count(*) FROM pragma_table_info('groups') WHERE name = 'backup_engine'")"
# shellcheck disable=SC2119
tfs_mount
check_eq "old store: DEMO's backup_engine defaults to mssql" "mssql" \
	"$(conf_get "$L/DEMO/group.conf" backup_engine)"
check_eq "old store: config_service_url is there, empty" "config_service_url = " \
	"$(grep '^config_service_url' "$L/DEMO/staging/landscape.conf" | sed 's/ *$/ /')"
check_eq "old store: a demo server shows the new keys" "name host data_location backup_location log_location login password" \
	"$(conf_keys "$L/DEMO/production/servers/sql-prod-01.conf" | tr '\n' ' ' | sed 's/ $//')"
check_eq "old store: NEWGRP's server lost only the dropped columns" "$D1 $D2" \
	"$(conf_get "$S/db1.conf" data_location) $(conf_get "$S/db1.conf" backup_location)"
check "old store: a new server can be created" cp "$W/db1.conf" "$G/uat/servers/u1.conf"
check_eq "... with its host" "sql1.example.com" "$(conf_get "$G/uat/servers/u1.conf" host)"

tfs_done
