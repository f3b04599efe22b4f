// The daily chart scrolls inside its frame on a narrow screen: start at the latest days.
(function () {
  "use strict";
  document.querySelectorAll("[data-scroll-end]").forEach(function (frame) {
    frame.scrollLeft = frame.scrollWidth;
  });
})();
