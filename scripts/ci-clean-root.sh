#!/usr/bin/env bash
# Runs `CI=true bash .ci/run` on the committed HEAD inside a fresh Debian bookworm root, as on a freshly
# started machine: nothing the developer's machine happens to have installed (makepkg, a pyenv python3,
# a warm cache) can make CI pass here. Must pass before an issue is resolved; not part of `npm test`.
#
#   sudo scripts/ci-clean-root.sh            # output on stdout/stderr; exit status is .ci/run's
#
# Needs root and debootstrap (plus git to clone HEAD). The minbase tree is debootstrapped once from this
# machine's apt mirror and cached under $PATCHBAY_CLEAN_ROOT_CACHE (default /var/cache/patchbay-clean-root);
# each run copies it to a new root under /var/tmp and removes that root afterwards
# (PATCHBAY_CLEAN_ROOT_KEEP=1 keeps it for a look). Into the root go: this machine's node, npm and node
# headers, its apt sources and keys, its extra CA certificates (an egress proxy may need them), resolv.conf.
# All mounts are made in a private mount namespace, so they vanish with it even if this script is killed;
# the trap unmounts them too, and the root is only removed once nothing is mounted under it.
set -euo pipefail

SUITE=bookworm
# ca-certificates only so that this machine's extra CAs can be added; everything else .ci/run must install.
INCLUDE=ca-certificates
cache=${PATCHBAY_CLEAN_ROOT_CACHE:-/var/cache/patchbay-clean-root}

die() {
  echo "ci-clean-root: $*" >&2
  exit 2
}

# --- inner part: runs as `unshare --mount` child, with the prepared root as $1 -------------------------
if [ "${1:-}" = --inner ]; then
  root=$2
  mounted=()
  cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
      umount -R "${mounted[$i]}" 2>/dev/null || umount -R -l "${mounted[$i]}" 2>/dev/null || true
    done
  }
  trap cleanup EXIT
  mnt() { # mnt TARGET mount-args...
    local target=$1
    shift
    mount "$@" "$target"
    mounted+=("$target")
  }
  # Nothing mounted here may propagate back to the host's namespace.
  mount --make-rprivate /
  # The root must be a mount point, as / is on a real machine: `unshare --mount` inside (debootstrap of
  # the test targets, the RPM captures) changes the propagation of / and fails with EINVAL otherwise.
  mnt "$root" --bind "$root"
  mnt "$root/proc" -t proc proc
  mnt "$root/sys" --rbind /sys
  mnt "$root/dev" --rbind /dev
  mnt "$root/run" -t tmpfs -o mode=755,nosuid,nodev tmpfs
  mnt "$root/tmp" -t tmpfs -o mode=1777,nosuid,nodev tmpfs
  # Test endpoints (127.0.0.x:2222) are claimed with lock files holding PIDs; sharing the host's lock
  # folder (same PID namespace) keeps this run and tests running on the host off each other's addresses.
  locks=/tmp/patchbay-endpoints
  mkdir -p "$locks" "$root$locks"
  mnt "$root$locks" --bind "$locks"

  env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI=true
    TERM=dumb NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_nodedir=/usr/local)
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY npm_config_registry; do
    [ -n "${!v:-}" ] && env+=("$v=${!v}")
  done
  # pivot_root, not only chroot: the test targets enter their own mount namespaces with nsenter, which
  # resets the root to the namespace's root; with a bare chroot that would be the host's / (and its /tmp).
  cd "$root"
  mkdir -p .pivot-old
  pivot_root . .pivot-old
  umount -l /.pivot-old
  rmdir /.pivot-old
  trap - EXIT # the mounts now live only in this namespace and vanish with it
  exec chroot / /usr/bin/env -i "${env[@]}" /bin/bash -c 'cd /build/patchbay && exec bash .ci/run' </dev/null
fi

# --- outer part -----------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die 'run as root (it debootstraps, mounts and chroots)'
command -v debootstrap >/dev/null || die 'apt-get install debootstrap'
command -v git >/dev/null || die 'git is needed to clone HEAD'
node=$(command -v node) || die 'node not found'
node=$(readlink -f "$node")
prefix=$(dirname "$(dirname "$node")")
[ -d "$prefix/lib/node_modules/npm" ] || die "npm not found in $prefix/lib/node_modules/npm"
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
head=$(git -C "$repo" rev-parse HEAD)
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
  echo "ci-clean-root: note: uncommitted changes are not tested, only HEAD $head" >&2

# The first bookworm mirror in this machine's apt sources (one-line or deb822 format).
mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '$1=="deb" { i=2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++;
      if ($(i+1)==s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" 'BEGIN { RS=""; FS="\n" } {
      t=""; u=""; ok=0
      for (i=1; i<=NF; i++) {
        if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) t=1
        if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); u=a[2] }
        if ($i ~ /^Suites:/) { n=split($i, b, /[ \t]+/); for (j=2; j<=n; j++) if (b[j]==s) ok=1 }
      }
      if (t && ok && u) { print u; exit } }' "$f"
  done
}
url=${PATCHBAY_CLEAN_ROOT_MIRROR:-$(mirror | head -n1)}
[ -n "$url" ] || die "no $SUITE mirror in /etc/apt/sources.list*; set PATCHBAY_CLEAN_ROOT_MIRROR"

started=$(date +%s)
# Cached minbase tree: built in a temporary folder, renamed into place when complete.
tree=$cache/$SUITE-minbase-$(printf '%s' "$INCLUDE" | sha256sum | cut -c1-12)
if [ ! -d "$tree/root" ]; then
  mkdir -p "$cache"
  build=$(mktemp -d "$cache/.build-XXXXXX")
  echo "ci-clean-root: debootstrapping $SUITE (minbase) from $url into $tree, once" >&2
  # debootstrap mounts proc and sys into the tree: in a private mount namespace they vanish with it.
  if ! unshare --mount --propagation private \
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$build/root" "$url" >"$build/log" 2>&1; then
    tail -n 20 "$build/log" >&2
    die "debootstrap failed; log in $build/log"
  fi
  mv -T "$build" "$tree"
fi

mkdir -p /var/tmp
work=$(mktemp -d /var/tmp/patchbay-clean-root.XXXXXX)
root=$work/root
finish() {
  local rc=$?
  # Processes left running inside the root (ours: everything there descends from this run) end by PID.
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    case $r in "$root" | "$root"/*) kill -KILL "${p#/proc/}" 2>/dev/null || true ;; esac
  done
  if findmnt -rn -o TARGET | grep -qF "$root"; then
    echo "ci-clean-root: something is still mounted under $root; not removing it" >&2
  elif [ "${PATCHBAY_CLEAN_ROOT_KEEP:-}" = 1 ]; then
    echo "ci-clean-root: kept $root" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  echo "ci-clean-root: HEAD $head, exit $rc, $(($(date +%s) - started)) s" >&2
}
trap finish EXIT

cp -a "$tree/root" "$root"
# This machine's Node, npm and Node's headers (node-gyp builds better-sqlite3 against them offline).
install -D -m 755 "$node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/include"
cp -a "$prefix/lib/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
[ -d "$prefix/include/node" ] && cp -a "$prefix/include/node" "$root/usr/local/include/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# apt's sources, keys and settings, so apt-get inside reaches the same mirror as this machine.
rm -rf "$root/etc/apt/sources.list.d" "$root/etc/apt/sources.list"
for d in sources.list sources.list.d apt.conf.d auth.conf.d preferences.d trusted.gpg trusted.gpg.d keyrings; do
  [ -e "/etc/apt/$d" ] && cp -a "/etc/apt/$d" "$root/etc/apt/"
done
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
if compgen -G '/usr/local/share/ca-certificates/*' >/dev/null; then
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  chroot "$root" /usr/sbin/update-ca-certificates >/dev/null
fi
# A fresh clone of the committed HEAD, nothing else of the working tree.
mkdir -p "$root/build"
git clone --quiet --no-local --no-checkout "$repo" "$root/build/patchbay"
git -C "$root/build/patchbay" -c advice.detachedHead=false checkout --quiet --detach "$head"

echo "ci-clean-root: running CI=true bash .ci/run on $head in $root" >&2
unshare --mount --propagation private "$0" --inner "$root"
