#!/bin/sh
# Simulated power control of a Patchbay test target, installed by test/targets/base-tree.ts as
# /usr/local/sbin/patchbay-power with reboot, shutdown, poweroff, halt, telinit and systemctl pointing
# here (the real names in /usr/sbin and /usr/bin are dpkg-diverted to these links too).
# A real reboot would act on the machine that runs the tests. This one signals PID 1 of the target's own
# PID namespace (test/targets/target-init.sh): USR1 reboots only this target, USR2 powers it off.
me=${0##*/}
action=
when=now
case $me in
  reboot) action=reboot ;;            # simulated: only this target's PID 1 is signalled
  poweroff | halt) action=poweroff ;;  # simulated, likewise
  shutdown)
    action=poweroff # simulated default of shutdown, as the real one powers off
    for a in "$@"; do
      case $a in
        -r | --reboot) action=reboot ;;
        -h | -H | -P | --halt | --poweroff) action=poweroff ;;
        -c) action=cancel ;;
        now | +[0-9]*) when=$a ;;
        -*) ;;
        *) break ;;
      esac
    done
    ;;
  telinit)
    case ${1:-} in
      6) action=reboot ;;
      0) action=poweroff ;;
    esac
    ;;
  systemctl)
    case ${1:-} in
      reboot) action=reboot ;;
      poweroff | halt) action=poweroff ;;
    esac
    ;;
esac
if [ -z "$action" ]; then
  # What systemctl prints in a container without systemd: a scanner must cope with it.
  echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
  echo 'Failed to connect to bus: Host is down' >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "$me: must be superuser." >&2
  exit 1
fi
pending=/run/patchbay-shutdown.pid
if [ "$action" = cancel ]; then
  [ -f "$pending" ] && kill "$(cat "$pending")" 2>/dev/null
  rm -f "$pending"
  exit 0
fi
signal=USR2
[ "$action" = reboot ] && signal=USR1
if [ "$when" = now ] || [ "$when" = +0 ]; then
  kill -s "$signal" 1
  exit 0
fi
minutes=${when#+}
echo "Shutdown scheduled in $minutes minute(s), use 'shutdown -c' to cancel."
(
  sleep "$((minutes * 60))"
  kill -s "$signal" 1
) </dev/null >/dev/null 2>&1 &
echo $! >"$pending"
exit 0
