#!/usr/bin/env bash
# Builds the three oxidinetd binaries of the study from a checkout of oxidinetd (a Rust/smol
# rinetd clone, GPL-2: it stays a peer, and nothing of it is kept in this repository):
#   oxidinetd-8k   the source as it is: smol's io::copy, futures-lite's 8 KiB buffer
#   oxidinetd-16k  the study's "after opt" pump: a read / write_all loop over a vec![0u8; N] that
#   oxidinetd-64k  shuts the write side down at end of stream, with N = 16 and 64 KiB
# Release mode with the study's profile (lto, codegen-units = 1, debug = 1, panic = "abort"),
# set through cargo's CARGO_PROFILE_RELEASE_* variables, and frame pointers for perf's stacks.
# The checkout is copied first and built with its own Cargo.toml, so cargo needs its crates
# (crates.io, or a source replacement in the checkout's .cargo/config.toml). Without either,
# /work/shared/peers/oxidinetd/build.sh shows how to build it offline from Debian's crates.
# Usage: bench/oxidinetd-build.sh CHECKOUT OUT_DIR   (writes OUT_DIR/COMMIT for the manifest)
set -euo pipefail
[[ $# == 2 && -f "$1/src/tcp_handler.rs" ]] || { echo "usage: bench/oxidinetd-build.sh CHECKOUT OUT_DIR (CHECKOUT holds src/tcp_handler.rs)" >&2; exit 2; }
src=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
command -v cargo >/dev/null || { echo "oxidinetd-build: no cargo on PATH" >&2; exit 1; }
git -C "$src" rev-parse --short=12 HEAD > "$out/COMMIT" 2>/dev/null || echo "unknown (not a git checkout: $src)" > "$out/COMMIT"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
tar -C "$src" --exclude=./target -cf - . | tar -C "$work" -xf -
cp "$work/src/tcp_handler.rs" "$work/tcp_handler.rs.as-published"
export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_DEBUG=1 \
    CARGO_PROFILE_RELEASE_PANIC=abort CARGO_PROFILE_RELEASE_STRIP=none RUSTFLAGS="-C force-frame-pointers=yes"

with_pump() { # with_pump BYTES: tcp_handler.rs with both io::copy calls turned into the study's pump
    python3 - "$work/tcp_handler.rs.as-published" "$1" > "$work/src/tcp_handler.rs" <<'PY'
import re, sys
text, size = open(sys.argv[1]).read(), int(sys.argv[2])
text, calls = re.subn(r"\bio::copy\(", "study_pump(", text)
if calls != 2:  # one per direction; anything else means the handler changed upstream
    sys.exit(f"oxidinetd-build: expected 2 io::copy calls in tcp_handler.rs, found {calls}")
print(text + f"""
// Added by oi's bench/oxidinetd-build.sh: the study's pump, {size} bytes per direction.
async fn study_pump(mut from: smol::net::TcpStream, mut to: smol::net::TcpStream) -> std::io::Result<u64> {{
    use smol::io::{{AsyncReadExt, AsyncWriteExt}};
    let mut buffer = vec![0u8; {size}];
    let mut moved = 0u64;
    loop {{
        let n = from.read(&mut buffer).await?;
        if n == 0 {{
            let _ = to.shutdown(std::net::Shutdown::Write);
            return Ok(moved);
        }}
        to.write_all(&buffer[..n]).await?;
        moved += n as u64;
    }}
}}""")
PY
}

build() { # build NAME: cargo build of the tree as it stands, copied out as NAME
    (cd "$work" && cargo build --release --bin oi -q)
    cp "$work/target/release/oi" "$out/$1"
}
build oxidinetd-8k
with_pump 16384; build oxidinetd-16k
with_pump 65536; build oxidinetd-64k
echo "oxidinetd-build: $out/oxidinetd-{8k,16k,64k} from $src (commit $(cat "$out/COMMIT"))" >&2
