"""WooCommerce's own product export as a bulk file, and the round trip: export → generate → import / publish.

WooCommerce itself is a WordPress plugin that is not packaged for Debian or any registry this machine
reaches, so the store side is tests/woo_contract_server.py: its REST products endpoints and, for
Products → Import, WC_Product_CSV_Importer's column contract. The export files are written the way
WC_Product_CSV_Exporter writes them (BOM, its column names and translations, "\\n", "\\,", " > ").
"""

import codecs
import csv
import io

import pytest
from cryptography.fernet import Fernet

from core import config, workflow
from core.bulk import jobs, validation
from core.bulk.export import to_woocommerce_csv
from core.bulk.worker import run_job, stop_all
from core.bulk.woo_csv import IMPORT_HEADER
from core.errors import ValidationFailedError
from core.wordpress import add_site, push_product
from tests.samples import product_draft
from tests.woo_contract_server import WooContractServer
from tests.wordpress.harness import make_users

HEADERS = {  # WooCommerce's column names in the languages it exports in
    "en": ["ID", "Type", "SKU", "GTIN, UPC, EAN, or ISBN", "Name", "Published", "Short description", "Description",
           "Regular price", "Categories", "Tags", "Images", "Parent", "Attribute 1 name", "Attribute 1 value(s)",
           "Attribute 1 visible", "Attribute 1 global", "Attribute 2 name", "Attribute 2 value(s)",
           "Attribute 2 visible", "Attribute 2 global", "Meta: _yoast_wpseo_focuskw"],
    "de": ["ID", "Typ", "Artikelnummer", "GTIN, UPC, EAN oder ISBN", "Name", "Veröffentlicht", "Kurzbeschreibung",
           "Beschreibung", "Regulärer Preis", "Kategorien", "Schlagwörter", "Bilder", "Übergeordnetes Produkt",
           "Attribut 1 Name", "Attribut 1 Wert(e)", "Attribut 1 Sichtbar", "Attribut 1 Global", "Attribut 2 Name",
           "Attribut 2 Wert(e)", "Attribut 2 Sichtbar", "Attribut 2 Global", "Meta: _yoast_wpseo_focuskw"],
    "es": ["ID", "Tipo", "SKU", "GTIN, UPC, EAN o ISBN", "Nombre", "Publicado", "Descripción corta", "Descripción",
           "Precio normal", "Categorías", "Etiquetas", "Imágenes", "Superior", "Nombre del atributo 1",
           "Valor(es) del atributo 1", "Atributo visible 1", "Atributo global 1", "Nombre del atributo 2",
           "Valor(es) del atributo 2", "Atributo visible 2", "Atributo global 2", "Meta: _yoast_wpseo_focuskw"],
    "fr": ["ID", "Type", "UGS", "GTIN, UPC, EAN ou ISBN", "Nom", "Publié", "Description courte", "Description",
           "Tarif régulier", "Catégories", "Étiquettes", "Images", "Parent", "Attribut 1 nom", "Attribut 1 valeur(s)",
           "Attribut 1 visible", "Attribut 1 global", "Attribut 2 nom", "Attribut 2 valeur(s)", "Attribut 2 visible",
           "Attribut 2 global", "Meta: _yoast_wpseo_focuskw"],
}
ROWS = [  # id, type, sku, name, short, description, categories, parent, attribute 1, attribute 2
    ("101", "simple", "TF-1", "TrailFlex shoe", "<p>A light shoe.</p>",
     "<p>Firm midsole for flat feet.</p>\\n<p>Breathable mesh.</p>", "Shoes > Running, Sale", "",
     ("Colour", "Blue, Red"), ("Material", "Mesh\\, recycled")),
    ("102", "variable", "HOOD", "Trail hoodie", "", "<p>Warm hoodie.</p>", "Clothing > Tops", "",
     ("Size", "S, M, L"), ("", "")),
    ("103", "variation", "HOOD-S", "Trail hoodie - S", "", "", "", "HOOD", ("Size", "S"), ("", "")),
    ("104", "variation, virtual", "", "Trail hoodie - M", "", "", "", "id:102", ("Size", "M"), ("", "")),
    ("105", "external", "", "Partner GPS watch", "", "", "Gadgets", "", ("", ""), ("", "")),
    ("106", "grouped", "KIT", "Running kit", "Everything for a first 10k.", "", "Shoes > Running", "",
     ("", ""), ("", "")),
]


def woo_export(language: str = "en", rows=ROWS) -> bytes:
    """A product export as WooCommerce writes it (UTF-8 with BOM, fputcsv quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS[language])
    for pid, kind, sku, name, short, description, categories, parent, first, second in rows:
        writer.writerow([pid, kind, sku, "", name, "1", short, description, "59", categories, "running", "", parent,
                         first[0], first[1], "1" if first[0] else "", "0" if first[0] else "",
                         second[0], second[1], "1" if second[0] else "", "0" if second[0] else "", name.lower()])
    return codecs.BOM_UTF8 + out.getvalue().encode()


@pytest.mark.parametrize("language", ["en", "de", "es", "fr"])
def test_export_is_recognised_and_every_useful_column_mapped(language):
    report, rows = validation.scan(woo_export(language), "product")
    good = list(rows)
    header = HEADERS[language]
    assert report.woocommerce == language
    assert {field: header.index(column) for field, column in report.mapping.items()} == {
        "name": 4, "woo_product_id": 0, "sku": 2, "short_description": 6, "description": 7, "category": 9}
    assert report.attribute_columns == [header[13], header[14], header[17], header[18]]
    assert header[1] not in report.ignored_columns and header[12] not in report.ignored_columns
    assert [r.woo_product_id for r in good] == [101, 102, 105, 106] and not report.errors
    shoe = good[0].request
    assert shoe["sku"] == "TF-1" and shoe["name"] == "TrailFlex shoe"
    assert shoe["category"] == "Shoes > Running, Sale"
    assert shoe["attributes"] == {"Colour": "Blue, Red", "Material": "Mesh, recycled"}
    assert shoe["current_copy"] == "A light shoe. Firm midsole for flat feet. Breathable mesh."
    assert [(p.row, p.message) for p in report.skipped] == [
        (4, "Trail hoodie - S: skipped, a variation of HOOD: its variable product's description covers it."),
        (5, "Trail hoodie - M: skipped, a variation of id:102: its variable product's description covers it.")]


def test_a_blog_job_from_an_export_says_to_choose_products():
    with pytest.raises(ValidationFailedError, match="WooCommerce product export: choose “Product descriptions”"):
        validation.validate(woo_export(), "blog")


def test_only_variations_is_explained():
    with pytest.raises(ValidationFailedError, match="All 2 rows are variations"):
        validation.validate(woo_export(rows=ROWS[2:4]), "product")


def test_the_present_copy_reaches_the_prompt(generator, fake):
    from core.schemas import ProductRequest

    [row, *_] = list(validation.scan(woo_export(), "product")[1])
    fake.enqueue([product_draft()])
    generator.generate(ProductRequest.model_validate(row.request), "ana@example.com")
    prompt = fake.history[0]["messages"][-1]["content"]
    assert "Current copy (rewrite it" in prompt and "Firm midsole for flat feet." in prompt
    assert "Colour: Blue, Red" in prompt and "Category: Shoes > Running, Sale" in prompt


@pytest.fixture
def store(engine, monkeypatch):
    monkeypatch.setenv("CONTENTCRAFT_SECRET_KEY", Fernet.generate_key().decode())
    config.get_settings.cache_clear()
    server = WooContractServer(namespaces=("wp/v2", "wc/v3", "yoast/v1"))
    server.add_key("ck_" + "a1" * 20, "cs_" + "b2" * 20)
    made = [(int(pid), server.add_product(name, images=1, sku=sku)) for pid, kind, sku, name, *_ in ROWS]
    server.products = {pid: {**product, "id": pid} for pid, product in made}  # the ids of the export
    yield server
    server.close()


def test_round_trip_export_generate_import_and_publish(store, engine, generator, fake):
    admin, editor, writer = make_users(engine)
    fake.enqueue([product_draft(title=f"Product {n}", description_html=f"<p>New copy {n}.</p>\n<p>More.</p>",
                                short_description=f"=Short {n}") for n in range(4)])
    job_id, report = jobs.create_job(generator, woo_export("de"), "product", writer)
    assert (report.good, len(report.skipped)) == (4, 2)
    assert run_job(generator, job_id) == "finished"

    exported = to_woocommerce_csv(engine, job_id)
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert tuple(table[0]) == IMPORT_HEADER and [(r[0], r[1]) for r in table[1:]] == [
        ("101", "TF-1"), ("102", "HOOD"), ("105", ""), ("106", "KIT")]
    item_id = jobs.items(engine, job_id)[0]["content_item_id"]
    data = workflow.get_item(engine, item_id).data_json  # rows run concurrently: any reply may be row 2's
    number = data["title"][-1]
    assert table[1][3] == f"<p>New copy {number}.</p>\\n<p>More.</p>" and table[1][2] == f"'=Short {number}"
    result = store.import_csv(exported)
    assert result == {"updated": [101, 102, 105, 106], "failed": []}
    shoe = store.products[101]
    assert shoe["description"] == data["description_html"] == f"<p>New copy {number}.</p>\n<p>More.</p>"
    assert shoe["short_description"] == f"=Short {number}"
    meta = {m["key"]: m["value"] for m in shoe["meta_data"]}
    assert meta["_yoast_wpseo_title"] == product_draft()["seo_title"]
    assert store.products[103]["description"] == "", "variations are left alone"

    # Publishing instead of importing: the item goes to the product of its row, found by ID, else by SKU.
    add_site(engine, admin, name="shop", url=store.url, username="u", app_password="unused pass",
             woo_key="ck_" + "a1" * 20, woo_secret="cs_" + "b2" * 20)
    workflow.transition(engine, writer, item_id, "in_review")
    workflow.transition(engine, editor, item_id, "approved", "ok")
    store.products[101]["description"] = ""
    assert push_product(engine, editor, item_id, "shop").remote_id == 101
    assert store.products[101]["description"] == data["description_html"]


def test_publishing_finds_the_product_by_sku_without_an_id(store, engine, generator, fake):
    admin, editor, writer = make_users(engine)
    data = woo_export(rows=[("", *ROWS[0][1:])])
    fake.enqueue([product_draft()])
    job_id, _ = jobs.create_job(generator, data, "product", writer)
    run_job(generator, job_id)
    add_site(engine, admin, name="shop", url=store.url, username="u", app_password="unused pass",
             woo_key="ck_" + "a1" * 20, woo_secret="cs_" + "b2" * 20)
    item_id = jobs.items(engine, job_id)[0]["content_item_id"]
    workflow.transition(engine, writer, item_id, "in_review")
    workflow.transition(engine, editor, item_id, "approved", "ok")
    assert push_product(engine, editor, item_id, "shop").remote_id == 101
    assert any(r["query"].get("sku") == "TF-1" for r in store.requests)
