<?php
/**
 * The seed's log table {prefix}contentcraft_logs (user, type, target, tokens, latency_ms, status, error,
 * created_at) and the Usage screen that reads it.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_DB_VERSION = '1';

/** The log table's name with this site's prefix. */
function contentcraft_logs_table() {
	global $wpdb;
	return $wpdb->prefix . 'contentcraft_logs';
}

/** Creates or upgrades the table (dbDelta is idempotent). */
function contentcraft_install_logs_table() {
	global $wpdb;
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$table   = contentcraft_logs_table();
	$charset = $wpdb->get_charset_collate();
	dbDelta( "CREATE TABLE {$table} (
		id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
		user_id bigint(20) unsigned NOT NULL DEFAULT 0,
		type varchar(20) NOT NULL,
		target varchar(255) NOT NULL DEFAULT '',
		tokens int(10) unsigned NOT NULL DEFAULT 0,
		latency_ms int(10) unsigned NOT NULL DEFAULT 0,
		status varchar(20) NOT NULL,
		error text NULL,
		created_at datetime NOT NULL,
		PRIMARY KEY  (id),
		KEY user_id (user_id),
		KEY type (type),
		KEY status (status),
		KEY created_at (created_at)
	) {$charset};" );
	update_option( 'contentcraft_db_version', CONTENTCRAFT_DB_VERSION, false );
}

add_action( 'plugins_loaded', function () {
	if ( get_option( 'contentcraft_db_version' ) !== CONTENTCRAFT_DB_VERSION ) {
		contentcraft_install_logs_table();
	}
} );

/** One row per API call: type is blog|product|bulk|health, status success|error. */
function contentcraft_log( $type, $target, $status, $latency_ms, $tokens = 0, $error = '' ) {
	global $wpdb;
	$wpdb->insert( contentcraft_logs_table(), array(
		'user_id'    => get_current_user_id(),
		'type'       => substr( sanitize_key( $type ), 0, 20 ),
		'target'     => mb_substr( sanitize_text_field( $target ), 0, 255 ),
		'tokens'     => absint( $tokens ),
		'latency_ms' => absint( $latency_ms ),
		'status'     => substr( sanitize_key( $status ), 0, 20 ),
		'error'      => '' === $error ? null : sanitize_textarea_field( $error ),
		'created_at' => current_time( 'mysql', true ),
	), array( '%d', '%s', '%s', '%d', '%d', '%s', '%s', '%s' ) );
}

/** The Usage screen: totals of the last 30 days and the latest 50 calls (the user's own unless an admin). */
function contentcraft_render_usage_page() {
	global $wpdb;
	$table = contentcraft_logs_table();
	$where = current_user_can( 'manage_options' ) ? '1=1' : $wpdb->prepare( 'user_id = %d', get_current_user_id() );
	$since = gmdate( 'Y-m-d H:i:s', time() - 30 * DAY_IN_SECONDS );
	// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $table and $where are built above.
	$totals = $wpdb->get_row( $wpdb->prepare( "SELECT COUNT(*) AS calls, SUM(status = 'success') AS ok,
		COALESCE(SUM(tokens), 0) AS tokens, COALESCE(ROUND(AVG(latency_ms)), 0) AS latency
		FROM {$table} WHERE {$where} AND created_at >= %s", $since ) );
	$rows   = $wpdb->get_results( "SELECT * FROM {$table} WHERE {$where} ORDER BY id DESC LIMIT 50" );
	// phpcs:enable
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'ContentCraft usage', 'contentcraft' ); ?></h1>
		<p class="contentcraft-usage-totals"><?php echo esc_html( sprintf(
			/* translators: 1: number of calls, 2: successful calls, 3: tokens, 4: average latency in ms */
			__( 'Last 30 days: %1$d calls, %2$d succeeded, %3$d tokens, %4$d ms on average.', 'contentcraft' ),
			(int) $totals->calls, (int) $totals->ok, (int) $totals->tokens, (int) $totals->latency ) ); ?></p>
		<table class="widefat striped">
			<thead><tr>
				<th><?php esc_html_e( 'When (UTC)', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'User', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Type', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Target', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Tokens', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Latency (ms)', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Status', 'contentcraft' ); ?></th>
				<th><?php esc_html_e( 'Error', 'contentcraft' ); ?></th>
			</tr></thead>
			<tbody>
			<?php if ( ! $rows ) : ?>
				<tr><td colspan="8"><?php esc_html_e( 'Nothing generated yet.', 'contentcraft' ); ?></td></tr>
			<?php endif; ?>
			<?php foreach ( $rows as $row ) : ?>
				<?php $user = get_userdata( (int) $row->user_id ); ?>
				<tr>
					<td><?php echo esc_html( $row->created_at ); ?></td>
					<td><?php echo esc_html( $user ? $user->user_login : '-' ); ?></td>
					<td><?php echo esc_html( $row->type ); ?></td>
					<td><?php echo esc_html( $row->target ); ?></td>
					<td><?php echo esc_html( $row->tokens ); ?></td>
					<td><?php echo esc_html( $row->latency_ms ); ?></td>
					<td><?php echo esc_html( $row->status ); ?></td>
					<td><?php echo esc_html( (string) $row->error ); ?></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
	</div>
	<?php
}
