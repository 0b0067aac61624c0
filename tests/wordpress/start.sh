#!/usr/bin/env bash
# Real WordPress (Debian's package) + MariaDB on 127.0.0.1 only, for ContentCraft's tests.
# Adapted from a proven recipe; the pitfalls it avoids are listed in tests/wordpress/README.md.
#
#   start.sh DATA_DIR       install packages if missing, start (or reuse) everything,
#                           print WP_URL / WP_USER / WP_APP_PASSWORD
#   stop.sh  DATA_DIR       stop what start.sh started (data kept; WP_PURGE=1 deletes DATA_DIR)
#   source start.sh         defines wp_install_packages, wp_start DIR, wp_stop DIR, nothing runs
#
# Everything lives under DATA_DIR: db/ (MariaDB datadir, UNIX socket only, no TCP),
# wordpress/ (a copy of /usr/share/wordpress with its own wp-config.php),
# credentials.env, logs, pid files. Nothing in /etc is touched.
# Idempotent: running start.sh again with the same DATA_DIR reuses the running servers
# and the existing site and prints the same credentials.
#
# Environment (all optional):
#   WP_PORT          port for php -S on 127.0.0.1 (default: last one used, else a free one)
#   WP_USER          admin login (default admin)       WP_PASSWORD  its password (default: random)
#   WP_PHP_WORKERS   PHP_CLI_SERVER_WORKERS for php -S (default 4; 1 = single process)
#   WP_SKIP_APT=1    never call apt-get (fail if packages are missing)
#   WP_EATMYDATA=0   run MariaDB without eatmydata (fsync on; slower first start)
#   WP_PURGE=1       (stop only) delete DATA_DIR after stopping
#   WP_NO_CONNECTOR=1  leave the connector mu-plugin out (the ContentCraft plugin then carries its duties)
#   WPR_DEBUG=1      WP_DEBUG on (notices go to DATA_DIR/php-errors.log, never into pages)
#   WP_EXTRA_MU_PLUGINS  more mu-plugin files to copy in (space-separated paths; tests' hook recorders)
set -euo pipefail

WPR_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WPR_INSTALL_PHP="${WPR_INSTALL_PHP:-$WPR_HERE/install.php}"
# The connector real sites install (core/wordpress/wp-plugin/) and the test-only helpers.
WPR_MU_PLUGINS=("$WPR_HERE/../../core/wordpress/wp-plugin/contentcraft-connector.php" "$WPR_HERE/test-helpers.php")
# The ContentCraft plugin (installed, not activated: tests activate it through /wp/v2/plugins).
WPR_PLUGIN="$WPR_HERE/../../wordpress-plugin/contentcraft"
WPR_PACKAGES=(wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-xml php-mbstring php-curl mariadb-server eatmydata)

wpr_log() { echo "[wp-local] $*" >&2; }

# True if PID is a live (non-zombie) process whose command line contains $2.
wpr_alive() {
	local pid="${1:-}" needle="${2:-}" stat args
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	stat="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
	[[ -n "$stat" && "$stat" != Z* ]] || return 1
	# /proc, not `ps -o args=`: under pytest, ps cut args at 80 columns (seen here).
	args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
	[[ -z "$needle" || "$args" == *"$needle"* ]]
}

# True if process group $1 has a live member whose command line contains $2.
wpr_group_alive() {
	local pgid="${1:-}" p
	[[ "$pgid" =~ ^[0-9]+$ ]] || return 1
	for p in $(pgrep -g "$pgid" 2>/dev/null || true); do
		if wpr_alive "$p" "${2:-}"; then return 0; fi
	done
	return 1
}

wpr_read() { if [[ -s "$1" ]]; then cat "$1"; fi; }

wp_install_packages() {
	local p missing=()
	for p in "${WPR_PACKAGES[@]}"; do
		if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
			missing+=("$p")
		fi
	done
	if [[ ${#missing[@]} -eq 0 ]]; then return 0; fi
	if [[ "${WP_SKIP_APT:-0}" == 1 ]]; then
		wpr_log "missing packages: ${missing[*]} (WP_SKIP_APT=1)"; return 1
	fi
	wpr_log "apt-get install ${missing[*]}"
	# Keep the packages' maintainer scripts from starting apache2 / mariadb system services.
	local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
	if [[ ! -e "$policy" ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made_policy=1
	fi
	# Lock::Timeout: wait instead of failing when another start.sh is installing too.
	{ apt-get -o DPkg::Lock::Timeout=300 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null; } || rc=$?
	if [[ $made_policy == 1 ]]; then rm -f "$policy"; fi
	return $rc
}

# shellcheck disable=SC2016 # PHP code in single quotes
wpr_free_port() {
	php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'
}

# shellcheck disable=SC2016
wpr_port_free() {
	php -r '$s = @stream_socket_server("tcp://127.0.0.1:" . $argv[1]); exit($s ? 0 : 1);' "$1"
}

wpr_start_mariadb() {
	local dir="$1" db="$1/db" sock="$1/mysqld.sock" me
	me="$(id -un)"
	local opts=(--no-defaults --basedir=/usr --datadir="$db" --skip-networking --socket="$sock"
		--pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.log" --skip-name-resolve
		--innodb-log-file-size=8M --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci)
	if [[ $EUID -eq 0 ]]; then opts+=(--user=root); fi
	# eatmydata turns fsync() into a no-op: the data is throw-away. Seen here for the
	# datadir creation: 3.9 s -> 0.5 s right after the apt install, 0.6 s -> 0.4 s later.
	local eat=()
	if [[ "${WP_EATMYDATA:-1}" == 1 ]] && command -v eatmydata >/dev/null; then eat=(eatmydata); fi

	if wpr_alive "$(wpr_read "$dir/mysqld.pid")" "$db"; then
		wpr_log "mariadb already running (pid $(cat "$dir/mysqld.pid"))"
	else
		if [[ ! -f "$dir/db.initialized" ]]; then
			rm -rf "$db" "$dir/credentials.env"
			"${eat[@]}" mariadb-install-db "${opts[@]}" --auth-root-authentication-method=socket \
				--auth-root-socket-user="$me" --skip-test-db >"$dir/mariadb-install-db.log" 2>&1 ||
				{ wpr_log "mariadb-install-db failed, see $dir/mariadb-install-db.log"; return 1; }
			touch "$dir/db.initialized"
		fi
		rm -f "$sock" "$dir/mysqld.pid"
		# Started in the background with fd 9 (our lock) closed; nohup keeps it alive
		# after this shell exits.
		nohup "${eat[@]}" mariadbd "${opts[@]}" </dev/null >>"$dir/mysqld.log" 2>&1 9>&- &
		local pid=$! up=0
		for _ in $(seq 1 300); do
			if mariadb-admin --no-defaults -S "$sock" -u "$me" ping >/dev/null 2>&1; then up=1; break; fi
			wpr_alive "$pid" "" || break
			sleep 0.1
		done
		if [[ $up != 1 ]]; then wpr_log "mariadbd did not come up, see $dir/mysqld.log"; return 1; fi
	fi
	mariadb --no-defaults -S "$sock" -u "$me" -e "
		CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'wp'@'localhost' IDENTIFIED BY 'wp';
		GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'localhost';"
}

wpr_write_files() {
	local dir="$1" port="$2" wp="$1/wordpress"
	cat >"$wp/wp-config.php" <<EOF
<?php
// Written by start.sh; replaces Debian's wp-config.php (which loads /etc/wordpress/config-HOST.php).
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wp' );
define( 'DB_HOST', 'localhost:$dir/mysqld.sock' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
\$table_prefix = 'wp_';

define( 'WP_HOME', 'http://127.0.0.1:$port' );
define( 'WP_SITEURL', 'http://127.0.0.1:$port' );
// Application Passwords need HTTPS unless the environment type is 'local' (WP 5.6+).
define( 'WP_ENVIRONMENT_TYPE', 'local' );
// No outgoing HTTP except to this site itself (oEmbed, update checks, ...).
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'FS_METHOD', 'direct' );
define( 'WP_DEBUG', $( [[ "${WPR_DEBUG:-0}" == 1 ]] && echo true || echo false ) );
define( 'WP_DEBUG_DISPLAY', false );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
EOF

	# php -S router: existing files/dirs are served as usual, anything else goes to
	# index.php (pretty permalinks, /wp-json/...).
	cat >"$dir/router.php" <<'EOF'
<?php
$root = $_SERVER['DOCUMENT_ROOT'];
$path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( $path !== '/' && file_exists( $root . $path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir( $root );
require $root . '/index.php';
EOF

	mkdir -p "$wp/wp-content/mu-plugins" "$wp/wp-content/plugins"
	local mu=("${WPR_MU_PLUGINS[@]}")
	if [[ "${WP_NO_CONNECTOR:-0}" == 1 ]]; then mu=("$WPR_HERE/test-helpers.php"); fi
	# shellcheck disable=SC2206 # a space-separated list of paths, by design
	if [[ -n "${WP_EXTRA_MU_PLUGINS:-}" ]]; then mu+=(${WP_EXTRA_MU_PLUGINS}); fi
	cp "${mu[@]}" "$wp/wp-content/mu-plugins/"
	# -L: includes/connector.php is a link to the connector mu-plugin; the site gets a real copy.
	rm -rf "$wp/wp-content/plugins/contentcraft"
	cp -rL "$WPR_PLUGIN" "$wp/wp-content/plugins/contentcraft"
}

wpr_start_php() {
	local dir="$1" port="$2"
	(
		# No job control here, so the background php is not a process-group leader and
		# setsid(1) calls setsid() itself instead of forking: $! is then php's PID, which is
		# also the id of its new process group (used by wp_stop to reach the workers).
		set +m
		cd "$dir/wordpress"
		PHP_CLI_SERVER_WORKERS="${WP_PHP_WORKERS:-4}" setsid php \
			-d display_errors=0 -d log_errors=1 -d error_log="$dir/php-errors.log" \
			-d upload_max_filesize=64M -d post_max_size=64M -d memory_limit=256M \
			-S "127.0.0.1:$port" -t "$dir/wordpress" "$dir/router.php" \
			</dev/null >>"$dir/php.log" 2>&1 9>&- &
		echo $! >"$dir/php.pid"
	)
	local pid
	pid="$(cat "$dir/php.pid")"
	if [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" != "$pid" ]]; then
		wpr_log "php -S (pid $pid) is not a process-group leader; cannot manage it"
		return 1
	fi
	for _ in $(seq 1 100); do
		wpr_alive "$pid" "" || break # e.g. "Failed to listen on 127.0.0.1:PORT"
		# --max-time: a foreign listener on the port may accept and never answer.
		if curl -fsS --noproxy '*' --max-time 5 -o /dev/null "http://127.0.0.1:$port/wp-json/" 2>/dev/null &&
			wpr_alive "$pid" ""; then
			echo "$port" >"$dir/port"
			return 0
		fi
		sleep 0.1
	done
	wpr_log "php -S on port $port did not come up; tail of $dir/php.log:"
	tail -n 5 "$dir/php.log" >&2 || true
	if wpr_group_alive "$pid" "$dir/router.php"; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
	rm -f "$dir/php.pid"
	return 1
}

wp_start() {
	local dir="${1:?usage: wp_start DATA_DIR}"
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	# A UNIX socket path must fit in sun_path (108 bytes).
	if [[ ${#dir} -gt 90 ]]; then wpr_log "DATA_DIR path too long for a UNIX socket: $dir"; return 1; fi
	wp_install_packages

	# One start/stop at a time per DATA_DIR (fd 9 is closed in the servers).
	exec 9>"$dir/.lock"
	flock 9

	wpr_start_mariadb "$dir"

	if [[ ! -f "$dir/wordpress/wp-settings.php" ]]; then
		rm -rf "$dir/wordpress.tmp"
		# -L: the package has relative symlinks (getID3, JS libs) that would break in a copy.
		cp -rL /usr/share/wordpress "$dir/wordpress.tmp"
		mv "$dir/wordpress.tmp" "$dir/wordpress"
	fi

	local port php_pid
	php_pid="$(wpr_read "$dir/php.pid")"
	if wpr_group_alive "$php_pid" "$dir/router.php" && [[ -s "$dir/port" ]]; then
		port="$(cat "$dir/port")"
		wpr_log "php -S already running (pid $php_pid, port $port)"
	else
		port="${WP_PORT:-$(wpr_read "$dir/port")}"
		if [[ -z "$port" ]] || { [[ -z "${WP_PORT:-}" ]] && ! wpr_port_free "$port"; }; then
			port="$(wpr_free_port)"
		fi
		php_pid=""
	fi
	wpr_write_files "$dir" "$port"

	if [[ ! -s "$dir/credentials.env" ]]; then
		local user="${WP_USER:-admin}" pass="${WP_PASSWORD:-}" app
		if [[ -z "$pass" ]]; then pass="$(php -r 'echo bin2hex(random_bytes(12));')"; fi
		app="$(php "$WPR_INSTALL_PHP" "$dir/wordpress" "$user" "$pass" "$user@example.invalid" wp-local-tests 2>>"$dir/install.log")" ||
			{ wpr_log "install.php failed, see $dir/install.log"; return 1; }
		(umask 077 && printf 'WP_URL=http://127.0.0.1:%s\nWP_USER=%s\nWP_PASSWORD=%s\nWP_APP_PASSWORD=%s\n' \
			"$port" "$user" "$pass" "$app" >"$dir/credentials.env.tmp")
		mv "$dir/credentials.env.tmp" "$dir/credentials.env"
	fi
	sed -i "s|^WP_URL=.*|WP_URL=http://127.0.0.1:$port|" "$dir/credentials.env"

	if [[ -z "$php_pid" ]]; then
		if [[ -n "${WP_PORT:-}" ]] && ! wpr_port_free "$port"; then
			wpr_log "WP_PORT=$port is already in use on 127.0.0.1"; return 1
		fi
		local try
		for try in 1 2 3; do
			if wpr_start_php "$dir" "$port"; then break; fi
			if [[ -n "${WP_PORT:-}" || $try == 3 ]]; then return 1; fi
			port="$(wpr_free_port)"; wpr_write_files "$dir" "$port"
			sed -i "s|^WP_URL=.*|WP_URL=http://127.0.0.1:$port|" "$dir/credentials.env"
		done
	fi
	exec 9>&-

	grep -E '^WP_(URL|USER|APP_PASSWORD)=' "$dir/credentials.env"
}

wp_stop() {
	local dir="${1:?usage: wp_stop DATA_DIR}" pid
	[[ -d "$dir" ]] || { wpr_log "no such dir: $dir"; return 0; }
	dir="$(cd "$dir" && pwd)"
	exec 9>"$dir/.lock"
	flock 9

	# php -S was started with setsid, so its PID is also its process group id; the group
	# holds the PHP_CLI_SERVER_WORKERS children, which survive a plain kill of the parent.
	pid="$(wpr_read "$dir/php.pid")"
	if wpr_group_alive "$pid" "$dir/router.php"; then
		kill -TERM -- "-$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			wpr_group_alive "$pid" "" || break
			sleep 0.1
		done
		if wpr_group_alive "$pid" ""; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
		wpr_log "stopped php -S (process group $pid)"
	fi
	rm -f "$dir/php.pid"

	pid="$(wpr_read "$dir/mysqld.pid")"
	if wpr_alive "$pid" "$dir/db"; then
		kill -TERM "$pid"
		for _ in $(seq 1 300); do
			wpr_alive "$pid" "$dir/db" || break
			sleep 0.1
		done
		if wpr_alive "$pid" "$dir/db"; then kill -KILL "$pid"; fi
		wpr_log "stopped mariadbd (pid $pid)"
	fi
	rm -f "$dir/mysqld.pid" "$dir/mysqld.sock"
	exec 9>&-

	if [[ "${WP_PURGE:-0}" == 1 ]]; then
		rm -rf "$dir"
		wpr_log "removed $dir"
	fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	wp_start "$@"
fi
