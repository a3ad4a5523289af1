// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // On a weak mobile signal a slow POST invites a second tap: disable the submit buttons once a form is
  // sent. Deferred so the pressed button's name/value is still part of the submitted data.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-allow-resubmit") || event.defaultPrevented) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Coming back with the browser's back button restores the page from cache: enable the buttons again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[type=submit]:disabled, input[type=submit]:disabled").forEach(function (b) {
      b.disabled = false;
    });
  });
})();
