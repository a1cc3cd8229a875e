#!/usr/bin/env bash
# Installs the oat Debian package into a throwaway root and checks it (ctest entry package/deb,
# tests/package/CMakeLists.txt).
#
#   install.sh CPACK CPACK_CONFIG SOURCE_DIR VERSION
#
# 1. cpack --config CPACK_CONFIG makes oat_VERSION_<arch>.deb in a temporary folder (the build
#    tree must be built; nothing is built here).
# 2. In a private mount namespace (unshare -m), an overlay of / whose changes go to the temporary
#    folder is the root: /proc, /dev and /sys bound in, fresh tmpfs on /run and /tmp (so no
#    systemd is seen running). Everything below runs chrooted there; the host is never changed.
# 3. dpkg -i, then the files, their modes and owners, the user oat, the conffile (and oatd config
#    check on it), the unit (systemd-analyze verify); the installed oatd run by hand as oat with
#    the installed configuration on a free port: /healthz, the console, SIGTERM and exit status 0;
#    dpkg -r and dpkg -P, and what must stay.
# Needs root, unshare and overlayfs; without them it fails with one sentence saying so. Every wait
# has a timeout; the temporary folder (and with the namespace, every mount) goes however it ends.
set -euo pipefail

say() { printf 'package: %s\n' "$*"; }
fail() { printf 'package: FAILED: %s\n' "$*" >&2; exit 1; }
# The machine cannot host the test (no overlayfs...): said once, status 3 from the namespace.
unable() { printf 'package: FAILED: %s\n' "$*" >&2; exit 3; }
started=$SECONDS

# bounded SECONDS CMD...: CMD under timeout, in the background so that a signal to this script is
# handled at once (bash runs traps only between foreground commands): on_signal stops it first.
child=''
bounded() {
  local limit=$1; shift
  timeout --kill-after=5 "$limit" "$@" &
  child=$!
  local s=0
  wait "$child" || s=$?
  child=''
  return "$s"
}
on_signal() {
  trap '' INT TERM HUP
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  exit 130
}

# ---------------------------------------------------------------------------------------------
# Inside the mount namespace: install.sh --inside WORK DEB SOURCE_DIR
# ---------------------------------------------------------------------------------------------
inside() {
  local work=$1 deb=$2 src=$3
  local root=$work/root
  oatd_pid=''   # global: the EXIT trap below runs after this function has returned

  # However this ends: stop the oatd started below. The mounts are this namespace's own and go
  # with its last process.
  stop_oatd() {
    [ -n "$oatd_pid" ] || return 0
    if kill -0 "$oatd_pid" 2>/dev/null; then
      kill -TERM "$oatd_pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$oatd_pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$oatd_pid" 2>/dev/null || true
    fi
    wait "$oatd_pid" 2>/dev/null || true
    oatd_pid=''
  }
  trap stop_oatd EXIT
  trap on_signal INT TERM HUP

  mkdir -p "$work/upper" "$work/overlay-work" "$root"
  mount -t overlay overlay \
      -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$root" 2>"$work/mount.err" ||
    unable "overlayfs is unavailable: cannot mount an overlay of / ($(tr '\n' ' ' <"$work/mount.err"))"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  mount -t tmpfs -o mode=0755 tmpfs "$root/run"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  in_root() { chroot "$root" "$@"; }
  # run_root SECONDS CMD...: in the root, bounded in time, output kept in $work/last.log and
  # shown when it fails.
  run_root() {
    local limit=$1; shift
    if ! bounded "$limit" chroot "$root" "$@" >"$work/last.log" 2>&1; then
      sed 's/^/  | /' "$work/last.log" >&2
      fail "'$*' failed in the root (or took over ${limit} s)"
    fi
  }
  # mode_owner PATH: "MODE USER:GROUP" of PATH in the root, names from the root's own passwd.
  mode_owner() { in_root stat -c '%a %U:%G' "$1"; }
  expect_file() {  # PATH MODE USER:GROUP
    in_root test -f "$1" || fail "$1 is not installed"
    local got; got=$(mode_owner "$1")
    [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
  }
  status_of() { in_root dpkg-query -W -f='${Status}' oat 2>/dev/null || true; }

  say "a clean root: overlay of / at $root"
  [ -z "$(status_of)" ] || [ "$(status_of)" = "unknown ok not-installed" ] ||
    fail "package oat is already known to dpkg on this machine ($(status_of)); the test needs a machine without it"
  ! in_root getent passwd oat >/dev/null ||
    fail "a user oat already exists on this machine; the test needs a machine without it"
  in_root test ! -e /usr/bin/oatd || fail "/usr/bin/oatd already exists on this machine"
  [ ! -d "$root/run/systemd/system" ] || fail "the root must not look like a running systemd"

  # -- Install ---------------------------------------------------------------------------------
  cp "$deb" "$root/tmp/"
  local debname; debname=$(basename "$deb")
  say "dpkg -i $debname"
  run_root 120 dpkg -i "/tmp/$debname"
  [ "$(status_of)" = "install ok installed" ] || fail "dpkg -s oat says '$(status_of)', not installed"
  say "dpkg -s oat: install ok installed, version $(in_root dpkg-query -W -f='${Version}' oat)"

  # -- Files -----------------------------------------------------------------------------------
  say "files: modes and owners"
  expect_file /usr/bin/oatd 755 root:root
  expect_file /etc/oat/oatd.toml 644 root:root
  expect_file /lib/systemd/system/oatd.service 644 root:root
  cmp -s "$src/packaging/oatd.toml" "$root/etc/oat/oatd.toml" ||
    fail "/etc/oat/oatd.toml differs from packaging/oatd.toml"
  cmp -s "$src/packaging/oatd.service" "$root/lib/systemd/system/oatd.service" ||
    fail "/lib/systemd/system/oatd.service differs from packaging/oatd.service"
  local console=/usr/share/oat/console
  expect_file $console/index.html 644 root:root
  # Every file index.html names (src=, href=, data-wasm=, data-js=) is there, mode 0644.
  local named
  named=$(grep -oE '(src|href|data-wasm|data-js)="[^"]+"' "$root$console/index.html" |
          sed -E 's/^[^"]*"//; s/"$//' | sort -u)
  grep -qE '^oat_console\.[0-9a-f]{12}\.wasm$' <<<"$named" ||
    fail "index.html names no content-hashed oat_console.<hash>.wasm"
  grep -qE '^oat_console\.[0-9a-f]{12}\.js$' <<<"$named" ||
    fail "index.html names no content-hashed oat_console.<hash>.js"
  local f
  for f in $named; do
    expect_file "$console/$f" 644 root:root
  done
  say "  the console: index.html and the $(wc -w <<<"$named") files it names ($(tr '\n' ' ' <<<"$named"| sed 's/ $//'))"
  for f in oat_console.js oat_console.wasm oat_console.js.gz oat_console.js.br \
           oat_console.wasm.gz oat_console.wasm.br; do
    in_root test ! -e "$console/$f" || fail "$console/$f (an unhashed leftover) is installed"
  done
  # No file of the package is writable by anyone but root.
  local writable
  writable=$(in_root sh -c 'dpkg -L oat | while read -r p; do
    find "$p" -maxdepth 0 ! -type l \( -perm -g+w -o -perm -o+w \); done')
  [ -z "$writable" ] || fail "writable by group or others: $writable"

  # -- User, control files, unit -----------------------------------------------------------------
  local pw; pw=$(in_root getent passwd oat) || fail "postinst made no user oat"
  local uid home shell gid
  IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
  [ "$uid" -lt 1000 ] || fail "user oat has uid $uid, not a system uid"
  [ "$home" = /var/lib/oat ] || fail "user oat has home $home, expected /var/lib/oat"
  case $shell in */nologin|/bin/false) ;; *) fail "user oat has shell $shell, expected nologin" ;; esac
  [ "$(in_root getent group oat | cut -d: -f3)" = "$gid" ] || fail "user oat's group is not the group oat"
  in_root test ! -e /var/lib/oat || fail "postinst created /var/lib/oat (systemd's StateDirectory does)"
  say "user oat: system uid $uid, group oat, home /var/lib/oat (not created), shell $shell"

  dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles" 2>/dev/null ||
    fail "the .deb has no conffiles"
  [ "$(cat "$work/conffiles")" = /etc/oat/oatd.toml ] ||
    fail "conffiles is '$(cat "$work/conffiles")', expected /etc/oat/oatd.toml"
  # (Output captured, not piped into grep -q: with pipefail, grep quitting early fails the writer.)
  local listed; listed=$(in_root dpkg-query -W -f='${Conffiles}\n' oat)
  grep -q '^ /etc/oat/oatd.toml ' <<<"$listed" ||
    fail "dpkg does not list /etc/oat/oatd.toml as a conffile of oat"
  say "conffiles: /etc/oat/oatd.toml"
  local field
  for field in Depends Section Maintainer Description; do
    [ -n "$(dpkg-deb -f "$deb" "$field")" ] || fail "the .deb has no $field field"
  done
  local depends; depends=$(dpkg-deb -f "$deb" Depends)
  grep -qE '(^|, )adduser(,|$| )' <<<"$depends" || fail "Depends lacks adduser: $depends"
  grep -qE '(^|, )libc6 ' <<<"$depends" || fail "Depends lacks libc6 (dpkg-shlibdeps?): $depends"
  [ "$(dpkg-deb -f "$deb" Section)" = net ] || fail "Section is not net"
  say "Depends: $depends"

  if in_root sh -c 'command -v deb-systemd-helper' >/dev/null; then
    in_root test -L /etc/systemd/system/multi-user.target.wants/oatd.service ||
      fail "postinst did not enable oatd.service (no multi-user.target.wants link)"
    say "oatd.service enabled (multi-user.target.wants), not started (no systemd running)"
  fi

  say "systemd-analyze verify /lib/systemd/system/oatd.service"
  local verify_status=0
  bounded 60 chroot "$root" systemd-analyze verify /lib/systemd/system/oatd.service \
    >"$work/verify.log" 2>&1 || verify_status=$?
  # It also loads the units ours names (network-online.target...): what it says of those is not
  # ours. Any line about oatd.service, or a failure, is.
  if grep -q 'oatd\.service' "$work/verify.log" || [ "$verify_status" -ne 0 ]; then
    sed 's/^/  | /' "$work/verify.log" >&2
    fail "systemd-analyze verify finds fault with oatd.service (exit status $verify_status)"
  fi
  if [ -s "$work/verify.log" ]; then
    say "  (it says, of other units: $(head -c 300 "$work/verify.log" | tr '\n' ' '))"
  fi

  # -- Run the installed oatd as oat -----------------------------------------------------------
  say "oatd config check /etc/oat/oatd.toml"
  run_root 30 /usr/bin/oatd config check /etc/oat/oatd.toml
  # /var/lib/oat as systemd's StateDirectory=oat with StateDirectoryMode=0700 makes it.
  in_root install -d -o oat -g oat -m 0700 /var/lib/oat
  say "oatd serve as user oat on a free port"
  # chroot --userspec execs oatd itself (runuser would stay in between as its parent and answer
  # SIGTERM for it), with the unit's UMask and a bare environment like systemd's.
  # >>> --config: the installed configuration (its db and console); only the port is overridden.
  # >>> Without --config (an oatd older than it), the same run is:
  # >>>   serve_args=(--db /var/lib/oat/oat.db --listen 127.0.0.1:0 --console /usr/share/oat/console)
  local serve_args=(--config /etc/oat/oatd.toml --listen 127.0.0.1:0 --db /var/lib/oat/oat.db)
  (
    umask 0077
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      chroot --userspec=oat:oat "$root" /usr/bin/oatd serve "${serve_args[@]}"
  ) >"$work/oatd.out" 2>"$work/oatd.err" &
  oatd_pid=$!

  local port=''
  for _ in $(seq 150); do   # 15 s
    port=$(grep '"msg":"listening"' "$work/oatd.err" 2>/dev/null |
           grep -oE '"address":"127\.0\.0\.1:[0-9]+"' | grep -oE '[0-9]+"$' | tr -d '"' || true)
    [ -n "$port" ] && break
    kill -0 "$oatd_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    sed 's/^/  | /' "$work/oatd.err" >&2
    fail "oatd logged no \"listening\" line within 15 s"
  fi
  [ "$(in_root stat -c %U /proc/"$oatd_pid")" = oat ] || fail "oatd does not run as oat"
  say "  listening on 127.0.0.1:$port as oat"

  local url=http://127.0.0.1:$port code
  code=$(curl -sS --max-time 10 -o "$work/healthz" -w '%{http_code}' "$url/healthz") ||
    fail "GET /healthz: no answer"
  [ "$code" = 200 ] && [ "$(tr -d ' \n' <"$work/healthz")" = '{"status":"ok"}' ] ||
    fail "GET /healthz answered $code $(cat "$work/healthz")"
  say "  GET /healthz: 200 {\"status\":\"ok\"}"
  code=$(curl -sS --max-time 10 -o "$work/index" -w '%{http_code}' "$url/") || fail "GET /: no answer"
  [ "$code" = 200 ] && cmp -s "$work/index" "$root$console/index.html" ||
    fail "GET / answered $code, not the installed console's index.html"
  local js; js=$(grep -E '^oat_console\.[0-9a-f]{12}\.js$' <<<"$named")
  code=$(curl -sS --max-time 10 -o "$work/js" -w '%{http_code}' "$url/$js") || fail "GET /$js: no answer"
  [ "$code" = 200 ] && cmp -s "$work/js" "$root$console/$js" || fail "GET /$js answered $code"
  say "  GET /: 200, the installed index.html; GET /$js: 200"

  expect_file /var/lib/oat/oat.db 600 oat:oat
  say "  /var/lib/oat/oat.db: 0600 oat:oat"

  kill -TERM "$oatd_pid"
  for _ in $(seq 150); do kill -0 "$oatd_pid" 2>/dev/null || break; sleep 0.1; done  # 15 s
  kill -0 "$oatd_pid" 2>/dev/null && fail "oatd still runs 15 s after SIGTERM"
  local exit_status=0
  wait "$oatd_pid" || exit_status=$?
  oatd_pid=''
  if [ "$exit_status" -ne 0 ]; then
    sed 's/^/  | /' "$work/oatd.err" >&2
    fail "oatd exited with status $exit_status after SIGTERM, not 0"
  fi
  say "  SIGTERM: exited 0"

  # -- Remove, purge ---------------------------------------------------------------------------
  say "dpkg -r oat"
  run_root 60 dpkg -r oat
  [ "$(status_of)" = "deinstall ok config-files" ] || fail "after dpkg -r, dpkg -s oat says '$(status_of)'"
  for f in /usr/bin/oatd /lib/systemd/system/oatd.service $console; do
    in_root test ! -e "$f" || fail "$f is still there after dpkg -r"
  done
  in_root test -f /etc/oat/oatd.toml || fail "dpkg -r removed the conffile /etc/oat/oatd.toml"
  in_root test -f /var/lib/oat/oat.db || fail "dpkg -r removed /var/lib/oat/oat.db"
  say "  gone: oatd, the unit, the console; kept: /etc/oat/oatd.toml, /var/lib/oat/oat.db"

  say "dpkg -P oat"
  run_root 60 dpkg -P oat
  local purged; purged=$(status_of)
  [ -z "$purged" ] || [ "$purged" = "unknown ok not-installed" ] ||
    fail "after dpkg -P, dpkg -s oat says '$purged'"
  in_root test ! -e /etc/oat/oatd.toml || fail "dpkg -P left /etc/oat/oatd.toml"
  in_root test -f /var/lib/oat/oat.db || fail "dpkg -P deleted /var/lib/oat/oat.db: the data must stay"
  [ "$(mode_owner /var/lib/oat)" = "700 oat:oat" ] || fail "/var/lib/oat changed: $(mode_owner /var/lib/oat)"
  in_root getent passwd oat >/dev/null || fail "dpkg -P removed the user oat, the owner of /var/lib/oat"
  say "  gone: /etc/oat/oatd.toml; kept: /var/lib/oat/oat.db (0700 oat:oat folder), the user oat"
}

if [ "${1:-}" = --inside ]; then
  shift
  inside "$@"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# On the host: the prerequisites, the .deb, then the rest in a mount namespace of its own.
# ---------------------------------------------------------------------------------------------
[ $# -eq 4 ] || { echo "usage: $0 CPACK CPACK_CONFIG SOURCE_DIR VERSION" >&2; exit 2; }
cpack=$1 config=$2 src=$(cd "$3" && pwd) version=$4

[ "$(id -u)" -eq 0 ] || fail "the package test needs root (it mounts an overlay of / and chroots into it)"
for tool in unshare chroot dpkg-deb dpkg-shlibdeps curl timeout; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs what the test needs)"
done
[ -f "$config" ] || fail "$config is missing: configure the build tree first"
arch=$(dpkg --print-architecture)

work=$(mktemp -d -t oat-package.XXXXXX)
cleanup() {
  # The overlay is mounted only inside the namespace; never delete through a mount.
  if mountpoint -q "$work/root" 2>/dev/null; then
    echo "package: $work/root is still mounted here; left in place" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap on_signal INT TERM HUP

say "cpack: making the .deb from the built tree"
t=$SECONDS
if ! bounded 180 "$cpack" --config "$config" -B "$work/cpack" >"$work/cpack.log" 2>&1; then
  sed 's/^/  | /' "$work/cpack.log" >&2
  fail "cpack failed (or took over 180 s)"
fi
deb=$work/cpack/oat_${version}_${arch}.deb
[ -f "$deb" ] || { ls "$work/cpack" >&2; fail "cpack made no $(basename "$deb")"; }
say "  $(basename "$deb"), $(( $(stat -c %s "$deb") / 1024 )) KiB, in $((SECONDS - t)) s"

# The namespace's processes end before the trap above runs, and with them its mounts.
unshare --mount --propagation private true 2>/dev/null ||
  fail "unshare is unavailable: cannot make a private mount namespace (needs root with CAP_SYS_ADMIN)"
status=0
bounded 180 unshare --mount --propagation private \
  bash "$0" --inside "$work" "$deb" "$src" || status=$?
case $status in
  0) ;;
  3) exit 1 ;;   # said why already
  124|137) fail "the checks in the throwaway root took over 180 s" ;;
  *) fail "the installed package failed its checks (above), status $status" ;;
esac
say "passed in $((SECONDS - started)) s"
