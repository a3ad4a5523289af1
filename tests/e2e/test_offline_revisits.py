"""Issue 5, done when: a cadre on a phone records two revisits with no signal, reloads, and sees them sync.

Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with a 360×740 phone viewport against
pytest-django's live server. The service worker, the IndexedDB outbox and the sync loop are the real ones.
"""

import base64
import datetime
import struct

import pytest

from accounts.models import Role
from assignments.models import Revisit, RevisitPhoto
from assignments.services import revisit_record, revisit_update
from tests.e2e.browser import MARKS, OFFICE, sign_in
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitRoundFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)

pytestmark = MARKS


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's SOF marker: enough to check the phone downscaled the photo."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise ValueError("no SOF marker")


@pytest.fixture
def dataset(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    today = datetime.date.today()
    village = VillageFactory(name="波亨村")
    cadre = CadreFactory(name="夏霞娟")
    households = []
    for head in ("邓文明", "李正华"):
        household = make_household(
            natural_village=NaturalVillageFactory(village=village), members=[member_data(name=head)]
        )
        PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 4))
        households.append(household)
    round_ = RevisitRoundFactory(
        year=today.year,
        number=1,
        name=f"{today.year}年第1轮",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=25),
    )
    user = UserFactory(username="cadre-e2e", role=Role.CADRE, cadre=cadre)
    return {"households": households, "user": user, "round": round_, "village": village}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def phone_sign_in(page, base, user, next_url):
    sign_in(page, base, user, next_url)
    # The first phone page registers the service worker, which takes control at once (clients.claim).
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=20000)


def test_two_revisits_recorded_offline_survive_a_reload_and_sync_exactly_once(
    live_server, dataset, phone, shot
):
    context, page, errors = phone
    first, second = dataset["households"]
    base = live_server.url

    # Sign in with signal; the service worker keeps the form on the phone.
    phone_sign_in(page, base, dataset["user"], "/assignments/m/revisit/")
    page.wait_for_function(
        """async () => {
            for (const name of await caches.keys()) {
                if (!name.startsWith("pt-pages-")) continue;
                const hit = await (await caches.open(name)).match("/assignments/m/revisit/", {ignoreVary: true});
                if (hit) return true;
            }
            return false;
        }""",
        timeout=20000,
    )
    # A camera-sized photo, made in the browser (no image library needed here).
    photo = base64.b64decode(
        page.evaluate(
            """() => {
                const c = document.createElement("canvas");
                c.width = 2000; c.height = 1500;
                const g = c.getContext("2d");
                g.fillStyle = "#3a7d44"; g.fillRect(0, 0, 2000, 1500);
                g.fillStyle = "#f4d35e"; g.fillRect(400, 300, 900, 600);
                return c.toDataURL("image/jpeg", 0.9).split(",")[1];
            }"""
        )
    )

    context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")
    assert page.locator("#net").is_visible()

    # First revisit: a home visit with a photo.
    page.select_option("select[name=household]", str(first.pk))
    page.fill("textarea[name=situation]", "户主在家务农，家中2口人。")
    page.fill("textarea[name=problems]", "住房存在安全隐患。")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.wait_for_selector("#photos img")
    page.click("#revisit-form button[type=submit]")
    page.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 1 条')")

    # Second revisit: a phone call, no photo.
    page.select_option("select[name=household]", str(second.pk))
    page.click("text=电话")
    page.fill("textarea[name=situation]", "电话回访，子女在校读书。")
    page.fill("textarea[name=help_given]", "协调申报教育资助。")
    page.click("#revisit-form button[type=submit]")
    page.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 2 条')")
    shot(page, "phone-offline-two-waiting")
    keys = page.evaluate("PT.outbox.all().then(items => items.map(i => i.key))")
    assert len(keys) == 2
    assert Revisit.objects.count() == 0

    # Still offline: the page comes from the service worker and the outbox is still there.
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_function("document.querySelector('nav.tabs [data-outbox-count]').textContent === '2'")
    assert page.locator("#net").is_visible()
    assert Revisit.objects.count() == 0
    page.evaluate("window.stillTheSamePage = true")

    # Signal returns: the outbox empties by itself, with no reload.
    context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('nav.tabs [data-outbox-count]').textContent === '0'", timeout=30000
    )
    assert page.evaluate("window.stillTheSamePage") is True
    assert "已上传" in page.locator("#sync-note").inner_text()
    shot(page, "phone-synced")

    stored = Revisit.objects.filter(client_uuid__in=keys)
    assert stored.count() == 2
    assert Revisit.objects.count() == 2
    home = stored.get(household=first)
    call = stored.get(household=second)
    assert (home.kind, home.problems, call.kind, call.help_given) == (
        "home",
        "住房存在安全隐患。",
        "phone",
        "协调申报教育资助。",
    )
    assert {home.round_id, call.round_id} == {dataset["round"].pk}
    assert RevisitPhoto.objects.count() == 1
    image = home.photos.get().image.read()
    assert image[:3] == b"\xff\xd8\xff"
    assert max(jpeg_size(image)) == 1280  # downscaled on the phone before upload

    # A later sync sends nothing again.
    page.evaluate("PT.sync()")
    assert Revisit.objects.count() == 2

    # The round's completion figures on the township page count both households as visited: the
    # township official opens the round in a desktop browser.
    official = UserFactory(
        username="township-e2e", role=Role.TOWNSHIP_OFFICIAL, township=dataset["village"].township
    )
    office = context.browser.new_context(**OFFICE)
    desk = office.new_page()
    sign_in(desk, base, official, f"/assignments/rounds/{dataset['round'].pk}/")
    assert desk.locator("[data-figure=due]").inner_text().strip() == "2"
    assert desk.locator("[data-figure=visited]").inner_text().split()[0] == "2"
    assert desk.locator("[data-figure=overdue]").inner_text().strip() == "0"
    shot(desk, "round-completion")
    office.close()
    assert errors == []


COUNT_OUTBOX = """() => new Promise((resolve, reject) => {
    const open = indexedDB.open("pt-phone");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        const count = open.result.transaction("outbox").objectStore("outbox").count();
        count.onsuccess = () => resolve(count.result);
    };
})"""


def test_logging_out_with_unsent_records_warns_and_keeps_them(live_server, dataset, phone):
    context, page, errors = phone
    base = live_server.url
    phone_sign_in(page, base, dataset["user"], "/assignments/m/revisit/")

    context.set_offline(True)
    page.select_option("select[name=household]", str(dataset["households"][0].pk))
    page.fill("textarea[name=situation]", "离线记录")
    page.click("#revisit-form button[type=submit]")
    page.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 1 条')")
    # Hold this page's sync back so the record is still unsent when the cadre taps 退出.
    page.evaluate("PT.sync = () => Promise.resolve(null)")
    context.set_offline(False)

    # On a phone page: a confirm dialog; cancelling keeps the cadre signed in.
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("footer [data-logout] button")
    page.wait_for_timeout(300)
    assert dialogs and "1 条走访记录未上传" in dialogs[0]
    assert page.url.endswith("/assignments/m/revisit/")

    # On an office page (no outbox script): the service worker answers the logout with a warning page.
    page.goto(f"{base}/")
    page.evaluate("document.querySelector('form[action=\"/accounts/logout/\"]').submit()")
    page.wait_for_selector("text=还有 1 条走访记录未上传")
    assert page.evaluate(COUNT_OUTBOX) == 1
    page.click("text=仍然退出")
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate(COUNT_OUTBOX) == 1  # logging out never clears the outbox

    # Signing in again sends it.
    phone_sign_in(page, base, dataset["user"], "/assignments/m/outbox/")
    page.wait_for_function(
        "document.querySelector('nav.tabs [data-outbox-count]').textContent === '0'", timeout=30000
    )
    assert Revisit.objects.filter(situation="离线记录").count() == 1
    assert errors == []


def test_an_offline_edit_of_a_record_changed_on_the_server_is_a_conflict_to_resolve(
    live_server, dataset, phone, problems
):
    problems.expect(409, r"/api/v1/revisits/\d+/$")  # the sync's edit meets the server's newer version
    context, page, errors = phone
    user, household = dataset["user"], dataset["households"][0]
    revisit = revisit_record(
        user=user,
        household_id=household.pk,
        client_uuid="6f1c2d3e-0000-4000-8000-000000000001",
        visited_on=datetime.date.today(),
        problems="屋顶漏雨",
    ).revisit
    phone_sign_in(page, live_server.url, user, f"/assignments/m/revisits/{revisit.pk}/edit/")

    context.set_offline(True)
    page.fill("textarea[name=problems]", "屋顶漏雨，已报危房改造")
    page.click("#revisit-form button[type=submit]")
    page.wait_for_function("document.getElementById('form-msg').textContent.includes('待上传 1 条')")
    # Meanwhile the record changes on the server (the cadre's other device, say).
    revisit_update(revisit=revisit, user=user, base_updated_at=revisit.updated_at, problems="屋顶已修好")

    context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('nav.tabs [data-outbox-count]').classList.contains('error')"
    )
    revisit.refresh_from_db()
    assert revisit.problems == "屋顶已修好"  # not silently overwritten

    page.goto(f"{live_server.url}/assignments/m/outbox/")
    page.click("text=处理冲突")
    page.wait_for_selector("table.compare")
    assert page.locator("[data-mine=problems]").inner_text() == "屋顶漏雨，已报危房改造"
    assert page.locator("[data-server=problems]").inner_text() == "屋顶已修好"
    page.click("text=保留我的修改")
    page.wait_for_url("**/assignments/m/outbox/")
    page.wait_for_function(
        "document.querySelector('nav.tabs [data-outbox-count]').textContent === '0'", timeout=30000
    )
    revisit.refresh_from_db()
    assert revisit.problems == "屋顶漏雨，已报危房改造"
    assert Revisit.objects.count() == 1
    assert errors == []
