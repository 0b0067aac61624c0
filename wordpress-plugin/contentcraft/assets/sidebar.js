/* ContentCraft sidebar for the block editor: plain JS on WordPress core's wp.* packages (no build step). */
( function ( wp, settings ) {
	'use strict';
	var el = wp.element.createElement;
	var useState = wp.element.useState;
	var c = wp.components;
	var S = settings.i18n;

	function options( map ) {
		return Object.keys( map ).map( function ( value ) {
			return { value: value, label: map[ value ] };
		} );
	}

	function insert( data ) {
		var editor = wp.data.dispatch( 'core/editor' );
		var meta = { contentcraft_seo_title: data.meta.seo_title, contentcraft_meta_desc: data.meta.meta_desc };
		if ( data.schema_ld_json ) {
			meta.contentcraft_schema_ld_json = JSON.stringify( data.schema_ld_json );
		}
		var edits = { title: data.title, excerpt: data.excerpt, meta: meta };
		if ( data.meta.slug ) {
			edits.slug = data.meta.slug;
		}
		editor.editPost( edits );
		// The body becomes core blocks (headings, paragraphs, lists), as if pasted.
		var blocks = wp.blocks.rawHandler( { HTML: data.body_html } );
		wp.data.dispatch( 'core/block-editor' ).insertBlocks( blocks );
	}

	function Panel() {
		var form = useState( { topic: '', keywords: '', tone: settings.tone, length: 'medium', language: settings.language } );
		var state = useState( { busy: false, error: '', result: null, notice: '' } );
		var values = form[ 0 ];
		var status = state[ 0 ];
		var setStatus = state[ 1 ];
		function field( name ) {
			return function ( value ) {
				var next = Object.assign( {}, values );
				next[ name ] = value;
				form[ 1 ]( next );
			};
		}
		function generate() {
			setStatus( { busy: true, error: '', result: null, notice: '' } );
			var postId = wp.data.select( 'core/editor' ).getCurrentPostId();
			wp.apiFetch( { path: '/contentcraft/v1/content/generate', method: 'POST',
				data: Object.assign( { post_id: postId }, values ) } )
				.then( function ( answer ) {
					setStatus( { busy: false, error: '', result: answer.data, notice: '' } );
				} )
				.catch( function ( error ) {
					setStatus( { busy: false, error: ( error && error.message ) || S.failed, result: null, notice: '' } );
				} );
		}
		var result = status.result;
		var children = [
			! settings.configured && el( c.Notice, { status: 'warning', isDismissible: false, key: 'n' }, S.notSet ),
			el( c.TextControl, { key: 't', label: S.topic, value: values.topic, onChange: field( 'topic' ), className: 'contentcraft-topic' } ),
			el( c.TextControl, { key: 'k', label: S.keywords, value: values.keywords, onChange: field( 'keywords' ), className: 'contentcraft-keywords' } ),
			el( c.TextControl, { key: 'o', label: S.tone, value: values.tone, onChange: field( 'tone' ) } ),
			el( c.SelectControl, { key: 'l', label: S.length, value: values.length, onChange: field( 'length' ),
				options: [ { value: 'short', label: S.short }, { value: 'medium', label: S.medium }, { value: 'long', label: S.long } ] } ),
			el( c.SelectControl, { key: 'g', label: S.language, value: values.language, onChange: field( 'language' ),
				options: options( settings.languages ) } ),
			el( c.Button, { key: 'b', variant: 'primary', isBusy: status.busy, disabled: status.busy,
				onClick: generate, className: 'contentcraft-generate' }, S.generate ),
			status.busy && el( 'p', { key: 'w', role: 'status' }, el( c.Spinner ), S.generating ),
			status.error && el( c.Notice, { key: 'e', status: 'error', isDismissible: false, className: 'contentcraft-error' }, status.error ),
			status.notice && el( c.Notice, { key: 'd', status: 'success', isDismissible: false }, status.notice ),
		];
		if ( result ) {
			children.push( el( 'div', { key: 'r', className: 'contentcraft-preview' },
				el( 'h3', null, result.title ),
				el( 'p', null, el( 'strong', null, S.excerpt + ': ' ), result.excerpt ),
				el( 'p', null, el( 'strong', null, S.seoTitle + ': ' ), result.meta.seo_title ),
				el( 'p', null, el( 'strong', null, S.metaDesc + ': ' ), result.meta.meta_desc ),
				// body_html was filtered with wp_kses_post on the server.
				el( wp.element.RawHTML, { className: 'contentcraft-preview-body' }, result.body_html ),
				el( c.Button, { variant: 'primary', className: 'contentcraft-insert', onClick: function () {
					insert( result );
					setStatus( { busy: false, error: '', result: null, notice: S.inserted } );
				} }, S.insert ) ) );
		}
		return el( c.PanelBody, { className: 'contentcraft-panel' }, children );
	}

	wp.plugins.registerPlugin( 'contentcraft', {
		icon: 'edit-large',
		render: function () {
			return el( wp.element.Fragment, null,
				el( wp.editPost.PluginSidebarMoreMenuItem, { target: 'contentcraft-sidebar' }, S.panel ),
				el( wp.editPost.PluginSidebar, { name: 'contentcraft-sidebar', title: S.panel }, el( Panel ) ) );
		},
	} );
} )( window.wp, window.contentcraftSettings );
