#!/usr/bin/env bash
# selftune's developer entry point. Installs only what is missing, then runs one job:
#   setup   install the toolchain pins (wasm-pack.toml, Cargo.toml, js/package.json)
#   build   the wasm core (pkg/), copied into js/wasm/, and the TypeScript package (js/dist/)
#   test    every layer: cargo test, wasm-bindgen tests under Node, tsc, node --test
#   demo    build, then run the whole pipeline on the bundled sample events against an in-process
#           Together emulator (no API key; nothing leaves the machine)
#   bench   build, then print capture latency, scrubbing, dataset-build and token-counting figures
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/js/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

# Reads `key = "value"` from wasm-pack.toml (flat keys are unique across its sections).
pin() {
  local value
  value="$(sed -n "s/^$1 *= *\"\(.*\)\"/\1/p" wasm-pack.toml | head -n1)"
  [ -n "$value" ] || die "wasm-pack.toml has no '$1'"
  printf '%s' "$value"
}

wasm_bindgen_pin() {
  sed -n 's/^wasm-bindgen *= *"=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1
}

has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"; }

setup() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust $(pin rust) with rustup first"
  command -v rustup >/dev/null || die "rustup is missing: install Rust $(pin rust) with rustup first"
  command -v node >/dev/null || die "node is missing: install Node.js $(pin node-major) or newer"
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge "$(pin node-major)" ] || die "Node.js $(pin node-major)+ is needed, found $(node --version)"

  local rust_floor
  rust_floor="$(pin rust)"
  if ! printf '%s\n%s\n' "$rust_floor" "$(rustc --version | cut -d' ' -f2)" | sort -V -C; then
    die "Rust $rust_floor or newer is needed, found $(rustc --version)"
  fi

  local target
  target="$(pin target)"
  if ! rustup target list --installed | grep -qx "$target"; then
    say "adding Rust target $target"
    rustup target add "$target"
  fi

  local wasm_pack
  wasm_pack="$(pin wasm-pack)"
  if ! has_version wasm-pack "$wasm_pack"; then
    say "installing wasm-pack $wasm_pack (a few minutes, once)"
    cargo install wasm-pack --version "$wasm_pack" --locked
  fi

  local bindgen
  bindgen="$(wasm_bindgen_pin)"
  [ -n "$bindgen" ] || die "Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = \"=x.y.z\")"
  # A CLI of another version makes wasm-pack quietly install a second one, or try GitHub.
  if ! grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | grep -q "\"$bindgen\""; then
    die "Cargo.lock's wasm-bindgen differs from the Cargo.toml pin $bindgen: run cargo update -p wasm-bindgen"
  fi
  if ! has_version wasm-bindgen "$bindgen" || ! has_version wasm-bindgen-test-runner "$bindgen"; then
    say "installing wasm-bindgen-cli $bindgen (a few minutes, once)"
    # Not --locked: its lockfile names a webpki-roots release the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$bindgen"
  fi

  if [ ! -f js/node_modules/.package-lock.json ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
    say "installing the JS toolchain (npm ci)"
    (cd js && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The dashboard test renders the page in Debian's Chromium (never a browser download).
browser() {
  command -v chromium >/dev/null 2>&1 && return 0
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium for the dashboard test (once)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "chromium is not installed (apt-get install chromium): the dashboard browser test will skip"
  fi
}

build() {
  say "building the wasm core"
  local out
  out="$(pin out-dir)"
  wasm-pack --quiet build --release --target nodejs --no-opt --out-dir "$out" >/dev/null
  local raw_size
  raw_size="$(wc -c <"$out/selftune_bg.wasm")"
  # shellcheck disable=SC2046 # the flags are a list
  wasm-opt $(pin wasm-opt-flags) "$out/selftune_bg.wasm" -o "$out/selftune_bg.wasm"
  mkdir -p js/wasm
  cp "$out/selftune.js" "$out/selftune.d.ts" "$out/selftune_bg.wasm" "$out/package.json" js/wasm/
  local size gz
  size="$(wc -c <"$out/selftune_bg.wasm")"
  gz="$(gzip -9 -c "$out/selftune_bg.wasm" | wc -c)"
  printf 'selftune_bg.wasm: %s bytes (%s before wasm-opt), %s bytes gzipped\n' "$size" "$raw_size" "$gz"
  say "building the TypeScript package"
  (cd js && tsc -p tsconfig.json)
  chmod +x js/dist/cli.js
}

run_tests() {
  say "cargo fmt --check and clippy"
  cargo fmt --check
  cargo clippy --quiet --all-targets -- -D warnings
  cargo clippy --quiet --target "$(pin target)" -- -D warnings
  say "native core tests (cargo test)"
  cargo test --quiet
  say "wasm glue tests under Node (wasm-pack test --node)"
  wasm-pack test --node
  build
  say "type check of the generated .d.ts and the shim (tsc --noEmit)"
  (cd js && tsc -p tsconfig.json --noEmit && tsc -p tests/types/tsconfig.json && tsc -p tests/types/tsconfig.nodenext.json)
  say "package tests (node --test)"
  # Together's OpenAPI spec lives outside the project; the conformance test skips without it.
  local spec="$ROOT/../shared/reference/together-openapi.yaml"
  if [ -z "${TOGETHER_OPENAPI_SPEC:-}" ] && [ -f "$spec" ]; then
    export TOGETHER_OPENAPI_SPEC="$spec"
  fi
  (cd js && node --test --test-timeout=300000 tests/)
}

job="${1:-}"
case "$job" in
  setup) setup ;;
  build) setup; build ;;
  test) setup; browser; run_tests ;;
  demo) setup; build; node js/dist/cli.js demo ;;
  bench)
    setup
    build
    cargo bench --quiet --bench redact
    cargo bench --quiet --bench dataset
    node js/bench/redact.mjs
    node js/bench/capture.mjs
    node js/bench/tokens.mjs
    ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$job" ] && exit 2; die "unknown job '$job'" ;;
esac
