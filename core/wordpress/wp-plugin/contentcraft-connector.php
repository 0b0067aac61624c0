<?php
/**
 * Plugin Name: ContentCraft connector
 * Description: Lets ContentCraft publish exactly once and keep its SEO data through the REST API.
 * Version: 1.0
 *
 * Install: copy this one file into wp-content/mu-plugins/ (create the folder if it is missing).
 * Must-use plugins need no activation. Without it ContentCraft still publishes, but it finds an
 * earlier post after a failed attempt only by slug and title, keeps JSON-LD only for users allowed
 * unfiltered HTML, and cannot write Yoast / Rank Math fields (those plugins do not expose them to the
 * REST API themselves).
 *
 * What it does:
 * 1. Registers, for the REST API, the post meta ContentCraft writes: its idempotency key, the
 *    JSON-LD, and the Yoast SEO / Rank Math title, description and focus keyword when that plugin
 *    is active. Unregistered meta sent to /wp/v2/posts is silently dropped by WordPress.
 * 2. Lets /wp/v2/posts?contentcraft_key=KEY find the post carrying that idempotency key, so a retry
 *    after a timeout or crash updates the post instead of creating a second one.
 * 3. Prints the stored JSON-LD in <head> of the post's page. It is stored as meta, not as a
 *    <script> in the content, because content filters (kses, ContentCraft's own sanitiser)
 *    remove scripts; re-encoding with JSON_HEX_TAG keeps "</script>" from breaking out.
 */

defined( 'ABSPATH' ) || exit;

// The ContentCraft plugin includes this same file (wordpress-plugin/contentcraft/includes/connector.php
// is a link to it): when both are installed, only the first copy loaded registers anything.
if ( defined( 'CONTENTCRAFT_CONNECTOR_LOADED' ) ) {
	return;
}
define( 'CONTENTCRAFT_CONNECTOR_LOADED', __FILE__ );

const CONTENTCRAFT_KEY_META = 'contentcraft_idempotency_key';
const CONTENTCRAFT_LD_META  = 'contentcraft_schema_ld_json';

add_action( 'init', function () {
	$keys = array( CONTENTCRAFT_KEY_META, CONTENTCRAFT_LD_META );
	if ( defined( 'WPSEO_VERSION' ) ) {
		$keys = array_merge( $keys, array( '_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw' ) );
	}
	if ( class_exists( 'RankMath' ) ) {
		$keys = array_merge( $keys, array( 'rank_math_title', 'rank_math_description', 'rank_math_focus_keyword' ) );
	}
	foreach ( $keys as $key ) {
		register_post_meta( '', $key, array(
			'type'          => 'string',
			'single'        => true,
			'show_in_rest'  => true,
			// Keys starting with "_" are protected: writing them through REST needs this callback.
			'auth_callback' => function ( $allowed, $meta_key, $post_id ) {
				return current_user_can( 'edit_post', $post_id );
			},
		) );
	}
} );

add_action( 'rest_api_init', function () {
	foreach ( get_post_types( array( 'show_in_rest' => true ) ) as $post_type ) {
		add_filter( "rest_{$post_type}_query", 'contentcraft_filter_by_key', 10, 2 );
	}
} );

// Declared conditionally: PHP binds unconditional top-level functions before the guard above runs.
if ( ! function_exists( 'contentcraft_filter_by_key' ) ) {
	/** Restricts a REST post query to the post with the idempotency key given as ?contentcraft_key=. */
	function contentcraft_filter_by_key( $args, $request ) {
		$key = $request->get_param( 'contentcraft_key' );
		if ( is_string( $key ) && '' !== $key ) {
			$args['meta_query']   = isset( $args['meta_query'] ) ? (array) $args['meta_query'] : array();
			$args['meta_query'][] = array( 'key' => CONTENTCRAFT_KEY_META, 'value' => $key );
		}
		return $args;
	}
}

add_action( 'wp_head', function () {
	if ( ! is_singular() ) {
		return;
	}
	$raw  = get_post_meta( get_queried_object_id(), CONTENTCRAFT_LD_META, true );
	$data = is_string( $raw ) && '' !== $raw ? json_decode( $raw, true ) : null;
	if ( ! is_array( $data ) ) {
		return;
	}
	if ( empty( $data['url'] ) ) {
		$data['url'] = get_permalink( get_queried_object_id() );
	}
	$flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_HEX_TAG | JSON_HEX_AMP;
	echo '<script type="application/ld+json">' . wp_json_encode( $data, $flags ) . "</script>\n";
} );
