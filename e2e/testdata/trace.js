// trace.js records, in window.__trace, when the page's Engine.IO traffic
// happens (ms from navigation start): every fetch (start, response headers,
// body read) and every WebSocket (created, open, each frame sent and
// received). Load it before the client (measurement pages only).
(function () {
  "use strict";
  var trace = (window.__trace = []);
  function now() {
    return Math.round(performance.now() * 10) / 10;
  }
  function short(u) {
    var s = String(u);
    var i = s.indexOf("?");
    return s.slice(s.lastIndexOf("/", i < 0 ? s.length : i) + 1);
  }
  function note(what, detail) {
    trace.push([now(), what, detail]);
  }
  var origFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = short(typeof input === "string" ? input : input.url);
    var method = (init && init.method) || "GET";
    var body = init && typeof init.body === "string" ? " " + init.body.slice(0, 60) : "";
    note("fetch", method + " " + url + body);
    return origFetch.apply(this, arguments).then(function (r) {
      note("headers", method + " " + url + " " + r.status);
      if (url.indexOf("transport=polling") >= 0) {
        var text = r.text;
        r.text = function () {
          return text.call(r).then(function (t) {
            note("body", method + " " + url + " " + t.slice(0, 60));
            return t;
          });
        };
      }
      return r;
    });
  };
  var open = XMLHttpRequest.prototype.open;
  var xsend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__what = method + " " + short(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    var xhr = this;
    note("xhr", xhr.__what + (typeof body === "string" ? " " + body.slice(0, 60) : ""));
    xhr.addEventListener("readystatechange", function () {
      if (xhr.readyState === 2) note("headers", xhr.__what + " " + xhr.status);
      if (xhr.readyState === 4) note("body", xhr.__what + " " + String(xhr.responseText).slice(0, 60));
    });
    return xsend.apply(this, arguments);
  };
  var OrigWS = window.WebSocket;
  function TracedWS(url, protocols) {
    var ws = protocols === undefined ? new OrigWS(url) : new OrigWS(url, protocols);
    note("ws new", short(url));
    ws.addEventListener("open", function () {
      note("ws open", "");
    });
    ws.addEventListener("message", function (e) {
      note("ws recv", typeof e.data === "string" ? e.data.slice(0, 60) : "binary");
    });
    ws.addEventListener("close", function (e) {
      note("ws close", String(e.code));
    });
    var send = ws.send;
    ws.send = function (d) {
      note("ws send", typeof d === "string" ? d.slice(0, 60) : "binary");
      return send.call(ws, d);
    };
    return ws;
  }
  TracedWS.prototype = OrigWS.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) {
    TracedWS[k] = OrigWS[k];
  });
  window.WebSocket = TracedWS;
})();
