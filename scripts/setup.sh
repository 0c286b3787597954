#!/usr/bin/env bash
# Makes sure this machine can build QuiverDB, and installs what is missing.
#
# RocksDB (crate librocksdb-sys) is compiled from source: bindgen needs libclang, and the
# C++ sources need a C++ compiler. On Debian/Ubuntu the packages are `libclang-dev` and
# `g++`. When one is missing and we run as root, apt-get installs it; otherwise we stop
# with a message that names the packages to install. The client tests' drivers (psycopg 3,
# Java with pgjdbc) are installed the same way.
#
# usage: scripts/setup.sh [--clients]   (quiet when everything is present; --clients also
#        installs the drivers the client tests run)
set -euo pipefail

missing=()

have_libclang() {
  # bindgen loads libclang.so (the C API; libclang-cpp is a different library).
  local dirs=("${LIBCLANG_PATH:-}" /usr/lib/llvm-*/lib /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib)
  local d
  for d in "${dirs[@]}"; do
    [[ -n $d && -d $d ]] || continue
    compgen -G "$d/libclang.so*" >/dev/null && return 0
    compgen -G "$d/libclang-[0-9]*.so*" >/dev/null && return 0
  done
  return 1
}

command -v cargo >/dev/null || {
  echo "setup: cargo is not on PATH; install the Rust toolchain (https://rustup.rs) first" >&2
  exit 1
}
command -v c++ >/dev/null || command -v g++ >/dev/null || command -v clang++ >/dev/null || missing+=(g++)
have_libclang || missing+=(libclang-dev)
command -v make >/dev/null || missing+=(make)

if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${missing[*]} (needed to build RocksDB)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: RocksDB's build needs them. Install with:" >&2
    echo "         sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The client tests' drivers, only when asked (`scripts/test` and CI pass --clients; starting
# the server needs none of them).
[[ ${1:-} == --clients ]] || exit 0

# Clients the client tests run (tests/integration/clients.rs, psql.rs, pgbench.rs): psql,
# pgbench, Java with pgjdbc, Node and psqlODBC from Debian; psycopg 3, psycopg2,
# SQLAlchemy 2 and pyodbc from PyPI; node-postgres from npm.
clients=()
command -v psql >/dev/null || clients+=(postgresql-client)
# Debian ships pgbench with the server package (its cluster is not needed).
pgbench --version >/dev/null 2>&1 || clients+=(postgresql-15)
command -v node >/dev/null || clients+=(nodejs)
command -v npm >/dev/null || clients+=(npm)
command -v java >/dev/null || clients+=(default-jre-headless)
[[ -f /usr/share/java/postgresql.jar ]] || clients+=(libpostgresql-jdbc-java)
# psqlODBC through unixODBC (pyodbc builds against unixodbc-dev when no wheel fits).
command -v odbcinst >/dev/null || clients+=(unixodbc)
odbcinst -q -d -n "PostgreSQL Unicode" >/dev/null 2>&1 || clients+=(odbc-postgresql)
[[ -f /usr/include/sql.h ]] || clients+=(unixodbc-dev)
if [[ ${#clients[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing ${clients[*]} for the client tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${clients[@]}" >&2
  else
    echo "setup: the client tests need: sudo apt-get install -y ${clients[*]}" >&2
    exit 1
  fi
fi

# Python drivers from PyPI (after the system packages: pyodbc needs unixODBC).
for pair in "psycopg:psycopg[binary]" "psycopg2:psycopg2-binary" "sqlalchemy:SQLAlchemy>=2" "pyodbc:pyodbc"; do
  module=${pair%%:*} package=${pair#*:}
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "setup: installing $package (pip) for the client tests" >&2
    python3 -m pip install --quiet --disable-pip-version-check "$package" >&2 \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$package" >&2 \
      || { echo "setup: cannot install $package; run: python3 -m pip install '$package'" >&2; exit 1; }
  fi
done

# node-postgres for tests/clients/node (from npm, pinned by its package-lock.json).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ! -d $here/tests/clients/node/node_modules/pg ]]; then
  echo "setup: installing node-postgres (npm) for the client tests" >&2
  npm ci --silent --prefix "$here/tests/clients/node" >&2 \
    || { echo "setup: cannot install node-postgres; run: npm ci --prefix tests/clients/node" >&2; exit 1; }
fi
