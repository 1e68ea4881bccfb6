#!/usr/bin/env bash
# Makes sure the system programs Labdeck's demo and tests need are installed:
# guacd (with its SSH/RDP/VNC plugins), OpenSSH's server, Chromium, and the desktop lab servers.
# On Debian/Ubuntu as root it installs what is missing; elsewhere it names what to install.
#
# Usage: scripts/ensure-system-deps.sh [demo|test]
#   demo: what `npm run demo` needs (guacd, sshd, and Xvnc/xrdp/xterm for the desktop lab)
#   test: everything the test suite needs (adds chromium)
set -euo pipefail
purpose=${1:-test}

need_guacd=0 need=()
command -v guacd >/dev/null 2>&1 || need_guacd=1
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
# The desktop lab servers (the demo's desktop lab and the desktop tests).
command -v Xvnc >/dev/null 2>&1 || need+=(tigervnc-standalone-server)
command -v vncpasswd >/dev/null 2>&1 || need+=(tigervnc-tools)
command -v xrdp >/dev/null 2>&1 || need+=(xrdp)
command -v xterm >/dev/null 2>&1 || need+=(xterm)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # Fonts so the browser and the X session draw readable text.
  [ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
fi

if [ "$need_guacd" = 0 ] && [ ${#need[@]} = 0 ]; then exit 0; fi

missing_text="${need[*]:-}"
[ "$need_guacd" = 1 ] && missing_text="guacd (1.6.0 or later in production) $missing_text"

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Labdeck needs these system programs: $missing_text" >&2
  echo "Install them with your package manager (Debian/Ubuntu: apt-get install ...)." >&2
  echo "guacd can also run from the official container image: docker run -p 127.0.0.1:4822:4822 guacamole/guacd:1.6.0" >&2
  exit 1
fi

echo "Installing system packages: $missing_text"
export DEBIAN_FRONTEND=noninteractive

if [ "$need_guacd" = 1 ] && ! apt-cache policy guacd 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  # Debian 12 has no guacd package; Debian 11's (1.3.0) installs and runs on it. Pin that suite
  # low so nothing else is ever pulled from it.
  . /etc/os-release
  if [ "${VERSION_CODENAME:-}" = bookworm ]; then
    mirror=$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $2}')
    [ -n "$mirror" ] || mirror=$(grep -h -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}')
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    cat > /etc/apt/sources.list.d/bullseye.sources <<SRC
Types: deb
URIs: $mirror
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat > /etc/apt/preferences.d/bullseye <<PIN
Package: *
Pin: release n=bullseye
Pin-Priority: 100
PIN
  fi
fi

apt-get update -qq
pkgs=("${need[@]}")
[ "$need_guacd" = 1 ] && pkgs+=(guacd libguac-client-ssh0 libguac-client-rdp0 libguac-client-vnc0 libguac-client-telnet0)
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
# Debian's packages start services we do not want listening; the demo and tests start their own.
for svc in guacd ssh xrdp xrdp-sesman; do
  (command -v systemctl >/dev/null && systemctl disable --now "$svc" >/dev/null 2>&1) || true
  (command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1) || true
done
echo "System packages ready."
