#!/bin/sh
# Make sure the Debian tor package is there for `make run`: install it as root, else say how.
if command -v tor >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "tor is missing: installing the Debian package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q tor >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q tor >/dev/null 2>&1; } \
        || echo "could not install tor; install it with: sudo apt-get install tor"
else
    echo "tor is not installed; install it with: sudo apt-get install tor (serving loopback only)"
fi
exit 0
