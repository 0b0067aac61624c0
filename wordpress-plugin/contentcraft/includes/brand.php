<?php
/**
 * Brand voice: the list-table bulk action "Train brand voice from these posts" sends the checked posts to
 * this screen, whose script (assets/brand.js) posts them to contentcraft/v1/brand/train, which sends their
 * text to POST /api/brand/{profile}/train and fires contentcraft_brand_trained.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_BRAND_MAX       = 50;    // posts per training: the API's limit of texts per call.
const CONTENTCRAFT_BRAND_TEXT_MAX  = 20000; // characters per post: the API's longest sample.
const CONTENTCRAFT_BRAND_CAPABILITY = 'edit_others_posts'; // a brand voice steers everyone's writing: editors.

add_action( 'rest_api_init', function () {
	register_rest_route( CONTENTCRAFT_NAMESPACE, '/brand/train', array(
		'methods'             => 'POST',
		'callback'            => 'contentcraft_rest_brand_train',
		'permission_callback' => contentcraft_permission( CONTENTCRAFT_BRAND_CAPABILITY ),
		'args'                => array(
			'profile' => array( 'type' => 'string', 'maxLength' => 80, 'default' => '',
				'validate_callback' => 'contentcraft_validate_profile_name', 'sanitize_callback' => 'sanitize_text_field',
				'description' => __( 'The brand profile to train (created on the server if it does not exist).', 'contentcraft' ) ),
			'ids'     => array( 'type' => 'array', 'required' => true, 'minItems' => 1, 'maxItems' => CONTENTCRAFT_BRAND_MAX,
				'items' => array( 'type' => 'integer', 'minimum' => 1 ) ),
		),
	) );
} );

add_action( 'admin_init', function () {
	if ( ! current_user_can( CONTENTCRAFT_BRAND_CAPABILITY ) ) {
		return;
	}
	foreach ( array( 'post', 'page' ) as $post_type ) {
		add_filter( "bulk_actions-edit-{$post_type}", 'contentcraft_brand_bulk_action' );
		add_filter( "handle_bulk_actions-edit-{$post_type}", 'contentcraft_handle_brand_bulk_action', 10, 3 );
	}
} );

/** Adds "Train brand voice from these posts" to the list table's bulk actions. */
function contentcraft_brand_bulk_action( $actions ) {
	$actions['contentcraft_train_brand'] = __( 'Train brand voice from these posts', 'contentcraft' );
	return $actions;
}

/** Sends the checked posts to the Brand voice screen. */
function contentcraft_handle_brand_bulk_action( $redirect, $action, $ids ) {
	if ( 'contentcraft_train_brand' !== $action ) {
		return $redirect;
	}
	$ids = array_slice( array_map( 'absint', (array) $ids ), 0, CONTENTCRAFT_BRAND_MAX );
	return add_query_arg( array( 'page' => 'contentcraft-brand', 'ids' => implode( ',', $ids ) ), admin_url( 'admin.php' ) );
}

/** The profile named in the request, or the one set under ContentCraft → Settings. */
function contentcraft_brand_profile( $requested = '' ) {
	$name = '' !== (string) $requested ? $requested : (string) get_option( 'contentcraft_brand_profile', '' );
	return contentcraft_clean_profile_name( $name );
}

/** A profile name as the API matches it: plain text, single spaces, at most 80 characters. */
function contentcraft_clean_profile_name( $name ) {
	return mb_substr( trim( preg_replace( '/\s+/u', ' ', sanitize_text_field( (string) $name ) ) ), 0, 80 );
}

/** validate_callback of a profile name: a string of at most 80 characters without "/" (it goes into a URL path). */
function contentcraft_validate_profile_name( $value ) {
	if ( ! is_string( $value ) || mb_strlen( $value ) > 80 || false !== strpos( $value, '/' ) ) {
		return new WP_Error( 'rest_invalid_param', __( 'A brand profile name has at most 80 characters and no "/".', 'contentcraft' ),
			array( 'status' => 400 ) );
	}
	return true;
}

/** POST brand/train: {profile, ids} → the API's outcome; fires contentcraft_brand_trained on success. */
function contentcraft_rest_brand_train( WP_REST_Request $request ) {
	$profile = contentcraft_brand_profile( $request['profile'] );
	if ( '' === $profile ) {
		return new WP_Error( 'rest_invalid_param', __( 'Name the brand profile to train (or set one under ContentCraft → Settings).', 'contentcraft' ),
			array( 'status' => 400, 'params' => array( 'profile' => __( 'Required.', 'contentcraft' ) ) ) );
	}
	$texts = array();
	$ids   = array();
	foreach ( array_unique( array_map( 'absint', $request['ids'] ) ) as $post_id ) {
		$post = get_post( $post_id );
		if ( ! $post || ! current_user_can( 'edit_post', $post_id ) || '' === trim( wp_strip_all_tags( $post->post_content ) ) ) {
			continue;
		}
		$ids[]   = $post_id;
		$texts[] = array(
			'text'   => mb_substr( $post->post_content, 0, CONTENTCRAFT_BRAND_TEXT_MAX ),
			'html'   => true,
			'title'  => mb_substr( wp_strip_all_tags( $post->post_title ), 0, 255 ),
			'source' => mb_substr( esc_url_raw( get_permalink( $post ) ), 0, 255 ),
		);
	}
	if ( ! $texts ) {
		return new WP_Error( 'rest_invalid_param', __( 'None of these posts has any text you can edit: pick posts with written content.', 'contentcraft' ),
			array( 'status' => 400, 'params' => array( 'ids' => __( 'No usable posts.', 'contentcraft' ) ) ) );
	}
	$body    = array( 'texts' => $texts, 'describe' => true );
	$started = microtime( true );
	$answer  = contentcraft_api_request( 'POST', '/brand/' . rawurlencode( $profile ) . '/train', $body );
	$elapsed = (int) round( ( microtime( true ) - $started ) * 1000 );
	if ( is_wp_error( $answer ) ) {
		contentcraft_log( 'brand', $profile, 'error', $elapsed, 0, $answer->get_error_message() );
		return $answer;
	}
	$outcome = contentcraft_clean_training( $answer );
	contentcraft_log( 'brand', $profile, 'success', $elapsed );
	do_action( 'contentcraft_brand_trained', $outcome['profile'], $ids, $outcome );
	return rest_ensure_response( array(
		'success' => true,
		'data'    => $outcome,
		'message' => sprintf(
			/* translators: 1: brand profile name, 2: version number, 3: number of posts learned from */
			_n( 'Brand voice "%1$s" is now at version %2$d, trained on %3$d new post.', 'Brand voice "%1$s" is now at version %2$d, trained on %3$d new posts.',
				$outcome['samples_added'], 'contentcraft' ),
			$outcome['profile'], $outcome['version'], $outcome['samples_added'] ),
	) );
}

/** The API's TrainingOutcome with every field sanitised for WordPress. */
function contentcraft_clean_training( array $answer ) {
	$list = function ( $key ) use ( $answer ) {
		return array_values( array_map( 'sanitize_text_field', (array) ( $answer[ $key ] ?? array() ) ) );
	};
	return array(
		'profile'         => sanitize_text_field( $answer['profile'] ?? '' ),
		'version'         => absint( $answer['version'] ?? 0 ),
		'created'         => ! empty( $answer['created'] ),
		'samples_added'   => absint( $answer['samples_added'] ?? 0 ),
		'samples_skipped' => absint( $answer['samples_skipped'] ?? 0 ),
		'samples_total'   => absint( $answer['samples_total'] ?? 0 ),
		'languages'       => array_map( 'sanitize_key', (array) ( $answer['languages'] ?? array() ) ),
		'description'     => sanitize_textarea_field( $answer['description'] ?? '' ),
		'tone'            => sanitize_text_field( $answer['tone'] ?? '' ),
		'rules_do'        => $list( 'rules_do' ),
		'rules_dont'      => $list( 'rules_dont' ),
	);
}

/** The Brand voice screen: the chosen posts, the profile name and a Train button. */
function contentcraft_render_brand_page() {
	if ( ! current_user_can( CONTENTCRAFT_BRAND_CAPABILITY ) ) {
		wp_die( esc_html__( 'You are not allowed to train the brand voice.', 'contentcraft' ), 403 );
	}
	$posts = contentcraft_requested_posts( CONTENTCRAFT_BRAND_MAX );
	wp_enqueue_script( 'contentcraft-brand', plugins_url( 'assets/brand.js', CONTENTCRAFT_FILE ),
		array( 'wp-api-fetch' ), CONTENTCRAFT_VERSION, true );
	contentcraft_add_script_settings( 'contentcraft-brand' );
	wp_enqueue_style( 'contentcraft-admin' );
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Brand voice', 'contentcraft' ); ?></h1>
		<?php if ( ! $posts ) : ?>
			<p><?php esc_html_e( 'Choose posts that sound like your brand under Posts → All Posts, then pick "Train brand voice from these posts" from the bulk actions.', 'contentcraft' ); ?></p>
		<?php else : ?>
			<p><?php echo esc_html( sprintf(
				/* translators: %d: number of posts */
				_n( 'The text of %d post is sent to ContentCraft as a sample of your brand\'s writing; the model then describes the voice, and every later generation with this profile follows it.', 'The text of %d posts is sent to ContentCraft as samples of your brand\'s writing; the model then describes the voice, and every later generation with this profile follows it.', count( $posts ), 'contentcraft' ),
				count( $posts ) ) ); ?></p>
			<ul class="contentcraft-brand-posts">
				<?php foreach ( $posts as $post ) : ?>
					<li data-id="<?php echo esc_attr( $post->ID ); ?>"><?php echo esc_html( get_the_title( $post ) ); ?></li>
				<?php endforeach; ?>
			</ul>
			<div id="contentcraft-brand" data-ids="<?php echo esc_attr( implode( ',', wp_list_pluck( $posts, 'ID' ) ) ); ?>">
				<p><label for="contentcraft-brand-profile"><?php esc_html_e( 'Brand profile', 'contentcraft' ); ?></label>
					<input type="text" class="regular-text" id="contentcraft-brand-profile" maxlength="80"
						value="<?php echo esc_attr( contentcraft_brand_profile() ); ?>" /></p>
				<p><button type="button" class="button button-primary" id="contentcraft-brand-train"><?php esc_html_e( 'Train brand voice', 'contentcraft' ); ?></button></p>
				<p id="contentcraft-brand-status" role="status" aria-live="polite"></p>
				<div id="contentcraft-brand-result" class="contentcraft-card" hidden>
					<p class="contentcraft-brand-description"></p>
					<h2><?php esc_html_e( 'Do', 'contentcraft' ); ?></h2>
					<ul class="contentcraft-brand-do"></ul>
					<h2><?php esc_html_e( 'Don\'t', 'contentcraft' ); ?></h2>
					<ul class="contentcraft-brand-dont"></ul>
				</div>
			</div>
		<?php endif; ?>
	</div>
	<?php
}
