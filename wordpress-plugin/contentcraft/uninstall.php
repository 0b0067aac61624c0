<?php
/**
 * Removes everything the plugin stored: its options and the {prefix}contentcraft_logs table.
 * Post meta (SEO fields, JSON-LD) stays: it belongs to the posts.
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

foreach ( array( 'contentcraft_api_url', 'contentcraft_api_token', 'contentcraft_default_tone',
	'contentcraft_default_language', 'contentcraft_brand_profile', 'contentcraft_db_version' ) as $contentcraft_option ) {
	delete_option( $contentcraft_option );
}
global $wpdb;
$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}contentcraft_logs" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
