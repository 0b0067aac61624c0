"""Publishing to WordPress and WooCommerce, and internal links from a site's own posts.

Sites (with encrypted credentials) live in `sites`, the REST client in `client`, exactly-once
publishing in `publish`, WooCommerce in `woocommerce`, link suggestions in `links`. Real sites
should install the connector in `wp-plugin/contentcraft-connector.php` as a must-use plugin.
"""

from .links import Suggestion, insert_links, rank_posts, site_posts, suggest_links
from .publications import publication_for, publications
from .publish import PublishOptions, PublishResult, publish, publish_many, save_internal_links, slug_warnings
from .sites import (ConnectionReport, add_site, check_connection, get_site, list_sites, remove_site,
                    site_choices, site_time_zone, update_credentials)
from .woocommerce import push_product

__all__ = ["ConnectionReport", "PublishOptions", "PublishResult", "Suggestion", "add_site", "check_connection",
           "get_site", "insert_links", "list_sites", "publication_for", "publications", "publish", "publish_many",
           "push_product", "rank_posts", "remove_site", "save_internal_links", "site_choices", "site_posts", "site_time_zone", "slug_warnings",
           "suggest_links", "update_credentials"]
