/* Yandex Metrica with e-commerce through dataLayer. Loaded only when the shop has a counter
   (YANDEX_METRICA_ID): the counter comes in this tag's data-counter, the events' data in JSON data blocks of the
   page (#metrica-product, #metrica-purchase), so the pages carry no inline script. */
(function () {
  "use strict";
  var tag = document.currentScript;
  var counter = Number(tag && tag.dataset.counter);
  if (!counter) return;
  var dataLayer = (window.dataLayer = window.dataLayer || []);

  window.ym = window.ym || function () { (window.ym.a = window.ym.a || []).push(arguments); };
  window.ym.l = Date.now();
  var loader = document.createElement("script");
  loader.async = true;
  loader.src = "https://mc.yandex.ru/metrika/tag.js";
  document.head.appendChild(loader);
  window.ym(counter, "init", { clickmap: true, trackLinks: true, accurateTrackBounce: true, ecommerce: "dataLayer" });

  function data(id) {
    var block = document.getElementById(id);
    if (!block) return null;
    try { return JSON.parse(block.textContent); } catch (error) { return null; }
  }

  var product = data("metrica-product");
  if (product) {
    dataLayer.push({ ecommerce: { currencyCode: product.currencyCode, detail: { products: [product.product] } } });
    var form = document.querySelector("form.add-to-cart");
    if (form) {
      form.addEventListener("submit", function () {
        var size = form.querySelector("input[name=size]:checked");
        var quantity = Number((form.querySelector("[name=quantity]") || {}).value) || 1;
        var line = Object.assign({}, product.product, { quantity: quantity });
        if (size) line.variant = size.value;
        dataLayer.push({ ecommerce: { currencyCode: product.currencyCode, add: { products: [line] } } });
      });
    }
  }

  var purchase = data("metrica-purchase");
  if (purchase) {
    // The order's page may be opened again: the purchase is told once per browser.
    var key = "metrica-purchase:" + purchase.actionField.id;
    var told = false;
    try { told = window.localStorage.getItem(key) === "1"; } catch (error) { told = false; }
    if (!told) {
      dataLayer.push({
        ecommerce: {
          currencyCode: purchase.currencyCode,
          purchase: { actionField: purchase.actionField, products: purchase.products },
        },
      });
      try { window.localStorage.setItem(key, "1"); } catch (error) { /* private mode: told again next time */ }
    }
  }
})();
