<?php
/*
 * Plugin Name: ContentCraft test helpers (copied by tests/wordpress/start.sh; never for real sites)
 * - Outgoing HTTP only to the loopback: WP_HTTP_BLOCK_EXTERNAL is checked only after
 *   wp_http_validate_url() has already done a DNS lookup, so block earlier, in pre_http_request.
 * - No e-mail.
 * - Stand-ins for Yoast SEO and Rank Math exposing their fields to the REST API (neither plugin is
 *   packaged for Debian): the same meta keys, registered the way the connector does on real sites.
 * - SEO field faults: keys listed (one a line) in DATA_DIR/seo-unregistered are not registered for
 *   the REST API; keys in DATA_DIR/seo-dropped are registered but never saved (a plugin refusing them).
 * - Crash simulation: if DATA_DIR/hang exists and holds "insert" or "after_insert", the next REST
 *   post creation hangs at that point (before / after its meta is saved) until the test kills PHP.
 */
add_filter( 'pre_http_request', function ( $pre, $args, $url ) {
	$host = strtolower( (string) parse_url( $url, PHP_URL_HOST ) );
	if ( in_array( $host, array( '127.0.0.1', 'localhost' ), true ) ) {
		return $pre;
	}
	return new WP_Error( 'http_request_blocked', "test site: outgoing HTTP to '$host' blocked" );
}, 1, 3 );
add_filter( 'pre_wp_mail', '__return_false' );

add_action( 'init', function () {
	$seo_keys = array( '_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw',
		'rank_math_title', 'rank_math_description', 'rank_math_focus_keyword' );
	$unregistered = contentcraft_test_keys( 'seo-unregistered' );
	foreach ( $seo_keys as $key ) {
		if ( in_array( $key, $unregistered, true ) ) {
			continue;
		}
		register_post_meta( '', $key, array(
			'type'          => 'string',
			'single'        => true,
			'show_in_rest'  => true,
			'auth_callback' => function ( $allowed, $meta_key, $post_id ) {
				return current_user_can( 'edit_post', $post_id );
			},
		) );
	}
} );

function contentcraft_test_keys( $name ) {
	$file = dirname( ABSPATH ) . '/' . $name;
	return is_file( $file ) ? array_filter( array_map( 'trim', file( $file ) ) ) : array();
}

$contentcraft_test_drop = function ( $check, $object_id, $meta_key ) {
	return in_array( $meta_key, contentcraft_test_keys( 'seo-dropped' ), true ) ? true : $check;
};
add_filter( 'update_post_metadata', $contentcraft_test_drop, 10, 3 );
add_filter( 'add_post_metadata', $contentcraft_test_drop, 10, 3 );

function contentcraft_test_maybe_hang( $stage ) {
	$flag = dirname( ABSPATH ) . '/hang';
	if ( is_file( $flag ) && trim( (string) file_get_contents( $flag ) ) === $stage ) {
		unlink( $flag );
		// The post row is already committed; the client times out and the test stops the server.
		sleep( 120 );
	}
}
add_action( 'rest_insert_post', function () {
	contentcraft_test_maybe_hang( 'insert' );
} );
add_action( 'rest_after_insert_post', function () {
	contentcraft_test_maybe_hang( 'after_insert' );
} );
