#!/usr/bin/env bash
# Installs the system libraries the project needs on Debian/Ubuntu, when they are missing.
# As root it installs them; otherwise it says exactly what to run. Windows and macOS need
# nothing here: the sounddevice wheel bundles PortAudio there.
set -euo pipefail

[ "$(uname -s)" = "Linux" ] || exit 0

# library file  -> Debian package
# libportaudio.so.2: sounddevice plays through PortAudio.
needed=()
if ! ldconfig -p 2>/dev/null | grep -q 'libportaudio\.so\.2'; then
    needed+=(libportaudio2)
fi

[ ${#needed[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${needed[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
else
    echo "Missing system packages: ${needed[*]}" >&2
    echo "Install them with:  sudo apt-get install ${needed[*]}" >&2
    exit 1
fi
