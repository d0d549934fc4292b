# tools/bench_integrity.sh: the integrity rows of tools/bench (issue 15;
# sourced by it; uses its helpers: try_mount, mount_store, umount_store,
# fresh_mount, drop_caches, timed, time_row, row, err_row, inst, ...).
#
#  - read cost of hash verification: stat + cat of every object file of
#    staging (READ objects) right after a remount with the page cache
#    dropped, on the default mount (every object checked against its
#    SHA-256 as it leaves the database) against -o noverify (the check
#    skipped; for measurement only), same store; the side that goes
#    first alternates run by run.
#  - VmRSS after SAVES saves on one mount against after SAVES_REF: small
#    edits (the caption of one of 200 Forms, in turn, rewritten with
#    python3's open(..., "w")) on a copy of the reads' store.
#  - VmRSS 10 s after the save of an Image of 60 MB (45 MB of random
#    bytes as base64 in its <Data>: near TFS_OBJECT_MAX, 64 MiB, with
#    room for the canonical form), against before it.
#  - the time from writing an object of 100,000 attributes (a Search,
#    1.2 MB) to the refusal, through cp.
#  - the daemon's VmHWM growth for a 1-byte write at offset 3 GiB (dd).
# The memory rows run once per bench (one mount each), the timed ones
# RUNS times (medians).  The dd row runs first on its mount: VmHWM is a
# peak, and one raised by the large save would hide any growth below it.
#
# Sizes: full 40,000 saves against 5,000; small 4,000 against 500 (the
# libgit2 and SQLite caches fill in the first thousands of saves: small
# is the harsher comparison).

case $SIZE in
small) INTEG_SAVES=4000 INTEG_SAVES_REF=500 ;;
*) INTEG_SAVES=40000 INTEG_SAVES_REF=5000 ;;
esac

# rss: the daemon's resident memory now, in KB.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON/status" 2>/dev/null || echo -; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON/status" 2>/dev/null || echo -; }
mb() { awk -v k="$1" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.1f", k / 1024; else print "-" }'; }

# stat and cat of every object file of instance directory $1.
stat_cat_all()
{
	(cd "$1" && find "${OBJDIRS[@]}" -type f -exec stat {} + >/dev/null &&
		find "${OBJDIRS[@]}" -type f -exec cat {} + | cat >/dev/null)
}

# verify_pass [TENANTFS-ARGS]: one fresh-mount pass; sets V_T (seconds)
# or V_ERR.
verify_pass()
{
	V_T=''
	umount_store
	drop_caches
	try_mount "$ISTORE" "$@" || { V_ERR="tenantfs $* did not mount"; return; }
	V_T=$(timed stat_cat_all "$(inst staging)") ||
		V_ERR="stat + cat failed: $(tail -c 200 "$W/timed.err")"
	umount_store
}

bench_verify()
{
	local r a=() b=() t name="read cost of hash verification, fresh mount"
	V_ERR=''
	for r in $(seq "$RUNS"); do
		log "integrity: stat + cat with and without verification, run $r/$RUNS"
		for t in $( ((r % 2)) && echo "on off" || echo "off on"); do
			if [ "$t" = on ]; then
				verify_pass
				a+=("$V_T")
			else
				verify_pass -o noverify
				b+=("$V_T")
			fi
		done
		[ -n "$V_ERR" ] && break
	done
	if [ -n "$V_ERR" ]; then
		err_row "$name" "$(fmt_n "$READ")" "<= 1.05x noverify" "$V_ERR"
		return
	fi
	time_row "$name" "$(fmt_n "$READ")" "<= 1.05x noverify" 1.05 - \
		"${a[@]}" / "${b[@]}"
}

# The save loop: python3 rewrites the caption of one of 200 Forms in
# turn; argv: instance directory, first save number, count.
INTEG_SAVES_PY='
import glob, os, re, sys
d, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(glob.glob(os.path.join(d, "metadata/Form/*.xml")))[:200]
if not files:
    sys.exit("no Forms in " + d)
pat = re.compile(r"caption=\"[^\"]*\"")
for i in range(first, first + n):
    f = files[i % len(files)]
    with open(f) as fh:
        s = fh.read()
    t = pat.sub("caption=\"bench %d\"" % i, s, count=1)
    if t == s:
        sys.exit("no caption in " + f)
    with open(f, "w") as fh:
        fh.write(t)
'

# saves FIRST N: N saves through the mount; prints their seconds.
saves() { timed python3 -c "$INTEG_SAVES_PY" "$(inst staging)" "$1" "$2"; }

bench_saves()
{
	local name="VmRSS after saves on one mount" sz t1 t2 m1 m2 r
	sz="$(fmt_n "$INTEG_SAVES") vs $(fmt_n "$INTEG_SAVES_REF")"
	mount_store "$ISTORE"
	log "integrity: $(fmt_n "$INTEG_SAVES") saves on one mount ..."
	if ! t1=$(saves 0 "$INTEG_SAVES_REF"); then
		err_row "$name" "$sz" "<= 1.2x" "saves failed: $(tail -c 200 "$W/timed.err")"
		umount_store
		return
	fi
	m1=$(rss)
	if ! t2=$(saves "$INTEG_SAVES_REF" "$((INTEG_SAVES - INTEG_SAVES_REF))"); then
		err_row "$name" "$sz" "<= 1.2x" "saves failed: $(tail -c 200 "$W/timed.err")"
		umount_store
		return
	fi
	m2=$(rss)
	r=$(ratio "$m2" "$m1")
	row "$name" "$sz" "$(mb "$m2") MB" "$(mb "$m1") MB" "$r" "$(hwm) MB" \
		"<= 1.2x" "$(verdict "$r" 1.2)"
	NOTES+=("saves row: the first $(fmt_n "$INTEG_SAVES_REF") saves took ${t1} s, the other $(fmt_n "$((INTEG_SAVES - INTEG_SAVES_REF))") ${t2} s (python3 open(..., \"w\") of a Form's caption, default mount)")
	umount_store
}

# An Image whose <Data> holds ~60 MB of base64 (argv: a model Image, the
# output): valid, and under TFS_OBJECT_MAX (64 MiB) with room to spare.
INTEG_BIG_PY='
import base64, os, re, sys
src, out = sys.argv[1], sys.argv[2]
s = open(src).read()
s = re.sub(r" guid=\"[^\"]*\"", "", s, count=1)
s = re.sub(r"name=\"[^\"]*\"", "name=\"TfsBenchBig\"", s, count=1)
data = base64.b64encode(os.urandom(45 << 20)).decode()
t = re.sub(r"<Data>[^<]*</Data>", lambda m: "<Data>" + data + "</Data>", s, count=1)
if t == s:
    sys.exit("no <Data> in " + src)
open(out, "w").write(t)
'

# big_save: VmRSS before and 10 s after the save (BIG_A, BIG_B in KB).
big_save()
{
	local img big=$W/big.xml
	BIG_A='' BIG_B='' BIG_ERR='' BIG_SIZE=''
	img=$(find "$(inst staging)/metadata/Image" -name '*.xml' | head -n 1)
	[ -n "$img" ] || { BIG_ERR="no Image to model the object on"; return; }
	python3 -c "$INTEG_BIG_PY" "$img" "$big" 2>"$W/big.err" ||
		{ BIG_ERR="python3: $(tail -c 200 "$W/big.err")"; return; }
	BIG_SIZE=$(stat -c %s "$big")
	sleep 2
	BIG_A=$(rss)
	timed cp "$big" "$(inst staging)/metadata/Image/TfsBenchBig.xml" >/dev/null ||
		{ BIG_ERR="cp failed: $(tail -c 200 "$W/timed.err")"; rm -f "$big"; return; }
	rm -f "$big"
	sleep 10
	BIG_B=$(rss)
}

# A Search of 100,000 attributes (argv: the output).
INTEG_WIDE_PY='
import sys
attrs = " ".join("a%d=\"v\"" % i for i in range(100000))
open(sys.argv[1], "w").write(
    "<Search name=\"Wide\" businessObject=\"Incident\" %s/>\n" % attrs)
'

# wide_refusal: sets W_T, the seconds cp takes to be refused (W_ERR if it
# was not refused).
wide_refusal()
{
	local dst
	dst=$(inst staging)/metadata/Search/TfsBenchWide.xml
	if W_T=$(timed cp "$W/wide.xml" "$dst"); then
		W_ERR="an object of 100,000 attributes was accepted"
		rm -f "$dst"
	elif [ -e "$dst" ]; then
		W_ERR="a refused object was created"
	fi
}

# dd_growth: sets D_KB, the daemon's VmHWM growth for a 1-byte write at
# 3 GiB into an object (D_ERR if it was accepted).
dd_growth()
{
	local f h0 h1
	f=$(find "$(inst staging)/metadata/Search" -name '*.xml' | head -n 1)
	h0=$(hwm_kb)
	if dd if=/dev/zero of="$f" bs=1 count=1 seek=3G conv=notrunc \
		status=none 2>/dev/null; then
		D_ERR="the write at 3 GiB was accepted"
	fi
	h1=$(hwm_kb)
	D_KB=$((h1 - h0))
}

bench_bounds()
{
	local r w=() g=() v
	W_ERR='' D_ERR=''
	mount_store "$ISTORE"
	ls -lR "$(inst staging)/metadata" >/dev/null
	python3 -c "$INTEG_WIDE_PY" "$W/wide.xml"
	for r in $(seq "$RUNS"); do
		log "integrity: dd at 3 GiB and an object of 100,000 attributes, run $r/$RUNS"
		dd_growth
		wide_refusal
		w+=("$W_T") g+=("$D_KB")
	done
	rm -f "$W/wide.xml"
	if [ -n "$D_ERR" ]; then
		err_row "VmHWM growth, 1-byte write at 3 GiB" "dd seek=3G" "< 16 MB" "$D_ERR"
	else
		v=$(awk -v k="$(median "${g[@]}")" 'BEGIN { printf "%.1f", k / 1024 }')
		row "VmHWM growth, 1-byte write at 3 GiB" "dd seek=3G" \
			"${v} MB" - - "$(hwm) MB" "< 16 MB" \
			"$(awk -v v="$v" 'BEGIN { print (v < 16) ? "met" : "NOT met" }')"
	fi
	if [ -n "$W_ERR" ]; then
		err_row "an object of 100,000 attributes, refused in" "1.2 MB" "<= 0.1 s" "$W_ERR"
	else
		v=$(median "${w[@]}")
		row "an object of 100,000 attributes, refused in" "1.2 MB" \
			"${v}s" - - - "<= 0.1 s" "$(verdict "$v" 0.1)"
	fi
	log "integrity: the save of an object of 60 MB ..."
	big_save
	if [ -n "$BIG_ERR" ]; then
		err_row "VmRSS 10 s after a save of 60 MB" - "<= 1.5x before" "$BIG_ERR"
	else
		v=$(ratio "$BIG_B" "$BIG_A")
		row "VmRSS 10 s after a save of 60 MB" \
			"$(awk -v b="$BIG_SIZE" 'BEGIN { printf "%.1f MB Image", b / 1048576 }')" \
			"$(mb "$BIG_B") MB" "$(mb "$BIG_A") MB" "$v" "$(hwm) MB" \
			"<= 1.5x before" "$(verdict "$v" 1.5)"
	fi
	umount_store
}

bench_integrity()
{
	ISTORE=$W/integrity-store
	rm -rf "$ISTORE"
	cp -a "${STORE[$READ]}" "$ISTORE"
	bench_verify
	bench_saves
	bench_bounds
	rm -rf "$ISTORE"
	NOTES+=("integrity rows: verification against -o noverify, same store, fresh mounts; saves and 60 MB rows: VmRSS (tenantfs: after, baseline: before)")
}
