(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var W = window.bookWidgets;  // shared.js, just before this script
  var D = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var sliders = root.querySelectorAll("input[type=range]");
  var paths = root.querySelectorAll(".bt-curve");
  var px = W.px;
  // the axes picture: the image output before the explorer in its cell (curves.py)
  root.querySelector(".bt-img").setAttribute(
    "src", W.backgrounds(root, +root.getAttribute("data-backgrounds"))[0]);
  function path(panel, xs, ys) {
    var d = "", pen = false;
    for (var i = 0; i < xs.length; i++) {
      var ok = xs[i] !== null && ys[i] !== null && (!panel.ylog || ys[i] > 0);
      if (!ok) { pen = false; continue; }
      var p = px(panel, xs[i], ys[i]);
      d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
      pen = true;
    }
    return d;
  }
  function fmt(v) { return (typeof v === "number") ? String(+v.toPrecision(4)) : String(v); }
  function draw() {
    var idx = 0;
    for (var k = 0; k < D.params.length; k++) {
      var i = +sliders[k].value;
      idx = idx * D.params[k].values.length + i;
      root.querySelectorAll(".bt-val")[k].textContent = fmt(D.params[k].values[i]);
    }
    var run = D.runs[idx], parts = [];
    for (var p = 0; p < D.panels.length; p++) {
      paths[p].setAttribute("d", path(D.panels[p], D.xs[run[p][0]], run[p][1]));
      var ys = run[p][1], last = ys[ys.length - 1];
      parts.push(D.readout[p] + ": " + (last === null ? "\u221e" : fmt(last)));
    }
    root.querySelector(".bt-readout").textContent = parts.join("  |  ");
  }
  for (var k = 0; k < sliders.length; k++) { sliders[k].addEventListener("input", draw); }
  draw();
})();
