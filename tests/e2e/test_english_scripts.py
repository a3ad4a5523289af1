"""English is complete (issue 10) for the words the phone's scripts write: with the language set to English,
the revisit form and the outbox speak English, and keep doing so with no signal (the service worker keeps the
JavaScript catalogue of the chosen language on the phone)."""

from django.conf import settings

from tests.e2e.browser import MARKS
from tests.e2e.test_offline_revisits import dataset, phone, phone_sign_in  # noqa: F401 (fixtures)

pytestmark = MARKS

CATALOGUE_CACHED = """async () => {
    for (const name of await caches.keys()) {
        if (!name.startsWith("pt-static-")) continue;
        const hit = await (await caches.open(name)).match("/jsi18n/?l=en", {ignoreVary: true});
        if (hit) return true;
    }
    return false;
}"""


def test_the_phone_scripts_speak_english_offline(live_server, dataset, phone):  # noqa: F811
    context, page, errors = phone
    base = live_server.url
    household = dataset["households"][0]
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])

    phone_sign_in(page, base, dataset["user"], "/assignments/m/revisit/")
    page.wait_for_function(CATALOGUE_CACHED, timeout=20000)
    assert page.evaluate("gettext('请填写走访日期。')") == "Fill in the visit date."

    # No signal: the form comes from the service worker, and its script still has the English catalogue.
    context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert page.evaluate("gettext('请填写走访日期。')") == "Fill in the visit date."

    page.select_option("select[name=household]", str(household.pk))
    page.fill("textarea[name=situation]", "The head of the household farms; two people at home.")
    page.click("#revisit-form button[type=submit]")
    page.wait_for_function("document.getElementById('form-msg').textContent.includes('1 to upload')")
    message = page.locator("#form-msg").inner_text()
    assert message.startswith("Saved on this phone (1 to upload)"), message
    assert "待上传" not in message

    # The outbox page, still offline, is written by outbox_page.js in English too.
    page.goto(f"{base}/assignments/m/outbox/")
    page.wait_for_function("document.body.innerText.includes('waiting to upload')")
    text = page.locator("main").inner_text()
    assert "1 record on this phone is waiting to upload." in text
    assert "Delete" in text and "本机有" not in text
    assert errors == []
