(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var W = window.bookWidgets;  // shared.js, just before this script
  var D = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var q = function (sel) { return root.querySelector(sel); };
  var sliders = root.querySelectorAll("input[type=range]");
  // the contour picture: the image output before the explorer in its cell (static.py)
  q(".bt-img").setAttribute("src", W.backgrounds(root, +root.getAttribute("data-backgrounds"))[0]);
  // positions arrive in 1/D.subpixel CSS px, each as the difference from the previous
  // drawable one (zigzag-coded), written as a string (static.py: encode_pixels, pack;
  // shared.js: codes); null where nothing can be drawn
  function decode(text) {
    var acc = 0;
    return W.codes(text).map(function (z) {
      if (z === null) { return null; }
      acc += W.unzigzag(z);
      return acc / D.subpixel;
    });
  }
  function stepX(panel, t) {  // the loss panel's x axis is the iteration
    var b = panel.box;
    return b[0] + (t - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * (b[2] - b[0]);
  }
  function path(X, Y) {
    var d = "", pen = false;
    for (var i = 0; i < X.length; i++) {
      if (X[i] === null || Y[i] === null) { pen = false; continue; }
      d += (pen ? "L" : "M") + X[i].toFixed(1) + " " + Y[i].toFixed(1);
      pen = true;
    }
    return d;
  }
  function lastDrawable(X, Y) {
    for (var i = X.length - 1; i >= 0; i--) {
      if (X[i] !== null && Y[i] !== null) { return i; }
    }
    return 0;
  }
  function fmt(v) { return (typeof v === "number") ? String(+v.toPrecision(4)) : String(v); }
  function draw() {
    var idx = 0, labels = [];
    for (var k = 0; k < D.params.length; k++) {
      var i = +sliders[k].value;
      idx = idx * D.params[k].values.length + i;
      var txt = D.params[k].symbol + " = " + fmt(D.params[k].values[i]);
      root.querySelectorAll(".bt-val")[k].textContent = fmt(D.params[k].values[i]);
      labels.push(txt);
    }
    var run = D.runs[idx];
    if (run === null) {
      [".bt-path", ".bt-loss"].forEach(function (s) { q(s).setAttribute("d", ""); });
      [".bt-start", ".bt-end"].forEach(function (s) { q(s).setAttribute("cx", -99); });
      q(".bt-readout").textContent = labels.join(", ") + "  |  " + D.errors[String(idx)];
      return;
    }
    var X = decode(run[0]), Y = decode(run[1]), G = decode(run[2]);
    var T = G.map(function (_, t) { return stepX(D.panels.loss, t); });
    q(".bt-path").setAttribute("d", path(X, Y));
    q(".bt-loss").setAttribute("d", path(T, G));
    q(".bt-start").setAttribute("cx", X[0]); q(".bt-start").setAttribute("cy", Y[0]);
    var j = lastDrawable(X, Y);
    q(".bt-end").setAttribute("cx", X[j]); q(".bt-end").setAttribute("cy", Y[j]);
    var first = run[3][0], last = run[3][1];
    var diverged = last === null || last > first;
    q(".bt-readout").innerHTML = labels.join(", ") + " &nbsp;|&nbsp; f(x<sub>" + (G.length - 1) +
      "</sub>) \u2212 f* = " + (last === null ? "\u221e" : last.toPrecision(3)) +
      (diverged ? " &nbsp;<b style='color:#b00'>" + D.text.diverged + "</b>" : "");
  }
  for (var k = 0; k < sliders.length; k++) { sliders[k].addEventListener("input", draw); }
  draw();
})();
