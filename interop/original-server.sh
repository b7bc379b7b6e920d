#!/usr/bin/env bash
# Interoperability check against an ORIGINAL afbackup 3.5.8 build.
#
#   ORIG_PREFIX=/path/to/original/install  interop/original-server.sh
#
# Part A runs OUR client programs (dist/cli) against the original afserver.
# Part B runs the original afclient (if $ORIG_PREFIX/bin/afclient exists)
# against OUR afserver.  Part C lets each client read what the other one
# wrote and compares the output of both clients for the same requests.
# Every check prints one PASS/FAIL/SKIP line; the exit status is 1 if any
# check failed, 2 on a setup problem.
#
# Environment:
#   ORIG_PREFIX   prefix of the original build: $ORIG_PREFIX/bin/afserver
#                 (required), $ORIG_PREFIX/bin/afclient (optional, part B)
#   OUR_CLI       directory with our built programs (default: <repo>/dist/cli)
#   KEEP=1        keep the temporary directory (its path is printed)
#   ORIG_SCHEME   simple|des: scheme the original build was compiled with
#                 (default simple); our afserver is configured to match
#
# Needs: bash, node, socat, cmp, stat, find.  Runs as any user that may
# write below $TMPDIR.  Not part of CI (CI has no original build).

set -u
# byte-wise text tools: file names are not necessarily UTF-8 (0xE9 below)
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
OUR_CLI=${OUR_CLI:-$repo/dist/cli}
ORIG_SCHEME=${ORIG_SCHEME:-simple}

npass=0; nfail=0; nskip=0
pass() { npass=$((npass + 1)); printf 'PASS  %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
skip() { nskip=$((nskip + 1)); printf 'SKIP  %s: %s\n' "$1" "$2"; }
note() { printf '      %s\n' "$@"; }

if [ -z "${ORIG_PREFIX:-}" ] || [ ! -x "$ORIG_PREFIX/bin/afserver" ]; then
  echo "set ORIG_PREFIX to the prefix of an original afbackup build (\$ORIG_PREFIX/bin/afserver)" >&2
  exit 2
fi
for tool in node socat cmp stat find; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing tool: $tool" >&2; exit 2; }
done
[ -f "$OUR_CLI/afclient.js" ] || { echo "no $OUR_CLI/afclient.js (run npm run build:ts)" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/af-interop.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# wait until something listens on 127.0.0.1:$1
wait_port() {
  local i
  for i in $(seq 1 50); do
    if node -e 'const c=require("net").connect(+process.argv[1],"127.0.0.1");c.on("connect",()=>process.exit(0));c.on("error",()=>process.exit(1));' "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

ours() { local prog=$1; shift; timeout "${TMO:-120}" node "$OUR_CLI/$prog.js" "$@"; }

# ---------------------------------------------------------------- test tree
# make_tree DIR: regular files with different modes and mtimes, a Latin-1
# name (byte 0xE9), a hard link, a symlink, an empty file, a subdirectory.
make_tree() {
  local d=$1 i
  mkdir -p "$d/sub"
  for i in $(seq -w 1 40); do printf 'line %s of the interop text file\n' "$i"; done > "$d/text.txt"
  ln "$d/text.txt" "$d/sub/hardlink.txt"
  : > "$d/empty"
  printf 'latin-1 file name\n' > "$d/caf$(printf '\351').txt"
  head -c 204800 /dev/urandom > "$d/sub/random.bin"
  printf '#!/bin/sh\necho hi\n' > "$d/sub/script.sh"
  printf 'private\n' > "$d/private.txt"
  ln -s text.txt "$d/link-to-text"
  chmod 0644 "$d/text.txt" "$d/empty" "$d/caf"$'\351'".txt" "$d/sub/random.bin"
  chmod 0755 "$d/sub/script.sh"
  chmod 0600 "$d/private.txt"
  touch -d '2011-06-01 12:00:00 UTC' "$d/text.txt"
  touch -d '2012-02-29 00:00:00 UTC' "$d/empty"
  touch -d '2013-03-03 03:03:03 UTC' "$d/caf"$'\351'".txt"
  touch -d '2014-04-04 04:04:04 UTC' "$d/sub/random.bin"
  touch -d '2010-01-02 03:04:05 UTC' "$d/sub/script.sh"
  touch -d '2009-09-09 09:09:09 UTC' "$d/private.txt"
  touch -h -d '2015-05-05 05:05:05 UTC' "$d/link-to-text"
  touch -d '2016-06-06 06:06:06 UTC' "$d/sub"
  touch -d '2017-07-07 07:07:07 UTC' "$d"
}

# compare_tree NAME SRC DST: SRC is the original tree, DST the restored copy.
# Regular files: content, mode, mtime, owner.  Symlinks: target.  Hard link:
# text.txt and sub/hardlink.txt share an inode.  Directories: mode (mtime of
# directories and symlinks is reported as a note only).
compare_tree() {
  local name=$1 src=$2 dst=$3 rel s d problems=() notes=()
  if [ ! -d "$dst" ]; then fail "$name" "restored tree $dst does not exist"; return; fi
  while IFS= read -r -d '' rel; do
    s="$src/$rel"; d="$dst/$rel"
    if [ -L "$s" ]; then
      if [ ! -L "$d" ]; then problems+=("$rel: symlink missing"); continue; fi
      [ "$(readlink "$s")" = "$(readlink "$d")" ] || problems+=("$rel: link target '$(readlink "$d")', want '$(readlink "$s")'")
      [ "$(stat -c %Y "$s")" = "$(stat -c %Y "$d")" ] || notes+=("$rel: symlink mtime $(stat -c %Y "$d"), source $(stat -c %Y "$s") (the original afclient does not restore it either)")
    elif [ -d "$s" ]; then
      if [ ! -d "$d" ]; then problems+=("$rel: directory missing"); continue; fi
      [ "$(stat -c %a "$s")" = "$(stat -c %a "$d")" ] || problems+=("$rel: dir mode $(stat -c %a "$d"), want $(stat -c %a "$s")")
      [ "$(stat -c %Y "$s")" = "$(stat -c %Y "$d")" ] || notes+=("$rel: dir mtime $(stat -c %Y "$d"), source $(stat -c %Y "$s")")
    elif [ -f "$s" ]; then
      if [ ! -f "$d" ] || [ -L "$d" ]; then problems+=("$rel: regular file missing"); continue; fi
      cmp -s "$s" "$d" || problems+=("$rel: content differs (size $(stat -c %s "$d"), want $(stat -c %s "$s"))")
      [ "$(stat -c %a "$s")" = "$(stat -c %a "$d")" ] || problems+=("$rel: mode $(stat -c %a "$d"), want $(stat -c %a "$s")")
      [ "$(stat -c %Y "$s")" = "$(stat -c %Y "$d")" ] || problems+=("$rel: mtime $(stat -c %Y "$d"), want $(stat -c %Y "$s")")
      [ "$(stat -c %u:%g "$s")" = "$(stat -c %u:%g "$d")" ] || problems+=("$rel: owner $(stat -c %u:%g "$d"), want $(stat -c %u:%g "$s")")
    fi
  done < <(cd "$src" && find . -mindepth 1 -print0 | sed -z 's|^\./||')
  if [ -e "$src/sub/hardlink.txt" ] && [ -e "$dst/sub/hardlink.txt" ] && [ -e "$dst/text.txt" ]; then
    [ "$(stat -c %i "$dst/text.txt")" = "$(stat -c %i "$dst/sub/hardlink.txt")" ] ||
      problems+=("sub/hardlink.txt: not a hard link of text.txt after restore")
  fi
  # nothing extra in the restored tree
  while IFS= read -r -d '' rel; do
    [ -e "$src/$rel" ] || [ -L "$src/$rel" ] || problems+=("$rel: extra entry in the restored tree")
  done < <(cd "$dst" && find . -mindepth 1 -print0 | sed -z 's|^\./||')
  if [ ${#problems[@]} -eq 0 ]; then pass "$name"; else fail "$name" "$(printf '%s; ' "${problems[@]}")"; fi
  [ ${#notes[@]} -eq 0 ] || note "${notes[@]/#/note: }"
}

# server_conf DIR DEVICE: an afserver configuration over a directory device
server_conf() {
  local S=$1
  cat <<EOF
Backup-Device:		$2
Tape-Blocksize:		1024
Cartridge-Handler:	1
Number Of Cartridges:	10
Max Bytes Per File:	1048576
Max Bytes Per Tape:	10485760
Full Append Mode:	1
Variable Append Mode:	0
Reject Unlabeled Tapes:	0
Cart-Insert-Gracetime:	0
Device Unavail Send mail after min:	6
Device Unavail give up after min:	1
Device-Probe Interval:	1
SetFile-Command:	exit 0
SkipFiles-Command:	exit 0
Set-Cart-Command:	/bin/rm -f %d ; mkdir -p %d.%n ; ln -s %d.%n %d ; exit 0
Change-Cart-Command:	exit 0
Erase-Tape-Command:	/bin/rm -f %d/* ; exit 0
User To Inform:		$(id -un)
Mail-Program:		cat >> $S/log/server-mail.txt
Var-Directory:		$S/var
Tape-Pos-File:		%V/tapepos
Logging-file:		$S/log/server.log
Status-file:		%V/status
Lock-file:		%V/server.lock
Changer-Lockfile:	%V/changer.lock
Encryption-Key-File:	$S/cryptkey
Program-Directory:	$S/rexec
EOF
}

# first "<cart>.<file>:" printed by afclient -c -n
first_pos() { sed -n 's/^\([0-9][0-9]*\)\.\([0-9][0-9]*\): .*/\1 \2/p' "$1" | head -n 1; }

echo "interop check: original afbackup at $ORIG_PREFIX, our programs in $OUR_CLI"
echo "work directory: $T"

# ================================================================ part A
S=$T/orig-server
mkdir -p "$S"/{tape/vol.1,var,log,rexec}
ln -s vol.1 "$S/tape/vol"
printf 'vector-key-for-tests' > "$S/cryptkey"
chmod 600 "$S/cryptkey"
server_conf "$S" "$S/tape/vol" > "$S/server.conf"

PORT=$(free_port)
# socat -x dumps every byte of every connection (hex) to wire.log
socat -x TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork \
  EXEC:"$ORIG_PREFIX/bin/afserver $S/server.conf",nofork 2> "$S/log/wire.log" &
pids+=($!)
wait_port "$PORT" || { echo "original afserver (socat) did not come up on port $PORT" >&2; exit 2; }
A=(-h 127.0.0.1 -p "$PORT" -k "$S/cryptkey")
O=$T/out; mkdir -p "$O"

echo "--- part A: our programs against the original afserver (port $PORT)"

# A1 -q / -Q
if ours afclient "${A[@]}" -q > "$O/q.out" 2> "$O/q.err"; then
  if grep -q '^Cartridge: *[0-9]' "$O/q.out" && grep -q '^File: *[0-9]' "$O/q.out"; then pass "A01 afclient -q"
  else fail "A01 afclient -q" "unexpected output: $(tr '\n' '|' < "$O/q.out")"; fi
else fail "A01 afclient -q" "exit $? $(tr '\n' '|' < "$O/q.err")"; fi

if ours afclient "${A[@]}" -Q > "$O/Q.out" 2> "$O/Q.err"; then
  if grep -q '^Cartridge: *[0-9]' "$O/Q.out" && grep -q '^File: *[0-9]' "$O/Q.out"; then pass "A02 afclient -Q"
  else fail "A02 afclient -Q" "unexpected output: $(tr '\n' '|' < "$O/Q.out")"; fi
else fail "A02 afclient -Q" "exit $? $(tr '\n' '|' < "$O/Q.err")"; fi

# A3 -w -v: streamer state and server identity
if ours afclient "${A[@]}" -w -v > "$O/w.out" 2> "$O/w.err"; then
  if grep -q 'Streamer state: ' "$O/w.out"; then
    if grep -q "$S/server.conf" "$O/w.out"; then pass "A03 afclient -w -v"
    else fail "A03 afclient -w -v" "server id (should name $S/server.conf) missing: $(tr '\n' '|' < "$O/w.out")"; fi
  else fail "A03 afclient -w -v" "no 'Streamer state:' line: $(tr '\n' '|' < "$O/w.out")"; fi
else fail "A03 afclient -w -v" "exit $? $(tr '\n' '|' < "$O/w.err")"; fi

# A4 -M: read-only tapes message, visible in the server's readonly_tapes file
if ours afclient "${A[@]}" -M 'TapesReadOnly: 5-6' > "$O/M1.out" 2> "$O/M1.err"; then
  if grep -q '5-6' "$S/var/readonly_tapes" 2>/dev/null; then pass "A04 afclient -M 'TapesReadOnly: 5-6'"
  else fail "A04 afclient -M 'TapesReadOnly: 5-6'" "server's readonly_tapes: '$(cat "$S/var/readonly_tapes" 2>/dev/null)'"; fi
else fail "A04 afclient -M 'TapesReadOnly: 5-6'" "exit $? $(tr '\n' '|' < "$O/M1.err")"; fi
if ours afclient "${A[@]}" -M 'TapesReadWrite: 5-6' > "$O/M2.out" 2> "$O/M2.err"; then
  if ! grep -q '5-6' "$S/var/readonly_tapes" 2>/dev/null; then pass "A05 afclient -M 'TapesReadWrite: 5-6'"
  else fail "A05 afclient -M 'TapesReadWrite: 5-6'" "server's readonly_tapes still: '$(cat "$S/var/readonly_tapes")'"; fi
else fail "A05 afclient -M 'TapesReadWrite: 5-6'" "exit $? $(tr '\n' '|' < "$O/M2.err")"; fi

# the test tree
D=$T/data
make_tree "$D"

# A6 -c -v -n -R of the tree
pos=""
if ours afclient -c -v -n -R "${A[@]}" "$D" > "$O/c.out" 2> "$O/c.err"; then
  pos=$(first_pos "$O/c.out")
  if [ -n "$pos" ] && grep -aqF "$D/caf"$'\351'".txt" "$O/c.out"; then pass "A06 afclient -c -v -n -R (tree at ${pos/ /.})"
  else fail "A06 afclient -c -v -n -R" "no '<cart>.<file>: name' lines or Latin-1 name missing: $(head -c 300 "$O/c.out" | tr '\n' '|')"; fi
else fail "A06 afclient -c -v -n -R" "exit $? $(tr '\n' '|' < "$O/c.err" | head -c 400)"; fi
[ -n "$pos" ] || pos="1 1"
set -- $pos; CART=$1; FILE=$2

# A7 -t of that tape file
if ours afclient -t -v "${A[@]}" -C "$CART" -F "$FILE" > "$O/t.out" 2> "$O/t.err"; then
  missing=()
  while IFS= read -r -d '' rel; do
    grep -aqF "$D/$rel" "$O/t.out" || missing+=("$rel")
  done < <(cd "$D" && find . -mindepth 1 -print0 | sed -z 's|^\./||')
  if [ ${#missing[@]} -eq 0 ]; then pass "A07 afclient -t -v -C $CART -F $FILE"
  else fail "A07 afclient -t -v -C $CART -F $FILE" "not listed: ${missing[*]}"; fi
else fail "A07 afclient -t -v -C $CART -F $FILE" "exit $? $(tr '\n' '|' < "$O/t.err" | head -c 400)"; fi

# A8 -x into a new directory, compare
R1=$T/restore/tree; mkdir -p "$R1"
if (cd "$R1" && ours afclient -x -v -a -r "${A[@]}" -C "$CART" -F "$FILE") > "$O/x.out" 2> "$O/x.err"; then
  compare_tree "A08 afclient -x -a -r: restored tree equals source" "$D" "$R1/${D#/}"
else fail "A08 afclient -x -a -r" "exit $? $(tr '\n' '|' < "$O/x.err" | head -c 400)"; fi

# A9 -c with built-in zlib (-z '. 9' '') of a directory, -t and -x of it
ZD=$T/zdata; mkdir -p "$ZD"
cp -a "$D/text.txt" "$D/sub/random.bin" "$D/caf"$'\351'".txt" "$D/empty" "$D/private.txt" "$ZD/"
touch -d '2016-06-06 06:06:06 UTC' "$ZD"
zpos=""
if ours afclient -c -v -n -R "${A[@]}" -z '. 9' '' "$ZD" > "$O/cz.out" 2> "$O/cz.err"; then
  zpos=$(first_pos "$O/cz.out")
  if [ -n "$zpos" ]; then pass "A09 afclient -c -R -z '. 9' '' (at ${zpos/ /.})"
  else fail "A09 afclient -c -z '. 9' ''" "no '<cart>.<file>:' line: $(head -c 300 "$O/cz.out" | tr '\n' '|')"; fi
else fail "A09 afclient -c -z '. 9' ''" "exit $? $(tr '\n' '|' < "$O/cz.err" | head -c 400)"; fi
if [ -n "$zpos" ]; then
  set -- $zpos; ZC=$1; ZF=$2
  if ours afclient -t -v "${A[@]}" -C "$ZC" -F "$ZF" > "$O/tz.out" 2> "$O/tz.err"; then
    if grep -aq 'uncompressed by \.' "$O/tz.out" && grep -aqF "$ZD/random.bin" "$O/tz.out"; then pass "A10 afclient -t of the zlib tape file"
    else fail "A10 afclient -t of the zlib tape file" "listing lacks names or '(to be uncompressed by .)': $(head -c 400 "$O/tz.out" | tr '\n' '|')"; fi
  else fail "A10 afclient -t of the zlib tape file" "exit $? $(tr '\n' '|' < "$O/tz.err" | head -c 400)"; fi
  R2=$T/restore/zlib; mkdir -p "$R2"
  if (cd "$R2" && ours afclient -x -v -a -r "${A[@]}" -C "$ZC" -F "$ZF") > "$O/xz.out" 2> "$O/xz.err"; then
    compare_tree "A11 afclient -x of the zlib tape file: files equal source" "$ZD" "$R2/${ZD#/}"
  else fail "A11 afclient -x of the zlib tape file" "exit $? $(tr '\n' '|' < "$O/xz.err" | head -c 400)"; fi
else
  skip "A10 afclient -t of the zlib tape file" "no position from A09"
  skip "A11 afclient -x of the zlib tape file" "no position from A09"
fi

# A17 a Latin-1 name (byte 0xE9) given as a command line argument
if ours afclient -c -v -n "${A[@]}" "$D/caf"$'\351'".txt" > "$O/cl1.out" 2> "$O/cl1.err"; then
  if grep -aqF "$D/caf"$'\351'".txt" "$O/cl1.out"; then pass "A17 afclient -c with a Latin-1 name as argument"
  else fail "A17 afclient -c with a Latin-1 name as argument" "name not echoed byte-exactly: $(head -c 200 "$O/cl1.out" | od -c | head -n 3 | tr '\n' '|')"; fi
else fail "A17 afclient -c with a Latin-1 name as argument" "exit $? $(tr '\n' '|' < "$O/cl1.err" | head -c 300)"; fi

# A22 the same Latin-1 name, but given on standard input (the original reads names from stdin)
if printf '%s\n' "$D/caf"$'\351'".txt" | ours afclient -c -v -n "${A[@]}" > "$O/cl2.out" 2> "$O/cl2.err"; then
  if grep -aqF "$D/caf"$'\351'".txt" "$O/cl2.out"; then pass "A22 afclient -c with a Latin-1 name on stdin"
  else fail "A22 afclient -c with a Latin-1 name on stdin" "name not echoed byte-exactly: $(head -c 200 "$O/cl2.out" | tr '\n' '|')"; fi
else fail "A22 afclient -c with a Latin-1 name on stdin" "exit $? $(tr '\n' '|' < "$O/cl2.err" | head -c 300)"; fi

# A12 raw stdin backup and raw restore to stdout
for i in $(seq -w 1 100); do printf 'raw stdin payload line %s\n' "$i"; done > "$T/raw-input.txt"
if ours afclient -c -n "${A[@]}" - < "$T/raw-input.txt" > "$O/craw.out" 2> "$O/craw.err"; then
  rpos=$(first_pos "$O/craw.out")
  if [ -z "$rpos" ]; then rpos=$(ours afclient "${A[@]}" -Q | awk '/^Cartridge/{c=$2}/^File/{f=$2-1}END{print c, f}'); fi
  set -- $rpos
  if ours afclient -x "${A[@]}" -C "$1" -F "$2" - > "$O/xraw.out" 2> "$O/xraw.err"; then
    n=$(stat -c %s "$T/raw-input.txt")
    if cmp -s <(head -c "$n" "$O/xraw.out") "$T/raw-input.txt" && [ -z "$(tail -c +$((n + 1)) "$O/xraw.out" | tr -d '\0')" ]; then
      pass "A12 afclient -c - / -x - (raw stdin round trip)"
    else fail "A12 afclient -c - / -x -" "restored bytes differ ($(stat -c %s "$O/xraw.out") bytes out)"; fi
  else fail "A12 afclient -x -" "exit $? $(tr '\n' '|' < "$O/xraw.err" | head -c 400)"; fi
else fail "A12 afclient -c -" "exit $? $(tr '\n' '|' < "$O/craw.err" | head -c 400)"; fi

# A18 -d: verify the first tape file against the unchanged source tree
if ours afclient -d -v -a "${A[@]}" -C "$CART" -F "$FILE" > "$O/d.out" 2> "$O/d.err"; then
  pass "A18 afclient -d -a (verify tape file ${CART}.${FILE} against the source)"
else fail "A18 afclient -d -a" "exit $? $(tr '\n' '|' < "$O/d.err" | head -c 400) $(head -c 300 "$O/d.out" | tr '\n' '|')"; fi

# A19 -X: run a program of the server's Program-Directory
printf '#!/bin/sh\necho interop-remote-ok "$@"\n' > "$S/rexec/interop_prog"; chmod 755 "$S/rexec/interop_prog"
if ours afclient "${A[@]}" -X 'interop_prog one' > "$O/X.out" 2> "$O/X.err"; then
  if grep -q 'interop-remote-ok' "$O/X.out"; then pass "A19 afclient -X (remote program output)"
  else fail "A19 afclient -X" "output: $(head -c 200 "$O/X.out" | tr '\n' '|')"; fi
else fail "A19 afclient -X" "exit $? $(tr '\n' '|' < "$O/X.err" | head -c 300)"; fi

# A20 a 12 MB file: the original server starts new tape files every 1 MB
# (Max Bytes Per File) and a new cartridge after 10 MB (Max Bytes Per Tape)
BIG=$T/big; mkdir -p "$BIG"
head -c 12582912 /dev/urandom > "$BIG/big.bin"; touch -d '2020-02-02 02:02:02 UTC' "$BIG/big.bin" "$BIG"
bpos=""
if TMO=600 ours afclient -c -v -n -R "${A[@]}" "$BIG" > "$O/cbig.out" 2> "$O/cbig.err"; then
  bpos=$(first_pos "$O/cbig.out")
  q=$(ours afclient "${A[@]}" -Q | tr '\n' ' ')
  pass "A20 afclient -c of a 12 MB file (starts at ${bpos/ /.}; next write position now: $q)"
else fail "A20 afclient -c of a 12 MB file" "exit $? $(tr '\n' '|' < "$O/cbig.err" | head -c 400)"; fi
if [ -n "$bpos" ]; then
  set -- $bpos
  R5=$T/restore/big; mkdir -p "$R5"
  if (cd "$R5" && TMO=600 ours afclient -x -v -a -r "${A[@]}" -C "$1" -F "$2") > "$O/xbig.out" 2> "$O/xbig.err"; then
    compare_tree "A21 afclient -x of the 12 MB file across tape files and cartridges" "$BIG" "$R5/${BIG#/}"
  else fail "A21 afclient -x of the 12 MB file" "exit $? $(tr '\n' '|' < "$O/xbig.err" | head -c 400)"; fi
else skip "A21 afclient -x of the 12 MB file" "no position from A20"; fi

# A13.. full_backup + incr_backup + afrestore -a (+ afverify), if present
if [ -f "$OUR_CLI/full_backup.js" ] && [ -f "$OUR_CLI/incr_backup.js" ] && [ -f "$OUR_CLI/afrestore.js" ]; then
  C=$T/client; mkdir -p "$C/var" "$C/log"
  BD=$T/bdata; cp -a "$D" "$BD"
  cat > "$C/afclient.conf" <<EOF
BackupHosts:		127.0.0.1
BackupPorts:		$PORT
ClientIdentifier:	interop-client
RootDirectory:		/
DirsToBackup:		$BD
NumBackupParts:		1
BuiltinCompressLevel:	2
DoNotProcess:		*.gz *.bz2
ProcessBackupedFiles:	1
IndexFilePart:		%V/backup_log.
IndexProcessCmd:	gzip -9
IndexUnprocessCmd:	gunzip
ProcessLogfiles:	1
NumIndexesToStore:	5
LoggingFile:		$C/log/client.log
LockFile:		$C/log/client.lock
VarDirectory:		$C/var
EncryptionKeyFile:	$S/cryptkey
EOF
  if TMO=300 ours full_backup -c "$C/afclient.conf" -v > "$O/full.out" 2> "$O/full.err"; then
    pass "A13 full_backup"
  else fail "A13 full_backup" "exit $? $(tail -n 5 "$O/full.err" | tr '\n' '|')"; fi
  # change the tree: a new file, a modified file, a removed file
  # (incr_backup selects by mtime, so the changed entries keep "now" as mtime)
  sleep 1
  printf 'added before incr_backup\n' > "$BD/incr-new.txt"
  printf 'changed line\n' >> "$BD/private.txt"
  if TMO=300 ours incr_backup -c "$C/afclient.conf" -v > "$O/incr.out" 2> "$O/incr.err"; then
    pass "A14 incr_backup"
  else fail "A14 incr_backup" "exit $? $(tail -n 5 "$O/incr.err" | tr '\n' '|')"; fi
  R3=$T/restore/afrestore; mkdir -p "$R3"
  if TMO=300 ours afrestore -a -c "$C/afclient.conf" -C "$R3" > "$O/afr.out" 2> "$O/afr.err"; then
    compare_tree "A15 afrestore -a: restored tree equals the tree after incr_backup" "$BD" "$R3/${BD#/}"
  else fail "A15 afrestore -a" "exit $? $(tail -n 5 "$O/afr.err" | tr '\n' '|')"; fi
  if [ -f "$OUR_CLI/afverify.js" ]; then
    if TMO=300 ours afverify -c "$C/afclient.conf" > "$O/afv.out" 2> "$O/afv.err"; then pass "A16 afverify (last run vs file system)"
    else fail "A16 afverify" "exit $? $(tail -n 5 "$O/afv.out" "$O/afv.err" | tr '\n' '|')"; fi
  else skip "A16 afverify" "$OUR_CLI/afverify.js not built"; fi
else
  skip "A13-A16 full_backup/incr_backup/afrestore/afverify" "not all of full_backup.js incr_backup.js afrestore.js exist in $OUR_CLI"
fi

# ================================================================ part B
echo "--- part B: the original afclient against our afserver"
if [ ! -x "$ORIG_PREFIX/bin/afclient" ]; then
  skip "B01-B11, C01-C06 original afclient against our afserver / cross reading" "$ORIG_PREFIX/bin/afclient not built"
elif [ ! -f "$OUR_CLI/afserver.js" ]; then
  skip "B01-B11, C01-C06 original afclient against our afserver / cross reading" "$OUR_CLI/afserver.js not built"
else
  U=$T/our-server
  mkdir -p "$U"/{tape/vol.1,var,log,rexec}
  ln -s vol.1 "$U/tape/vol"
  printf 'vector-key-for-tests' > "$U/cryptkey"; chmod 600 "$U/cryptkey"
  { server_conf "$U" "$U/tape/vol"; echo "Authentication-Scheme:	$ORIG_SCHEME"; } > "$U/afserver.conf"
  UPORT=$(free_port)
  socat -x TCP-LISTEN:"$UPORT",bind=127.0.0.1,reuseaddr,fork \
    EXEC:"node $OUR_CLI/afserver.js $U/afserver.conf",nofork 2> "$U/log/wire.log" &
  pids+=($!)
  wait_port "$UPORT" || { fail "B00 our afserver" "socat did not come up"; }
  B=(-h 127.0.0.1 -p "$UPORT" -k "$U/cryptkey")
  orig() { timeout "${TMO:-120}" "$ORIG_PREFIX/bin/afclient" "$@"; }
  bpos=""
  if orig -c -v -n -R "${B[@]}" "$D" > "$O/Bc.out" 2> "$O/Bc.err"; then
    bpos=$(first_pos "$O/Bc.out")
    if [ -n "$bpos" ]; then pass "B01 original afclient -c -v -n -R -> our afserver (at ${bpos/ /.})"
    else fail "B01 original afclient -c" "no '<cart>.<file>:' lines: $(head -c 300 "$O/Bc.out" | tr '\n' '|')"; fi
  else fail "B01 original afclient -c" "exit $? $(tr '\n' '|' < "$O/Bc.err" | head -c 400)"; fi
  [ -n "$bpos" ] || bpos="1 1"
  set -- $bpos
  if orig -t -v "${B[@]}" -C "$1" -F "$2" > "$O/Bt.out" 2> "$O/Bt.err" && grep -aqF "$D/sub/random.bin" "$O/Bt.out"; then
    pass "B02 original afclient -t <- our afserver"
  else fail "B02 original afclient -t" "$(tr '\n' '|' < "$O/Bt.err" | head -c 300) $(head -c 300 "$O/Bt.out" | tr '\n' '|')"; fi
  R4=$T/restore/orig-client; mkdir -p "$R4"
  if (cd "$R4" && orig -x -v -a -r "${B[@]}" -C "$1" -F "$2") > "$O/Bx.out" 2> "$O/Bx.err"; then
    compare_tree "B03 original afclient -x <- our afserver: restored tree equals source" "$D" "$R4/${D#/}"
  else fail "B03 original afclient -x" "exit $? $(tr '\n' '|' < "$O/Bx.err" | head -c 400)"; fi
  BC=$1; BF=$2

  # B04-B06 queries
  for q in q Q; do
    if orig "${B[@]}" -$q > "$O/B$q.out" 2> "$O/B$q.err" && grep -q '^Cartridge: *[0-9]' "$O/B$q.out" && grep -q '^File: *[0-9]' "$O/B$q.out"; then
      pass "B0$([ $q = q ] && echo 4 || echo 5) original afclient -$q <- our afserver"
    else fail "B0$([ $q = q ] && echo 4 || echo 5) original afclient -$q" "$(cat "$O/B$q.out" "$O/B$q.err" | tr '\n' '|' | head -c 300)"; fi
  done
  if orig "${B[@]}" -w -v > "$O/Bw.out" 2> "$O/Bw.err" && grep -q '^Streamer state: ' "$O/Bw.out" && grep -q '^Server-ID: ' "$O/Bw.out"; then
    pass "B06 original afclient -w -v <- our afserver ($(tr '\n' '|' < "$O/Bw.out"))"
  else fail "B06 original afclient -w -v" "$(cat "$O/Bw.out" "$O/Bw.err" | tr '\n' '|' | head -c 300)"; fi

  # B07 -M read-only / read-write tapes
  if orig "${B[@]}" -M 'TapesReadOnly: 5-6' > "$O/BM.out" 2> "$O/BM.err" && grep -q '5-6' "$U/var/readonly_tapes" 2>/dev/null \
     && orig "${B[@]}" -M 'TapesReadWrite: 5-6' >> "$O/BM.out" 2>> "$O/BM.err" && ! grep -q '5-6' "$U/var/readonly_tapes"; then
    pass "B07 original afclient -M TapesReadOnly/TapesReadWrite -> our afserver"
  else fail "B07 original afclient -M" "readonly_tapes='$(cat "$U/var/readonly_tapes" 2>/dev/null)' $(cat "$O/BM.err" | tr '\n' '|' | head -c 300)"; fi

  # B08 zlib round trip
  if orig -c -v -n -R "${B[@]}" -z '. 9' '' "$ZD" > "$O/Bcz.out" 2> "$O/Bcz.err"; then
    set -- $(first_pos "$O/Bcz.out")
    R6=$T/restore/orig-client-zlib; mkdir -p "$R6"
    if [ $# -eq 2 ] && (cd "$R6" && orig -x -v -a -r "${B[@]}" -C "$1" -F "$2") > "$O/Bxz.out" 2> "$O/Bxz.err"; then
      compare_tree "B08 original afclient -c/-x with -z '. 9' '' via our afserver" "$ZD" "$R6/${ZD#/}"
    else fail "B08 original afclient -x of zlib tape file" "$(tr '\n' '|' < "$O/Bxz.err" | head -c 300)"; fi
  else fail "B08 original afclient -c -z" "exit $? $(tr '\n' '|' < "$O/Bcz.err" | head -c 300)"; fi

  # B09 raw round trip
  if orig -c -n "${B[@]}" - < "$T/raw-input.txt" > "$O/Bcraw.out" 2> "$O/Bcraw.err"; then
    rp=$(first_pos "$O/Bcraw.out")
    [ -n "$rp" ] || rp=$(orig "${B[@]}" -Q | awk '/^Cartridge/{c=$2}/^File/{f=$2-1}END{print c, f}')
    set -- $rp
    orig -x "${B[@]}" -C "$1" -F "$2" - > "$O/Bxraw.out" 2> "$O/Bxraw.err"
    n=$(stat -c %s "$T/raw-input.txt")
    if cmp -s <(head -c "$n" "$O/Bxraw.out") "$T/raw-input.txt"; then pass "B09 original afclient -c - / -x - via our afserver"
    else fail "B09 original afclient raw round trip" "$(stat -c %s "$O/Bxraw.out") bytes back; $(tr '\n' '|' < "$O/Bxraw.err" | head -c 300)"; fi
  else fail "B09 original afclient -c -" "$(tr '\n' '|' < "$O/Bcraw.err" | head -c 300)"; fi

  # B10 -d verify, B11 -X
  if orig -d -v -a "${B[@]}" -C "$BC" -F "$BF" > "$O/Bd.out" 2> "$O/Bd.err" && ! grep -q -- '-->' "$O/Bd.out"; then
    pass "B10 original afclient -d (verify) <- our afserver"
  else fail "B10 original afclient -d" "$(cat "$O/Bd.out" "$O/Bd.err" | grep -a -e '-->' -e rror | head -n 5 | tr '\n' '|')"; fi
  printf '#!/bin/sh\necho interop-remote-ok "$@"\n' > "$U/rexec/interop_prog"; chmod 755 "$U/rexec/interop_prog"
  if orig "${B[@]}" -X 'interop_prog one' > "$O/BX.out" 2> "$O/BX.err" && grep -q interop-remote-ok "$O/BX.out"; then
    pass "B11 original afclient -X <- our afserver"
  else fail "B11 original afclient -X" "$(cat "$O/BX.out" "$O/BX.err" | tr '\n' '|' | head -c 300)"; fi

  # B12 file modes of the tape files each server created (the original creates them 0600)
  om=$(stat -c '%a' "$S"/tape/vol.1/data.* 2>/dev/null | sort -u | tr '\n' ' ')
  um=$(stat -c '%a' "$U"/tape/vol.1/data.* 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "$um" ] && [ "$om" = "$um" ]; then pass "B12 tape files created by our afserver have the original's mode ($um)"
  else fail "B12 tape file modes differ" "original afserver: $om / our afserver: $um (same umask, same directory device)"; fi
  extra=$(cd "$U/tape" && ls -A | grep -v '^vol' ; cd "$U/tape" && ls -A | grep '^vol\.[^0-9]')
  [ -z "$extra" ] || note "note: our afserver left extra files next to the device: $(echo $extra)"

  # ============================================================ part C
  echo "--- part C: cross reading (one client reads what the other wrote)"
  R7=$T/restore/orig-reads-ours; mkdir -p "$R7"
  if (cd "$R7" && orig -x -v -a -r "${A[@]}" -C "$CART" -F "$FILE") > "$O/Cx1.out" 2> "$O/Cx1.err"; then
    compare_tree "C01 original afclient -x of the tape file OUR afclient wrote (A06)" "$D" "$R7/${D#/}"
  else fail "C01 original afclient -x of our tape file" "exit $? $(tr '\n' '|' < "$O/Cx1.err" | head -c 300)"; fi
  if [ -n "$zpos" ]; then
    set -- $zpos
    R8=$T/restore/orig-reads-ours-zlib; mkdir -p "$R8"
    if (cd "$R8" && orig -x -v -a -r "${A[@]}" -C "$1" -F "$2") > "$O/Cx2.out" 2> "$O/Cx2.err"; then
      compare_tree "C02 original afclient -x of OUR zlib tape file (A09)" "$ZD" "$R8/${ZD#/}"
    else fail "C02 original afclient -x of our zlib tape file" "exit $? $(tr '\n' '|' < "$O/Cx2.err" | head -c 300)"; fi
  fi
  R9=$T/restore/ours-reads-orig; mkdir -p "$R9"
  if (cd "$R9" && ours afclient -x -v -a -r "${B[@]}" -C "$BC" -F "$BF") > "$O/Cx3.out" 2> "$O/Cx3.err"; then
    compare_tree "C03 our afclient -x of the tape file the ORIGINAL afclient wrote (B01)" "$D" "$R9/${D#/}"
  else fail "C03 our afclient -x of the original's tape file" "exit $? $(tr '\n' '|' < "$O/Cx3.err" | head -c 300)"; fi
  # C04 listings of the same tape file by both clients
  orig -t -v "${A[@]}" -C "$CART" -F "$FILE" > "$O/Ct.orig" 2>&1
  ours afclient -t -v "${A[@]}" -C "$CART" -F "$FILE" > "$O/Ct.ours" 2>&1
  if cmp -s "$O/Ct.orig" "$O/Ct.ours"; then pass "C04 afclient -t -v output identical (original vs ours, same tape file)"
  else fail "C04 afclient -t -v output differs (original vs ours)" "$(diff "$O/Ct.orig" "$O/Ct.ours" | head -n 8 | tr '\n' '|')"; fi
  for q in q Q; do
    orig "${A[@]}" -$q > "$O/Cq.orig" 2>&1; ours afclient "${A[@]}" -$q > "$O/Cq.ours" 2>&1
    if cmp -s "$O/Cq.orig" "$O/Cq.ours"; then pass "C05 afclient -$q output identical (original vs ours)"
    else fail "C05 afclient -$q output differs" "$(diff "$O/Cq.orig" "$O/Cq.ours" | tr '\n' '|')"; fi
  done
  # C07 packing order: the original packs in readdir() order, contents before their directory
  sed -n 's/^[0-9]*\.[0-9]*: //p' "$O/c.out" > "$O/order.ours"
  sed -n 's/^[0-9]*\.[0-9]*: //p' "$O/Bc.out" > "$O/order.orig"
  if [ ! -s "$O/order.ours" ] || [ ! -s "$O/order.orig" ]; then skip "C07 entry order" "A06 or B01 printed no entries"
  elif cmp -s "$O/order.ours" "$O/order.orig"; then pass "C07 -c -R packs entries in the same order as the original (readdir order)"
  else fail "C07 -c -R entry order differs from the original (same tree, same file system)" "original: $(tr '\n' ' ' < "$O/order.orig" | sed "s|$D/||g") / ours: $(tr '\n' ' ' < "$O/order.ours" | sed "s|$D/||g")"; fi
  orig "${A[@]}" -w -v > "$O/Cw.orig" 2>&1; ours afclient "${A[@]}" -w -v > "$O/Cw.ours" 2>&1
  if cmp -s "$O/Cw.orig" "$O/Cw.ours"; then pass "C06 afclient -w -v output identical (original vs ours)"
  else fail "C06 afclient -w -v output differs" "$(diff "$O/Cw.orig" "$O/Cw.ours" | tr '\n' '|')"; fi
fi

echo "--- $npass passed, $nfail failed, $nskip skipped"
echo "(wire dumps: $S/log/wire.log${U:+, $U/log/wire.log}; outputs in $O; KEEP=1 keeps them)"
[ "$nfail" -eq 0 ]
