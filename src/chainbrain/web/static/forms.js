/* Form behaviour that pages used to write inline (onchange=, onsubmit=), which the Content Security
 * Policy (script-src 'self', web/headers.py) no longer runs:
 *  - <select data-autosubmit>: changing it submits its form;
 *  - <select data-goto="/attract/">: changing it opens data-goto + the chosen value + the current query;
 *  - <form data-no-submit>: never submitted by the browser (its buttons are handled by other scripts).
 * One listener each on the document, so content added later behaves the same. No dependencies, offline. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el || !el.hasAttribute) { return; }
    if (el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    } else if (el.hasAttribute("data-goto")) {
      location.href = el.getAttribute("data-goto") + encodeURIComponent(el.value) + location.search;
    }
  });
  document.addEventListener("submit", function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-no-submit")) { e.preventDefault(); }
  });
})();
