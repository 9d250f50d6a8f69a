#!/bin/sh
# PID 1 of one Patchbay test target. hosts.ts runs it as
#   unshare --mount --uts --pid --kill-child -- sh target-init.sh LOWER UPPER WORK ROOT NAME LISTEN STATE DELAY
# so it owns the target's mount, UTS and PID namespaces. Everything it mounts exists only in that mount
# namespace: the kernel drops it when the target's last process exits, even if the test process crashed.
# Protocol with hosts.ts: prints "mounted", waits for a line on stdin (setup runs meanwhile), then boots
# and prints "boot <boot_id>" at each boot. End of stdin (the test process went away) powers it off.
set -eu
lower=$1 upper=$2 work=$3 root=$4 name=$5 listen=$6 state=$7 delay=$8

# Refuse to run anywhere but in fresh namespaces: kill -1 and hostname below must never reach the host.
if [ "$$" != 1 ] || [ "$(readlink /proc/self/ns/uts)" = "$(readlink /proc/1/ns/uts)" ] ||
  [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
  echo 'target-init.sh: not in its own PID, UTS and mount namespaces; refusing' >&2
  exit 1
fi

mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"
hostname "$name"
mount -t proc proc "$root/proc"
# A private /dev with harmless devices only: the host's disks stay out of reach of the target.
mount -t tmpfs -o mode=755,size=1m,nosuid tmpfs "$root/dev"
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  n=${d%%:*} mm=${d#*:}
  mknod -m 666 "$root/dev/$n" c "${mm%:*}" "${mm#*:}"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"

boot() {
  # A fresh /proc per boot, as a real host mounts one at boot: /proc/1's time is when it was first looked
  # up in this mount, and dnf's needs-restarting -r takes that as the boot time. fd 4 keeps it looked up
  # (its time cannot move on later) until the next boot.
  exec 4<&-
  umount -l "$root/proc"
  mount -t proc proc "$root/proc"
  exec 4<"$root/proc/1/stat"
  # A fresh /run is what makes /var/run/reboot-required disappear after a reboot, as on a real host.
  mount -t tmpfs -o mode=755,nosuid,nodev,size=16m tmpfs "$root/run"
  mkdir -m 755 "$root/run/sshd"
  mkdir -m 1777 "$root/run/lock"
  cat /proc/sys/kernel/random/uuid >"$state/boot_id"
  mount --bind "$state/boot_id" "$root/proc/sys/kernel/random/boot_id"
  # A new time namespace per boot starts /proc/uptime near zero for everything sshd runs.
  up=$(cut -d. -f1 /proc/uptime)
  unshare --time --fork --boottime "$((1 - up))" \
    chroot "$root" /usr/sbin/sshd -D -e -o "ListenAddress=$listen" 3<&- 4<&- </dev/null >&2 &
  echo "boot $(cat "$state/boot_id")"
}

stop_all() {
  # kill -1 from PID 1 reaches exactly the other processes of this PID namespace.
  kill -TERM -1 2>/dev/null || true
  sleep 0.2
  kill -KILL -1 2>/dev/null || true
  wait 2>/dev/null || true
}

want=
trap 'want=reboot' USR1
trap 'want=poweroff' USR2 TERM INT HUP
exec 3<&0
echo mounted
read -r _go || exit 0
boot
# The watcher reads stdin until the test process closes it (or dies).
cat <&3 >/dev/null &
watcher=$!
while :; do
  [ -n "$want" ] || wait "$watcher" || true
  action=$want
  want=
  case $action in
    reboot)
      stop_all
      umount "$root/proc/sys/kernel/random/boot_id"
      umount -l "$root/run"
      sleep "$delay"
      boot
      cat <&3 >/dev/null &
      watcher=$!
      ;;
    '')
      if kill -0 "$watcher" 2>/dev/null; then continue; fi
      stop_all
      exit 0
      ;;
    *)
      stop_all
      exit 0
      ;;
  esac
done
