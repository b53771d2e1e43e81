// Upload of a signed scan (the form of templates/_dokumen_tulis.html), improved: the field of an
// <input type="file" data-unggah> becomes a drop zone (drag a file onto it; the input stays a
// normal file input, for the keyboard and for a file chosen the usual way), and the form is sent
// by XMLHttpRequest with a progress bar. The server's answer is the page it redirects to: its
// content replaces this one, and the SHA-256 the server recorded (in its message) is shown by the
// field. Without JavaScript the form is a plain multipart POST and a redirect.
(function () {
  "use strict";
  var HASH = /SHA-256:\s*([0-9a-f]{64})/;

  function zoneOf(input) { return input.closest(".field"); }

  function prepare(root) {
    root.querySelectorAll("input[type=file][data-unggah]").forEach(function (input) {
      var zone = zoneOf(input);
      if (!zone || zone.classList.contains("drop-zone")) { return; }
      zone.classList.add("drop-zone");
      var hint = document.createElement("p");
      hint.className = "drop-hint";
      hint.textContent = "Atau tarik dan lepas berkas ke kotak ini.";
      zone.appendChild(hint);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.id = input.id + "-kemajuan";
      bar.className = "upload-progress";
      bar.hidden = true;
      bar.setAttribute("aria-label", "Kemajuan unggahan");
      zone.appendChild(bar);
      var said = document.createElement("p");
      said.className = "upload-status";
      said.id = input.id + "-status";
      said.setAttribute("role", "status");
      zone.appendChild(said);
    });
  }

  function parts(input) {
    var zone = zoneOf(input);
    return {
      zone: zone,
      bar: zone.querySelector(".upload-progress"),
      said: zone.querySelector(".upload-status"),
    };
  }

  function uploadInput(form) {
    return form.querySelector("input[type=file][data-unggah]");
  }

  // Dragging a file over the zone: show where it will land; dropping it puts it in the input.
  function zoneFromEvent(event) {
    var zone = event.target instanceof Element ? event.target.closest(".drop-zone") : null;
    return zone && zone.querySelector("input[type=file][data-unggah]") ? zone : null;
  }
  document.addEventListener("dragover", function (event) {
    var zone = zoneFromEvent(event);
    if (!zone) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", function (event) {
    var zone = zoneFromEvent(event);
    if (zone && !zone.contains(event.relatedTarget)) { zone.classList.remove("dragging"); }
  });
  document.addEventListener("drop", function (event) {
    var zone = zoneFromEvent(event);
    if (!zone) { return; }
    event.preventDefault();
    zone.classList.remove("dragging");
    var dropped = event.dataTransfer && event.dataTransfer.files;
    if (!dropped || dropped.length === 0) { return; }
    var input = zone.querySelector("input[type=file][data-unggah]");
    var one = new DataTransfer();
    one.items.add(dropped[0]);  // the input takes one file
    input.files = one.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    parts(input).said.textContent = "Berkas dipilih: " + dropped[0].name + ".";
  });

  // The page the server answered with takes this one's place (as a redirect would).
  function showAnswer(answer, url) {
    var main = document.getElementById("isi");
    var fresh = answer && answer.getElementById("isi");
    if (!main || !fresh) { window.location.assign(url); return null; }
    main.replaceChildren.apply(main, Array.from(fresh.childNodes));
    document.title = answer.title;
    prepare(main);
    return main;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var input = uploadInput(form);
    if (!input || !window.FormData || !window.XMLHttpRequest) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var shown = parts(input);
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.responseType = "document";
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) { return; }
      var percent = Math.round((progress.loaded / progress.total) * 100);
      shown.bar.value = percent;
      shown.said.textContent = "Mengunggah… " + percent + " %";
    });
    request.addEventListener("load", function () {
      var url = request.responseURL || form.action;
      var answer = request.response;
      if (request.status < 300 && !(answer && answer.querySelector("input[type=file][data-unggah]"))) {
        window.location.assign(url);  // led elsewhere (e.g. signed out): go there
        return;
      }
      var main = showAnswer(answer, url);
      if (!main) { return; }
      var message = main.querySelector(".flash");
      var found = message && HASH.exec(message.textContent);
      var next = main.querySelector("input[type=file][data-unggah]");
      if (request.status < 300 && found) {
        history.replaceState(null, "", url.split("#")[0] + "#dokumen");
        if (next) {
          var after = parts(next);
          after.bar.hidden = false;
          after.bar.value = 100;
          after.said.replaceChildren(
            document.createTextNode("Terunggah. SHA-256 yang dicatat server: "),
            Object.assign(document.createElement("code"), { textContent: found[1] })
          );
        }
      }
      // A refusal comes back as the page with the form and its messages: go to them.
      var target =
        main.querySelector("#formulir-dokumen .alert") ||
        main.querySelector("#formulir-dokumen [aria-invalid=true]") ||
        (next ? parts(next).said : main);
      if (!target.matches("input")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    });
    request.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      shown.bar.hidden = true;
      shown.said.textContent = "Unggahan gagal: sambungan ke server terputus. Coba lagi.";
    });
    if (button) { button.disabled = true; }  // one upload at a time (the key guards the rest)
    shown.bar.hidden = false;
    shown.bar.value = 0;
    shown.said.textContent = "Mengunggah… 0 %";
    request.send(new FormData(form));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  } else {
    prepare(document);
  }
})();
