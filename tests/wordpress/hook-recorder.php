<?php
/*
 * Plugin Name: ContentCraft hook recorder (tests only; copied by tests/test_wordpress_plugin.py)
 * Hooks every ContentCraft filter and action, appends one JSON line per call to DATA_DIR/hooks.log and
 * changes what the filters return in a visible way, so a test can see each hook both ran and took effect.
 * Also a stand-in for WooCommerce's product type and the shop manager's edit_products capability
 * (WooCommerce is not packaged for Debian): users whose login starts with "shop", and administrators, get it.
 */
function contentcraft_test_record( $hook, $args ) {
	$line = wp_json_encode( array( 'hook' => $hook, 'args' => $args ) );
	file_put_contents( dirname( ABSPATH ) . '/hooks.log', $line . "\n", FILE_APPEND | LOCK_EX );
}

add_filter( 'contentcraft_before_generate', function ( $request, $kind ) {
	contentcraft_test_record( 'contentcraft_before_generate', array( $kind, $request ) );
	if ( 'blog' === $kind ) {
		$request['keywords'][] = 'recorded keyword';
	}
	return $request;
}, 10, 2 );
add_filter( 'contentcraft_prompt_instructions', function ( $sections ) {
	contentcraft_test_record( 'contentcraft_prompt_instructions', array( $sections ) );
	$sections[] = 'Section from the hook';
	return $sections;
} );
add_filter( 'contentcraft_api_request_args', function ( $args, $path ) {
	contentcraft_test_record( 'contentcraft_api_request_args', array( $path, $args['timeout'] ) );
	$args['headers']['X-ContentCraft-Test'] = 'recorded';
	return $args;
}, 10, 2 );
add_filter( 'contentcraft_api_response', function ( $response, $path, $code ) {
	contentcraft_test_record( 'contentcraft_api_response', array( $path, $code ) );
	return $response;
}, 10, 3 );
add_filter( 'contentcraft_generated_content', function ( $data, $kind ) {
	contentcraft_test_record( 'contentcraft_generated_content', array( $kind, $data['title'] ) );
	$data['meta']['seo_title'] = 'Filtered: ' . $data['meta']['seo_title'];
	return $data;
}, 10, 2 );
foreach ( array( 'contentcraft_before_api_request', 'contentcraft_content_generated', 'contentcraft_brand_trained' ) as $hook ) {
	add_action( $hook, function ( ...$args ) use ( $hook ) {
		contentcraft_test_record( $hook, array_map( function ( $arg ) {
			return is_scalar( $arg ) || is_array( $arg ) ? $arg : null;
		}, $args ) );
	}, 10, 4 );
}
add_action( 'contentcraft_generation_failed', function ( $error, $kind ) {
	contentcraft_test_record( 'contentcraft_generation_failed', array( $kind, $error->get_error_code(), $error->get_error_message() ) );
}, 10, 2 );

// Pages use the classic editor here, so the Studio meta box is testable next to the block editor's sidebar;
// products too, as WooCommerce does.
add_filter( 'use_block_editor_for_post_type', function ( $use, $post_type ) {
	return in_array( $post_type, array( 'page', 'product' ), true ) ? false : $use;
}, 10, 2 );

add_action( 'init', function () {
	if ( ! post_type_exists( 'product' ) ) {
		register_post_type( 'product', array( 'public' => true, 'label' => 'Products', 'capability_type' => 'product',
			'map_meta_cap' => true, 'show_in_rest' => true, 'supports' => array( 'title', 'editor', 'excerpt', 'thumbnail' ) ) );
	}
} );
add_filter( 'user_has_cap', function ( $allcaps, $caps, $args, $user ) {
	if ( 0 === strpos( $user->user_login, 'shop' ) || ! empty( $allcaps['manage_options'] ) ) {
		foreach ( array( 'edit_products', 'edit_others_products', 'edit_published_products', 'publish_products', 'read_product', 'edit_product' ) as $cap ) {
			$allcaps[ $cap ] = true;
		}
	}
	return $allcaps;
}, 10, 4 );
