// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Gallery: a thumbnail shows its picture in the main frame instead of opening the file.
  document.addEventListener("click", function (event) {
    var thumb = event.target.closest("[data-gallery-src]");
    var main = document.getElementById("gallery-main");
    if (!thumb || !main) return;
    event.preventDefault();
    // The main frame is a <picture>: its WebP source and the JPEG image both take the thumbnail's renditions.
    var source = main.parentNode.querySelector("source[type='image/webp']");
    var webp = thumb.getAttribute("data-gallery-webp");
    var jpeg = thumb.getAttribute("data-gallery-jpeg");
    if (source) {
      if (webp) source.srcset = webp;
      else source.removeAttribute("srcset");
    }
    if (jpeg) main.srcset = jpeg;
    else main.removeAttribute("srcset");
    main.src = thumb.getAttribute("data-gallery-src");
    main.alt = thumb.getAttribute("data-gallery-alt") || main.alt;
    document.querySelectorAll("[data-gallery-src].is-active").forEach(function (el) {
      el.classList.remove("is-active");
    });
    thumb.classList.add("is-active");
  });

  // Cart: a changed quantity is saved at once.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    var input = form.querySelector("input[name=quantity]");
    if (!input) return;
    input.addEventListener("change", function () {
      if (input.checkValidity()) form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  // Catalog filters: folded behind their button on a phone, open on wider screens.
  var wide = window.matchMedia("(min-width: 720px)");
  function unfold() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (wide.matches) details.open = true;
    });
  }
  unfold();
  if (wide.addEventListener) wide.addEventListener("change", unfold);

  // Product page: «В корзину» without a size chosen points at the sizes instead of reloading the page.
  document.querySelectorAll("form.add-to-cart").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var sizes = form.querySelectorAll("input[name=size]");
      if (!sizes.length || form.querySelector("input[name=size]:checked")) return;
      var fieldset = form.querySelector(".sizes");
      if (!fieldset) return;
      event.preventDefault();
      fieldset.classList.add("field--error");
      var note = fieldset.querySelector(".field__error");
      if (!note) {
        note = document.createElement("p");
        note.className = "field__error";
        note.setAttribute("role", "alert");
        note.textContent = "Выберите размер.";
        fieldset.appendChild(note);
      }
      fieldset.scrollIntoView({ block: "center", behavior: "smooth" });
      var first = form.querySelector("input[name=size]:not(:disabled)");
      if (first) first.focus({ preventScroll: true });
    });
  });

  // Irreversible actions ask once.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // Drops: a countdown to a moment (a sale start, an order's payment deadline); at zero the page reloads
  // when asked to, so the next step (the queue, the buy button) appears by itself.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    var target = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(target)) return;
    function tick() {
      var left = Math.max(0, Math.round((target - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" : "") + pad(m) + ":" + pad(s);
      if (left === 0) {
        clearInterval(timer);
        if (el.hasAttribute("data-countdown-reload")) setTimeout(function () { window.location.reload(); }, 1500);
      }
    }
    var timer = setInterval(tick, 1000);
    tick();
  });

  // The waiting room: ask for the place every few seconds (the signed token makes it cheap for the shop) and
  // go on to the product once admitted.
  var room = document.querySelector("[data-queue-poll]");
  if (room && window.fetch) {
    var token = room.getAttribute("data-queue-token") || "";
    var every = parseInt(room.getAttribute("data-queue-every"), 10) || 5000;
    var poll = function () {
      var url = room.getAttribute("data-queue-poll") + "?token=" + encodeURIComponent(token);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (place) {
          if (!place) return;
          token = place.token || token;
          if (place.status === "admitted") {
            window.location.href = room.getAttribute("data-queue-admitted");
            return;
          }
          room.querySelectorAll("[data-queue-field]").forEach(function (el) {
            var value = place[el.getAttribute("data-queue-field")];
            el.textContent = value === null || value === undefined ? "—" : value;
          });
          var bar = room.querySelector("progress");
          if (bar) bar.value = place.progress;
          var detail = room.querySelector("[data-queue-detail]");
          if (detail && place.detail) detail.textContent = place.detail;
          if (place.status === "closed") window.location.reload();
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, every); });
    };
    setTimeout(poll, every);
  }
})();

// --- Checkout: filter the pickup points as the customer types (the list works without it) ---------------------
(function () {
  var search = document.querySelector("[data-point-search]");
  if (!search) return;
  search.addEventListener("input", function () {
    var query = search.value.trim().toLowerCase();
    document.querySelectorAll("[data-point-text]").forEach(function (item) {
      item.hidden = Boolean(query) && item.getAttribute("data-point-text").indexOf(query) === -1;
    });
  });
})();

// --- Forms of pages shared by visitors without a session: the CSRF token is asked for when the form is sent ----
// (such pages carry a placeholder and set no cookie; without this file the refusal page offers to resend the form)
(function () {
  var PLACEHOLDER = "csrf-token-of-the-visitor-goes-here";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = form.querySelectorAll("input[name=csrfmiddlewaretoken]");
    var pending = Array.prototype.filter.call(inputs, function (input) { return input.value === PLACEHOLDER; });
    if (!pending.length || !window.fetch) return;
    event.preventDefault();
    var submitter = event.submitter;
    fetch("/csrf-token/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
          if (input.value === PLACEHOLDER) input.value = answer.token;
        });
        if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
        else form.submit();
      })
      .catch(function () { form.submit(); });
  });
})();
