#!/usr/bin/env bash
# Installs the real syslog clients the network-input tests drive: rsyslog (apt) and syslog-ng.
# The two Debian packages conflict (both provide system-log-daemon), so syslog-ng-core is not installed:
# its .deb is unpacked under .ci/cache/syslog-ng (git-ignored) and the tests run that binary in the foreground.
# Only syslog-ng's runtime libraries that do not conflict are installed with apt.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then apt-get update -qq; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v rsyslogd >/dev/null 2>&1 && [ ! -x /usr/sbin/rsyslogd ]; then
  apt_install rsyslog
fi
if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl
fi

if ! command -v syslog-ng >/dev/null 2>&1 && [ ! -x .ci/cache/syslog-ng/usr/sbin/syslog-ng ]; then
  apt_install libivykis0 libnet1 libpcre3 libwrap0
  mkdir -p .ci/cache/debs .ci/cache/syslog-ng
  (cd .ci/cache/debs && apt-get download syslog-ng-core >/dev/null)
  for d in .ci/cache/debs/syslog-ng-core_*.deb; do dpkg -x "$d" .ci/cache/syslog-ng; done
fi
