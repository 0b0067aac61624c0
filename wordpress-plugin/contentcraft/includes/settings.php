<?php
/**
 * Settings: the API base URL, the API token (encrypted at rest, never printed back), default tone and
 * language, and a connection test. URL and token are also settable by script through /wp/v2/settings.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_TOKEN_PREFIX = 'ccenc1:';
const CONTENTCRAFT_TOKEN_MASK   = '********';
const CONTENTCRAFT_LANGUAGES    = array( 'en', 'fa', 'ar', 'de', 'es', 'fr', 'it', 'ja', 'ko', 'zh' );

/** 32-byte key derived (HKDF-SHA256) from the site's auth salts: a database dump alone cannot decrypt. */
function contentcraft_token_key() {
	return hash_hkdf( 'sha256', wp_salt( 'auth' ) . wp_salt( 'secure_auth' ), SODIUM_CRYPTO_SECRETBOX_KEYBYTES,
		'contentcraft-api-token' );
}

/** Token → "ccenc1:" + base64(nonce + secretbox); '' stays ''. */
function contentcraft_encrypt_token( $plain ) {
	if ( '' === $plain ) {
		return '';
	}
	$nonce = random_bytes( SODIUM_CRYPTO_SECRETBOX_NONCEBYTES );
	return CONTENTCRAFT_TOKEN_PREFIX . base64_encode( $nonce . sodium_crypto_secretbox( $plain, $nonce, contentcraft_token_key() ) );
}

/** The stored token in clear, or '' when none is set or the salts changed since it was saved. */
function contentcraft_api_token() {
	return contentcraft_decrypt_token( (string) get_option( 'contentcraft_api_token', '' ) );
}

/** Ciphertext from contentcraft_encrypt_token() → the token, or '' if it is not one (or the key changed). */
function contentcraft_decrypt_token( $stored ) {
	if ( 0 !== strpos( $stored, CONTENTCRAFT_TOKEN_PREFIX ) ) {
		return '';
	}
	$raw = base64_decode( substr( $stored, strlen( CONTENTCRAFT_TOKEN_PREFIX ) ), true );
	if ( false === $raw || strlen( $raw ) <= SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ) {
		return '';
	}
	$plain = sodium_crypto_secretbox_open( substr( $raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ),
		substr( $raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES ), contentcraft_token_key() );
	return false === $plain ? '' : $plain;
}

/** The API base URL without a trailing slash ('' when not configured). */
function contentcraft_api_url() {
	return untrailingslashit( (string) get_option( 'contentcraft_api_url', '' ) );
}

/** Encrypts a new token; an empty or masked submission keeps the stored one (it is never shown). */
function contentcraft_sanitize_token( $value ) {
	$value = trim( (string) $value );
	if ( '' === $value || CONTENTCRAFT_TOKEN_MASK === $value ) {
		return (string) get_option( 'contentcraft_api_token', '' );
	}
	// WordPress sanitizes twice when the option is first added (update_option, then add_option).
	if ( '' !== contentcraft_decrypt_token( $value ) ) {
		return $value;
	}
	return contentcraft_encrypt_token( sanitize_text_field( $value ) );
}

/** Keeps only http(s) URLs. */
function contentcraft_sanitize_url( $value ) {
	$url = esc_url_raw( trim( (string) $value ), array( 'http', 'https' ) );
	return untrailingslashit( $url );
}

add_action( 'init', 'contentcraft_register_settings' );
add_action( 'rest_api_init', 'contentcraft_register_settings' );
add_action( 'admin_init', 'contentcraft_register_settings' );

/** Registers the options for the settings screen and, for URL and token, for /wp/v2/settings. */
function contentcraft_register_settings() {
	static $done = false;
	if ( $done ) {
		return;
	}
	$done = true;
	register_setting( 'contentcraft', 'contentcraft_api_url', array(
		'type'              => 'string',
		'description'       => __( 'ContentCraft API base URL', 'contentcraft' ),
		'sanitize_callback' => 'contentcraft_sanitize_url',
		'show_in_rest'      => array( 'schema' => array( 'format' => 'uri' ) ),
		'default'           => '',
	) );
	register_setting( 'contentcraft', 'contentcraft_api_token', array(
		'type'              => 'string',
		'description'       => __( 'ContentCraft API token (write-only)', 'contentcraft' ),
		'sanitize_callback' => 'contentcraft_sanitize_token',
		'show_in_rest'      => true,
		'default'           => '',
	) );
	register_setting( 'contentcraft', 'contentcraft_default_tone', array(
		'type'              => 'string',
		'sanitize_callback' => 'sanitize_text_field',
		'default'           => 'professional',
	) );
	register_setting( 'contentcraft', 'contentcraft_brand_profile', array(
		'type'              => 'string',
		'description'       => __( 'ContentCraft brand profile to write in and to train', 'contentcraft' ),
		'sanitize_callback' => function ( $value ) {
			return true === contentcraft_validate_profile_name( $value ) ? contentcraft_clean_profile_name( $value )
				: (string) get_option( 'contentcraft_brand_profile', '' );
		},
		'default'           => '',
	) );
	register_setting( 'contentcraft', 'contentcraft_default_language', array(
		'type'              => 'string',
		'sanitize_callback' => function ( $value ) {
			return in_array( $value, CONTENTCRAFT_LANGUAGES, true ) ? $value : 'en';
		},
		'default'           => 'en',
	) );
}

// Write-only over REST: a GET (or the answer to a POST) says only whether a token is set.
add_filter( 'rest_pre_get_setting', function ( $value, $name ) {
	if ( 'contentcraft_api_token' === $name ) {
		return '' === contentcraft_api_token() ? '' : CONTENTCRAFT_TOKEN_MASK;
	}
	return $value;
}, 10, 2 );

add_action( 'admin_menu', function () {
	add_menu_page( __( 'ContentCraft', 'contentcraft' ), __( 'ContentCraft', 'contentcraft' ), 'edit_posts',
		'contentcraft-bulk', 'contentcraft_render_bulk_page', 'dashicons-edit-large', 26 );
	add_submenu_page( 'contentcraft-bulk', __( 'Bulk Generator', 'contentcraft' ), __( 'Bulk Generator', 'contentcraft' ),
		'edit_posts', 'contentcraft-bulk', 'contentcraft_render_bulk_page' );
	add_submenu_page( 'contentcraft-bulk', __( 'Brand voice', 'contentcraft' ), __( 'Brand voice', 'contentcraft' ),
		CONTENTCRAFT_BRAND_CAPABILITY, 'contentcraft-brand', 'contentcraft_render_brand_page' );
	add_submenu_page( 'contentcraft-bulk', __( 'Usage', 'contentcraft' ), __( 'Usage', 'contentcraft' ),
		'edit_posts', 'contentcraft-usage', 'contentcraft_render_usage_page' );
	add_submenu_page( 'contentcraft-bulk', __( 'ContentCraft settings', 'contentcraft' ), __( 'Settings', 'contentcraft' ),
		'manage_options', 'contentcraft-settings', 'contentcraft_render_settings_page' );
} );

/** The settings screen (manage_options). */
function contentcraft_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You are not allowed to change ContentCraft settings.', 'contentcraft' ), 403 );
	}
	wp_enqueue_script( 'contentcraft-settings', plugins_url( 'assets/settings.js', CONTENTCRAFT_FILE ),
		array( 'wp-api-fetch' ), CONTENTCRAFT_VERSION, true );
	contentcraft_add_script_settings( 'contentcraft-settings' );
	$has_token = '' !== contentcraft_api_token();
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'ContentCraft settings', 'contentcraft' ); ?></h1>
		<form method="post" action="options.php">
			<?php settings_fields( 'contentcraft' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="contentcraft_api_url"><?php esc_html_e( 'API base URL', 'contentcraft' ); ?></label></th>
					<td><input type="url" class="regular-text code" id="contentcraft_api_url" name="contentcraft_api_url"
						value="<?php echo esc_attr( contentcraft_api_url() ); ?>" placeholder="https://contentcraft.example.com" />
						<p class="description"><?php esc_html_e( 'The address of your ContentCraft server, without /api.', 'contentcraft' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="contentcraft_api_token"><?php esc_html_e( 'API token', 'contentcraft' ); ?></label></th>
					<td><input type="password" class="regular-text" id="contentcraft_api_token" name="contentcraft_api_token"
						value="" autocomplete="new-password" />
						<p class="description"><?php echo $has_token
							? esc_html__( 'A token is saved (encrypted). Leave empty to keep it.', 'contentcraft' )
							: esc_html__( 'Create one in ContentCraft with: python -m core tokens create EMAIL --name wordpress', 'contentcraft' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="contentcraft_default_tone"><?php esc_html_e( 'Default tone', 'contentcraft' ); ?></label></th>
					<td><input type="text" class="regular-text" id="contentcraft_default_tone" name="contentcraft_default_tone"
						value="<?php echo esc_attr( get_option( 'contentcraft_default_tone', 'professional' ) ); ?>" /></td>
				</tr>
				<tr>
					<th scope="row"><label for="contentcraft_brand_profile"><?php esc_html_e( 'Brand profile', 'contentcraft' ); ?></label></th>
					<td><input type="text" class="regular-text" id="contentcraft_brand_profile" name="contentcraft_brand_profile" maxlength="80"
						value="<?php echo esc_attr( get_option( 'contentcraft_brand_profile', '' ) ); ?>" />
						<p class="description"><?php esc_html_e( 'The ContentCraft brand voice every generation here follows, and the one "Train brand voice from these posts" teaches. Leave empty for none.', 'contentcraft' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="contentcraft_default_language"><?php esc_html_e( 'Default language', 'contentcraft' ); ?></label></th>
					<td><select id="contentcraft_default_language" name="contentcraft_default_language">
						<?php foreach ( contentcraft_language_names() as $code => $label ) : ?>
							<option value="<?php echo esc_attr( $code ); ?>" <?php selected( get_option( 'contentcraft_default_language', 'en' ), $code ); ?>><?php echo esc_html( $label ); ?></option>
						<?php endforeach; ?>
					</select></td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
		<h2><?php esc_html_e( 'Connection', 'contentcraft' ); ?></h2>
		<p><button type="button" class="button" id="contentcraft-test-connection"><?php esc_html_e( 'Test connection', 'contentcraft' ); ?></button>
			<span id="contentcraft-connection-result" role="status"></span></p>
	</div>
	<?php
}

/** Language codes the API accepts → names in the admin's language. */
function contentcraft_language_names() {
	return array(
		'en' => __( 'English', 'contentcraft' ),
		'fa' => __( 'Persian', 'contentcraft' ),
		'ar' => __( 'Arabic', 'contentcraft' ),
		'de' => __( 'German', 'contentcraft' ),
		'es' => __( 'Spanish', 'contentcraft' ),
		'fr' => __( 'French', 'contentcraft' ),
		'it' => __( 'Italian', 'contentcraft' ),
		'ja' => __( 'Japanese', 'contentcraft' ),
		'ko' => __( 'Korean', 'contentcraft' ),
		'zh' => __( 'Chinese', 'contentcraft' ),
	);
}
