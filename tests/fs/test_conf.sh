#!/bin/bash
# test_conf.sh: instance.conf and the other .conf files: documented keys in
# the documented order, writable keys change (and last_update_by becomes
# admin), read-only keys and unknown keys are refused, metadata_locked
# takes effect at once, secrets read back as *** whether saved unchanged or
# replaced, and a new secret never shows in clear, not even in history.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
CONF=$STG/instance.conf
ERRNO_RE='Invalid argument|Bad message|Permission denied|Operation not permitted|Read-only file system'

keys_in_order()
{
	check_eq "$1" "$(lines "$INSTANCE_KEYS")" \
		"$(conf_keys "$2" | grep -Fx -f <(lines "$INSTANCE_KEYS"))"
}
for in in production staging uat; do
	keys_in_order "$in/instance.conf: keys in the documented order" "$(inst "$in")/instance.conf"
done

# ---- a writable key
cp "$CONF" "$W/c0"
st=$(conf_get "$CONF" session_timeout)
case $st in
'' | *[!0-9]*) not_ok "session_timeout is a number" "got '$st'"; st=30 ;;
*) ok "session_timeout is a number ($st)" ;;
esac
snap staging st
check "sed -i session_timeout = $((st + 1)) succeeds" \
	sed -i -E "s/^(session_timeout[[:space:]]*=).*/\\1 $((st + 1))/" "$CONF"
check_eq "session_timeout reads back $((st + 1))" "$((st + 1))" "$(conf_get "$CONF" session_timeout)"
check_eq "last_update_by is admin" "admin" "$(conf_get "$CONF" last_update_by)"
keys_in_order "instance.conf keeps its key order after the write" "$CONF"
check_size_matches "instance.conf: stat -c %s equals cat | wc -c after the write" "$CONF"
check_eq "the other keys are unchanged" "" \
	"$(diff <(grep -vE '^(session_timeout|last_update|last_update_by)[[:space:]]*=' "$W/c0") \
		<(grep -vE '^(session_timeout|last_update|last_update_by)[[:space:]]*=' "$CONF"))"
check_eq "staging's history is unchanged (instance.conf is not versioned)" \
	"$(cat "$TFS_TMP/snap/st/ghead")" "$(git_head staging)"

# contact with spaces, through a file with comments and blank lines
{
	echo "# edited by test_conf"
	echo
	sed -E 's/^(contact[[:space:]]*=).*/\1 Jane Q. Doe <jane@example.com>/' "$CONF"
} >"$W/c1"
check "cp of instance.conf with comments, blank lines and a new contact succeeds" \
	cp "$W/c1" "$CONF"
check_eq "contact reads back with its spaces" "Jane Q. Doe <jane@example.com>" \
	"$(conf_get "$CONF" contact)"

# saving unchanged keeps everything, api_key stays ***
cp "$CONF" "$W/c2"
check "saving instance.conf unchanged succeeds" cp "$W/c2" "$CONF"
check_file_bytes "saved unchanged: same bytes (api_key still ***)" "$CONF" "$W/c2"
check_eq "api_key reads ***" "***" "$(conf_get "$CONF" api_key)"

# ---- refused writes
refused()
{
	local desc=$1 f=$2
	check_err "$desc fails" "$ERRNO_RE" cp "$f" "$CONF"
	check_file_bytes "$desc: instance.conf unchanged" "$CONF" "$W/c2"
}
sed -E 's/^(api_key[[:space:]]*=).*/\1 clear-text-key/' "$W/c2" >"$W/r1"
refused "setting the read-only api_key" "$W/r1"
sed -E 's/^(created[[:space:]]*=).*/\1 2001-01-01T00:00:00Z/' "$W/c2" >"$W/r2"
refused "changing the read-only created" "$W/r2"
sed -E 's/^(landscape[[:space:]]*=).*/\1 production/' "$W/c2" >"$W/r3"
refused "moving the instance to another landscape" "$W/r3"
{ cat "$W/c2"; echo "no_such_key = 1"; } >"$W/r4"
refused "an unknown key" "$W/r4"
sed -E 's/^(status[[:space:]]*=).*/\1 sleeping/' "$W/c2" >"$W/r5"
refused "status = sleeping (not a status)" "$W/r5"
sed -E 's/^(named_licenses[[:space:]]*=).*/\1 -5/' "$W/c2" >"$W/r6"
refused "named_licenses = -5" "$W/r6"
sed -E 's/^(metadata_locked[[:space:]]*=).*/\1 maybe/' "$W/c2" >"$W/r7"
refused "metadata_locked = maybe" "$W/r7"
grep -v '^session_timeout' "$W/c2" >"$W/r8"
tfs_run cp "$W/r8" "$CONF"
note "a conf without session_timeout: exit $RC (either refused or key unchanged)"
check_eq "leaving a key out does not clear it" "$(conf_get "$W/c2" session_timeout)" \
	"$(conf_get "$CONF" session_timeout)"

# ---- metadata_locked takes effect at once
F=$(obj staging metadata/Form/Incident.Default.xml)
locked=$(conf_get "$CONF" metadata_locked)
case $locked in
false) on=true ;; no) on=yes ;; 0) on=1 ;; off) on=on ;; *) on=true ;;
esac
check "set metadata_locked = $on on staging" \
	sed -i -E "s/^(metadata_locked[[:space:]]*=).*/\\1 $on/" "$CONF"
check_err "locked staging: sed -i on a Form fails with EROFS" 'Read-only file system' \
	sed -i "$(sed_desc "$F" tfsConfLocked)" "$F"
check "set metadata_locked = $locked again" \
	sed -i -E "s/^(metadata_locked[[:space:]]*=).*/\\1 $locked/" "$CONF"
snap staging unlocked
check "unlocked staging: sed -i on the Form succeeds" sed -i "$(sed_desc "$F" tfsConfUnlocked)" "$F"
expect_one_commit "unlocked staging: one commit" staging unlocked "$(rel "$F")"

# ---- the other .conf files
for f in "$TEN/tenant.conf" "$MNT/users/admin.conf" "$MNT/landscapes/DEMO/group.conf" \
	"$MNT/landscapes/DEMO/staging/landscape.conf"; do
	n=${f#"$MNT"/}
	cp "$f" "$W/o"
	check "$n: saving it unchanged succeeds" cp "$W/o" "$f"
	{ cat "$W/o"; echo "no_such_key = 1"; } >"$W/o2"
	check_err "$n: an unknown key fails" "$ERRNO_RE" cp "$W/o2" "$f"
	check_file_bytes "$n: unchanged" "$f" "$W/o"
done
check_match "users/admin.conf says admin is an administrator" \
	'^[a-z_]*admin[a-z_]* = (true|yes|1)$' "$(cat "$MNT/users/admin.conf")"

# ---- secrets in settings
SEC=$(grep -rlE '[A-Za-z]*([Pp]assword|[Aa]pi[Kk]ey)="\*\*\*"' "$STG/settings" | head -n 1)
if [ -z "$SEC" ]; then
	not_ok "settings hold a secret that reads ***" "none found"
else
	a=$(grep -oE '[A-Za-z]*([Pp]assword|[Aa]pi[Kk]ey)="\*\*\*"' "$SEC" | head -n 1)
	a=${a%%=*}
	cp "$SEC" "$W/sec"
	check "$(rel "$SEC"): saving it unchanged succeeds" cp "$W/sec" "$SEC"
	check_file_bytes "$(rel "$SEC"): still *** after an unchanged save" "$SEC" "$W/sec"
	check "$(rel "$SEC"): setting $a to a new clear value succeeds" \
		sed -i "s/$a=\"\\*\\*\\*\"/$a=\"tfsS3cretValue\"/" "$SEC"
	check_match "$(rel "$SEC"): $a reads back as ***" "$a=\"\\*\\*\\*\"" "$(cat "$SEC")"
	check_eq "the new secret shows nowhere in the mount" "" \
		"$(grep -rl tfsS3cretValue "$STG/settings" "$STG/history/log" "$STG/log" "$MNT/events" 2>/dev/null)"
	check_eq "the new secret is in no commit of any branch" "" \
		"$(tfs_git log -p --all 2>/dev/null | grep -c tfsS3cretValue | grep -v '^0$')"
	check_eq "the new secret is in no transaction set" "" \
		"$(grep -rl tfsS3cretValue "$STG/projects" 2>/dev/null)"
fi

tfs_done
