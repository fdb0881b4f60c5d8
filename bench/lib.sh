# What the harnesses' run.sh scripts share; sourced, with $bench, $repo and $uringy set.

# snapshot_uringy NAME: the run measures a copy of $uringy (bench/out/NAME), so that a rebuild
# during the run (cargo replaces target/release/uringy) cannot mix two builds in one entry.
# Copied, then renamed: a leftover process may still be running the previous snapshot. Sets
# URINGY_BIN (exported), uringy_version and uringy_rev for the entry's header.
snapshot_uringy() {
    mkdir -p "$bench/out"
    local snapshot="$bench/out/$1"
    cp "$uringy" "$snapshot.new" && mv -f "$snapshot.new" "$snapshot"
    export URINGY_BIN="$snapshot"
    uringy_version="$("$snapshot" --version 2>/dev/null | head -n1 || echo '?'), "
    uringy_rev="$uringy built $(date -u -r "$uringy" '+%F %T UTC'), repo at $(git -C "$repo" describe --always --dirty 2>/dev/null || echo 'no commit yet')"
}
