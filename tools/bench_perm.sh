# tools/bench_perm.sh: the permission row of tools/bench (sourced by it;
# uses its helpers: try_mount, umount_store, drop_caches, timed,
# time_row, inst, ...).
#
# A stat walk of every object file of staging (READ objects, as the
# reads rows) as a mapped non-administrator against root, on the same
# mount (-o allow_other): user "bench", uid PERM_UID, company blank (it
# sees every tenant), written as users/bench.conf by root (admin).  Each
# side runs under setpriv with its uid, once right after a remount with
# the page cache dropped and once more (the kernel's caches warm); the
# side that goes first alternates run by run.

PERM_UID=65534

# stat_as UID DIR: stat every file of DIR's object directories as UID.
stat_as()
{
	setpriv --reuid="$1" --regid="$1" --clear-groups -- \
		bash -c 'cd "$1" && shift && find "$@" -type f -exec stat {} + >/dev/null' \
		_ "$2" "${OBJDIRS[@]}"
}

perm_mount()
{
	umount_store
	drop_caches
	try_mount "$1" -o allow_other || {
		echo "tools/bench: tenantfs -o allow_other did not mount $1" >&2
		tail -n 5 "$W/tenantfs.log" >&2
		exit 1
	}
}

# perm_pass UID: sets P1, P2 (fresh, second pass), or P_ERR.
perm_pass()
{
	perm_mount "$PSTORE_R"
	P1=$(timed stat_as "$1" "$(inst staging)") || P_ERR="uid $1: $(tail -c 300 "$W/timed.err")"
	P2=$(timed stat_as "$1" "$(inst staging)") || P_ERR="uid $1: $(tail -c 300 "$W/timed.err")"
}

bench_perm()
{
	local r u n=() n2=() a=() a2=() name="stat walk as a non-administrator"
	P_ERR=''
	PSTORE_R=${STORE[$READ]}
	if ! command -v setpriv >/dev/null || [ "$(id -u)" != 0 ]; then
		err_row "$name" "$(fmt_n "$READ")" "<= 1.05x root" "needs root and setpriv"
		return
	fi
	# the mount point must be reachable by uid PERM_UID: our own
	# temporary directories (mktemp: mode 0700) get o+x
	local d=$W
	while [ "$d" != / ] && [ -O "$d" ] && [ ! -k "$d" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	perm_mount "$PSTORE_R"
	if [ ! -e "$MNT/users/bench.conf" ] &&
		! printf 'login = bench\nname = Bench User\nuid = %s\n' "$PERM_UID" \
			>"$MNT/users/bench.conf"; then
		err_row "$name" "$(fmt_n "$READ")" "<= 1.05x root" "users/bench.conf was refused"
		umount_store
		return
	fi
	for r in $(seq "$RUNS"); do
		log "perm, run $r/$RUNS"
		for u in $( ((r % 2)) && echo "$PERM_UID 0" || echo "0 $PERM_UID"); do
			perm_pass "$u"
			if [ "$u" = 0 ]; then a+=("$P1") a2+=("$P2"); else n+=("$P1") n2+=("$P2"); fi
		done
	done
	umount_store
	if [ -n "$P_ERR" ]; then
		err_row "$name" "$(fmt_n "$READ")" "<= 1.05x root" "$P_ERR"
		return
	fi
	time_row "$name, fresh mount" "$(fmt_n "$READ")" "<= 1.05x root" 1.05 - \
		"${n[@]}" / "${a[@]}"
	time_row "$name, second pass" "$(fmt_n "$READ")" "<= 1.05x root" 1.05 - \
		"${n2[@]}" / "${a2[@]}"
	NOTES+=("perm rows: user bench (uid $PERM_UID, not an administrator, company blank) against root (admin), same store, -o allow_other; baseline: root")
}
