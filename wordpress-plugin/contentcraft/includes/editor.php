<?php
/**
 * Where writers generate: the block editor sidebar (assets/sidebar.js), the classic editor meta box and,
 * with WooCommerce, the Product Writer meta box (assets/metabox.js). Also the SEO meta they fill.
 */

defined( 'ABSPATH' ) || exit;

const CONTENTCRAFT_SEO_TITLE_META = 'contentcraft_seo_title';
const CONTENTCRAFT_META_DESC_META = 'contentcraft_meta_desc';

add_action( 'init', function () {
	foreach ( array( CONTENTCRAFT_SEO_TITLE_META, CONTENTCRAFT_META_DESC_META ) as $key ) {
		register_post_meta( '', $key, array(
			'type'              => 'string',
			'single'            => true,
			'show_in_rest'      => true,
			'sanitize_callback' => 'sanitize_text_field',
			'auth_callback'     => function ( $allowed, $meta_key, $post_id ) {
				return current_user_can( 'edit_post', $post_id );
			},
		) );
	}
} );

// Without an SEO plugin, the generated description and title reach the page through these.
add_action( 'wp_head', function () {
	if ( ! is_singular() || defined( 'WPSEO_VERSION' ) || class_exists( 'RankMath' ) ) {
		return;
	}
	$description = get_post_meta( get_queried_object_id(), CONTENTCRAFT_META_DESC_META, true );
	if ( '' !== (string) $description ) {
		echo '<meta name="description" content="' . esc_attr( $description ) . "\" />\n";
	}
}, 1 );
add_filter( 'pre_get_document_title', function ( $title ) {
	$seo = is_singular() ? (string) get_post_meta( get_queried_object_id(), CONTENTCRAFT_SEO_TITLE_META, true ) : '';
	return '' !== $seo ? $seo : $title;
} );

/** Settings the editor scripts need: defaults, labels of the languages, whether the API is set up. */
function contentcraft_script_settings() {
	return array(
		'tone'       => (string) get_option( 'contentcraft_default_tone', 'professional' ),
		'language'   => (string) get_option( 'contentcraft_default_language', 'en' ),
		'languages'  => contentcraft_language_names(),
		'configured' => '' !== contentcraft_api_url() && '' !== contentcraft_api_token(),
		'i18n'       => contentcraft_js_strings(),
	);
}

/** The scripts' strings, translated here so one .po covers PHP and JS (no JSON translation files). */
function contentcraft_js_strings() {
	return array(
		'panel'        => __( 'ContentCraft', 'contentcraft' ),
		'topic'        => __( 'Topic', 'contentcraft' ),
		'keywords'     => __( 'Keywords (comma-separated)', 'contentcraft' ),
		'tone'         => __( 'Tone', 'contentcraft' ),
		'length'       => __( 'Length', 'contentcraft' ),
		'short'        => __( 'Short', 'contentcraft' ),
		'medium'       => __( 'Medium', 'contentcraft' ),
		'long'         => __( 'Long', 'contentcraft' ),
		'language'     => __( 'Language', 'contentcraft' ),
		'generate'     => __( 'Generate', 'contentcraft' ),
		'generating'   => __( 'Generating… this can take a minute.', 'contentcraft' ),
		'insert'       => __( 'Insert into post', 'contentcraft' ),
		'inserted'     => __( 'Inserted. Review it, then save the draft.', 'contentcraft' ),
		'filled'       => __( 'Filled in. Review it, then save.', 'contentcraft' ),
		'seoTitle'     => __( 'SEO title', 'contentcraft' ),
		'metaDesc'     => __( 'Meta description', 'contentcraft' ),
		'excerpt'      => __( 'Excerpt', 'contentcraft' ),
		'notSet'       => __( 'ContentCraft is not connected yet: ask an administrator to set it up under ContentCraft → Settings.', 'contentcraft' ),
		'failed'       => __( 'Generation failed.', 'contentcraft' ),
		/* translators: 1: succeeded count, 2: failed count */
		'report'       => __( '%1$d succeeded, %2$d failed.', 'contentcraft' ),
		'done'         => __( 'Done', 'contentcraft' ),
		'error'        => __( 'Failed', 'contentcraft' ),
		'testing'      => __( 'Testing…', 'contentcraft' ),
		'training'     => __( 'Training the brand voice… this can take a minute.', 'contentcraft' ),
	);
}

add_action( 'enqueue_block_editor_assets', function () {
	$screen = get_current_screen();
	if ( ! $screen || 'post' !== $screen->base || ! current_user_can( 'edit_posts' ) || 'product' === $screen->post_type ) {
		return;
	}
	wp_enqueue_script( 'contentcraft-sidebar', plugins_url( 'assets/sidebar.js', CONTENTCRAFT_FILE ),
		array( 'wp-plugins', 'wp-edit-post', 'wp-element', 'wp-components', 'wp-data', 'wp-blocks', 'wp-api-fetch' ),
		CONTENTCRAFT_VERSION, true );
	contentcraft_add_script_settings( 'contentcraft-sidebar' );
} );

add_action( 'add_meta_boxes', function ( $post_type, $post ) {
	if ( 'product' === $post_type ) {
		// WooCommerce registers the product type and the edit_products capability.
		if ( current_user_can( 'edit_products' ) ) {
			add_meta_box( 'contentcraft-product-writer', __( 'ContentCraft Product Writer', 'contentcraft' ),
				'contentcraft_render_product_box', 'product', 'side' );
		}
		return;
	}
	// The block editor has the sidebar; the meta box is for the classic editor.
	if ( post_type_supports( $post_type, 'editor' ) && ! use_block_editor_for_post( $post ) ) {
		add_meta_box( 'contentcraft-studio', __( 'ContentCraft', 'contentcraft' ), 'contentcraft_render_studio_box',
			$post_type, 'side', 'high', array( '__back_compat_meta_box' => true ) );
	}
}, 10, 2 );

/** Enqueues assets/metabox.js for the classic Studio or the Product Writer. */
function contentcraft_enqueue_metabox_script() {
	wp_enqueue_script( 'contentcraft-metabox', plugins_url( 'assets/metabox.js', CONTENTCRAFT_FILE ),
		array( 'wp-api-fetch' ), CONTENTCRAFT_VERSION, true );
	contentcraft_add_script_settings( 'contentcraft-metabox' );
}

/** window.contentcraftSettings for $handle (JSON with <, > and & escaped, so safe inside <script>). */
function contentcraft_add_script_settings( $handle ) {
	static $added = array();
	if ( empty( $added[ $handle ] ) ) {
		$added[ $handle ] = true;
		wp_add_inline_script( $handle, 'window.contentcraftSettings = ' . wp_json_encode( contentcraft_script_settings(),
			JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ) . ';', 'before' );
	}
}

/** The classic editor's Studio form: fills title, content, excerpt and the SEO fields. */
function contentcraft_render_studio_box( $post ) {
	contentcraft_enqueue_metabox_script();
	$post_title = 'auto-draft' === $post->post_status ? '' : $post->post_title;
	?>
	<div class="contentcraft-box" data-kind="blog" data-post-id="<?php echo esc_attr( $post->ID ); ?>">
		<p><label for="contentcraft-topic"><?php esc_html_e( 'Topic', 'contentcraft' ); ?></label>
			<input type="text" class="widefat" id="contentcraft-topic" data-field="topic" value="<?php echo esc_attr( $post_title ); ?>" /></p>
		<p><label for="contentcraft-keywords"><?php esc_html_e( 'Keywords (comma-separated)', 'contentcraft' ); ?></label>
			<input type="text" class="widefat" id="contentcraft-keywords" data-field="keywords" /></p>
		<?php contentcraft_render_common_fields( 'blog' ); ?>
		<p><label for="contentcraft-length"><?php esc_html_e( 'Length', 'contentcraft' ); ?></label>
			<select id="contentcraft-length" data-field="length">
				<option value="short"><?php esc_html_e( 'Short', 'contentcraft' ); ?></option>
				<option value="medium" selected><?php esc_html_e( 'Medium', 'contentcraft' ); ?></option>
				<option value="long"><?php esc_html_e( 'Long', 'contentcraft' ); ?></option>
			</select></p>
		<p><label for="contentcraft-seo-title"><?php esc_html_e( 'SEO title', 'contentcraft' ); ?></label>
			<input type="text" class="widefat" id="contentcraft-seo-title" name="contentcraft_seo_title" data-target="seo_title"
				value="<?php echo esc_attr( get_post_meta( $post->ID, CONTENTCRAFT_SEO_TITLE_META, true ) ); ?>" /></p>
		<p><label for="contentcraft-meta-desc"><?php esc_html_e( 'Meta description', 'contentcraft' ); ?></label>
			<textarea class="widefat" id="contentcraft-meta-desc" name="contentcraft_meta_desc" data-target="meta_desc" rows="3"><?php
				echo esc_textarea( get_post_meta( $post->ID, CONTENTCRAFT_META_DESC_META, true ) ); ?></textarea></p>
		<?php wp_nonce_field( 'contentcraft_meta_' . $post->ID, 'contentcraft_meta_nonce' ); ?>
		<p><button type="button" class="button button-primary contentcraft-generate"><?php esc_html_e( 'Generate', 'contentcraft' ); ?></button></p>
		<div class="contentcraft-status" role="status" aria-live="polite"></div>
	</div>
	<?php
}

/** Tone and language fields shared by both boxes. */
function contentcraft_render_common_fields( $kind ) {
	$default_tone = 'product' === $kind ? 'persuasive' : (string) get_option( 'contentcraft_default_tone', 'professional' );
	?>
	<p><label for="contentcraft-tone"><?php esc_html_e( 'Tone', 'contentcraft' ); ?></label>
		<input type="text" class="widefat" id="contentcraft-tone" data-field="tone" value="<?php echo esc_attr( $default_tone ); ?>" /></p>
	<p><label for="contentcraft-language"><?php esc_html_e( 'Language', 'contentcraft' ); ?></label>
		<select id="contentcraft-language" data-field="language">
		<?php foreach ( contentcraft_language_names() as $code => $label ) : ?>
			<option value="<?php echo esc_attr( $code ); ?>" <?php selected( get_option( 'contentcraft_default_language', 'en' ), $code ); ?>><?php echo esc_html( $label ); ?></option>
		<?php endforeach; ?>
		</select></p>
	<?php
}

/** The Product Writer: generates from the product's name, categories and attributes. */
function contentcraft_render_product_box( $post ) {
	contentcraft_enqueue_metabox_script();
	?>
	<div class="contentcraft-box" data-kind="product" data-post-id="<?php echo esc_attr( $post->ID ); ?>">
		<p><label for="contentcraft-features"><?php esc_html_e( 'Features (comma-separated)', 'contentcraft' ); ?></label>
			<input type="text" class="widefat" id="contentcraft-features" data-field="features" /></p>
		<p><label for="contentcraft-audience"><?php esc_html_e( 'Audience', 'contentcraft' ); ?></label>
			<input type="text" class="widefat" id="contentcraft-audience" data-field="audience" /></p>
		<?php contentcraft_render_common_fields( 'product' ); ?>
		<input type="hidden" name="contentcraft_seo_title" data-target="seo_title"
			value="<?php echo esc_attr( get_post_meta( $post->ID, CONTENTCRAFT_SEO_TITLE_META, true ) ); ?>" />
		<input type="hidden" name="contentcraft_meta_desc" data-target="meta_desc"
			value="<?php echo esc_attr( get_post_meta( $post->ID, CONTENTCRAFT_META_DESC_META, true ) ); ?>" />
		<input type="hidden" name="contentcraft_image_alt" data-target="image_alt_text" value="" />
		<?php wp_nonce_field( 'contentcraft_meta_' . $post->ID, 'contentcraft_meta_nonce' ); ?>
		<p><button type="button" class="button button-primary contentcraft-generate"><?php esc_html_e( 'Write description', 'contentcraft' ); ?></button></p>
		<div class="contentcraft-status" role="status" aria-live="polite"></div>
	</div>
	<?php
}

// The meta boxes' SEO fields (and the product image's alt text) are saved with the post.
add_action( 'save_post', function ( $post_id ) {
	if ( ! isset( $_POST['contentcraft_meta_nonce'] ) || defined( 'DOING_AUTOSAVE' ) && DOING_AUTOSAVE
		|| ! wp_verify_nonce( sanitize_key( $_POST['contentcraft_meta_nonce'] ), 'contentcraft_meta_' . $post_id )
		|| ! current_user_can( 'edit_post', $post_id ) ) {
		return;
	}
	foreach ( array( 'contentcraft_seo_title' => CONTENTCRAFT_SEO_TITLE_META, 'contentcraft_meta_desc' => CONTENTCRAFT_META_DESC_META ) as $field => $key ) {
		if ( isset( $_POST[ $field ] ) ) {
			update_post_meta( $post_id, $key, sanitize_text_field( wp_unslash( $_POST[ $field ] ) ) );
		}
	}
	$thumbnail = get_post_thumbnail_id( $post_id );
	if ( $thumbnail && ! empty( $_POST['contentcraft_image_alt'] ) ) {
		update_post_meta( $thumbnail, '_wp_attachment_image_alt', sanitize_text_field( wp_unslash( $_POST['contentcraft_image_alt'] ) ) );
	}
} );
