#!/usr/bin/env bash
# Install the Debian 12 packages the hotline's lab, tests and prompts need (idempotent).
#   sip-tester  sipp: callers with RFC 4733 DTMF, agents' softphones
#   debootstrap the Debian sid chroot that carries Asterisk 22 (bookworm has no asterisk)
#   espeak-ng   Mandarin text-to-speech for the prompts
#   ffmpeg      decodes MP3 studio recordings uploaded over a prompt in the console (pydub); WAV
#               uploads need none
#   postgresql  the tests run the store and reports against a real PostgreSQL too
#   mosquitto   MQTT broker for the live-event tests
#   python3-venv the project's virtualenv
#   systemd     systemd-analyze checks the shipped unit (hotline service unit)
#   chromium, chromium-driver  the console's real-browser tests: Selenium drives Debian's chromium
#               through /usr/bin/chromedriver (nothing is downloaded at test time; tests/browser.py)
#   fonts-wqy-microhei  a Chinese font, so the console's pages and screenshots show 汉字, not boxes
set -euo pipefail
need=()
command -v sipp >/dev/null || need+=(sip-tester)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
command -v systemd-analyze >/dev/null || need+=(systemd)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root: apt-get install ${need[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# the packaged services are not wanted running: tests start their own instances
for svc in postgresql mosquitto; do
  if command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then systemctl stop "$svc" || true; fi
done
