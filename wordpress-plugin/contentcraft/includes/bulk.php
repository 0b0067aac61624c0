<?php
/**
 * Bulk Generator: the list-table bulk action "Generate with ContentCraft" sends the checked posts (or products) to
 * this screen, whose script (assets/bulk.js) processes them in chunks through bulk/process.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_BULK_CHUNK = 2; // posts per bulk/process request: short requests, a smooth progress bar.

add_action( 'admin_init', function () {
	// Products when WooCommerce is active: their descriptions are written from name, category and attributes.
	foreach ( array_filter( array( 'post', 'page', 'product' ), 'post_type_exists' ) as $post_type ) {
		add_filter( "bulk_actions-edit-{$post_type}", 'contentcraft_bulk_action' );
		add_filter( "handle_bulk_actions-edit-{$post_type}", 'contentcraft_handle_bulk_action', 10, 3 );
	}
} );

/** Adds "Generate with ContentCraft" to the list table's bulk actions. */
function contentcraft_bulk_action( $actions ) {
	$actions['contentcraft_generate'] = __( 'Generate with ContentCraft', 'contentcraft' );
	return $actions;
}

/** Sends the checked posts to the Bulk Generator screen. */
function contentcraft_handle_bulk_action( $redirect, $action, $ids ) {
	if ( 'contentcraft_generate' !== $action ) {
		return $redirect;
	}
	$ids = array_slice( array_map( 'absint', (array) $ids ), 0, 500 );
	return add_query_arg( array( 'page' => 'contentcraft-bulk', 'ids' => implode( ',', $ids ) ), admin_url( 'admin.php' ) );
}

/** The posts named in the screen's ?ids=1,2,3 (at most $limit) that the user may edit. */
function contentcraft_requested_posts( $limit ) {
	$ids = isset( $_GET['ids'] ) ? array_filter( array_map( 'absint', explode( ',', sanitize_text_field( wp_unslash( $_GET['ids'] ) ) ) ) ) : array(); // phpcs:ignore WordPress.Security.NonceVerification -- read-only list of ids.
	return array_filter( array_map( 'get_post', array_slice( $ids, 0, $limit ) ), function ( $post ) {
		return $post && current_user_can( 'edit_post', $post->ID );
	} );
}

/** The Bulk Generator screen: the queued posts, options, a progress bar and the final report. */
function contentcraft_render_bulk_page() {
	if ( ! current_user_can( 'edit_posts' ) ) {
		wp_die( esc_html__( 'You are not allowed to generate content.', 'contentcraft' ), 403 );
	}
	$posts = contentcraft_requested_posts( 500 );
	wp_enqueue_script( 'contentcraft-bulk', plugins_url( 'assets/bulk.js', CONTENTCRAFT_FILE ),
		array( 'wp-api-fetch' ), CONTENTCRAFT_VERSION, true );
	contentcraft_add_script_settings( 'contentcraft-bulk' );
	wp_enqueue_style( 'contentcraft-admin' );
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Bulk Generator', 'contentcraft' ); ?></h1>
		<?php if ( ! $posts ) : ?>
			<p><?php esc_html_e( 'Choose posts under Posts → All Posts, then pick "Generate with ContentCraft" from the bulk actions.', 'contentcraft' ); ?></p>
		<?php else : ?>
			<p><?php echo esc_html( sprintf(
				/* translators: %d: number of posts */
				_n( '%d post will be written from its title. Its content, excerpt and SEO fields are replaced.', '%d posts will be written from their titles. Their content, excerpts and SEO fields are replaced.', count( $posts ), 'contentcraft' ),
				count( $posts ) ) ); ?></p>
			<ul class="contentcraft-bulk-posts">
				<?php foreach ( $posts as $post ) : ?>
					<li data-id="<?php echo esc_attr( $post->ID ); ?>"><?php echo esc_html( get_the_title( $post ) ); ?> <span class="contentcraft-bulk-state"></span></li>
				<?php endforeach; ?>
			</ul>
			<p><label for="contentcraft-bulk-length"><?php esc_html_e( 'Length', 'contentcraft' ); ?></label>
				<select id="contentcraft-bulk-length">
					<option value="short"><?php esc_html_e( 'Short', 'contentcraft' ); ?></option>
					<option value="medium" selected><?php esc_html_e( 'Medium', 'contentcraft' ); ?></option>
					<option value="long"><?php esc_html_e( 'Long', 'contentcraft' ); ?></option>
				</select></p>
			<div id="contentcraft-bulk" data-ids="<?php echo esc_attr( implode( ',', wp_list_pluck( $posts, 'ID' ) ) ); ?>"
				data-chunk="<?php echo esc_attr( CONTENTCRAFT_BULK_CHUNK ); ?>">
				<p><button type="button" class="button button-primary" id="contentcraft-bulk-start"><?php esc_html_e( 'Start', 'contentcraft' ); ?></button></p>
				<progress id="contentcraft-bulk-progress" max="100" value="0"></progress>
				<p id="contentcraft-bulk-percent">0 %</p>
				<p id="contentcraft-bulk-report" role="status" aria-live="polite"></p>
			</div>
		<?php endif; ?>
	</div>
	<?php
}
