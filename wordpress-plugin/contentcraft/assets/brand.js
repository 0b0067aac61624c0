/* Brand voice screen: sends the chosen posts to contentcraft/v1/brand/train and shows the trained voice. */
( function ( wp, settings ) {
	'use strict';
	var S = settings.i18n;
	var root = document.getElementById( 'contentcraft-brand' );
	if ( ! root ) {
		return;
	}
	var ids = root.getAttribute( 'data-ids' ).split( ',' ).map( Number ).filter( Boolean );
	var button = document.getElementById( 'contentcraft-brand-train' );
	var status = document.getElementById( 'contentcraft-brand-status' );
	var result = document.getElementById( 'contentcraft-brand-result' );

	function list( selector, items ) {
		var node = result.querySelector( selector );
		node.textContent = '';
		items.forEach( function ( text ) {
			var li = document.createElement( 'li' );
			li.textContent = text;
			node.appendChild( li );
		} );
	}

	button.addEventListener( 'click', function () {
		var profile = document.getElementById( 'contentcraft-brand-profile' ).value;
		button.disabled = true;
		result.hidden = true;
		status.textContent = S.training;
		wp.apiFetch( { path: '/contentcraft/v1/brand/train', method: 'POST', data: { profile: profile, ids: ids } } )
			.then( function ( answer ) {
				status.textContent = answer.message;
				result.querySelector( '.contentcraft-brand-description' ).textContent = answer.data.description;
				list( '.contentcraft-brand-do', answer.data.rules_do );
				list( '.contentcraft-brand-dont', answer.data.rules_dont );
				result.hidden = false;
				root.setAttribute( 'data-finished', '1' );
			} )
			.catch( function ( error ) {
				status.textContent = ( error && error.message ) || S.failed;
			} )
			.then( function () {
				button.disabled = false;
			} );
	} );
} )( window.wp, window.contentcraftSettings );
