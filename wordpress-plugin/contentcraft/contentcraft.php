<?php
/**
 * Plugin Name:       ContentCraft
 * Description:       Generate SEO blog posts and WooCommerce product descriptions with your ContentCraft server, inside WordPress.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            ContentCraft
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       contentcraft
 * Domain Path:       /languages
 *
 * A thin client of the ContentCraft headless API (POST /api/content/generate, /api/product/generate,
 * GET /api/health): generation, review and analytics stay on the ContentCraft server; this plugin
 * brings the Studio, the Product Writer and the Bulk Generator into wp-admin.
 */

defined( 'ABSPATH' ) || exit;

define( 'CONTENTCRAFT_VERSION', '1.0.0' );
define( 'CONTENTCRAFT_FILE', __FILE__ );
define( 'CONTENTCRAFT_DIR', __DIR__ );

// The connector's duties (meta registration, JSON-LD in <head>, idempotency-key lookup): the same file
// as the stand-alone mu-plugin, so a site with both loads it once.
require_once __DIR__ . '/includes/connector.php';
require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/logs.php';
require_once __DIR__ . '/includes/api-client.php';
require_once __DIR__ . '/includes/rest.php';
require_once __DIR__ . '/includes/editor.php';
require_once __DIR__ . '/includes/bulk.php';
require_once __DIR__ . '/includes/brand.php';

register_activation_hook( __FILE__, 'contentcraft_activate' );

/** Creates the log table and the default options. */
function contentcraft_activate() {
	contentcraft_install_logs_table();
	add_option( 'contentcraft_default_tone', 'professional' );
	add_option( 'contentcraft_default_language', 'en' );
}

// Logical CSS properties (margin-inline-start, …): the same file is right in LTR and RTL admins.
add_action( 'admin_enqueue_scripts', function () {
	wp_register_style( 'contentcraft-admin', plugins_url( 'assets/admin.css', __FILE__ ), array(), CONTENTCRAFT_VERSION );
} );

add_action( 'init', function () {
	load_plugin_textdomain( 'contentcraft', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
} );
