// Stand-ins for Django's JavaScript catalogue (/jsi18n/), loaded right after it: when the catalogue did not
// load (no signal and not yet cached on the phone), the pages still work and speak Chinese, the msgids.
(function () {
  "use strict";
  window.gettext = window.gettext || function (msgid) { return msgid; };
  window.ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  window.interpolate = window.interpolate || function (fmt, obj, named) {
    if (named) return fmt.replace(/%\(\w+\)s/g, function (match) { return String(obj[match.slice(2, -2)]); });
    var values = Array.prototype.slice.call(obj);
    return fmt.replace(/%s/g, function () { return String(values.shift()); });
  };
})();
