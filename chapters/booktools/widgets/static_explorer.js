(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var D = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var q = function (sel) { return root.querySelector(sel); };
  var sliders = root.querySelectorAll("input[type=range]");
  var LIM = 1e4;
  function clamp(v) { return Math.max(-LIM, Math.min(LIM, v)); }
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
  function path(panel, xs, ys) {
    var d = "", pen = false;
    for (var i = 0; i < xs.length; i++) {
      var ok = xs[i] !== null && ys[i] !== null && isFinite(xs[i]) && isFinite(ys[i]) &&
               (!panel.ylog || ys[i] > 0);
      if (!ok) { pen = false; continue; }
      var p = px(panel, xs[i], ys[i]);
      d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
      pen = true;
    }
    return d;
  }
  function lastFinite(xs, ys) {
    for (var i = xs.length - 1; i >= 0; i--) {
      if (xs[i] !== null && ys[i] !== null) { return i; }
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
    var xs = run[0], ys = run[1], fs = run[2];
    var gap = fs.map(function (v) { return v === null ? null : v - D.fmin; });
    var steps = gap.map(function (_, t) { return t; });
    q(".bt-path").setAttribute("d", path(D.panels.traj, xs, ys));
    q(".bt-loss").setAttribute("d", path(D.panels.loss, steps, gap));
    var s = px(D.panels.traj, xs[0], ys[0]);
    q(".bt-start").setAttribute("cx", s[0]); q(".bt-start").setAttribute("cy", s[1]);
    var j = lastFinite(xs, ys), e = px(D.panels.traj, xs[j], ys[j]);
    q(".bt-end").setAttribute("cx", e[0]); q(".bt-end").setAttribute("cy", e[1]);
    var last = gap[gap.length - 1];
    var diverged = last === null || !isFinite(last) || last > gap[0];
    q(".bt-readout").innerHTML = labels.join(", ") + " &nbsp;|&nbsp; f(x<sub>" + (gap.length - 1) +
      "</sub>) \u2212 f* = " + (last === null ? "\u221e" : last.toPrecision(3)) +
      (diverged ? " &nbsp;<b style='color:#b00'>" + D.text.diverged + "</b>" : "");
  }
  for (var k = 0; k < sliders.length; k++) { sliders[k].addEventListener("input", draw); }
  draw();
})();
