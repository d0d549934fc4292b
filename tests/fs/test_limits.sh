#!/bin/bash
# test_limits.sh: the object size limit is a store setting (issue 15):
# console.conf at the top of the mount holds object_max (64 MiB by
# default, 1 MiB to 1 GiB), kept in console.db across remounts. Only an
# administrator changes it (real uids through setpriv on an allow_other
# mount, as test_users.sh); bad values and unknown keys are refused and
# change nothing. With the limit set to 1 MiB a 2 MiB write fails with
# EFBIG, changes nothing and is logged with the limit named, and a write
# under it is stored.
# cp, sed -i, dd and truncate are the tools under test.
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
C=$MNT/console.conf
JDOE=61001 MOPS=61003 NOBODY=61004
MIB=1048576

as() { local u=$1; shift; (cd "$W" && setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"); }
key() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "$1"; }
set_max() { sed -i -E "s/^(object_max[[:space:]]*=).*/\\1 $1/" "$C"; }
last_event() { tail -n 1 "$MNT/events"; }
# data_of FILE N > OUT: Image FILE with N bytes of base64 as its Data.
data_of()
{
	python3 - "$@" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
data = "QUJD" * (int(sys.argv[2]) // 4)
sys.stdout.write(re.sub(r"<Data>.*?</Data>", lambda m: "<Data>" + data +
                        "</Data>", text, count=1, flags=re.S))
EOF
}

check "admin maps jdoe and mops to uids" sh -c \
	"sed -i -E 's/^(uid[[:space:]]*=).*/\\1 $JDOE/' '$MNT/users/jdoe.conf' &&
	 sed -i -E 's/^(uid[[:space:]]*=).*/\\1 $MOPS/' '$MNT/users/mops.conf'"

# ---- the default
check "the root lists console.conf" sh -c "ls '$MNT' | grep -qx console.conf"
check_eq "object_max is 64 MiB by default" 67108864 "$(key "$C" object_max)"
check_match "README names console.conf" 'console\.conf' "$(cat "$MNT/README")"

# ---- only administrators change it
check_err "jdoe (not an administrator) cannot write console.conf" \
	'Permission denied' as $JDOE sh -c "printf 'object_max = $MIB\n' > '$C'"
check_err "jdoe cannot sed -i it either" 'Permission denied' \
	as $JDOE sed -i "s/^object_max.*/object_max = $MIB/" "$C"
check_eq "object_max is still 64 MiB" 67108864 "$(key "$C" object_max)"
check_err "jdoe cannot read it" 'Permission denied' as $JDOE cat "$C"
check_err "jdoe cannot make a file at the root (console.conf's temporary files)" \
	'Permission denied' as $JDOE sh -c "echo x | cat > '$MNT/tfs.tmp'"
check_err "nor can an unmapped uid" 'Permission denied' \
	as $NOBODY sh -c "echo x | cat > '$MNT/tfs.tmp'"
check "and none is there" test ! -e "$MNT/tfs.tmp"

# ---- bad values and unknown keys change nothing
cp "$C" "$W/orig.conf"
for v in 1000 1048575 1073741825 99999999999999999999 abc 1M -5 ''; do
	check_err "object_max = '$v' is refused" 'Invalid argument' set_max "$v"
	check_file_bytes "console.conf unchanged after object_max = '$v'" "$C" "$W/orig.conf"
done
check_match "the refusal is in events with the bounds" \
	"Conf/Reject	console.conf: object_max: .*1048576 \(1 MiB\) to 1073741824" "$(last_event)"
check_err "an unknown key is refused" 'Invalid argument' \
	sh -c "printf 'object_max = $MIB\nmax_files = 3\n' > '$W/unk.conf' && cat '$W/unk.conf' > '$C'"
check_file_bytes "console.conf unchanged after an unknown key" "$C" "$W/orig.conf"

# ---- an administrator sets it: 1 MiB
check "mops (administrator) sets object_max = 1 MiB" as $MOPS \
	sed -i -E "s/^(object_max[[:space:]]*=).*/\\1 $MIB/" "$C"
check_eq "console.conf reads 1 MiB" "$MIB" "$(key "$C" object_max)"
check_match "the change is an event by mops" \
	"	mops	Console/Update	console.conf: object_max = $MIB \(was 67108864\)" "$(last_event)"

# ---- a 2 MiB write fails with EFBIG and changes nothing
S=$(obj staging metadata/Image/Favicon.xml)
cp "$S" "$W/image.xml"
data_of "$W/image.xml" $((2 * MIB)) >"$W/big.xml"
check_true "the big document is over 2 MiB" "$(wc -c <"$W/big.xml")" \
	"$(wc -c <"$W/big.xml")" -gt $((2 * MIB))
snap staging big
check_err "cp of 2 MiB onto the Image fails: File too large" 'File too large' \
	cp "$W/big.xml" "$S"
check_file_bytes "the Image is unchanged" "$S" "$W/image.xml"
expect_unchanged "no history line, commit or transaction set" staging big
check_match "the instance's log names the limit" \
	"$(basename "$S" .xml).*a file may hold at most $MIB bytes \(object_max in console.conf\)" \
	"$(cat "$STG/log")"
check_match "and events" "at most $MIB bytes \(object_max" \
	"$(cat "$MNT/events" | diff "$TFS_TMP/snap/big/events" - | sed -n 's/^> //p')"
check_err "a new 2 MiB object fails too" 'File too large' \
	cp "$W/big.xml" "$STG/metadata/Image/TfsBig.xml"
check "and is not there" test ! -e "$STG/metadata/Image/TfsBig.xml"
check_err "dd one byte at offset 2 MiB fails" 'File too large' \
	dd if=/dev/zero of="$S" bs=1 count=1 seek=2M conv=notrunc status=none
check_err "truncate -s 2M fails" 'File too large' truncate -s 2M "$S"
check_file_bytes "the Image is still unchanged" "$S" "$W/image.xml"
expect_unchanged "still no commit" staging big

# ---- a write under it works
data_of "$W/image.xml" $((MIB / 2)) >"$W/half.xml"
check "cp of a 512 KiB Image succeeds" cp "$W/half.xml" "$S"
check_file_bytes "it is stored as written" "$S" "$W/half.xml"

# ---- kept in console.db across a remount
tfs_umount || bail "unmount"
tfs_mount
check_eq "object_max is still 1 MiB after a remount" "$MIB" "$(key "$C" object_max)"
check_err "and still enforced" 'File too large' cp "$W/big.xml" "$S"
check "admin sets it back to 64 MiB" set_max 67108864
check "then the 2 MiB object is stored" cp "$W/big.xml" "$S"

tfs_done
