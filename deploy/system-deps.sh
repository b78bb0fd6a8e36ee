#!/usr/bin/env bash
# Installs the system libraries the project needs on Debian/Ubuntu, when they are missing.
# As root it installs them; otherwise it says exactly what to run. Windows and macOS need
# nothing here: the sounddevice wheel bundles PortAudio there.
# With --test it also installs what the playback tests and benchmarks need.
# Optional packages (the demo's IP zone) are installed as root like the others; without root
# they are only named: what needs them says so and goes on without.
set -euo pipefail

[ "$(uname -s)" = "Linux" ] || exit 0

# library file  -> Debian package
# libportaudio.so.2: sounddevice plays through PortAudio.
needed=()
# Not grep -q: it would exit at the first match, ldconfig would die of SIGPIPE and pipefail
# would call the library missing (2 % of runs on a busy PC: a needless apt-get, fatal offline).
if ! ldconfig -p 2>/dev/null | grep 'libportaudio\.so\.2' >/dev/null; then
    needed+=(libportaudio2)
fi
optional=()
if [ "${1:-}" != "--test" ]; then
    # mosquitto: `make demo` shows one IP loudspeaker cluster on a broker of its own on
    # loopback; without it the demo says so and runs the rest (the tests require it, below).
    if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
        optional+=(mosquitto)
    fi
fi
if [ "${1:-}" = "--test" ]; then
    # pulseaudio: a real-time null sink, so tests can time fades and stops and
    # bench/timing.py can time plays; libasound_module_pcm_pulse.so: ALSA's way into it.
    if ! command -v pulseaudio >/dev/null 2>&1; then
        needed+=(pulseaudio)
    fi
    # parec: the tests and bench/timing.py record what reaches the sound server's monitor.
    if ! command -v parec >/dev/null 2>&1; then
        needed+=(pulseaudio-utils)
    fi
    if ! compgen -G '/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so' >/dev/null; then
        needed+=(libasound2-plugins)
    fi
    # soffice: the report tests convert the Word report to PDF, as the ward's office would
    # open it; pdftoppm: the README's picture of its first page is made from that PDF.
    if ! command -v soffice >/dev/null 2>&1; then
        needed+=(libreoffice-writer)
    fi
    if ! command -v pdftoppm >/dev/null 2>&1; then
        needed+=(poppler-utils)
    fi
    # Liberation Serif has the widths of Times New Roman, the font the report asks for: the
    # PDF is laid out as Word lays it out (DejaVu Serif, the fallback, is wider).
    if ! compgen -G '/usr/share/fonts/truetype/liberation*/LiberationSerif-Regular.ttf' >/dev/null; then
        needed+=(fonts-liberation2)
    fi
    # chromium + chromium-driver: the web console's end-to-end tests drive Debian's Chromium
    # headless through Selenium (tests/web/e2e/); nothing is downloaded at test time.
    if ! command -v chromium >/dev/null 2>&1; then
        needed+=(chromium)
    fi
    if ! command -v chromedriver >/dev/null 2>&1; then
        needed+=(chromium-driver)
    fi
    # mosquitto: the IP loudspeaker cluster tests and bench/clusters.py start a real MQTT
    # broker of their own on loopback (tests/support/mosquitto.py); Debian's package also
    # brings mosquitto_passwd. In production only the broker's host needs it (deploy/linux.md).
    if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
        needed+=(mosquitto)
    fi
fi

[ ${#needed[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#needed[@]} -gt 0 ]; then
        echo "Installing system packages: ${needed[*]}"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
    fi
    if [ ${#optional[@]} -gt 0 ]; then
        echo "Installing optional system packages: ${optional[*]}"
        # never fatal: offline, the demo runs without its IP zone and says why
        { [ ${#needed[@]} -gt 0 ] || apt-get update -qq; } &&
            apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null ||
            echo "Could not install ${optional[*]}: the demo runs without its IP zone" >&2
    fi
else
    if [ ${#optional[@]} -gt 0 ]; then
        echo "Optional system packages missing: ${optional[*]} (the demo skips its IP zone)" >&2
        echo "Install them with:  sudo apt-get install ${optional[*]}" >&2
    fi
    if [ ${#needed[@]} -gt 0 ]; then
        echo "Missing system packages: ${needed[*]}" >&2
        echo "Install them with:  sudo apt-get install ${needed[*]}" >&2
        exit 1
    fi
fi
