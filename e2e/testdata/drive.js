// A page that tests drive by evaluating JavaScript: it connects window.s
// (io(url, opts) from the query: ?url=...&opts={json}) and logs everything the
// socket sees, one console line per event:
//   connect <id> recovered=<bool> | disconnect <reason> | connect_error <message>
//   event <name> <args as JSON, binary as "bin:1,2,3">
//   reconnect_attempt <n> | reconnect <n>
(function () {
  const q = new URLSearchParams(location.search);
  const opts = q.get("opts") ? JSON.parse(q.get("opts")) : {};
  const show = (args) =>
    JSON.stringify(args, (k, v) => (v instanceof ArrayBuffer ? "bin:" + Array.from(new Uint8Array(v)).join(",") : v));
  const s = io(q.get("url") || location.origin, opts);
  window.s = s;
  s.on("connect", () => console.log("connect " + s.id + " recovered=" + s.recovered));
  s.on("disconnect", (r) => console.log("disconnect " + r));
  s.on("connect_error", (e) => console.log("connect_error " + e.message));
  s.onAny((name, ...args) => console.log("event " + name + " " + show(args)));
  s.io.on("reconnect_attempt", (n) => console.log("reconnect_attempt " + n));
  s.io.on("reconnect", (n) => console.log("reconnect " + n));
})();
