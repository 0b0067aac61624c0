/* Settings screen: the "Test connection" button (POST contentcraft/v1/connection/test). */
( function ( wp, settings ) {
	'use strict';
	var button = document.getElementById( 'contentcraft-test-connection' );
	var result = document.getElementById( 'contentcraft-connection-result' );
	if ( ! button ) {
		return;
	}
	button.addEventListener( 'click', function () {
		result.textContent = settings.i18n.testing;
		wp.apiFetch( { path: '/contentcraft/v1/connection/test', method: 'POST' } )
			.then( function ( answer ) {
				result.textContent = answer.message;
			} )
			.catch( function ( error ) {
				result.textContent = ( error && error.message ) || settings.i18n.failed;
			} );
	} );
} )( window.wp, window.contentcraftSettings );
