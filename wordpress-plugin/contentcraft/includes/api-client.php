<?php
/**
 * The one place that talks to the ContentCraft API: builds the request, runs the seed's hooks, logs
 * the call, and turns every failure into a WP_Error whose message says what to do.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_TIMEOUT = 120; // seconds: the API's own provider timeout is 120 s.

/**
 * Generates one item: $kind 'blog' → POST /api/content/generate, 'product' → /api/product/generate.
 *
 * Returns the cleaned ContentData / ProductData array (plus 'item_id'), or a WP_Error with an HTTP
 * status in its data. Hooks, in order: contentcraft_before_generate, contentcraft_prompt_instructions
 * (blog), contentcraft_api_request_args, contentcraft_before_api_request, contentcraft_api_response,
 * contentcraft_generated_content, then contentcraft_content_generated or contentcraft_generation_failed.
 */
function contentcraft_generate( $kind, array $request, $post_id = 0 ) {
	$request = (array) apply_filters( 'contentcraft_before_generate', $request, $kind, $post_id );
	if ( 'blog' === $kind ) {
		$sections            = isset( $request['sections'] ) ? (array) $request['sections'] : array();
		$request['sections'] = array_values( array_filter( array_map( 'sanitize_text_field',
			(array) apply_filters( 'contentcraft_prompt_instructions', $sections, $request, $post_id ) ) ) );
	}
	$path     = 'blog' === $kind ? '/content/generate' : '/product/generate';
	$target   = 'blog' === $kind ? ( $request['topic'] ?? '' ) : ( $request['name'] ?? '' );
	$started  = microtime( true );
	$response = contentcraft_api_request( 'POST', $path, $request );
	$elapsed  = (int) round( ( microtime( true ) - $started ) * 1000 );
	if ( ! is_wp_error( $response ) && ( empty( $response['success'] ) || ! is_array( $response['data'] ?? null ) ) ) {
		$response = new WP_Error( 'contentcraft_generation_failed', contentcraft_api_message( $response ),
			array( 'status' => 502 ) );
	}
	if ( is_wp_error( $response ) ) {
		contentcraft_log( $kind, $target, 'error', $elapsed, 0, $response->get_error_message() );
		do_action( 'contentcraft_generation_failed', $response, $kind, $request, $post_id );
		return $response;
	}
	$data            = contentcraft_clean_data( $response['data'], $kind );
	$data['item_id'] = absint( $response['item_id'] ?? 0 );
	$data            = (array) apply_filters( 'contentcraft_generated_content', $data, $kind, $request, $post_id );
	contentcraft_log( $kind, $target, 'success', $elapsed, absint( $response['tokens'] ?? 0 ) );
	do_action( 'contentcraft_content_generated', $data, $kind, $post_id );
	return $data;
}

/**
 * One call to the API at {api_url}/api{$path} with the bearer token; $body is sent as JSON (POST).
 *
 * Returns the decoded JSON object, or WP_Error: not configured (503), unreachable (502), the API's own
 * problem detail with its status (422 → 400; 401/403 → 502: the site's token or its role is at fault, not the user).
 */
function contentcraft_api_request( $method, $path, $body = null ) {
	$base  = contentcraft_api_url();
	$token = contentcraft_api_token();
	if ( '' === $base || ( '/health' !== $path && '' === $token ) ) {
		return new WP_Error( 'contentcraft_not_configured',
			__( 'ContentCraft is not connected yet: an administrator must set the API URL and token under ContentCraft → Settings.', 'contentcraft' ),
			array( 'status' => 503 ) );
	}
	$headers = array( 'Accept' => 'application/json' );
	if ( '' !== $token ) {
		$headers['Authorization'] = 'Bearer ' . $token;
	}
	$args = array( 'method' => $method, 'timeout' => CONTENTCRAFT_TIMEOUT, 'headers' => $headers, 'redirection' => 0 );
	if ( null !== $body ) {
		$args['headers']['Content-Type'] = 'application/json';
		$args['body']                    = wp_json_encode( $body );
	}
	$args = (array) apply_filters( 'contentcraft_api_request_args', $args, $path, $body );
	do_action( 'contentcraft_before_api_request', $path, $body, $args );
	$url  = $base . '/api' . $path;
	$http = 'POST' === $method ? wp_remote_post( $url, $args ) : wp_remote_get( $url, $args );
	if ( is_wp_error( $http ) ) {
		return new WP_Error( 'contentcraft_api_unreachable', sprintf(
			/* translators: %s: the API URL */
			__( 'ContentCraft could not reach its server at %s. Check that it is running and that the API URL under ContentCraft → Settings is right, then try again.', 'contentcraft' ),
			$base ), array( 'status' => 502 ) );
	}
	$code    = (int) wp_remote_retrieve_response_code( $http );
	$decoded = json_decode( (string) wp_remote_retrieve_body( $http ), true );
	$decoded = apply_filters( 'contentcraft_api_response', is_array( $decoded ) ? $decoded : null, $path, $code );
	if ( $code >= 200 && $code < 300 && is_array( $decoded ) ) {
		return $decoded;
	}
	if ( 401 === $code ) {
		$message = __( 'The ContentCraft server refused this site\'s API token: an administrator must save a valid token under ContentCraft → Settings.', 'contentcraft' );
	} elseif ( 403 === $code ) {
		$message = sprintf(
			/* translators: %s: the server's explanation */
			__( 'The ContentCraft account behind this site\'s API token may not do this: %s Ask a ContentCraft admin for a higher role, or save another token under ContentCraft → Settings.', 'contentcraft' ),
			contentcraft_api_message( $decoded ) );
	} else {
		$message = contentcraft_api_message( $decoded );
	}
	$status = 422 === $code ? 400 : ( 429 === $code ? 429 : 502 );
	return new WP_Error( 'contentcraft_api_error', $message, array( 'status' => $status, 'api_status' => $code ) );
}

/** The API's explanation of a failure (its problem detail or envelope error), or a generic one. */
function contentcraft_api_message( $decoded ) {
	foreach ( array( 'detail', 'error' ) as $field ) {
		if ( is_array( $decoded ) && ! empty( $decoded[ $field ] ) && is_string( $decoded[ $field ] ) ) {
			return sanitize_text_field( $decoded[ $field ] );
		}
	}
	return __( 'The ContentCraft server answered with an error. Try again; if it persists, check the server\'s logs.', 'contentcraft' );
}

/** Sanitizes every field for WordPress: plain text for titles and meta, post HTML (kses) for bodies. */
function contentcraft_clean_data( array $data, $kind ) {
	$meta  = isset( $data['meta'] ) && is_array( $data['meta'] ) ? $data['meta'] : array();
	$clean = array(
		'title' => sanitize_text_field( $data['title'] ?? '' ),
		'meta'  => array(
			'seo_title' => sanitize_text_field( $meta['seo_title'] ?? '' ),
			'meta_desc' => sanitize_text_field( $meta['meta_desc'] ?? '' ),
			'slug'      => sanitize_title( $meta['slug'] ?? '' ),
		),
	);
	if ( 'blog' === $kind ) {
		$clean['excerpt']        = sanitize_textarea_field( $data['excerpt'] ?? '' );
		$clean['body_html']      = wp_kses_post( $data['body_html'] ?? '' );
		$clean['outline']        = array_map( 'sanitize_text_field', (array) ( $data['outline'] ?? array() ) );
		$clean['schema_ld_json'] = isset( $data['schema_ld_json'] ) && is_array( $data['schema_ld_json'] ) ? $data['schema_ld_json'] : null;
	} else {
		$clean['short_description'] = wp_kses_post( $data['short_description'] ?? '' );
		$clean['description_html']  = wp_kses_post( $data['description_html'] ?? '' );
		$clean['bullet_features']   = array_map( 'sanitize_text_field', (array) ( $data['bullet_features'] ?? array() ) );
		$clean['image_alt_text']    = sanitize_text_field( $data['image_alt_text'] ?? '' );
	}
	return $clean;
}

/** Writes a generated product description into $product_id: long and short description, SEO meta, image alt. */
function contentcraft_apply_to_product( $product_id, array $data ) {
	$saved = wp_update_post( wp_slash( array(
		'ID'           => $product_id,
		'post_content' => $data['description_html'],
		'post_excerpt' => $data['short_description'],
		'meta_input'   => array(
			CONTENTCRAFT_SEO_TITLE_META => $data['meta']['seo_title'],
			CONTENTCRAFT_META_DESC_META => $data['meta']['meta_desc'],
		),
	) ), true );
	$image = get_post_thumbnail_id( $product_id );
	if ( ! is_wp_error( $saved ) && $image && '' !== $data['image_alt_text'] ) {
		update_post_meta( $image, '_wp_attachment_image_alt', $data['image_alt_text'] );
	}
	return $saved;
}

/** Writes a generated blog post into $post_id in one update: content, excerpt, title, slug, SEO meta. */
function contentcraft_apply_to_post( $post_id, array $data ) {
	$meta = array(
		CONTENTCRAFT_SEO_TITLE_META => $data['meta']['seo_title'],
		CONTENTCRAFT_META_DESC_META => $data['meta']['meta_desc'],
	);
	if ( ! empty( $data['schema_ld_json'] ) ) {
		$meta[ CONTENTCRAFT_LD_META ] = wp_json_encode( $data['schema_ld_json'] );
	}
	$fields = array(
		'ID'           => $post_id,
		'post_title'   => $data['title'],
		'post_excerpt' => $data['excerpt'],
		'post_content' => $data['body_html'],
		'meta_input'   => $meta,
	);
	if ( '' !== $data['meta']['slug'] && 'publish' !== get_post_status( $post_id ) ) {
		$fields['post_name'] = $data['meta']['slug'];
	}
	return wp_update_post( wp_slash( $fields ), true );
}
