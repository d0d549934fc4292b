# tools/bench_push.sh: the push rows of tools/bench (sourced by it; uses
# its helpers: mount_store, umount_store, timed, time_row, row, hwm, ...).
#
# The store: `tenantctl generate` with PUSHCFG configuration objects and
# PUSHREC data records per instance (full: 100,000 and 1,000,000; the
# memory reference 100,000 records), group GENERATED (two-tier).  Rows:
#   copy-to-replace production -> staging (backup = none: the push alone)
#     against `sqlite3 production.db ".backup FILE"` of the source,
#     the same run; then the same push with scrub_user_email,
#     scrub_other_email and trim_days = 90;
#   the daemon's peak memory of that push, PUSHREC records against
#     PUSHREC/10;
#   copy-configuration production -> staging (the instances differ in ~1%
#     of their objects) against applying a package that holds the same
#     changes (the push's transaction set, exported as a package, applied
#     to a pristine copy of staging);
#   its preview (mode = preview) against `git diff` of the two branches.

# push_store OBJECTS RECORDS: a generated store (cached per size).
declare -A PSTORE
push_store()
{
	local key=$1-$2 st=$W/pstore-$1-$2 out
	[ -n "${PSTORE[$key]:-}" ] && return 0
	log "generating $(fmt_n "$1") configuration objects and $(fmt_n "$2") records per instance ..."
	out=$("$TENANTCTL" generate "$st" --tenant "$T" \
		--objects "$(($1 + $2 + $2 / 100))" --master "$(($2 / 100))" \
		--data "$2" 2>&1) || {
		echo "tools/bench: tenantctl generate failed: $out" >&2
		exit 1
	}
	PSTORE[$key]=$st
}

# push_req FILE KEY=VALUE...: a request file.
push_req() { local f=$1; shift; printf '%s\n' "$@" >"$f"; }

# push_run INSTANCE FILE: cp the request into push/, 0 if pushed.
push_run()
{
	cp "$2" "$(inst "$1")/push/" || return 1
	head -1 "$(inst "$1")/push/$(basename "$2").result" | grep -qE '^(pushed|previewed)$'
}

# push_prepare STORE: a pristine copy mounted, backups optional in both
# landscapes, the development project off (configuration pushes), and
# staging one version ahead (a no-op: the path needs versions that
# differ).
push_prepare()
{
	umount_store
	rm -rf "$W/push-store"
	cp -a "$1" "$W/push-store"
	drop_caches
	mount_store "$W/push-store"
	local l
	for l in "$MNT"/landscapes/*/*/landscape.conf; do
		sed -i 's/^allow_all_backup_options = .*/allow_all_backup_options = true/' "$l"
	done
	sed -i 's/^development_project = .*/development_project = false/' \
		"$MNT/tenants/$T/tenant.conf"
	push_req "$W/noop.conf" "source = production" "operation = no-op" "backup = none"
	push_run staging "$W/noop.conf" || P_ERR="no-op refused: $(cat "$(inst staging)/push/noop.conf.result")"
}

# push_replace_once OBJ REC OPTIONS...: sets P_TIME, P_MEM (or P_ERR).
push_replace_once()
{
	local o=$1 r=$2
	shift 2
	P_TIME='' P_MEM='' P_ERR=''
	push_store "$o" "$r"
	push_prepare "${PSTORE[$o-$r]}"
	[ -n "$P_ERR" ] && return
	push_req "$W/replace.conf" "source = production" \
		"operation = copy-to-replace" "backup = none" \
		"keep_users_enabled = true" "$@"
	P_TIME=$(timed push_run staging "$W/replace.conf") ||
		P_ERR="copy-to-replace: $(tr '\n' ' ' <"$(inst staging)/push/replace.conf.result" 2>/dev/null)"
	P_MEM=$(hwm)
}

# The source's backup with SQLite's own tool (python's sqlite3 module,
# the same online backup API, where the sqlite3 shell is missing).
backup_baseline()
{
	local src=$1/instances/$T/production.db dst=$W/baseline-backup.db
	rm -f "$dst"
	if command -v sqlite3 >/dev/null; then
		timed sqlite3 "$src" ".backup $dst"
	else
		timed python3 -c 'import sqlite3, sys
s = sqlite3.connect(sys.argv[1]); d = sqlite3.connect(sys.argv[2])
s.backup(d); d.close()' "$src" "$dst"
	fi
	rm -f "$dst"
}

# push_copy_config_once: sets C_PUSH, C_PREVIEW, C_GIT, C_PKG (or C_ERR).
push_copy_config_once()
{
	local st=${PSTORE[$PUSHCFG-$PUSHREC]} ts id pkg=$W/push-pkg.xml
	C_PUSH='' C_PREVIEW='' C_GIT='' C_PKG='' C_ERR=''
	push_prepare "$st"
	push_req "$W/preview.conf" "source = production" \
		"operation = copy-configuration" "mode = preview"
	C_PREVIEW=$(timed push_run staging "$W/preview.conf") ||
		{ C_ERR="preview: $(tr '\n' ' ' <"$(inst staging)/push/preview.conf.result")"; return; }
	C_GIT=$(timed git --git-dir="$W/push-store/history.git" diff \
		"$T/production" "$T/staging")
	push_req "$W/config.conf" "source = production" \
		"operation = copy-configuration" "backup = none"
	C_PUSH=$(timed push_run staging "$W/config.conf") ||
		{ C_ERR="copy-configuration: $(tr '\n' ' ' <"$(inst staging)/push/config.conf.result")"; return; }
	# The push's transaction set, as a closed package (packages need the
	# development project).
	sed -i 's/^development_project = .*/development_project = true/' \
		"$MNT/tenants/$T/tenant.conf"
	ts=$(inst staging)/projects/$(cat "$(inst staging)/active-project")/transaction-sets
	id=$(ls "$ts" | sed 's/\.xml$//' | sort -n | tail -1)
	mkdir "$(inst staging)/packages/pushed" &&
		echo "$id" >>"$(inst staging)/packages/pushed/transaction-sets" &&
		echo "state = closed" >"$(inst staging)/packages/pushed/package.conf" &&
		cat "$(inst staging)/packages/pushed/package.xml" >"$pkg" ||
		{ C_ERR="exporting the push as a package failed"; return; }
	push_prepare "$st"
	sed -i 's/^development_project = .*/development_project = true/' \
		"$MNT/tenants/$T/tenant.conf"
	C_PKG=$(timed cp "$pkg" "$(inst staging)/apply/") ||
		C_ERR="the package of the same changes: $(head -3 "$(inst staging)/apply/push-pkg.xml.result" | tr '\n' ' ')"
	rm -f "$pkg"
}

bench_push()
{
	local r t=() b=() m=() s=() sm=() ref=() cp=() pv=() gd=() pk=()
	local err='' cerr='' n
	for r in $(seq "$RUNS"); do
		log "push, run $r/$RUNS"
		push_store "$PUSHCFG" "$PUSHREC"
		b+=("$(backup_baseline "${PSTORE[$PUSHCFG-$PUSHREC]}")")
		push_replace_once "$PUSHCFG" "$PUSHREC"
		[ -n "$P_ERR" ] && { err=$P_ERR; break; }
		t+=("$P_TIME")
		m+=("$P_MEM")
		push_replace_once "$PUSHCFG" "$PUSHREC" "scrub_user_email = true" \
			"scrub_other_email = true" "trim_days = 90"
		[ -n "$P_ERR" ] && { err=$P_ERR; break; }
		s+=("$P_TIME")
		sm+=("$P_MEM")
		push_replace_once "$((PUSHCFG / 10))" "$((PUSHREC / 10))"
		[ -n "$P_ERR" ] && { err=$P_ERR; break; }
		ref+=("$P_MEM")
		push_copy_config_once
		if [ -n "$C_ERR" ]; then
			cerr=$C_ERR
		else
			cp+=("$C_PUSH") pv+=("$C_PREVIEW") gd+=("$C_GIT") pk+=("$C_PKG")
		fi
	done
	umount_store
	n="$(fmt_n "$PUSHCFG") + $(fmt_n "$PUSHREC")"
	if [ -n "$err" ]; then
		err_row "copy-to-replace production -> staging" "$n" "<= 3x .backup" "$err"
	else
		time_row "copy-to-replace production -> staging" "$n" \
			"<= 3x .backup" 3 "$(median "${m[@]}") MB" "${t[@]}" / "${b[@]}"
		time_row "the same, scrub e-mails, trim_days = 90" "$n" \
			"<= 5x .backup" 5 "$(median "${sm[@]}") MB" "${s[@]}" / "${b[@]}"
		local m1 m2 rr
		m1=$(median "${m[@]}")
		m2=$(median "${ref[@]}")
		rr=$(ratio "$m1" "$m2")
		row "daemon memory of that push" \
			"$(fmt_n "$PUSHREC") vs $(fmt_n "$((PUSHREC / 10))") rec" \
			"${m1} MB" "${m2} MB" "$rr" - "<= 1.5x" "$(verdict "$rr" 1.5)"
	fi
	if [ -n "$cerr" ]; then
		err_row "copy-configuration (1% differs)" "$(fmt_n "$PUSHCFG")" \
			"<= 2x the package" "$cerr"
	elif [ -z "$err" ]; then
		time_row "copy-configuration (1% differs)" "$(fmt_n "$PUSHCFG")+rec" \
			"<= 2x the package" 2 - "${cp[@]}" / "${pk[@]}"
		time_row "its preview (mode = preview)" "$(fmt_n "$PUSHCFG")+rec" \
			"<= 5x git diff" 5 - "${pv[@]}" / "${gd[@]}"
	fi
	NOTES+=("push rows: copy-to-replace with backup = none and keep_users_enabled (the push alone); baseline: sqlite3 .backup of the source database;")
	NOTES+=("  copy-configuration: baseline applies a package of the push's own transaction set to a pristine staging")
}
