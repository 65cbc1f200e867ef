// Code shared by the book's widget scripts (static_explorer.js, curves_explorer.js,
// race_static.js). Each widget's Python _script() puts this file before the widget's own
// script, so every widget carries the version it was written with; a widget takes
// window.bookWidgets into a local variable first thing (a later copy replacing it changes
// nothing for the widgets already running).
window.bookWidgets = (function () {
  // The widget's background pictures are the image outputs of its cell just before the
  // widget (the Python side displays them first): files under _images/ in the book, data
  // URLs in JupyterLab and Colab. The innermost ancestor holding images before the root is
  // the cell's output area; the last n of them (widgets' own .bt-img excluded, in case an
  // earlier widget shares the output area) are this widget's, in order. They are hidden
  // (the widget shows them behind its drawing) and their src returned.
  function backgrounds(root, n) {
    for (var box = root.parentElement; box; box = box.parentElement) {
      var before = Array.prototype.filter.call(box.querySelectorAll("img"), function (img) {
        return !root.contains(img) && !img.classList.contains("bt-img") &&
          (img.compareDocumentPosition(root) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      if (before.length) {
        if (before.length < n) { break; }
        before = before.slice(-n);
        before.forEach(function (img) { img.style.display = "none"; });
        return before.map(function (img) { return img.getAttribute("src"); });
      }
    }
    throw new Error("widget " + root.id + ": expected " + n + " background image output" +
                    (n === 1 ? "" : "s") + " before it in its cell's output, found fewer");
  }
  // The integer streams of static.py (pack) and race_static.py (encode_ints): each number
  // little-endian in base 32, its last digit from A-Z a-f, the digits before it from g-z 0-9
  // - _ (so the 64 characters in that order are one digit each with 32 = "more to come");
  // "~" (static.py only) is a missing number, returned as null.
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  function codes(text) {
    var out = [], code = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (ch === "~") { out.push(null); continue; }
      var digit = DIGITS.indexOf(ch);
      code += (digit & 31) * scale;
      if (digit & 32) { scale *= 32; continue; }
      out.push(code);
      code = 0; scale = 1;
    }
    return out;
  }
  // zigzag: 0, 1, 2, 3, 4, ... stand for 0, -1, 1, -2, 2, ...
  function unzigzag(z) { return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
  // figure CSS-pixel position of the data point (x, y) in a panel {box, xlim, ylim, ylog},
  // clamped to +-LIMIT px (a diverging run leaves the clipped panel anyway)
  var LIMIT = 1e4;
  function clamp(v) { return Math.max(-LIMIT, Math.min(LIMIT, v)); }
  function px(panel, x, y) {
    var b = panel.box, X, Y;
    X = b[0] + (x - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * (b[2] - b[0]);
    if (panel.ylog) {
      var l0 = Math.log10(panel.ylim[0]), l1 = Math.log10(panel.ylim[1]);
      Y = b[3] - (Math.log10(y) - l0) / (l1 - l0) * (b[3] - b[1]);
    } else {
      Y = b[3] - (y - panel.ylim[0]) / (panel.ylim[1] - panel.ylim[0]) * (b[3] - b[1]);
    }
    return [clamp(X), clamp(Y)];
  }
  return {backgrounds: backgrounds, codes: codes, unzigzag: unzigzag, clamp: clamp, px: px};
})();
