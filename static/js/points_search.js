// Filters the checkout's pickup points as the customer types; the list works without it.
(function () {
  var search = document.querySelector("[data-point-search]");
  if (!search) return;
  search.addEventListener("input", function () {
    var query = search.value.trim().toLowerCase();
    document.querySelectorAll("[data-point-text]").forEach(function (item) {
      item.hidden = query && item.getAttribute("data-point-text").indexOf(query) === -1;
    });
  });
})();
