# shellcheck shell=bash
# shellcheck disable=SC2034  # the TELECERT_* settings are read by the scripts that source this
# Helpers shared by scripts/run and scripts/test: the one list of Debian packages the project needs,
# installing what is missing, configuring and building a CMake tree, and timed phases with a summary.
# Source it; it sets TELECERT_ROOT and changes into it.

TELECERT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TELECERT_ROOT"

# LLVM 16, not bookworm's default 14: libstdc++ 12's <expected> needs clang >= 16 (P0848,
# conditionally trivial special members). See TELECERT_CLANG_FLAGS below.
TELECERT_LLVM_VERSION=16
TELECERT_CLANGXX="clang++-${TELECERT_LLVM_VERSION}"
TELECERT_CLANG_FORMAT="clang-format-${TELECERT_LLVM_VERSION}"
TELECERT_CLANG_TIDY="clang-tidy-${TELECERT_LLVM_VERSION}"
TELECERT_RUN_CLANG_TIDY="run-clang-tidy-${TELECERT_LLVM_VERSION}"

# libstdc++ 12 declares std::expected only when __cpp_concepts >= 202002L; clang 16 implements what
# <expected> needs but still advertises 201907L (the value changes in clang 19). Every clang-based
# tool that parses our code (the fuzz build, clang-tidy) gets these flags.
TELECERT_CLANG_FLAGS="-U__cpp_concepts -D__cpp_concepts=202002L"

# What building the default tree (build/: telecert, its tests and benchmarks) and running it needs.
TELECERT_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libssl-dev openssl libsqlite3-dev sqlite3 libcurl4-openssl-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libboost-dev  # Asio and Beast (headers) for telecertd
  libgtest-dev libgmock-dev libbenchmark-dev
  ca-certificates
)
# What ./scripts/test needs on top: clang and its libFuzzer runtime, the linters.
TELECERT_TEST_PACKAGES=(
  "${TELECERT_BUILD_PACKAGES[@]}"
  "clang-${TELECERT_LLVM_VERSION}" "libclang-rt-${TELECERT_LLVM_VERSION}-dev"
  "clang-format-${TELECERT_LLVM_VERSION}" "clang-tidy-${TELECERT_LLVM_VERSION}"
  kamailio kamailio-tls-modules  # SIP over TLS peer for `telecert probe sips:`
  nginx                          # HTTP peer serving CRLs
  chromium                       # the browser the web UI tests drive (tests/browser, playwright-core)
)
# Node.js and npm run the browser tests (node:test + playwright-core from npm). Installed from
# Debian only when there is no npm yet: a machine may carry another nodejs build that ships its
# own npm and conflicts with Debian's npm package.
TELECERT_NODE_PACKAGES=(nodejs npm)

log() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root or sudo to run: $*"
  fi
}

# Installs the packages among "$@" that dpkg does not list as installed. Calls apt-get only when
# something is missing, and then runs `apt-get update` once first.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    if [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) != "install ok installed" ]]; then
      missing+=("$package")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all ${#} packages installed"
    return 0
  fi
  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
    install "${missing[@]}"
}

# Node.js and npm for the browser tests, unless some npm is on the PATH already.
ensure_node() {
  if command -v npm >/dev/null && command -v node >/dev/null; then
    echo "node $(node --version), npm $(npm --version 2>/dev/null)"
    return 0
  fi
  ensure_packages "${TELECERT_NODE_PACKAGES[@]}"
}

# configure_tree DIR [cmake args...]: configures DIR with Ninja unless it is already configured.
# A tree whose earlier configure failed (a cache but no build files) is configured again.
configure_tree() {
  local dir=$1
  shift
  if [[ ! -f "$dir/CMakeCache.txt" ]]; then
    cmake -S "$TELECERT_ROOT" -B "$dir" -G Ninja "$@"
  elif [[ ! -f "$dir/build.ninja" && ! -f "$dir/Makefile" ]]; then
    cmake -S "$TELECERT_ROOT" -B "$dir" "$@"
  fi
}

# The normal tree, shared by scripts/run and scripts/test so that both configure it the same way.
configure_main_tree() {
  configure_tree build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
}

# --- timed phases -------------------------------------------------------------------------------

TELECERT_PHASE_NAMES=()
TELECERT_PHASE_RESULTS=()
TELECERT_PHASE_SECONDS=()
TELECERT_PHASE_NOTES=()
TELECERT_FAILED=0
# Scratch space for logs; a phase can leave a one-line note for the summary in the note file.
TELECERT_TMP="$(mktemp -d)"
TELECERT_NOTE_FILE="$TELECERT_TMP/note"
trap 'rm -rf "$TELECERT_TMP"' EXIT

# phase NAME COMMAND...: runs COMMAND in a subshell with `set -e` in force, times it, and records
# the outcome for the summary. A failure is recorded, not fatal: later phases still run.
phase() {
  local name=$1 start=$SECONDS status
  shift
  log "$name"
  : >"$TELECERT_NOTE_FILE"
  set +e
  (
    set -e
    "$@"
  )
  status=$?
  set -e
  record_phase "$name" "$([[ $status -eq 0 ]] && echo ok || echo FAILED)" $((SECONDS - start))
}

# skip_phase NAME REASON: records a phase that did not run because one it depends on failed.
skip_phase() {
  log "$1: skipped ($2)"
  : >"$TELECERT_NOTE_FILE"
  echo "$2" >"$TELECERT_NOTE_FILE"
  record_phase "$1" skipped 0
  TELECERT_FAILED=1
}

record_phase() {
  TELECERT_PHASE_NAMES+=("$1")
  TELECERT_PHASE_RESULTS+=("$2")
  TELECERT_PHASE_SECONDS+=("$3")
  TELECERT_PHASE_NOTES+=("$(head -c 300 "$TELECERT_NOTE_FILE" | tr '\n' ' ')")
  [[ $2 == ok ]] || TELECERT_FAILED=1
}

# phase_ok NAME: true when the phase NAME ran and passed.
phase_ok() {
  local i
  for i in "${!TELECERT_PHASE_NAMES[@]}"; do
    if [[ ${TELECERT_PHASE_NAMES[$i]} == "$1" ]]; then
      [[ ${TELECERT_PHASE_RESULTS[$i]} == ok ]]
      return
    fi
  done
  return 1
}

note() { echo "$*" >>"$TELECERT_NOTE_FILE"; }

print_summary() {
  local i total=0
  printf '\n\033[1m==> summary\033[0m\n'
  for i in "${!TELECERT_PHASE_NAMES[@]}"; do
    printf '  %-8s %5ss  %-30s %s\n' "${TELECERT_PHASE_RESULTS[$i]}" "${TELECERT_PHASE_SECONDS[$i]}" \
      "${TELECERT_PHASE_NAMES[$i]}" "${TELECERT_PHASE_NOTES[$i]}"
    total=$((total + TELECERT_PHASE_SECONDS[i]))
  done
  printf '  total %ss: %s\n' "$total" "$([[ $TELECERT_FAILED -eq 0 ]] && echo PASSED || echo FAILED)"
}
