#!/usr/bin/env bash
# `make dist`: validate the desktop metadata, build the frozen one-folder app with PyInstaller
# (packaging/tokenlab.spec) into dist/tokenlab/, then run the built executable: `--selftest`
# offscreen (every tab, a decode, a live token renewal against the embedded sandbox) and the CLI
# (`jwt` mints a token, `inspect` decodes it, `lesson list` reads the bundled lessons). Fails if
# any step fails; prints time and size.
# Usage: packaging/dist.sh PYTHON   (the venv's python, with the `dist` extra installed)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:?usage: packaging/dist.sh PYTHON}
APP=dist/tokenlab
started=$(date +%s)

need() {  # command, Debian package
    if ! command -v "$1" >/dev/null; then
        echo "make dist: '$1' is missing; install it with: sudo apt-get install $2" >&2
        exit 1
    fi
}
need desktop-file-validate desktop-file-utils
need appstreamcli appstream

echo "== validating packaging/tokenlab.desktop and the AppStream metainfo"
desktop-file-validate --no-hints packaging/tokenlab.desktop
appstreamcli validate --no-net --strict packaging/io.github.tokenlab.Tokenlab.metainfo.xml

echo "== building $APP with PyInstaller"
rm -rf "$APP"
"$PYTHON" -m PyInstaller --noconfirm --log-level ERROR \
    --distpath dist --workpath build/pyinstaller packaging/tokenlab.spec
built=$(date +%s)

# The frozen app must not lean on this checkout: no PYTHONPATH, its own config and data dirs.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run_app() {
    env -u PYTHONPATH -u PYTHONHOME QT_QPA_PLATFORM=offscreen \
        TOKENLAB_CONFIG_DIR="$scratch/config" TOKENLAB_DATA_DIR="$scratch/data" \
        TOKENLAB_KEY= "$APP/tokenlab" "$@"
}

echo "== $APP/tokenlab --selftest (offscreen)"
run_app --selftest | tee "$scratch/selftest.txt"
grep -q "selftest: ok" "$scratch/selftest.txt"

echo "== $APP/tokenlab jwt | inspect"
token=$(run_app jwt --key appId.keyId:c2VjcmV0c2VjcmV0c2VjcmV0 --client-id alice --quiet)
run_app inspect "$token" | tee "$scratch/inspect.txt"
grep -q "^Ably JWT" "$scratch/inspect.txt"

echo "== $APP/tokenlab lesson list (the bundled lesson files)"
run_app lesson list > "$scratch/lessons.txt"
grep -q "token-clientid" "$scratch/lessons.txt"

finished=$(date +%s)
echo "== ok: $APP built in $((built - started)) s, checked in $((finished - built)) s;" \
    "$(du -sh "$APP" | cut -f1) on disk ($(find "$APP" -type f | wc -l) files)"
