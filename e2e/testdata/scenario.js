// The e2e scenario shared by every client page (the official socket.io-client
// bundle and duplex's wasm io): connect, ack echo (JSON and binary both ways),
// a server-to-client ack, and an event without ack. It ends with
// window.__result = "pass" or "fail: <why>", and logs each step.
(async function () {
  const q = new URLSearchParams(location.search);
  const opts = {};
  if (q.get("transports")) opts.transports = q.get("transports").split(",");
  if (q.get("upgrade") === "false") opts.upgrade = false;
  const url = q.get("url") || location.origin;
  const fail = (m) => {
    console.log("FAIL " + m);
    window.__result = "fail: " + m;
  };
  const once = (s, ev) => new Promise((r) => s.once(ev, (...a) => r(a)));
  const bytes = (b) => Array.from(new Uint8Array(b)).join(",");
  try {
    const socket = io(url, opts);
    window.__socket = socket;
    socket.on("connect_error", (e) => console.log("connect_error " + e.message));
    const welcome = once(socket, "welcome");
    socket.on("question", (qq, cb) => cb("answer-to-" + qq));
    await once(socket, "connect");
    console.log("connected " + socket.id);
    const [w] = await welcome;
    if (w.id !== socket.id) return fail("welcome id " + JSON.stringify(w) + " != " + socket.id);

    const r = await socket.timeout(5000).emitWithAck("echo", { a: 1, b: "x", c: [true, null] });
    if (JSON.stringify(r) !== '{"a":1,"b":"x","c":[true,null]}') return fail("json echo " + JSON.stringify(r));
    console.log("json ack ok");

    const r2 = await new Promise((resolve) =>
      socket.emit("echo", "s", 42, (...a) => resolve(a)));
    if (JSON.stringify(r2) !== '["s",42]') return fail("callback ack " + JSON.stringify(r2));
    console.log("callback ack ok");

    const bin = new Uint8Array([1, 2, 3, 250, 0]);
    const rb = await socket.timeout(5000).emitWithAck("echo", { data: bin, n: "t" });
    if (!(rb.data instanceof ArrayBuffer)) return fail("binary echo type " + Object.prototype.toString.call(rb.data));
    if (bytes(rb.data) !== "1,2,3,250,0" || rb.n !== "t") return fail("binary echo " + bytes(rb.data));
    console.log("binary ack ok");

    const top = await socket.timeout(5000).emitWithAck("echo", bin.buffer);
    if (!(top instanceof ArrayBuffer) || bytes(top) !== "1,2,3,250,0") return fail("top-level binary");
    console.log("top-level binary ok");

    const ans = once(socket, "answer");
    socket.emit("ask", "what");
    const [a] = await ans;
    if (a !== "answer-to-what") return fail("server ack " + a);
    console.log("server ack ok");

    const ev = once(socket, "echo");
    socket.emit("echo", "no-ack", { k: [1, 2] });
    const got = await ev;
    if (JSON.stringify(got) !== '["no-ack",{"k":[1,2]}]') return fail("plain event " + JSON.stringify(got));
    console.log("plain event ok");

    let anyCount = 0;
    socket.onAny(() => anyCount++);
    const ev2 = once(socket, "echo");
    socket.emit("echo", 1);
    await ev2;
    if (anyCount !== 1) return fail("onAny " + anyCount);
    console.log("onAny ok");

    const terr = await new Promise((r) => socket.timeout(200).emit("unanswered", 1, (err, v) => r(err)));
    if (!(terr instanceof Error) || terr.message !== "operation has timed out") return fail("timeout: got " + terr);
    console.log("ack timeout ok: " + terr.message);

    let offCount = 0;
    const counter = () => offCount++;
    socket.on("echo", counter);
    socket.off("echo", counter);
    const ev3 = once(socket, "echo");
    socket.emit("echo", 2);
    await ev3;
    if (offCount !== 0) return fail("off: listener still called");
    console.log("off ok");

    if (!socket.connected) return fail("connected false");
    const want = q.get("expectTransport");
    if (want) {
      // An upgrade can still be on its way: poll a little.
      for (let i = 0; i < 100 && socket.io.engine.transport.name !== want; i++) await new Promise((r) => setTimeout(r, 50));
      if (socket.io.engine.transport.name !== want) return fail("transport " + socket.io.engine.transport.name + ", want " + want);
    }
    console.log("transport " + socket.io.engine.transport.name);
    console.log("PASS");
    window.__result = "pass";
  } catch (e) {
    fail(String(e && e.stack || e));
  }
})();
