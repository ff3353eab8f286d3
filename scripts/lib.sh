# shellcheck shell=bash
# Shared by scripts/start, scripts/test and .ci/run: find Odoo, make sure a PostgreSQL
# answers (the machine's, or a throwaway cluster under .local/), run and stop servers.
# Source it, don't run it.
#
# Environment knobs (all optional):
#   ODOO_BIN             Odoo 17 executable (default: `odoo` on PATH)
#   FREIGHT_PG           auto (default) | external | embedded
#                        auto: use $PGHOST:$PGPORT (default 127.0.0.1:5432) when pg_isready
#                        answers there, else start a throwaway cluster under .local/pg
#   PGHOST, PGPORT       the external PostgreSQL (TCP host or socket directory)
#   FREIGHT_PG_PORT      port of the embedded cluster (default: first free from 55432)
#   FREIGHT_DB_USER      database role Odoo connects as (default freight; never postgres)
#   FREIGHT_DB_PASSWORD  its password, if the server asks for one
#   FREIGHT_PG_BIN       directory of initdb/pg_ctl (default: newest /usr/lib/postgresql/*/bin)
#   FREIGHT_ODOO_DATA    Odoo data dir: filestore and sessions (default .local/odoo-data)
#   FREIGHT_ADDONS_PATH  full addons path (default: Odoo's own, plus this repository)

FREIGHT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FREIGHT_LOCAL="$FREIGHT_ROOT/.local"
FREIGHT_DB_USER=${FREIGHT_DB_USER:-freight}
FREIGHT_ODOO_DATA=${FREIGHT_ODOO_DATA:-$FREIGHT_LOCAL/odoo-data}
export FREIGHT_ROOT FREIGHT_LOCAL FREIGHT_DB_USER FREIGHT_ODOO_DATA

# ----------------------------------------------------------------------------- messages
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    printf '[%s] error: %s\n' "$(date +%H:%M:%S)" "$*" >&2
    exit 1
}

# ----------------------------------------------------------------------------- cleanup
# Commands registered with on_exit run once, newest first, when the (sub)shell exits
# (normally, on error, on Ctrl-C or SIGTERM).
_FREIGHT_CLEANUPS=()
on_exit() { _FREIGHT_CLEANUPS+=("$*"); }
_freight_run_cleanups() {
    local rc=$? i
    trap - EXIT
    for ((i = ${#_FREIGHT_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${_FREIGHT_CLEANUPS[i]}" || true
    done
    _FREIGHT_CLEANUPS=()
    return "$rc"
}
trap _freight_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ----------------------------------------------------------------------------- odoo
# Sets the array ODOO to the command that runs Odoo 17 and FREIGHT_ADDONS_PATH; dies with
# a clear message when there is no Odoo 17.
ODOO=()
find_odoo() {
    ((${#ODOO[@]})) && return 0
    local bin
    if [[ -n ${ODOO_BIN:-} ]]; then
        bin=$ODOO_BIN
        if [[ $bin != */* ]]; then
            bin=$(command -v "$bin") || die "ODOO_BIN=$ODOO_BIN: no such command"
        fi
        [[ -f $bin ]] || die "ODOO_BIN=$ODOO_BIN does not exist"
        if [[ -x $bin ]]; then
            ODOO=("$bin")
        elif [[ $bin == *odoo-bin ]]; then
            ODOO=(python3 "$bin")
        else
            die "ODOO_BIN=$ODOO_BIN is not executable"
        fi
    else
        bin=$(command -v odoo) ||
            die "Odoo 17 not found: put its \`odoo\` command on PATH or set ODOO_BIN=/path/to/odoo-bin (README, Prerequisites)"
        ODOO=("$bin")
    fi
    local version
    version=$("${ODOO[@]}" --version 2>&1) || die "\`${ODOO[*]} --version\` failed: $version"
    version=$(printf '%s\n' "$version" | grep -m1 'Odoo Server' || printf '%s' "$version")
    case $version in
    *"Odoo Server 17.0"*) ;;
    *) die "Odoo 17.0 required, \`${ODOO[*]} --version\` says: $version" ;;
    esac
    log "odoo: ${ODOO[*]} ($version)"
    _odoo_addons_path
}

# Odoo's own addons path (what it uses without options), plus this repository. Asking Odoo
# (--save into a scratch config, no database needed) works for the Debian/pip package, the
# Docker image and a git checkout (where addons/ sits beside odoo/) alike.
FREIGHT_ADDONS_PATH=${FREIGHT_ADDONS_PATH:-}
_odoo_addons_path() {
    if [[ -z $FREIGHT_ADDONS_PATH ]]; then
        local dir out base
        dir=$(mktemp -d)
        if ! out=$("${ODOO[@]}" -c "$dir/odoo.conf" --save --stop-after-init --http-port=0 \
            --db_host=127.0.0.1 --db_port=1 --log-level=warn 2>&1 </dev/null); then
            rm -rf "$dir"
            die "could not ask Odoo for its addons path: $out"
        fi
        base=$(sed -n 's/^addons_path *= *//p' "$dir/odoo.conf")
        rm -rf "$dir"
        [[ -n $base ]] || die "Odoo did not report its addons path"
        FREIGHT_ADDONS_PATH="$base,$FREIGHT_ROOT"
    fi
    log "odoo: addons path $FREIGHT_ADDONS_PATH"
}

# Arguments every Odoo run of this project gets: database connection, addons, data dir.
# Needs find_odoo and ensure_postgres first. Use: mapfile -t args < <(odoo_args)
odoo_args() {
    local args=(
        --addons-path="$FREIGHT_ADDONS_PATH"
        --data-dir="$FREIGHT_ODOO_DATA"
        --db_host="$FREIGHT_PG_HOST" --db_port="$FREIGHT_PG_PORT"
        --db_user="$FREIGHT_DB_USER"
    )
    [[ -n ${FREIGHT_DB_PASSWORD:-} ]] && args+=(--db_password="$FREIGHT_DB_PASSWORD")
    printf '%s\n' "${args[@]}"
}

# ----------------------------------------------------------------------------- postgres
_FREIGHT_PG_PORT_WANTED=${FREIGHT_PG_PORT:-}
FREIGHT_PG_HOST=
FREIGHT_PG_PORT=
FREIGHT_PG_KIND=

pg_bin() {
    local dir=${FREIGHT_PG_BIN:-}
    if [[ -z $dir ]]; then
        dir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
        [[ -z $dir ]] && command -v pg_config >/dev/null && dir=$(pg_config --bindir)
    fi
    [[ -x $dir/$1 ]] ||
        die "PostgreSQL server program $1 not found (install Debian's postgresql package, or set FREIGHT_PG_BIN)"
    printf '%s/%s\n' "$dir" "$1"
}

pg_answers() { pg_isready -q -h "$1" -p "$2" -t 3 >/dev/null 2>&1; }

# psql as the project's role on the chosen server; extra args follow.
pg_psql() {
    PGPASSWORD=${FREIGHT_DB_PASSWORD:-${PGPASSWORD:-}} psql -X -q -w -v ON_ERROR_STOP=1 \
        -h "$FREIGHT_PG_HOST" -p "$FREIGHT_PG_PORT" -U "$FREIGHT_DB_USER" "$@"
}

# Makes sure a PostgreSQL answers and the role exists; sets FREIGHT_PG_HOST/PORT/KIND.
ensure_postgres() {
    [[ -n $FREIGHT_PG_HOST ]] && return 0
    if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
        die "PostgreSQL client programs not found (install Debian's postgresql-client)"
    fi
    [[ $FREIGHT_DB_USER == postgres ]] &&
        die "Odoo refuses to connect as the postgres role: set FREIGHT_DB_USER to another role"
    local mode=${FREIGHT_PG:-auto} host=${PGHOST:-127.0.0.1} port=${PGPORT:-5432}
    case $mode in
    auto | external)
        if pg_answers "$host" "$port"; then
            FREIGHT_PG_HOST=$host FREIGHT_PG_PORT=$port FREIGHT_PG_KIND=external
            log "postgres: using the server at $host:$port"
        elif [[ $mode == external ]]; then
            die "FREIGHT_PG=external but no PostgreSQL answers at $host:$port"
        else
            log "postgres: nothing answers at $host:$port, using the embedded cluster"
            pg_embedded_start
        fi
        ;;
    embedded) pg_embedded_start ;;
    *) die "FREIGHT_PG must be auto, external or embedded (not $mode)" ;;
    esac
    export FREIGHT_PG_HOST FREIGHT_PG_PORT FREIGHT_PG_KIND
    ensure_db_role
}

_pg_as() { # run a program as the embedded cluster's owner
    local owner=$1
    shift
    if [[ $owner == "$(id -un)" ]]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

# Where the embedded cluster lives: .local/pg; unless (as root) its unprivileged owner
# cannot reach into the checkout (a clone under a 0700 mktemp dir, say): then a private
# directory under /var/tmp, remembered in .local/pg.location.
_pg_embedded_base() {
    local owner=$1 base="$FREIGHT_LOCAL/pg"
    if [[ $owner != "$(id -un)" ]]; then
        if [[ -f $FREIGHT_LOCAL/pg.location && -d $(cat "$FREIGHT_LOCAL/pg.location") ]]; then
            base=$(cat "$FREIGHT_LOCAL/pg.location")
        else
            mkdir -p "$base"
            chown "$owner" "$base"
            if ! runuser -u "$owner" -- test -w "$base" 2>/dev/null; then
                rmdir "$base" 2>/dev/null || true
                base=$(mktemp -d /var/tmp/freight-sync-pg.XXXXXX)
                chown "$owner" "$base"
                printf '%s\n' "$base" >"$FREIGHT_LOCAL/pg.location"
                log "postgres: $owner cannot reach $FREIGHT_LOCAL; the embedded cluster lives in $base"
            fi
        fi
    fi
    mkdir -p "$base"
    printf '%s\n' "$base"
}

pg_embedded_start() {
    mkdir -p "$FREIGHT_LOCAL"
    local owner
    owner=$(id -un)
    if [[ $(id -u) == 0 ]]; then # initdb refuses root: an unprivileged user owns the cluster
        owner=${FREIGHT_PG_OS_USER:-postgres}
        id "$owner" >/dev/null 2>&1 || owner=nobody
    fi
    local initdb pg_ctl base data run port
    initdb=$(pg_bin initdb) || exit 1
    pg_ctl=$(pg_bin pg_ctl) || exit 1
    base=$(_pg_embedded_base "$owner") && [[ -n $base ]] || die "no directory for the embedded cluster"
    data=$base/data run=$base/run
    _pg_as "$owner" mkdir -p "$run"
    if [[ ! -f $data/PG_VERSION ]]; then
        log "postgres: initdb $data (owner $owner)"
        _pg_as "$owner" "$initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$FREIGHT_LOCAL/pg-initdb.log" 2>&1 ||
            die "initdb failed, see $FREIGHT_LOCAL/pg-initdb.log"
    fi
    if _pg_as "$owner" "$pg_ctl" status -D "$data" >/dev/null 2>&1; then
        port=$(sed -n 4p "$data/postmaster.pid")
        log "postgres: embedded cluster already running on 127.0.0.1:$port (left running)"
    else
        port=$_FREIGHT_PG_PORT_WANTED
        if [[ -z $port ]]; then
            port=$(free_port 55432 55499) || die "no free port for the embedded PostgreSQL in 55432-55499"
        fi
        port_free "$port" || die "port $port (embedded PostgreSQL) is taken"
        log "postgres: starting the embedded cluster on 127.0.0.1:$port ($data)"
        _pg_as "$owner" "$pg_ctl" start -w -t 60 -D "$data" -l "$base/postgres.log" \
            -o "-p $port -k $run -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
            >/dev/null || die "the embedded PostgreSQL did not start, see $base/postgres.log"
        on_exit "log 'postgres: stopping the embedded cluster'; _pg_as '$owner' '$pg_ctl' stop -D '$data' -m fast -t 60 >/dev/null"
    fi
    FREIGHT_PG_HOST=127.0.0.1 FREIGHT_PG_PORT=$port FREIGHT_PG_KIND=embedded
}

# The role Odoo connects as must exist with LOGIN CREATEDB. Created through whatever
# superuser access there is: the postgres role over TCP (trust), the postgres OS user over
# the local socket (peer), or the current OS user's role.
ensure_db_role() {
    local q="SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
    if [[ $(pg_psql -d postgres -tAc "$q" 2>/dev/null) == t ]]; then
        return 0
    fi
    local user=$FREIGHT_DB_USER sql
    sql="DO \$\$ BEGIN
          IF EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
            ALTER ROLE \"$user\" LOGIN CREATEDB;
          ELSE
            CREATE ROLE \"$user\" LOGIN CREATEDB;
          END IF;
        END \$\$;"
    if psql -X -q -w -h "$FREIGHT_PG_HOST" -p "$FREIGHT_PG_PORT" -U postgres -d postgres -c "$sql" >/dev/null 2>&1 ||
        { [[ $FREIGHT_PG_KIND == external && $(id -u) == 0 ]] && id postgres >/dev/null 2>&1 &&
            runuser -u postgres -- psql -X -q -w -p "$FREIGHT_PG_PORT" -d postgres -c "$sql" >/dev/null 2>&1; } ||
        psql -X -q -w -h "$FREIGHT_PG_HOST" -p "$FREIGHT_PG_PORT" -d postgres -c "$sql" >/dev/null 2>&1; then
        log "postgres: role $user (LOGIN CREATEDB) ready"
    else
        die "cannot create the database role $user on $FREIGHT_PG_HOST:$FREIGHT_PG_PORT: create it (CREATE ROLE $user LOGIN CREATEDB), set FREIGHT_DB_USER/FREIGHT_DB_PASSWORD, or use FREIGHT_PG=embedded"
    fi
    [[ $(pg_psql -d postgres -tAc "$q" 2>&1) == t ]] ||
        die "role $user still cannot log in with CREATEDB on $FREIGHT_PG_HOST:$FREIGHT_PG_PORT (password needed? set FREIGHT_DB_PASSWORD)"
}

db_exists() {
    [[ $(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]]
}

# True when the database has the module installed.
db_has_module() {
    [[ $(pg_psql -d "$1" -tAc "SELECT 1 FROM ir_module_module WHERE name = '$2' AND state = 'installed'" 2>/dev/null) == 1 ]]
}

db_drop() {
    local db=$1
    [[ -n $db ]] || return 0
    pg_psql -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
        log "warning: could not drop database $db"
    rm -rf "${FREIGHT_ODOO_DATA:?}/filestore/$db"
}

# ----------------------------------------------------------------------------- ports, http
port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# First free TCP port in [from, to], skipping the ones given after.
free_port() {
    local from=$1 to=$2 p skip
    shift 2
    for ((p = from; p <= to; p++)); do
        for skip in "$@"; do [[ $p == "$skip" ]] && continue 2; done
        if port_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# wait_http URL TIMEOUT PID...: until URL answers 200, one of the processes dies, or time is up.
wait_http() {
    local url=$1 timeout=$2 start=$SECONDS code='' pid
    shift 2
    while ((SECONDS - start < timeout)); do
        for pid in "$@"; do
            if ! kill -0 "$pid" 2>/dev/null; then
                log "a server process (pid $pid) exited before $url answered"
                return 1
            fi
        done
        code=$(curl -s -o /dev/null -m 10 -w '%{http_code}' "$url" || true)
        [[ $code == 200 ]] && return 0
        sleep 1
    done
    log "$url did not answer 200 within ${timeout}s (last: ${code:-none})"
    return 1
}

# start_server LOGFILE CMD...: runs CMD in the background in its own process group
# (Odoo's prefork workers included), output appended to LOGFILE ("-": this terminal);
# sets SERVER_PID. The group is stopped when the (sub)shell exits.
start_server() {
    local logfile=$1
    shift
    if [[ $logfile == - ]]; then
        setsid "$@" </dev/null &
    else
        setsid "$@" >>"$logfile" 2>&1 </dev/null &
    fi
    SERVER_PID=$!
    on_exit "stop_server $SERVER_PID"
}

# serve_odoo LOGFILE PUBLIC_PORT HTTP_PORT GEVENT_PORT INTERFACE ODOO_ARGS...
# Odoo in prefork mode (--workers=2, as in production) on 127.0.0.1:HTTP_PORT (+ its bus on
# GEVENT_PORT), behind scripts/odoo-proxy.mjs on INTERFACE:PUBLIC_PORT, which sends
# /websocket to the bus as nginx would. Returns once /web/login answers through the proxy.
serve_odoo() {
    local logfile=$1 public=$2 http=$3 gevent=$4 iface=$5 p odoo_pid
    shift 5
    for p in "$public" "$http" "$gevent"; do
        port_free "$p" || die "port $p is taken (another Odoo?)"
    done
    start_server "$logfile" "${ODOO[@]}" "$@" --workers=2 \
        --http-interface=127.0.0.1 --http-port="$http" --gevent-port="$gevent"
    odoo_pid=$SERVER_PID
    start_server "$logfile" node "$FREIGHT_ROOT/scripts/odoo-proxy.mjs" "$public" "$http" "$gevent" "$iface"
    wait_http "http://127.0.0.1:$public/web/login" 300 "$odoo_pid" "$SERVER_PID" || return 1
    SERVER_PID=$odoo_pid
}

# Graceful stop (SIGTERM to the group), SIGKILL after 30 s.
stop_server() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# ----------------------------------------------------------------------------- node
# npm ci when node_modules is missing or was installed from another package-lock.json.
ensure_node_modules() {
    command -v npm >/dev/null || die "npm not found: install Node.js 20 (README, Prerequisites)"
    local stamp="$FREIGHT_ROOT/node_modules/.freight-lock.sha256" want
    want=$(sha256sum "$FREIGHT_ROOT/package-lock.json" | cut -d' ' -f1)
    if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
        log "npm ci"
        (cd "$FREIGHT_ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >&2 ||
            die "npm ci failed"
        printf '%s\n' "$want" >"$stamp"
    fi
}

random_suffix() { tr -dc 'a-z0-9' </dev/urandom 2>/dev/null | head -c 8; }
