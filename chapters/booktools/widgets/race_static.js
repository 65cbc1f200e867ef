(function () {
  var root = document.getElementById("__ID__");
  if (!root) { return; }
  var W = window.bookWidgets;  // shared.js, just before this script
  var D = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  function q(sel) { return root.querySelector(sel); }
  function qa(sel) { return root.querySelectorAll(sel); }
  var S = {fn: 0, mode: D.kind === "scrub" ? "scrub" : "defaults", frame: 0, timer: null,
           contender: D.initial_contender || 0, lr: D.initial_lr || 0};
  // the backgrounds: the cell's image outputs just before the widget (race_static.py
  // displays them first), one per function
  var BG = W.backgrounds(root, +root.getAttribute("data-backgrounds"));
  var clamp = W.clamp, px = W.px;
  function ok(v) { return v !== null && isFinite(v); }
  // the integer streams of race_static.py's encode_ints (shared.js: codes): code 0 = not
  // finite, 1 = a gap at or below f*, 2 + zigzag(delta from the previous value) otherwise
  function ints(text, scale, transform) {
    var prev = 0;
    return W.codes(text).map(function (code) {
      if (code === 0) { return null; }
      if (code === 1) { return 0; }
      prev += W.unzigzag(code - 2);
      return transform(prev / scale);
    });
  }
  var decoded = {};
  function decode(key, run) {  // [X px, Y px, gaps], decoded once per run
    if (!decoded[key]) {
      var same = function (v) { return v; };
      decoded[key] = [ints(run[0], D.quantum.pixel, same), ints(run[1], D.quantum.pixel, same),
                      ints(run[2], D.quantum.gap, function (v) { return Math.pow(10, v); })];
    }
    return decoded[key];
  }
  // SVG path through pixel points (xs, ys); null breaks the line; in the log panel a gap of
  // 0 (at f*) is below every axis and breaks it too
  function path(xs, ys, upto) {
    var d = "", pen = false;
    for (var i = 0; i <= upto && i < xs.length; i++) {
      if (!ok(xs[i]) || !ok(ys[i])) { pen = false; continue; }
      d += (pen ? "L" : "M") + clamp(xs[i]).toFixed(2) + " " + clamp(ys[i]).toFixed(2);
      pen = true;
    }
    return d;
  }
  function lastFinite(xs, ys, upto) {
    for (var i = Math.min(upto, xs.length - 1); i >= 0; i--) {
      if (ok(xs[i]) && ok(ys[i])) { return i; }
    }
    return -1;
  }
  function fmt(v) { return ok(v) ? String(+v.toPrecision(3)) : "\u221e"; }
  function lossPixels(panel, gaps) {
    var xs = [], ys = [];
    for (var t = 0; t < gaps.length; t++) {
      var ok_ = ok(gaps[t]) && gaps[t] > 0, p = ok_ ? px(panel, t, gaps[t]) : [null, null];
      xs.push(p[0]); ys.push(p[1]);
    }
    return [xs, ys];
  }
  // the runs to draw now: [contender index, run] pairs and the learning rates
  function current() {
    var F = D.functions[S.fn];
    if (S.mode === "scrub") {
      return [[S.contender, decode([S.fn, S.contender, S.lr].join(),
                                   F.grid.runs[S.contender][S.lr]), D.grid[S.lr]]];
    }
    var M = F.modes[S.mode], out = [];
    for (var c = 0; c < M.runs.length; c++) {
      out.push([c, decode([S.fn, S.mode, c].join(), M.runs[c]), M.lrs[c]]);
    }
    return out;
  }
  function draw() {
    var F = D.functions[S.fn], runs = current();
    var upto = S.mode === "scrub" ? F.n_steps : S.frame;
    q(".bt-img").setAttribute("src", BG[S.fn]);
    var rows = [];
    for (var c = 0; c < D.contenders.length; c++) {
      var line = q(".bt-path-" + c), loss = q(".bt-loss-" + c), end = q(".bt-end-" + c);
      line.setAttribute("d", ""); loss.setAttribute("d", ""); end.setAttribute("cx", -99);
    }
    for (var r = 0; r < runs.length; r++) {
      var ci = runs[r][0], run = runs[r][1], lr = runs[r][2];
      if (run === null) { continue; }
      var xs = run[0], ys = run[1], gaps = run[2];
      var lp = lossPixels(F.panels.loss, gaps);
      q(".bt-path-" + ci).setAttribute("d", path(xs, ys, upto));
      q(".bt-loss-" + ci).setAttribute("d", path(lp[0], lp[1], upto));
      var j = lastFinite(xs, ys, upto);
      if (j >= 0) {
        q(".bt-end-" + ci).setAttribute("cx", clamp(xs[j]));
        q(".bt-end-" + ci).setAttribute("cy", clamp(ys[j]));
      }
      var g = gaps[Math.min(upto, gaps.length - 1)];
      rows.push("<span style='color:" + D.contenders[ci].color + ";font-weight:bold'>\u25cf " +
                D.contenders[ci].name + "</span> \u03b7=" + fmt(lr) + ": " + fmt(g));
    }
    var s0 = px(F.panels.traj, F.start[0], F.start[1]);
    q(".bt-start").setAttribute("cx", s0[0]); q(".bt-start").setAttribute("cy", s0[1]);
    q(".bt-legend").innerHTML = rows.join(" &nbsp; ");
    q(".bt-readout").textContent = "f(x\u209c) \u2212 f*, t = " + upto;
    if (q(".bt-frame")) { q(".bt-frame").value = S.frame; }
    if (q(".bt-lrval")) { q(".bt-lrval").textContent = fmt(D.grid[S.lr]); }
  }
  function stop() {
    if (S.timer !== null) { clearInterval(S.timer); S.timer = null; }
    if (q(".bt-play")) { q(".bt-play").textContent = D.text.play; }
  }
  function play() {
    var F = D.functions[S.fn];
    if (S.timer !== null) { stop(); return; }
    if (S.frame >= F.n_steps) { S.frame = 0; }
    q(".bt-play").textContent = D.text.pause;
    S.timer = setInterval(function () {
      S.frame = Math.min(S.frame + 2, F.n_steps);
      draw();
      if (S.frame >= F.n_steps) { stop(); }
    }, 40);
  }
  var fsel = q(".bt-fn");
  if (fsel) { fsel.addEventListener("change", function () { stop(); S.fn = +fsel.value; S.frame = 0; draw(); }); }
  qa(".bt-mode").forEach(function (el) {
    el.addEventListener("change", function () { if (el.checked) { S.mode = el.value; draw(); } });
  });
  if (q(".bt-play")) { q(".bt-play").addEventListener("click", play); }
  if (q(".bt-frame")) {
    q(".bt-frame").addEventListener("input", function () { stop(); S.frame = +q(".bt-frame").value; draw(); });
  }
  if (q(".bt-contender")) {
    q(".bt-contender").addEventListener("change", function () {
      S.contender = +q(".bt-contender").value;
      S.lr = D.best[S.contender];  // start each contender at its tuned learning rate
      q(".bt-lr").value = S.lr;
      draw();
    });
  }
  if (q(".bt-lr")) {
    q(".bt-lr").addEventListener("input", function () { S.lr = +q(".bt-lr").value; draw(); });
  }
  S.frame = D.kind === "scrub" ? 0 : D.functions[0].n_steps;
  draw();
})();
