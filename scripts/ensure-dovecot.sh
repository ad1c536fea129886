#!/usr/bin/env bash
# The e-mail to case tests read a real IMAP server: Debian's Dovecot, installed when it is missing
# (as root, with apt). The tests start their own instance with a generated configuration.
set -euo pipefail
if command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[relata] installing Debian's dovecot-imapd for the e-mail tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  exit 0
fi
echo "[relata] the e-mail tests need Dovecot: install Debian's 'dovecot-imapd' package (or set DOVECOT_PATH)" >&2
exit 1
