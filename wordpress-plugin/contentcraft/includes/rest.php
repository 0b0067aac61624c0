<?php
/**
 * REST routes under contentcraft/v1: content/generate, product/generate, bulk/process, connection/test.
 * Cookie callers need the wp_rest nonce (X-WP-Nonce); Application Passwords work as usual.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_NAMESPACE = 'contentcraft/v1';
const CONTENTCRAFT_LENGTHS   = array( 'short', 'medium', 'long' );
const CONTENTCRAFT_BULK_MAX  = 10; // posts per bulk/process call: each is one API generation.

add_action( 'rest_api_init', function () {
	$text = array( 'type' => 'string', 'sanitize_callback' => 'sanitize_text_field' );
	register_rest_route( CONTENTCRAFT_NAMESPACE, '/content/generate', array(
		'methods'             => 'POST',
		'callback'            => 'contentcraft_rest_content',
		'permission_callback' => contentcraft_permission( 'edit_posts' ),
		'args'                => array(
			'topic'    => array_merge( $text, array( 'required' => true, 'minLength' => 5, 'maxLength' => 200,
				'description' => __( 'What the post is about (5 to 200 characters).', 'contentcraft' ) ) ),
			'keywords' => array_merge( $text, array( 'default' => '', 'maxLength' => 500 ) ),
			'tone'     => array_merge( $text, array( 'minLength' => 2, 'maxLength' => 40 ) ),
			'length'   => array( 'type' => 'string', 'enum' => CONTENTCRAFT_LENGTHS, 'default' => 'medium' ),
			'language' => array( 'type' => 'string', 'enum' => CONTENTCRAFT_LANGUAGES ),
			'post_id'  => array( 'type' => 'integer', 'minimum' => 0, 'default' => 0, 'sanitize_callback' => 'absint' ),
		),
	) );
	register_rest_route( CONTENTCRAFT_NAMESPACE, '/product/generate', array(
		'methods'             => 'POST',
		'callback'            => 'contentcraft_rest_product',
		'permission_callback' => contentcraft_permission( 'edit_products' ),
		'args'                => array(
			'name'       => array_merge( $text, array( 'minLength' => 2, 'maxLength' => 200 ) ),
			'category'   => array_merge( $text, array( 'default' => '', 'maxLength' => 100 ) ),
			'features'   => array_merge( $text, array( 'default' => '', 'maxLength' => 2000 ) ),
			'audience'   => array_merge( $text, array( 'default' => '', 'maxLength' => 200 ) ),
			'tone'       => array_merge( $text, array( 'minLength' => 2, 'maxLength' => 40 ) ),
			'language'   => array( 'type' => 'string', 'enum' => CONTENTCRAFT_LANGUAGES ),
			'product_id' => array( 'type' => 'integer', 'minimum' => 0, 'default' => 0, 'sanitize_callback' => 'absint' ),
		),
	) );
	register_rest_route( CONTENTCRAFT_NAMESPACE, '/bulk/process', array(
		'methods'             => 'POST',
		'callback'            => 'contentcraft_rest_bulk',
		'permission_callback' => contentcraft_permission( 'edit_posts' ),
		'args'                => array(
			'ids'      => array( 'type' => 'array', 'required' => true, 'minItems' => 1, 'maxItems' => CONTENTCRAFT_BULK_MAX,
				'items' => array( 'type' => 'integer', 'minimum' => 1 ) ),
			'length'   => array( 'type' => 'string', 'enum' => CONTENTCRAFT_LENGTHS, 'default' => 'medium' ),
			'language' => array( 'type' => 'string', 'enum' => CONTENTCRAFT_LANGUAGES ),
		),
	) );
	register_rest_route( CONTENTCRAFT_NAMESPACE, '/connection/test', array(
		'methods'             => 'POST',
		'callback'            => 'contentcraft_rest_connection',
		'permission_callback' => contentcraft_permission( 'manage_options' ),
	) );
} );

/**
 * A permission_callback requiring $capability: 401 for anonymous callers, 403 for a signed-in browser
 * without a valid REST nonce (WordPress then treats it as anonymous) and for users lacking the capability.
 */
function contentcraft_permission( $capability ) {
	return function () use ( $capability ) {
		if ( ! is_user_logged_in() ) {
			if ( wp_validate_auth_cookie( '', 'logged_in' ) ) {
				return new WP_Error( 'rest_cookie_invalid_nonce',
					__( 'Missing or expired security token (nonce): reload the page and try again.', 'contentcraft' ),
					array( 'status' => 403 ) );
			}
			return new WP_Error( 'rest_not_logged_in', __( 'Sign in to use ContentCraft.', 'contentcraft' ),
				array( 'status' => 401 ) );
		}
		if ( ! current_user_can( $capability ) ) {
			return new WP_Error( 'rest_forbidden', __( 'Your role is not allowed to do this.', 'contentcraft' ),
				array( 'status' => 403 ) );
		}
		return true;
	};
}

/** The request's value for $name, or the site default option. */
function contentcraft_param( WP_REST_Request $request, $name ) {
	$value = $request->get_param( $name );
	return null === $value || '' === $value ? (string) get_option( 'contentcraft_default_' . $name, '' ) : $value;
}

/** "a, b ,c" → ['a', 'b', 'c'] (at most $max). */
function contentcraft_list( $text, $max ) {
	return array_slice( array_values( array_filter( array_map( 'trim', explode( ',', (string) $text ) ) ) ), 0, $max );
}

/** ['brand_profile' => the profile set under Settings], or nothing when none is set. */
function contentcraft_brand_field() {
	$profile = contentcraft_brand_profile();
	return '' === $profile ? array() : array( 'brand_profile' => $profile );
}

/** POST content/generate: {topic, keywords, tone, length, language, post_id} → {success, data}. */
function contentcraft_rest_content( WP_REST_Request $request ) {
	$post_id = (int) $request['post_id'];
	if ( $post_id && ! current_user_can( 'edit_post', $post_id ) ) {
		return new WP_Error( 'rest_forbidden', __( 'You cannot edit this post.', 'contentcraft' ), array( 'status' => 403 ) );
	}
	$keywords = contentcraft_list( $request['keywords'], 11 );
	if ( count( $keywords ) > 10 ) {
		return new WP_Error( 'rest_invalid_param', __( 'Use at most 10 keywords, separated by commas.', 'contentcraft' ),
			array( 'status' => 400, 'params' => array( 'keywords' => __( 'At most 10 keywords.', 'contentcraft' ) ) ) );
	}
	$data = contentcraft_generate( 'blog', array(
		'topic'    => $request['topic'],
		'keywords' => $keywords,
		'tone'     => contentcraft_param( $request, 'tone' ) ?: 'professional',
		'length'   => $request['length'],
		'language' => contentcraft_param( $request, 'language' ) ?: 'en',
	) + contentcraft_brand_field(), $post_id );
	return is_wp_error( $data ) ? $data : rest_ensure_response( array( 'success' => true, 'data' => $data ) );
}

/** POST product/generate: from the form, or from product_id's name, categories and attributes. */
function contentcraft_rest_product( WP_REST_Request $request ) {
	$product_id = (int) $request['product_id'];
	if ( $product_id && ! current_user_can( 'edit_post', $product_id ) ) {
		return new WP_Error( 'rest_forbidden', __( 'You cannot edit this product.', 'contentcraft' ), array( 'status' => 403 ) );
	}
	$product = $product_id ? contentcraft_product_facts( $product_id ) : array();
	$data    = contentcraft_generate_product( $product_id, array(
		'name'     => $request['name'] ? $request['name'] : ( $product['name'] ?? '' ),
		'category' => $request['category'] ? $request['category'] : ( $product['category'] ?? '' ),
		'features' => contentcraft_list( $request['features'], 30 ),
		'audience' => $request['audience'],
		'tone'     => contentcraft_param( $request, 'tone' ),
		'language' => contentcraft_param( $request, 'language' ),
	) + $product );
	return is_wp_error( $data ) ? $data : rest_ensure_response( array( 'success' => true, 'data' => $data ) );
}

/** Generates a product description from $fields (name, category, features, attributes, audience, tone, language). */
function contentcraft_generate_product( $product_id, array $fields ) {
	$name = mb_substr( (string) ( $fields['name'] ?? '' ), 0, 200 );
	if ( mb_strlen( $name ) < 2 ) {
		return new WP_Error( 'rest_invalid_param', __( 'Give the product a name (at least 2 characters) first.', 'contentcraft' ),
			array( 'status' => 400, 'params' => array( 'name' => __( 'Required.', 'contentcraft' ) ) ) );
	}
	return contentcraft_generate( 'product', array(
		'name'       => $name,
		'category'   => (string) ( $fields['category'] ?? '' ),
		'features'   => (array) ( $fields['features'] ?? array() ),
		'attributes' => (object) ( $fields['attributes'] ?? array() ),
		'audience'   => (string) ( $fields['audience'] ?? '' ),
		'tone'       => ( $fields['tone'] ?? '' ) ?: 'persuasive',
		'language'   => ( $fields['language'] ?? '' ) ?: 'en',
	) + contentcraft_brand_field(), $product_id );
}

/** A product's name, first category and attributes (WooCommerce's API when active, else the post). */
function contentcraft_product_facts( $product_id ) {
	$terms = get_the_terms( $product_id, 'product_cat' );
	$facts = array(
		'name'       => get_the_title( $product_id ),
		'category'   => is_array( $terms ) && $terms ? $terms[0]->name : '',
		'attributes' => array(),
	);
	if ( function_exists( 'wc_get_product' ) && ( $product = wc_get_product( $product_id ) ) ) {
		foreach ( $product->get_attributes() as $attribute ) {
			$label = wc_attribute_label( $attribute->get_name() );
			$facts['attributes'][ $label ] = $attribute->is_taxonomy()
				? implode( ', ', wc_get_product_terms( $product_id, $attribute->get_name(), array( 'fields' => 'names' ) ) )
				: implode( ', ', $attribute->get_options() );
		}
	}
	return $facts;
}

/** POST bulk/process: writes each post from its title (a product from its facts) and saves it; per-item results. */
function contentcraft_rest_bulk( WP_REST_Request $request ) {
	$results = array();
	foreach ( array_unique( array_map( 'absint', $request['ids'] ) ) as $post_id ) {
		$results[] = contentcraft_bulk_one( $post_id, $request );
	}
	$ok = count( array_filter( wp_list_pluck( $results, 'success' ) ) );
	return rest_ensure_response( array( 'succeeded' => $ok, 'failed' => count( $results ) - $ok, 'results' => $results ) );
}

/** One bulk post or product: {id, success, title|error}. */
function contentcraft_bulk_one( $post_id, WP_REST_Request $request ) {
	$post = get_post( $post_id );
	if ( ! $post || ! current_user_can( 'edit_post', $post_id ) ) {
		return array( 'id' => $post_id, 'success' => false, 'error' => __( 'Not found, or you cannot edit it.', 'contentcraft' ) );
	}
	if ( 'product' === $post->post_type ) {
		$data  = contentcraft_generate_product( $post_id, array( 'language' => contentcraft_param( $request, 'language' ) )
			+ contentcraft_product_facts( $post_id ) );
		$saved = is_wp_error( $data ) ? $data : contentcraft_apply_to_product( $post_id, $data );
		return is_wp_error( $saved ) ? array( 'id' => $post_id, 'success' => false, 'error' => $saved->get_error_message() )
			: array( 'id' => $post_id, 'success' => true, 'title' => $data['title'] );
	}
	$topic = wp_strip_all_tags( $post->post_title );
	if ( mb_strlen( $topic ) < 5 ) {
		return array( 'id' => $post_id, 'success' => false, 'error' => __( 'The title is too short to use as a topic (5 characters or more).', 'contentcraft' ) );
	}
	$data = contentcraft_generate( 'blog', array(
		'topic'    => mb_substr( $topic, 0, 200 ),
		'keywords' => array(),
		'tone'     => (string) get_option( 'contentcraft_default_tone', 'professional' ),
		'length'   => $request['length'],
		'language' => contentcraft_param( $request, 'language' ) ?: 'en',
	) + contentcraft_brand_field(), $post_id );
	$saved = is_wp_error( $data ) ? $data : contentcraft_apply_to_post( $post_id, $data );
	if ( is_wp_error( $saved ) ) {
		return array( 'id' => $post_id, 'success' => false, 'error' => $saved->get_error_message() );
	}
	return array( 'id' => $post_id, 'success' => true, 'title' => $data['title'] );
}

/** POST connection/test: /api/health without the token, then /api/items with it. */
function contentcraft_rest_connection() {
	$health = contentcraft_api_request( 'GET', '/health' );
	if ( is_wp_error( $health ) ) {
		return $health;
	}
	$items = contentcraft_api_request( 'GET', '/items?limit=1' );
	if ( is_wp_error( $items ) ) {
		return $items;
	}
	contentcraft_log( 'health', contentcraft_api_url(), 'success', 0 );
	return rest_ensure_response( array(
		'success' => true,
		'status'  => sanitize_key( $health['status'] ?? '' ),
		'message' => sprintf(
			/* translators: %s: ok, degraded */
			__( 'Connected: the server answers (%s) and accepts the token.', 'contentcraft' ), sanitize_key( $health['status'] ?? '' ) ),
	) );
}
