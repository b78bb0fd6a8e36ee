#!/usr/bin/env bash
# Installs the broadcast daemon as a systemd service on a Debian/Ubuntu broadcast PC.
# As root, from the project folder (deploy/linux.md says what each step does and why):
#
#   sudo bash deploy/install-linux.sh [--prefix DIR] [--user NAME] [--wheelhouse DIR]
#
#   --prefix DIR      the ward's folder (default /opt/loa-phuong): the program in DIR/.venv,
#                     the ward's files beside it, data/ and audio_cache/ written by the daemon
#   --user NAME       the system user the daemon runs as (default loa), put in group "audio"
#   --wheelhouse DIR  install without internet, from wheels made on a connected PC
#
# Run it again to upgrade: the program is replaced; the ward's files already in DIR
# (schedules.yaml, lexicon.yaml, scripts_vi/, media/) are never overwritten.
set -euo pipefail

prefix=/opt/loa-phuong
user=loa
wheelhouse=
python=${PYTHON:-python3}
unit=/etc/systemd/system/loa-phuong.service
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
    echo "usage: sudo bash deploy/install-linux.sh [--prefix DIR] [--user NAME] [--wheelhouse DIR]" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix | --user | --wheelhouse) [ $# -ge 2 ] || usage ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) usage ;;
    esac
    case "$1" in
        --prefix) prefix=$2 ;;
        --user) user=$2 ;;
        --wheelhouse) wheelhouse=$(cd "$2" && pwd) ;;
    esac
    shift 2
done

fail() { echo "$*" >&2; exit 1; }
[ "$(uname -s)" = Linux ] || fail "This installs a systemd service: Linux only (Windows: deploy/windows.md)."
[ "$(id -u)" -eq 0 ] || fail "Run it as root: sudo bash deploy/install-linux.sh $*"
# The path goes into the unit file, where spaces and quotes would need escaping.
[[ "$prefix" =~ ^/[A-Za-z0-9._/-]+$ ]] || fail "--prefix must be an absolute path of letters, digits, . _ - /"
[[ "$user" =~ ^[a-z_][a-z0-9_-]*$ ]] || fail "--user must be a lower-case account name"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
    fail "Python 3.11 or newer is needed as $python (PYTHON=python3.11 bash deploy/install-linux.sh)"
# The venv runs this interpreter in place: one under /root or /home (pyenv, conda) is out of the
# service user's reach, and ProtectHome=yes hides it from the service anyway.
case "$("$python" -c 'import os, sys; print(os.path.realpath(sys.base_prefix))')" in
    /root* | /home*) fail "$python lives under /root or /home, which the service cannot reach: use the system's (PYTHON=/usr/bin/python3)" ;;
esac

echo "1/6 System libraries"
bash "$source_dir/deploy/system-deps.sh"
if ! "$python" -c 'import ensurepip' 2>/dev/null; then  # Debian splits venv out of python3
    [ -z "$wheelhouse" ] || fail "Install python3-venv first (apt-get install python3-venv)."
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
fi

echo "2/6 User $user (groups $user, audio)"
if id -u "$user" >/dev/null 2>&1; then
    usermod --append --groups audio "$user"
else
    useradd --system --user-group --groups audio --home-dir "$prefix" --no-create-home \
        --shell /usr/sbin/nologin "$user"
fi

echo "3/6 The ward's files in $prefix (kept when already there)"
install -d -m 0755 "$prefix"
for item in schedules.yaml lexicon.yaml scripts_vi media; do
    if [ ! "$source_dir" -ef "$prefix" ] && [ -e "$source_dir/$item" ] && [ ! -e "$prefix/$item" ]; then
        cp -R "$source_dir/$item" "$prefix/$item"
    fi
done
# Root owns them and group $user may edit them (add the editors' accounts to that group); the
# daemon only reads them, and the unit makes them read-only for it anyway.
for item in schedules.yaml lexicon.yaml scripts_vi media; do
    [ -e "$prefix/$item" ] || continue
    chown -R "root:$user" "$prefix/$item"
    chmod -R g+rwX,o-w "$prefix/$item"
    [ ! -d "$prefix/$item" ] || find "$prefix/$item" -type d -exec chmod g+s {} +
done
# What the daemon writes: its own, and nobody else's to read but its group's.
install -d -o "$user" -g "$user" -m 0750 "$prefix/data" "$prefix/audio_cache"
chown -R "$user:$user" "$prefix/data" "$prefix/audio_cache"

echo "4/6 The program in $prefix/.venv"
[ -x "$prefix/.venv/bin/python" ] || "$python" -m venv "$prefix/.venv"
pip=("$prefix/.venv/bin/python" -m pip --disable-pip-version-check --quiet)
if [ -n "$wheelhouse" ]; then
    # The project's own wheel is in the wheelhouse too; --force-reinstall of it alone makes a
    # rebuilt wheel of the same version replace the installed one.
    "${pip[@]}" install --no-index --find-links "$wheelhouse" loa-phuong
    "${pip[@]}" install --no-index --find-links "$wheelhouse" --force-reinstall --no-deps loa-phuong
else
    "${pip[@]}" install --upgrade "$source_dir"
fi

echo "5/6 Checking the ward's files as $user"
if ! runuser -u "$user" -- "$prefix/.venv/bin/broadcast" --home "$prefix" check; then
    echo "broadcast check found problems (above): fix them; the service is installed anyway." >&2
fi

echo "6/6 The service loa-phuong"
sed -e "s|/opt/loa-phuong|$prefix|g" -e "s|^User=loa$|User=$user|" -e "s|^Group=loa$|Group=$user|" \
    -e "s|sudo -u loa |sudo -u $user |" "$source_dir/deploy/loa-phuong.service" >"$unit"
chmod 0644 "$unit"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable loa-phuong
    systemctl restart loa-phuong  # an upgrade takes effect now; rows in progress end cleanly
    echo "Running. Follow it: journalctl -u loa-phuong -f    State: systemctl status loa-phuong"
else
    systemctl enable loa-phuong  # works on the unit files alone (a chroot, a container)
    echo "systemd is not running here: the service is enabled and starts at the next boot."
fi
