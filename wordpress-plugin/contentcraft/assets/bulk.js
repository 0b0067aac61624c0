/* Bulk Generator: sends the posts in chunks to bulk/process, moves the progress bar, reports the totals. */
( function ( wp, settings ) {
	'use strict';
	var S = settings.i18n;
	var root = document.getElementById( 'contentcraft-bulk' );
	if ( ! root ) {
		return;
	}
	var ids = root.getAttribute( 'data-ids' ).split( ',' ).map( Number ).filter( Boolean );
	var chunk = parseInt( root.getAttribute( 'data-chunk' ), 10 ) || 2;
	var bar = document.getElementById( 'contentcraft-bulk-progress' );
	var percent = document.getElementById( 'contentcraft-bulk-percent' );
	var report = document.getElementById( 'contentcraft-bulk-report' );
	var start = document.getElementById( 'contentcraft-bulk-start' );

	function mark( id, ok, text ) {
		var state = document.querySelector( '.contentcraft-bulk-posts li[data-id="' + id + '"] .contentcraft-bulk-state' );
		if ( state ) {
			state.textContent = '— ' + ( ok ? S.done : S.error + ( text ? ': ' + text : '' ) );
		}
	}

	function show( done, succeeded, failed ) {
		var value = Math.round( ( 100 * done ) / ids.length );
		bar.value = value;
		percent.textContent = value + ' %';
		report.textContent = S.report.replace( '%1$d', succeeded ).replace( '%2$d', failed );
	}

	start.addEventListener( 'click', function () {
		start.disabled = true;
		var length = document.getElementById( 'contentcraft-bulk-length' ).value;
		var done = 0, succeeded = 0, failed = 0;
		function next( offset ) {
			if ( offset >= ids.length ) {
				root.setAttribute( 'data-finished', '1' );
				return;
			}
			var batch = ids.slice( offset, offset + chunk );
			wp.apiFetch( { path: '/contentcraft/v1/bulk/process', method: 'POST', data: { ids: batch, length: length } } )
				.then( function ( answer ) {
					answer.results.forEach( function ( row ) {
						mark( row.id, row.success, row.error );
					} );
					succeeded += answer.succeeded;
					failed += answer.failed;
				} )
				.catch( function ( error ) {
					// The whole chunk failed (network, nonce): count each post as failed and go on.
					batch.forEach( function ( id ) {
						mark( id, false, error && error.message );
					} );
					failed += batch.length;
				} )
				.then( function () {
					done += batch.length;
					show( done, succeeded, failed );
					next( offset + chunk );
				} );
		}
		next( 0 );
	} );
} )( window.wp, window.contentcraftSettings );
