#!/bin/bash
# test_browse.sh: a fresh demo store reads like a tree of ordinary files:
# the promised names, exact sizes (ls -lR, stat vs cat | wc -c), every file
# readable, sorted and stable listings, canonical documents, mtimes of the
# past, stable unique inodes, instance.conf keys in order, secrets as ***,
# and instances that diff -r as equal.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup

check_eq "the mount exists as soon as tenantfs returns" 1 "$TFS_MOUNT_IMMEDIATE"

# ---- the top level
for f in README events status; do
	check "$f is a regular file" test -f "$MNT/$f"
done
for d in users landscapes tenants; do
	check "$d/ is a directory" test -d "$MNT/$d"
done
top=$(ls "$MNT")
for n in README events landscapes status tenants users; do
	check_match "ls MNT shows $n" "^$n\$" "$top"
done
check_true "README is non-empty text" "size $(stat -c %s "$MNT/README")" \
	"$(stat -c %s "$MNT/README")" -gt 0
check_match "status names the demo tenant" "acme" "$(cat "$MNT/status")"
check "users/admin.conf exists" test -f "$MNT/users/admin.conf"
check "landscapes/DEMO/group.conf exists" test -f "$MNT/landscapes/DEMO/group.conf"
for t in production staging uat; do
	check "landscapes/DEMO/$t/landscape.conf exists" \
		test -f "$MNT/landscapes/DEMO/$t/landscape.conf"
	check "landscapes/DEMO/$t/servers/ is a directory" \
		test -d "$MNT/landscapes/DEMO/$t/servers"
done
check_match "tenants/ lists acme" '^acme$' "$(ls "$MNT/tenants")"
check "tenants/acme/tenant.conf exists" test -f "$TEN/tenant.conf"
check "tenants/acme/dashboard exists" test -f "$TEN/dashboard"
dash=$(cat "$TEN/dashboard")
for i in production staging uat; do
	check "tenants/acme/$i/ is a directory" test -d "$TEN/$i"
	check_match "the dashboard names $i" "$i" "$dash"
done

# ---- an instance
for f in instance.conf active-project revert log history/log; do
	check "staging/$f is a regular file" test -f "$STG/$f"
done
for d in metadata validation settings master data projects packages apply \
	validate apply-unvalidated preview push history; do
	check "staging/$d/ is a directory" test -d "$STG/$d"
done
check_eq "metadata/ holds exactly the 22 type directories" \
	"$(sorted_words "$METADATA_TYPES")" "$(ls "$STG/metadata")"
check_eq "settings/ holds exactly the 12 type directories" \
	"$(sorted_words "$SETTINGS_TYPES")" "$(ls "$STG/settings")"
empty=
for t in $METADATA_TYPES; do
	[ -n "$(first_obj "$STG/metadata/$t")" ] || empty="$empty metadata/$t"
done
for t in $SETTINGS_TYPES; do
	[ -n "$(first_obj "$STG/settings/$t")" ] || empty="$empty settings/$t"
done
check_eq "every metadata and settings type has an object" "" "${empty# }"
for d in validation master data; do
	check_true "$d/ is not empty" "ls: $(ls "$STG/$d" | head -n 3)" \
		-n "$(ls "$STG/$d")"
done

# ---- the promised demo objects
BO=$STG/metadata/BusinessObject/Incident.xml
FORM=$STG/metadata/Form/Incident.Default.xml
check "metadata/BusinessObject/Incident.xml exists" test -f "$BO"
check_match "Incident has a Text field Priority with validationList=Priority" \
	'<Field name="Priority"[^>]* type="Text"[^>]* validationList="Priority"' \
	"$(cat "$BO")"
check "metadata/Form/Incident.Default.xml exists" test -f "$FORM"
check_match "Incident.Default's root is <Form name guid businessObject=Incident>" \
	'^<Form name="Incident\.Default" guid="[^"]+" businessObject="Incident"' \
	"$(root_line "$FORM")"
check_match "Incident.Default has FieldRef children" '^  <FieldRef name="' \
	"$(cat "$FORM")"
check "metadata/Search/Incident.MyOpenIncidents.xml exists" \
	test -f "$STG/metadata/Search/Incident.MyOpenIncidents.xml"
check "validation/Priority.xml exists" test -f "$STG/validation/Priority.xml"
check_match "validation/Priority.xml is a ValidationList named Priority" \
	'^<ValidationList name="Priority" guid=' \
	"$(root_line "$STG/validation/Priority.xml")"

# ---- documents are canonical
for d in metadata validation settings master data; do
	check_documents "staging/$d: canonical documents named after their files" "$STG/$d"
done

# ---- ls -lR shows exact sizes; every file reads
check "ls -lR of the staging instance succeeds" ls -lR "$STG"
# sizes as ls -lR shows them ...
(cd "$STG" && ls -lR --time-style=+%s .) 2>&1 | awk '
	/^\..*:$/ { dir = substr($0, 2, length($0) - 2); next }
	/^-/ { print dir "/" $7 "\t" $5 }' | sed 's#^/##' | sort >"$W/ls-sizes"
# ... and the bytes a read returns (cksum counts what it reads)
(cd "$STG" && find . -type f -print0 | sort -z | xargs -0 cksum) 2>&1 |
	awk '{ p = $3; sub(/^\.\//, "", p); print p "\t" $2 }' | sort >"$W/read-sizes"
(cd "$STG" && find . -type f -printf '%P\t%s\n') | sort >"$W/stat-sizes"
n=$(grep -c . "$W/stat-sizes")
check_eq "ls -lR lists every file find -type f finds" "$n" "$(grep -c . "$W/ls-sizes")"
check_eq "ls -lR sizes equal the bytes read, for all $n files" "" \
	"$(diff "$W/ls-sizes" "$W/read-sizes" | head -n 20)"
check_eq "stat sizes equal the bytes read, for all $n files" "" \
	"$(diff "$W/stat-sizes" "$W/read-sizes" | head -n 20)"
bad=
while IFS= read -r -d '' f; do
	s=$(stat -c %s -- "$f")
	c=$(cat -- "$f" | wc -c)
	[ "$s" = "$c" ] || bad="$bad${f#"$MNT"/}: stat $s, cat $c
"
done < <(find "$STG" -path "$STG/data" -prune -o -type f -print0)
check_eq "stat -c %s equals cat | wc -c for every staging file outside data/" "" "$bad"
bad=
while IFS= read -r -d '' f; do
	s=$(stat -c %s -- "$f")
	c=$(cat -- "$f" | wc -c)
	[ "$s" = "$c" ] || bad="$bad${f#"$MNT"/}: stat $s, cat $c
"
done < <(find "$MNT" -path "$MNT/tenants/*/*/*" -prune -o -type f -print0)
check_eq "outside the instances, stat -c %s equals cat | wc -c for every file" "" "$bad"
# (every file but the history snapshots, which test_history reads, and
# the second tenant's, a copy of the first's)
tfs_run bash -c 'find "$1" \( -path "*/history" -o -path "$2" \) -prune -o \
	-type f -exec cat -- {} + >/dev/null' _ "$MNT" "$MNT/tenants/globex"
check_eq "cat of every file in the mount succeeds" "0 " "$RC $ERR"

# ---- listings are sorted and stable
bad=
while IFS= read -r d; do
	raw=$(ls -1UA -- "$d")
	[ "$raw" = "$(printf '%s\n' "$raw" | sort)" ] || bad="$bad ${d#"$MNT"}"
	[ "$raw" = "$(ls -1UA -- "$d")" ] || bad="$bad ${d#"$MNT"}(unstable)"
done < <(find "$MNT" \( -path '*/history' -o -path "$MNT/tenants/globex" \) \
	-prune -o -type d -print)
check_eq "every directory lists in sorted (byte order), stable order" "" "${bad# }"
check_sorted "history/ lists in sorted, stable order" "$STG/history"

# ---- mtimes are the time of the last change, never "now"
while [ "$(date +%s)" -le $((T_MOUNT + 1)) ]; do sleep 0.2; done
m1=$(find "$STG/metadata" "$STG/validation" "$STG/settings" "$STG/master" \
	-type f -printf '%T@ %p\n' | sort -k 2)
late=$(printf '%s\n' "$m1" | awk -v t="$T_MOUNT" '$1 + 0 > t + 1 { print }' | head -n 5)
check_eq "untouched objects have mtimes from before the mount (not now)" "" "$late"
sleep 1.1
m2=$(find "$STG/metadata" "$STG/validation" "$STG/settings" "$STG/master" \
	-type f -printf '%T@ %p\n' | sort -k 2)
check_eq "mtimes are the same on a second stat a second later" "" \
	"$(diff <(echo "$m1") <(echo "$m2") | head -n 10)"
check_ne "objects have an mtime (not the epoch)" "0" \
	"$(stat -c %Y "$FORM" 2>/dev/null || echo 0)"

# ---- inodes: stable and unique
i1=$(find "$TEN" -path '*/history' -prune -o -type f -printf '%i %p\n' | sort -k 2)
i2=$(find "$TEN" -path '*/history' -prune -o -type f -printf '%i %p\n' | sort -k 2)
check_eq "inode numbers are stable across two listings" "" \
	"$(diff <(echo "$i1") <(echo "$i2") | head -n 10)"
check_eq "no two files share an inode number" "" \
	"$(printf '%s\n' "$i1" | awk '{print $1}' | sort | uniq -d | head -n 5)"

# ---- instance.conf
for i in production staging uat; do
	keys=$(conf_keys "$TEN/$i/instance.conf")
	known=$(printf '%s\n' "$keys" | grep -Fx -f <(lines "$INSTANCE_KEYS"))
	check_eq "$i/instance.conf has the documented keys in the documented order" \
		"$(lines "$INSTANCE_KEYS")" "$known"
	extra=$(printf '%s\n' "$keys" | grep -vFx -f <(lines "$INSTANCE_KEYS"))
	[ -z "$extra" ] || note "$i/instance.conf has extra keys: $extra"
	bad=$(grep -vE '^[[:space:]]*(#.*)?$|^[a-z_]+ = ' "$TEN/$i/instance.conf")
	check_eq "$i/instance.conf lines are 'key = value' or comments" "" "$bad"
	check_eq "$i/instance.conf shows api_key as ***" "***" \
		"$(conf_get "$TEN/$i/instance.conf" api_key)"
	check_eq "$i/instance.conf status is active" "active" \
		"$(conf_get "$TEN/$i/instance.conf" status)"
done
for i in production uat; do
	check_match "$i is metadata-locked" '^(true|yes|1|on)$' \
		"$(conf_get "$TEN/$i/instance.conf" metadata_locked)"
done
check_match "staging is not metadata-locked" '^(false|no|0|off)$' \
	"$(conf_get "$STG/instance.conf" metadata_locked)"
for f in "$TEN/tenant.conf" "$MNT/users/admin.conf" "$MNT/landscapes/DEMO/group.conf" \
	"$MNT/landscapes/DEMO/staging/landscape.conf"; do
	bad=$(grep -vE '^[[:space:]]*(#.*)?$|^[A-Za-z_][A-Za-z0-9_.-]* = ' "$f")
	check_eq "${f#"$MNT"/} lines are 'key = value' or comments" "" "$bad"
	check_true "${f#"$MNT"/} has keys" "" -n "$(conf_keys "$f")"
done

# ---- secrets
sec=$(grep -rhoE '[A-Za-z]*([Pp]assword|[Ss]ecret|[Aa]pi[Kk]ey)="[^"]*"' "$STG/settings")
check_match "settings hold a password / bindPassword / apiKey attribute" \
	'^[A-Za-z]*([Pp]assword|[Aa]pi[Kk]ey)=' "$sec"
check_eq "every secret attribute under settings reads ***" "" \
	"$(printf '%s\n' "$sec" | grep -v '="\*\*\*"$' | grep . | head -n 5)"

# ---- instances with the same content diff as equal
for d in metadata validation; do
	check "diff -r staging/$d production/$d is empty on the fresh demo" \
		diff -r "$STG/$d" "$PRD/$d"
	check "diff -r staging/$d uat/$d is empty on the fresh demo" \
		diff -r "$STG/$d" "$UAT/$d"
done
check_eq "the guid of Incident.Default is the same in every instance" \
	"$(attr guid "$STG/metadata/Form/Incident.Default.xml")" \
	"$(attr guid "$UAT/metadata/Form/Incident.Default.xml")"

# ---- events
ev=$(cat "$MNT/events")
check_eq "every events line has 8 tab-separated fields" "" \
	"$(printf '%s\n' "$ev" | grep . | awk -F'\t' 'NF != 8' | head -n 3)"
check_eq "every events line starts with a UTC time" "" \
	"$(printf '%s\n' "$ev" | grep . | grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'$'\t' | head -n 3)"
times=$(printf '%s\n' "$ev" | grep . | cut -f 1)
check_eq "events are oldest first" "$(printf '%s\n' "$times" | sort)" "$times"

tfs_done
