// Type-ahead for a form's organization names: an <input data-typeahead list="ID"> gets the
// matching names of GET /organisasi/cari?as=nama&q=… in its <datalist id="ID"> as the user
// types. Without JavaScript the input is a plain text field; the server resolves the name.
(function () {
  "use strict";
  var timers = new WeakMap();
  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var q = input.value.trim();
    if (!list || q.length < 2) { return; }
    fetch("/organisasi/cari?as=nama&q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    }).then(function (answer) {
      return answer.ok ? answer.text() : "";
    }).then(function (html) {
      var parsed = new DOMParser().parseFromString("<datalist>" + html + "</datalist>", "text/html");
      list.replaceChildren.apply(list, Array.from(parsed.querySelectorAll("option")));
    }).catch(function () { /* no suggestions: the field still takes a typed name */ });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-typeahead")) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { suggest(input); }, 250));
  });
})();
