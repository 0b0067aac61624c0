"""The Bulk Generator page through AppTest: upload, mapping, validation report, progress, download, review."""

import io
import time

import openpyxl

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from core.bulk import jobs
from core.bulk.worker import start_worker, stop_all
from tests.net import wait_for
from tests.samples import blog_draft

PAGE = "pages/bulk.py"


class RecordingStorage(MemoryMediaFileStorage):
    """The AppTest media store, kept reachable so a test can read what a download button serves."""

    instances: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture(autouse=True)
def _workers_and_media(monkeypatch):
    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    yield
    stop_all()


def _download(at, label: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    storage = RecordingStorage.instances[-1]
    return storage.get_file(file_id).content


def _wait_status(engine, job_id: int, statuses: set[str]) -> None:
    wait_for(lambda: jobs.get_job(engine, job_id).status in statuses, f"job #{job_id} reaching {sorted(statuses)}")


def _wait_finished(engine, job_id: int) -> None:
    _wait_status(engine, job_id, {"finished", "cancelled"})


def _table(at, column: str):
    """The first table showing `column` (AppTest does not expose a dataframe's key)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _button(at, prefix: str):
    return next(b for b in at.button if b.label.startswith(prefix))


def test_upload_map_check_run_follow_and_download(app_as, engine, fake):
    at = app_as("writer", page=PAGE)
    assert at.title[0].value == "Bulk Generator" and "Upload a CSV" in at.info[0].value
    data = "Idea;Tags\nTrail running for beginners;trail\nShoe;x\n=HYPERLINK(1) trail shoes;x\n".encode("utf-16")
    at.file_uploader(key="bulk_file").set_value(("posts.csv", data, "text/csv"))
    at.run()
    assert not at.exception
    assert "no column for topic" in at.error[0].value and "Idea, Tags" in at.error[0].value
    assert "under “Columns” above" in at.error[0].value and "command line" not in at.error[0].value

    topic = next(s for s in at.selectbox if s.key.startswith("bulk_map_") and s.key.endswith("_topic"))
    keywords = next(s for s in at.selectbox if s.key.startswith("bulk_map_") and s.key.endswith("_keywords"))
    assert keywords.value == "Tags"  # matched automatically
    topic.select("Idea")
    at.run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows ready"], metrics["Rows with errors"]) == ("2", "1")
    assert any("Read as utf-16, semicolon-separated" in c.value for c in at.caption)
    errors = _table(at, "message")
    assert list(errors["row"]) == [3] and list(errors["column"]) == ["Idea"]
    assert "at least 5 characters" in errors["message"][0]
    assert [e.label for e in at.expander] == ["1 note (these rows still run)"]

    fake.enqueue([blog_draft(title="Trail Running for Beginners"), blog_draft(title="=HYPERLINK(1) trail shoes")])
    _button(at, "Start job (2 rows)").click()
    at.run()
    assert not at.exception and "is running in the background" in at.success[0].value
    [job] = jobs.list_jobs(engine)
    _wait_finished(engine, job.id)
    at.run()
    assert not at.exception
    assert "2 of 2 rows done · finished" in at.get("progress")[0].proto.text
    assert "finished" in [m.value.strip("*") for m in at.markdown], "the status next to the picker agrees"
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Succeeded"], metrics["Failed"], metrics["Remaining"]) == ("2", "0", "0")
    rows = _table(at, "status")
    assert list(rows["status"]) == ["succeeded", "succeeded"] and list(rows["row"]) == [2, 4]

    exported = _download(at, "Download CSV").decode("utf-8-sig")
    assert "Trail Running for Beginners" in exported and "'=HYPERLINK(1) trail shoes" in exported
    workbook = openpyxl.load_workbook(io.BytesIO(_download(at, "Download XLSX")))
    header, first = [c.value for c in workbook.active[1]], workbook.active[2]
    cells = {name: cell for name, cell in zip(header, first)}
    assert (cells["row"].value, cells["attempts"].value) == (2, 1) and cells["content_item_id"].data_type == "n"
    assert cells["error"].value is None and cells["error"].data_type == "n", "empty, not an empty text cell"

    _button(at, "Send all succeeded to review").click()
    at.run()
    assert not at.exception and "2 items sent to review in the Library" in at.success[0].value


def test_failures_are_listed_and_only_they_are_retried(app_as, engine, generator, fake):
    at = app_as("writer", page=PAGE)
    fake.enqueue([blog_draft(), *["not json", "still not json"] * 2])
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\nRoad running for beginners\n",
                                "blog", "writer@example.com", jobs.JobOptions(provider="fake", concurrency=1))
    start_worker(generator).wake()  # the page's worker: jobs made outside the page wait for its next poll
    _wait_finished(engine, job_id)
    at.run()
    failures = _table(at, "reason")
    assert list(failures["row"]) == [3] and "JSON" in failures["reason"][0]
    fake.enqueue([blog_draft()])
    _button(at, "Retry 1 failed").click()
    at.run()
    assert not at.exception and "queued again" in at.success[0].value
    _wait_finished(engine, job_id)
    assert jobs.progress(engine, job_id).succeeded == 2


def test_pause_and_resume_from_the_page(app_as, engine, generator, fake):
    at = app_as("editor", page=PAGE)
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\n", "blog", "someone@example.com",
                                jobs.JobOptions(provider="fake"))
    jobs.pause_job(engine, job_id)
    at.run()
    assert "0 of 1 rows done · paused" in at.get("progress")[0].proto.text  # editors see everyone's jobs
    fake.enqueue([blog_draft()])
    _button(at, "Resume").click()
    at.run()
    assert not at.exception and f"Job #{job_id} resumed" in at.success[0].value
    _wait_finished(engine, job_id)
    assert jobs.progress(engine, job_id).succeeded == 1


def test_a_job_paused_for_quota_says_why_and_resumes(app_as, engine, generator, fake):
    from core.errors import QuotaExceededError

    at = app_as("writer", page=PAGE)
    fake.enqueue([QuotaExceededError("The fake account has no quota left: check billing.")] * 2)
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\nRoad running for beginners\n",
                                "blog", "writer@example.com", jobs.JobOptions(provider="fake", concurrency=4))
    start_worker(generator).wake()
    _wait_status(engine, job_id, {"paused"})
    at.run()
    assert any("no quota left: check billing" in e.value and "Resume" in e.value for e in at.error)
    assert 1 <= len(fake.history) <= 2 and jobs.progress(engine, job_id).pending == 2, "no row spent"
    fake.queue.clear()
    fake.enqueue([blog_draft(), blog_draft()])
    _button(at, "Resume").click()
    at.run()
    _wait_finished(engine, job_id)
    assert jobs.progress(engine, job_id).succeeded == 2
    at.run()
    assert not any("quota" in e.value for e in at.error)


def test_a_button_notice_outlives_the_rerun_its_status_change_makes(app_as, engine, generator):
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\n", "blog", "writer@example.com",
                                jobs.JobOptions(provider="fake"))
    jobs.pause_job(engine, job_id)
    at = app_as("writer", page=PAGE)
    _button(at, "Cancel").click()
    at.run()
    assert f"Job #{job_id} cancelled." in at.success[0].value
    at.session_state["bulk_notice_kept"] = True  # what the live panel sets before that rerun
    at.run()
    assert at.success and f"Job #{job_id} cancelled." in at.success[0].value
    at.run()
    assert not at.success, "shown once more, then gone"


def test_the_started_notice_goes_when_the_job_pauses(app_as, engine, fake):
    from core.errors import QuotaExceededError

    at = app_as("writer", page=PAGE)
    at.file_uploader(key="bulk_file").set_value(("posts.csv", b"topic\nTrail running for beginners\n", "text/csv"))
    at.run()
    fake.enqueue([QuotaExceededError("The fake account has no quota left: check billing.")] * 2)
    _button(at, "Start job (1 row)").click()
    at.run()
    assert not at.exception and "is running in the background" in at.success[0].value
    [job] = jobs.list_jobs(engine)
    _wait_status(engine, job.id, {"paused"})
    at.session_state["bulk_status_rerun"] = True  # the rerun the live panel makes when the status changes
    at.run()
    assert not at.exception and any("no quota left" in e.value for e in at.error)
    assert not any("running in the background" in s.value for s in at.success)


def test_writers_only_see_their_own_jobs_and_templates_download(app_as, engine, generator):
    jobs.create_job(generator, b"topic\nTrail running for beginners\n", "blog", "other@example.com",
                    jobs.JobOptions(provider="fake"))
    jobs.pause_job(engine, 1)
    at = app_as("writer", page=PAGE)
    assert any("No bulk jobs yet" in i.value for i in at.info)
    template = _download(at, "Product descriptions template (CSV)").decode("utf-8-sig")
    assert template.splitlines()[0].startswith("name,category,features,attributes")
    editor = app_as("editor", page=PAGE)  # sees everyone's jobs, so each says whose it is
    assert editor.selectbox(key="bulk_job_pick").format_func(1) == "#1 · Blog posts · upload · other@example.com"


def test_unreadable_upload_is_a_friendly_error(app_as):
    at = app_as("writer", page=PAGE)
    at.file_uploader(key="bulk_file").set_value(("empty.csv", b"", "text/csv"))
    at.run()
    assert not at.exception and "The file is empty" in at.error[0].value


def test_the_job_picker_shows_the_status_it_has_now(app_as, engine, generator, fake):
    at = app_as("writer", page=PAGE)
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\nRoad running for beginners\n",
                                "blog", "writer@example.com", jobs.JobOptions(provider="fake"))
    at.run()
    _button(at, "Pause").click()
    at.run()
    assert not at.exception and jobs.get_job(engine, job_id).status == "paused"
    picker = at.selectbox(key="bulk_job_pick")
    assert not any(word in option.lower() for option in picker.options for word in ("queued", "running", "paused"))
    assert "paused" in [m.value.strip("*") for m in at.markdown]
    at.run()
    jobs.cancel_job(engine, job_id)
    at.run()
    assert "cancelled" in [m.value.strip("*") for m in at.markdown]
    assert "0 of 2 rows done · cancelled" in at.get("progress")[0].proto.text


def test_a_cancelled_job_says_which_rows_still_finish_and_follows_them(app_as, engine, generator):
    from sqlalchemy import update

    from core.bulk.models import BulkItem

    at = app_as("writer", page=PAGE)
    job_id, _ = jobs.create_job(generator, b"topic\nTrail running for beginners\nRoad running for beginners\n",
                                "blog", "writer@example.com", jobs.JobOptions(provider="fake"))
    with engine.begin() as connection:  # a lane has taken the first row (no worker runs in this test)
        connection.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == 2)
                           .values(status="running"))
    jobs.cancel_job(engine, job_id)
    at.run()
    assert not at.exception and any(c.value.startswith("1 row is under way: it finishes if") for c in at.caption)
    assert [m.value for m in at.metric if m.label == "Cancelled"] == ["1"]
    with engine.begin() as connection:
        connection.execute(update(BulkItem).where(BulkItem.job_id == job_id, BulkItem.row_number == 2)
                           .values(status="succeeded"))
    at.run()
    assert "1 of 2 rows done · cancelled" in at.get("progress")[0].proto.text
    assert not any("under way" in c.value for c in at.caption)


def test_start_pressed_again_while_the_job_runs_starts_no_second_job(app_as, engine, fake, monkeypatch):
    from tests.conftest import FakeProvider

    original = FakeProvider.execute

    def slow(self, *args):
        time.sleep(2)
        yield from original(self, *args)

    monkeypatch.setattr(FakeProvider, "execute", slow)
    fake.enqueue([blog_draft()] * 2)
    at = app_as("writer", page=PAGE)
    at.file_uploader(key="bulk_file").set_value(("posts.csv", b"topic\nTrail running for beginners\n", "text/csv"))
    at.run()
    _button(at, "Start job (1 row)").click()
    at.run()
    _button(at, "Start job (1 row)").click()
    at.run()
    [job] = jobs.list_jobs(engine)
    assert not at.exception and f"Job #{job.id} is running" in at.success[0].value
    _wait_finished(engine, job.id)
    _button(at, "Start job (1 row)").click()  # the job has ended: starting the file again is a new run
    at.run()
    assert len(jobs.list_jobs(engine)) == 2


def test_the_validation_report_follows_a_language_switch(app_as):
    from core import bulk
    from core.i18n import use_language

    data = b"topic,language\nTrail running for beginners,xx\n"
    with use_language("de"):
        german = bulk.validate(data, "blog", {}).problems[0].message
    at = app_as("writer", page=PAGE)
    at.file_uploader(key="bulk_file").set_value(("posts.csv", data, "text/csv"))
    at.run()
    assert not any(german in frame.value.to_string() for frame in at.dataframe)
    at.session_state["ui_language"] = "de"  # as the language switch sets it
    at.run()
    assert not at.exception
    assert any(german in frame.value.to_string() for frame in at.dataframe)  # not the English report, cached


def test_a_provider_without_its_api_key_says_so_in_the_start_form(app_as):
    at = app_as("writer", page=PAGE)
    at.file_uploader(key="bulk_file").set_value(("posts.csv", b"topic\nTrail running for beginners\n", "text/csv"))
    at.run()
    provider = at.selectbox(key="bulk_provider")
    assert provider.format_func("openai") == "openai (no API key set)"
    assert provider.format_func("local") == "local" and provider.format_func("fake") == "fake"
