#!/bin/bash
# test_users.sh: console users by uid and the permission table
# (INTERFACE.md "Users and permissions"), run as real unprivileged uids
# (setpriv) against a mount with -o allow_other: identity, every row of
# the table both ways, self-promotion, re-mapping a uid, an unmapped uid,
# company scoping of tenants/ and events, the user named in events and
# history, and two uids alternating on the same paths so that what one
# caller's kernel cache holds never shows through to the other.
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
U=$MNT/users
JDOE=61001 GWEN=61002 MOPS=61003 NOBODY=61004

# as UID CMD...: CMD as that uid and gid, with no groups, in $W.
as() { local u=$1; shift; (cd "$W" && setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"); }
# kx KEY VALUE: the sed -E expression that sets KEY to VALUE.
kx() { printf 's/^(%s[[:space:]]*=).*/\\1 %s/' "$1" "$2"; }
set_key() { sed -i -E "$(kx "$2" "$3")" "$1"; }
key() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "$1"; }
last_event() { tail -n 1 "$MNT/events"; }
event_user() { cut -f2; }

# ---- identity: admin (uid 0) maps the demo users to uids
for pair in "jdoe $JDOE" "gwen $GWEN" "mops $MOPS"; do
	set -- $pair
	check "admin sets uid = $2 in users/$1.conf" set_key "$U/$1.conf" uid "$2"
	check_eq "users/$1.conf reads uid $2" "$2" "$(key "$U/$1.conf" uid)"
done
check_eq "the uid change is an event by admin" "admin" "$(last_event | event_user)"
check_err "a second user cannot have uid $JDOE" 'Invalid argument' \
	set_key "$U/gwen.conf" uid "$JDOE"
check_eq "gwen keeps uid $GWEN" "$GWEN" "$(key "$U/gwen.conf" uid)"

# ---- an unmapped uid: EACCES on everything but README
check "unmapped: cat README" as $NOBODY cat "$MNT/README"
check "unmapped: ls of the root" as $NOBODY ls "$MNT"
check_eq "unmapped: the root lists only README" "README" "$OUT"
for p in users events tenants landscapes status tenants/acme \
	tenants/acme/staging/instance.conf; do
	check_err "unmapped: $p is refused" 'Permission denied' \
		as $NOBODY stat "$MNT/$p"
done
check_err "unmapped: cannot create a user" 'Permission denied' \
	as $NOBODY sh -c "printf 'login = x\n' > '$U/x.conf'"

# ---- read users/: everyone mapped
check "jdoe lists users/" as $JDOE ls "$U"
check_match "jdoe sees every user" 'admin\.conf' "$OUT"
check "jdoe reads admin.conf" as $JDOE cat "$U/admin.conf"

# ---- create a user: administrators only
printf 'login = newbie\nname = New Bie\ncompany = Acme Corporation\n' >"$W/newbie.conf"
printf 'login = other\nname = Other\n' >"$W/other.conf"
chmod 644 "$W"/*.conf
check_err "jdoe cannot create a user (cp)" 'Permission denied' \
	as $JDOE cp "$W/newbie.conf" "$U/newbie.conf"
check_fails "nothing was created" test -e "$U/newbie.conf"
check_match "the refusal is in events, by jdoe" "	jdoe	.*users/newbie" \
	"$(grep -F newbie "$MNT/events")"
check "admin creates a user with cp" cp "$W/newbie.conf" "$U/newbie.conf"
check_eq "users/newbie.conf reads back its name" "New Bie" "$(key "$U/newbie.conf" name)"
check "mops (administrator) creates a user by writing it" \
	as $MOPS sh -c "cat '$W/other.conf' > '$U/other.conf'"
check_eq "users/other.conf exists" "Other" "$(key "$U/other.conf" name)"
check_match "User/Create by mops is in events" "	mops	User/Create	other" \
	"$(grep -F User/Create "$MNT/events")"

# ---- edit own file
check "jdoe edits her own name" as $JDOE sed -i 's/^name = .*/name = Jane Q. Doe/' "$U/jdoe.conf"
check_eq "the name changed" "Jane Q. Doe" "$(key "$U/jdoe.conf" name)"
check_eq "the change is an event by jdoe" "jdoe" "$(last_event | event_user)"
check_err "jdoe cannot make herself an administrator" 'Permission denied' \
	as $JDOE sed -i 's/^administrator = .*/administrator = true/' "$U/jdoe.conf"
check_eq "jdoe is still not an administrator" "false" "$(key "$U/jdoe.conf" administrator)"
check_match "the self-promotion is in events, by jdoe" "	jdoe	Conf/Reject	users" \
	"$(last_event)"
check_err "jdoe cannot change her own uid" 'Permission denied' \
	as $JDOE sed -i "s/^uid = .*/uid = $NOBODY/" "$U/jdoe.conf"
check "jdoe sets her password" as $JDOE sed -i 's/^password = .*/password = Tfs-s3cret-42/' "$U/jdoe.conf"
check_eq "the password reads back ***" "***" "$(key "$U/jdoe.conf" password)"
check_eq "the password is nowhere in the store or the events, in clear" "" \
	"$(grep -rlF Tfs-s3cret-42 "$STORE" "$MNT/events" 2>&1)"

# ---- edit another user
check_err "jdoe cannot edit gwen" 'Permission denied' \
	as $JDOE sed -i 's/^name = .*/name = X/' "$U/gwen.conf"
check_err "jdoe cannot take uid 0 by writing admin.conf" 'Permission denied' \
	as $JDOE sed -i "s/^uid = .*/uid = $JDOE/" "$U/admin.conf"
check_eq "admin keeps uid 0" "0" "$(key "$U/admin.conf" uid)"
check "mops edits gwen's name" as $MOPS sed -i 's/^name = .*/name = Gwen S./' "$U/gwen.conf"
check "mops makes newbie an administrator" as $MOPS sed -i -E "$(kx administrator true)" "$U/newbie.conf"
check_err "mops cannot take admin's administrator status" 'Permission denied' \
	as $MOPS sed -i -E "$(kx administrator false)" "$U/admin.conf"
check_err "admin cannot drop its own administrator status" 'Permission denied' \
	set_key "$U/admin.conf" administrator false
check_eq "admin is still an administrator" "true" "$(key "$U/admin.conf" administrator)"

# ---- delete
check_err "jdoe cannot delete gwen" 'Permission denied' as $JDOE rm "$U/gwen.conf"
check_err "jdoe cannot delete herself" 'Permission denied' as $JDOE rm "$U/jdoe.conf"
check_err "admin cannot delete an administrator (newbie)" 'Permission denied' rm "$U/newbie.conf"
check_err "admin cannot delete admin" 'Permission denied' rm "$U/admin.conf"
check_err "mops cannot delete admin" 'Permission denied' as $MOPS rm "$U/admin.conf"
check "mops deletes other (not an administrator)" as $MOPS rm "$U/other.conf"
check_fails "users/other.conf is gone" test -e "$U/other.conf"
check_match "User/Delete by mops is in events" "	mops	User/Delete	other" \
	"$(grep -F User/Delete "$MNT/events")"

# ---- tenants/, landscapes/, status: by company
check "jdoe lists tenants/" as $JDOE ls "$MNT/tenants"
check_eq "jdoe (Acme Corporation) sees only acme" "acme" "$OUT"
check "gwen lists tenants/" as $GWEN ls "$MNT/tenants"
check_eq "gwen (Globex Inc) sees only globex" "globex" "$OUT"
check "mops lists tenants/" as $MOPS ls "$MNT/tenants"
check_eq "mops (administrator) sees all" "acme globex" "$(echo $OUT)"
check_err "jdoe: landscapes/ is refused" 'Permission denied' as $JDOE ls "$MNT/landscapes"
check_err "jdoe: status is refused" 'Permission denied' as $JDOE cat "$MNT/status"
check "mops reads landscapes/ and status" as $MOPS sh -c "ls '$MNT/landscapes' && cat '$MNT/status'"
check "jdoe lists the root" as $JDOE ls "$MNT"
check_nomatch "jdoe's root has no landscapes or status" 'landscapes|status' "$OUT"
check_err "jdoe cannot create a tenant" 'Permission denied' as $JDOE mkdir "$MNT/tenants/acme2"
check_match "the refusal is in events, by jdoe" "	jdoe	Conf/Reject	tenants/" "$(last_event)"
check_fails "no tenant acme2" test -e "$MNT/tenants/acme2"

# ---- the audit trail: jdoe's edit in her tenant names her
F=$STG/metadata/Form/Incident.Default.xml
check "jdoe edits a form in acme/staging" \
	as $JDOE sed -i '/<Form /s/caption="Incident"/caption="Incident (jdoe)"/' "$F"
check_match "the form changed" 'caption="Incident \(jdoe\)"' "$(grep '<Form ' "$F")"
check_match "the event names jdoe" "	jdoe	" "$(last_event)"
check_match "the history commit names jdoe" " jdoe " "$(head -n 1 "$STG/history/log")"
check_match "the git commit's author is jdoe" "^jdoe" \
	"$(tfs_git log -1 --format=%an acme/staging)"

printf 'source = staging\noperation = no-op\n' >"$W/noop.conf"
chmod 644 "$W/noop.conf"
check "jdoe pushes a no-op from staging to uat" as $JDOE cp "$W/noop.conf" "$UAT/push/"
check_match "the push's event names jdoe" "	jdoe	Sandbox/NoOp	" "$(grep -F 'Push no-op' "$MNT/events" | tail -n 1)"
check_match "uat's history commit names jdoe" "^jdoe" \
	"$(tfs_git log -1 --format=%an acme/uat)"
check_fails "gwen cannot push into acme" as $GWEN cp "$W/noop.conf" "$UAT/push/gwen.conf"

# ---- events, filtered by tenant
check "jdoe reads events" as $JDOE cat "$MNT/events"
check_eq "jdoe's events are all about acme" "acme" "$(printf '%s\n' "$OUT" | cut -f5 | sort -u)"
check "gwen reads events" as $GWEN cat "$MNT/events"
check_nomatch "gwen sees no acme event" "	acme	" "$OUT"
n_all=$(wc -l <"$MNT/events")
n_jdoe=$(as $JDOE cat "$MNT/events" | wc -l)
check_true "jdoe sees fewer events than admin" "$n_jdoe of $n_all" \
	"$n_jdoe" -lt "$n_all"
check_eq "jdoe: stat size of events equals what she reads" \
	"$(as $JDOE cat "$MNT/events" | wc -c)" "$(as $JDOE stat -c %s "$MNT/events")"

# ---- the kernel's caches: two callers alternating on the same paths
G=$MNT/tenants/globex/production
A=$STG/instance.conf
for round in 1 2; do
	check "round $round: admin lists tenants/ and reads globex" \
		sh -c "ls '$MNT/tenants' >/dev/null && cat '$G/instance.conf' >/dev/null && ls '$G/metadata' >/dev/null"
	check "round $round: gwen reads globex" as $GWEN sh -c "stat '$G/instance.conf' >/dev/null && cat '$G/instance.conf' >/dev/null"
	check_eq "round $round: jdoe lists only acme after the others" "acme" \
		"$(as $JDOE ls "$MNT/tenants" 2>&1)"
	check_fails "round $round: jdoe cannot stat globex's instance.conf" \
		as $JDOE stat "$G/instance.conf"
	check_fails "round $round: jdoe cannot cat it" as $JDOE cat "$G/instance.conf"
	check_fails "round $round: jdoe cannot list globex's metadata" as $JDOE ls "$G/metadata"
	check_fails "round $round: jdoe cannot write it" \
		as $JDOE sh -c "echo 'contact = x' >> '$G/instance.conf'"
	check "round $round: jdoe reads acme" as $JDOE sh -c "stat '$A' >/dev/null && cat '$A' >/dev/null"
	check_fails "round $round: gwen cannot stat acme's instance.conf" as $GWEN stat "$A"
	check_fails "round $round: gwen cannot cat it" as $GWEN cat "$A"
	check_eq "round $round: gwen lists only globex" "globex" \
		"$(as $GWEN ls "$MNT/tenants" 2>&1)"
done
check_eq "jdoe's attempt changed nothing" "" "$(grep -F 'contact = x' "$G/instance.conf")"

# ---- re-mapping a uid
check "admin takes jdoe's uid away" set_key "$U/jdoe.conf" uid none
check_err "uid $JDOE is now unmapped: tenants/ refused" 'Permission denied' \
	as $JDOE ls "$MNT/tenants"
check "admin gives uid $JDOE to gwen" set_key "$U/gwen.conf" uid "$JDOE"
check "uid $JDOE now lists as gwen" as $JDOE ls "$MNT/tenants"
check_eq "uid $JDOE sees globex only" "globex" "$OUT"

# ---- dropping one's own administrator status is for good
check "mops drops his own administrator status" as $MOPS sed -i -E "$(kx administrator false)" "$U/mops.conf"
check_err "mops cannot regain it" 'Permission denied' \
	as $MOPS sed -i -E "$(kx administrator true)" "$U/mops.conf"
check_err "mops no longer sees landscapes/" 'Permission denied' as $MOPS ls "$MNT/landscapes"

tfs_done
