#!/bin/bash
# test_backup.sh: INTERFACE.md (v2) "Backups and restore", on the demo.
#
#  - a copy-to-replace production -> staging with the default backup
#    (live) adds exactly one backups/<UTC time>-copy-to-replace.db and its
#    companion <UTC time>-copy-to-replace.info, the .db named in the
#    result's backup: line; the .db is an SQLite database
#    (integrity_check ok) and the .info names the history commit
#    the instance was at; backups/ is read-only (rm, append, touch, mv
#    fail);
#  - echo NAME > restore brings staging back: diff -r of every directory
#    against a copy taken before the push is empty, the git tree is the
#    one from before, one commit "Restore NAME", a Sandbox/Restore event,
#    restore.result; a name that is no backup is refused and changes
#    nothing;
#  - backup = none is refused where the landscape does not allow all
#    backup options (production) and changes nothing; where it does
#    (staging) the push takes no backup; backup = last takes none and
#    names the newest one.
# shellcheck disable=SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=push_lib.sh
. "$(dirname "$0")/push_lib.sh"
tfs_setup
cd "$W" || exit 1

# restore INST NAME: writes NAME to INST's restore with tee, whose exit
# status tells a failed write or close (a shell's echo would not).
restore()
{
	tfs_run bash -c 'printf "%s\n" "$1" | tee "$2" >/dev/null' _ "$2" "$(idir "$1")/restore"
}

# backups INST: the names in backups/, one a line.
backups() { ls -1 "$(idir "$1")/backups" 2>&1; }
# new_backups INST FILE: names in backups/ that FILE (an earlier listing)
# lacks.
new_backups() { backups "$1" | sort | comm -13 "$2" -; }

check_eq "production allows no 'backup = none' (the demo's landscape)" false \
	"$(conf_get "$MNT/landscapes/DEMO/production/landscape.conf" allow_all_backup_options)"
check_eq "staging allows all backup options (the demo's landscape)" true \
	"$(conf_get "$MNT/landscapes/DEMO/staging/landscape.conf" allow_all_backup_options)"
check "ls staging/backups works" ls "$STG/backups"

# versions must differ for production -> staging (the demo v2 has 0 and
# 1; the first demo had 0 and 0: a no-op opens the path)
if [ "$(ver production)" = "$(ver staging)" ]; then
	note "production and staging are both at version $(ver staging): no-op first"
	psnap staging noop
	req noop.conf source=production operation=no-op
	push staging noop.conf
	expect_pushed "no-op production -> staging" staging noop no-op production Sandbox/NoOp
fi

# ------------------------------------------------- a push takes a backup
FORM=$(first_obj "$STG/metadata/Form")
EMP=$(first_obj "$STG/master/Employee")
check "staging: edit metadata/Form/$FORM" edit_desc "$STG/metadata/Form/$FORM" tfsBackupForm
check "staging: edit master/Employee/$EMP" sed -i \
	's#<Value field="Title">[^<]*</Value>#<Value field="Title">Backup Tester</Value>#' \
	"$STG/master/Employee/$EMP"
check "staging: sed -i data/Incident (Subject of the first)" sed -i \
	's#<Value field="Subject">[^<]*</Value>#<Value field="Subject">tfs backup subject</Value>#' \
	"$STG/data/Incident/$(ls "$STG/data/Incident" | head -n 1)"
psnap staging before
HEAD0=$(ghead staging)
HN0=$(htop staging | awk '{print $1}')
backups staging | sort >"$W/b0"
T0=$(date -u +%s)
req r1.conf source=production operation=copy-to-replace
push staging r1.conf
expect_pushed "copy-to-replace with the default backup" staging before \
	copy-to-replace production Sandbox/Replace
new_backups staging "$W/b0" >"$W/b1new"
DB=$(grep '\.db$' "$W/b1new")
INFO_F=${DB%.db}.info
check_eq "backups/ has one new .db and its .info" \
	"$(printf '%s\n' "${DB:-?.db}" "$INFO_F" | sort)" "$(cat "$W/b1new")"
check_match "its name is <UTC time>-copy-to-replace.db" \
	'^[0-9]{8}T[0-9]{6}Z-copy-to-replace\.db$' "$DB"
if [[ $DB =~ ^([0-9]{8})T([0-9]{2})([0-9]{2})([0-9]{2})Z ]]; then
	t=$(date -u -d "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}:${BASH_REMATCH[3]}:${BASH_REMATCH[4]}" +%s)
	check_true "the name's time is the push's (UTC, within a minute)" \
		"name $DB, push at $(date -u -d "@$T0" +%Y%m%dT%H%M%SZ)" \
		"$t" -ge "$((T0 - 60))" -a "$t" -le "$(($(date -u +%s) + 60))"
fi
check_match "the result's backup: line names it" \
	"^backup: $(re_esc "$DB")\$|^backup: $(re_esc "${DB%.db}")\$" "$RESULT"
B=$STG/backups/$DB
if [ -n "$DB" ]; then
	check "the backup can be copied out (cp)" cp "$B" "$W/b1.db"
	check_size_matches "backup: stat -c %s equals cat | wc -c" "$B"
	check_eq "the backup is an SQLite database" "SQLite format 3" \
		"$(head -c 15 "$W/b1.db" 2>&1)"
	check_eq "sqlite3 integrity_check of the backup: ok" ok \
		"$(sqlite3 "$W/b1.db" 'pragma integrity_check' 2>&1)"
	INFO=$(cat "$STG/backups/$INFO_F" 2>&1)
	ids=$(printf '%s\n' "$INFO" | grep -oE '\b[0-9a-f]{7,40}\b')
	hit=
	for id in $ids; do
		case $HEAD0 in "$id"*) hit=$id ;; esac
	done
	if [ -n "$hit" ]; then
		ok "the .info names the commit staging was at ($hit)"
	else
		not_ok "the .info names the commit staging was at" \
			"expected $HEAD0 (history $HN0) in:" "$INFO"
	fi
	# read-only
	check_fails "rm of a backup fails" rm -f "$B"
	check_fails "appending to a backup fails" bash -c 'echo x >>"$1"' _ "$B"
	check_fails "touch backups/new.db fails" touch "$STG/backups/new.db"
	check_fails "mv of a backup fails" mv "$B" "$STG/backups/renamed.db"
	check_fails "cp over a .info fails" cp "$W/b0" "$STG/backups/$INFO_F"
	check_eq "backups/ is as it was" "$(sort "$W/b0" "$W/b1new")" "$(backups staging | sort)"
	check "the backup still has its bytes" cmp "$B" "$W/b1.db"
fi

# ------------------------------------------------------------- restore
# (without a backup there is nothing to restore: the checks below would
# only repeat that failure)
if [ -z "$DB" ]; then
	not_ok "restore: there is no backup to restore (see above); restore not tested"
	DB=tfs-no-backup.db
fi
check_ne "the push changed staging (diff -r against the copy is not empty)" "" \
	"$(same_dirs staging before)"
psnap staging rs
restore staging "$DB"
if [ "$RC" -eq 0 ]; then
	ok "echo $DB > restore succeeds"
else
	not_ok "echo $DB > restore succeeds" "exit $RC: $ERR"
fi
RR=$(cat "$STG/restore.result" 2>&1)
check "restore.result can be read" cat "$STG/restore.result"
check_match "restore.result's first line is one word (not rejected or failed)" \
	'^[a-z-]+$' "$(printf '%s\n' "$RR" | sed -n 1p)"
check_nomatch "restore.result has no error" '^(rejected|failed|error)' "$RR"
check_eq "restore: diff -r of every directory against the copy from before the push is empty" \
	"" "$(same_dirs staging before)"
check_eq "restore: staging's git tree is the one from before the push" \
	"$(cat "$TFS_TMP/ps/before/gtree")" "$(gtree staging)"
check_eq "restore: one more history line" "$(($(grep -c . "$TFS_TMP/ps/rs/hlog") + 1))" \
	"$(hcount staging)"
check_eq "restore: one more commit" "$(($(cat "$TFS_TMP/ps/rs/gcount") + 1))" "$(gcount staging)"
check_match "restore: the history message is 'Restore $DB'" \
	"^Restore ($(re_esc "$DB")|$(re_esc "${DB%.db}"))\$" "$(htop staging | cut -d ' ' -f 5-)"
check_eq "restore: one Sandbox/Restore event for acme/staging" 1 \
	"$(sandbox_events rs staging Sandbox/Restore | grep -c .)"
note "restore: staging's version went $(snapver rs) -> $(ver staging) (the contract does not say)"

# a name that is no backup
psnap staging rbad
for name in nosuch.db ../../console.db "$DB/x"; do
	restore staging "$name"
	if [ "$RC" -ne 0 ]; then
		ok "echo '$name' > restore fails"
	else
		not_ok "echo '$name' > restore fails" "exit 0; restore.result: $(cat "$STG/restore.result" 2>&1)"
	fi
	check_match "restore.result says why ($name)" '^(rejected|failed|error)' \
		"$(cat "$STG/restore.result" 2>&1)"
done
expect_same "restores of no backup" staging rbad

# ------------------------------------------------------- backup = none
check_eq "production is at version 0 (staging -> production is open)" 0 "$(ver production)"
backups production | sort >"$W/bp0"
psnap production none
req none-p.conf source=staging operation=no-op backup=none
push production none-p.conf
expect_refused "backup = none into production (allow_all_backup_options = false)" \
	production none 'backup'
check_eq "... and production got no backup" "" "$(new_backups production "$W/bp0")"

# a change to find again after the pushes below
check "staging: edit metadata/Form/$FORM again" edit_desc "$STG/metadata/Form/$FORM" tfsBackup2
backups staging | sort >"$W/b2"
psnap staging none-s
req none-s.conf source=production operation=copy-to-replace backup=none
push staging none-s.conf
if expect_pushed "backup = none into staging (allowed there)" staging none-s \
	copy-to-replace production Sandbox/Replace; then
	check_eq "backup = none: no new backup" "" "$(new_backups staging "$W/b2")"
	check_match "backup = none: the result says backup: none" '^backup: none$' "$RESULT"
	dir_equal "backup = none: staging is production's (metadata, validation, settings, data)" \
		production staging "metadata validation settings data"
fi

# ------------------------------------------------------- backup = last
NEWEST=$(backups staging | grep '\.db$' | sort | tail -n 1)
check "staging: edit metadata/Form/$FORM once more" edit_desc "$STG/metadata/Form/$FORM" tfsBackup3
psnap staging last
req last.conf source=production operation=copy-to-replace backup=last
push staging last.conf
if expect_pushed "backup = last" staging last copy-to-replace production Sandbox/Replace; then
	check_eq "backup = last: no new backup" "" "$(new_backups staging "$W/b2")"
	check_match "backup = last: the result names the newest backup, $NEWEST" \
		"^backup: ($(re_esc "$NEWEST")|$(re_esc "${NEWEST%.db}"))\$" "$RESULT"
fi

# the first backup still brings back the state from before the first push
psnap staging rs2
restore staging "$DB"
check_eq "a second restore of $DB succeeds" 0 "$RC"
check_eq "... and diff -r against the copy from before the first push is empty" "" \
	"$(same_dirs staging before)"
check_eq "... one more commit" "$(($(cat "$TFS_TMP/ps/rs2/gcount") + 1))" "$(gcount staging)"

# backups survive a remount
backups staging >"$W/b-before-remount"
tfs_umount || not_ok "unmount"
tfs_mount
check_eq "after a remount backups/ lists the same" "$(cat "$W/b-before-remount")" \
	"$(backups staging)"
[ -n "$DB" ] && check "after a remount the backup has the same bytes" cmp "$B" "$W/b1.db"

# A replaced database is a link to its current file (engine/inst_file.c):
# the remount left only that file, and rmdir removes the link and it.
dbfiles() { ls "$STORE/instances/acme" | grep -E '^staging\.db' | tr '\n' ' '; }
check "staging.db is a link after the restores" test -L "$STORE/instances/acme/staging.db"
check_match "the remount left staging.db, its file and that file's companions" \
	'^staging\.db staging\.db\.[0-9]+ (staging\.db\.[0-9]+-(shm|wal) )*$' "$(dbfiles)"
check "staging into maintenance" \
	sed -i 's/^in_maintenance = false/in_maintenance = true/' "$STG/instance.conf"
check "rmdir acme/staging" rmdir "$STG"
check_eq "... no file of staging's database is left" "" "$(dbfiles)"

tfs_done
