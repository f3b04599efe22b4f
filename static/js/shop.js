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
