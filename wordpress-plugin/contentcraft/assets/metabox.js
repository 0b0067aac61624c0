/* The classic editor's Studio meta box and the WooCommerce Product Writer: generate, then fill the form. */
( function ( wp, settings ) {
	'use strict';
	var S = settings.i18n;

	function setField( id, value ) {
		var node = document.getElementById( id );
		if ( node ) {
			node.value = value;
			node.dispatchEvent( new Event( 'change', { bubbles: true } ) );
		}
	}

	function setEditor( id, html ) {
		var editor = window.tinymce && window.tinymce.get( id );
		if ( editor && ! editor.isHidden() ) {
			editor.setContent( html );
		}
		setField( id, html );
	}

	function fill( box, kind, data ) {
		box.querySelectorAll( '[data-target]' ).forEach( function ( input ) {
			var key = input.getAttribute( 'data-target' );
			input.value = key === 'image_alt_text' ? data.image_alt_text : data.meta[ key ];
		} );
		if ( kind === 'blog' ) {
			setField( 'title', data.title );
			setField( 'excerpt', data.excerpt );
			setEditor( 'content', data.body_html );
		} else {
			setField( 'title', data.title );
			setEditor( 'content', data.description_html );
			setEditor( 'excerpt', data.short_description );
		}
	}

	document.querySelectorAll( '.contentcraft-box' ).forEach( function ( box ) {
		var kind = box.getAttribute( 'data-kind' );
		var status = box.querySelector( '.contentcraft-status' );
		var button = box.querySelector( '.contentcraft-generate' );
		button.addEventListener( 'click', function () {
			var data = {};
			box.querySelectorAll( '[data-field]' ).forEach( function ( input ) {
				data[ input.getAttribute( 'data-field' ) ] = input.value;
			} );
			data[ kind === 'blog' ? 'post_id' : 'product_id' ] = parseInt( box.getAttribute( 'data-post-id' ), 10 ) || 0;
			button.disabled = true;
			status.textContent = S.generating;
			wp.apiFetch( { path: '/contentcraft/v1/' + ( kind === 'blog' ? 'content' : 'product' ) + '/generate', method: 'POST', data: data } )
				.then( function ( answer ) {
					fill( box, kind, answer.data );
					status.textContent = S.filled;
				} )
				.catch( function ( error ) {
					status.textContent = ( error && error.message ) || S.failed;
				} )
				.then( function () {
					button.disabled = false;
				} );
		} );
	} );
} )( window.wp, window.contentcraftSettings );
