// Interop check of a compressed broadcast: n official engine.io-client
// sockets over websocket negotiate permessage-deflate with the Go Engine.IO
// server (server/engine, Options.PerMessageDeflate), which then sends the
// same m messages to every session (compressed once for all of them).
// Usage: node engine/deflatebcast.js <url> <n> <m>
// Message i is "bcast <i> " followed by "json-like <i> " 150 times.
// Prints "opened <n> <extensions of the first>", then "received <n*m> ok",
// then "closed done", and exits 0; prints "error <msg>" and exits 1 on any
// mismatch or missing message.
"use strict";
const { Socket } = require("engine.io-client");

const [url, nArg, mArg] = process.argv.slice(2);
const n = Number(nArg), m = Number(mArg);
const out = (line) => process.stdout.write(line + "\n");
const fail = (msg) => {
  out("error " + msg);
  process.exit(1);
};
setTimeout(() => fail("timeout"), 20000).unref();

const want = (i) => `bcast ${i} ` + `json-like ${i} `.repeat(150);
let opened = 0, received = 0;
const socks = [];
for (let k = 0; k < n; k++) {
  const s = new Socket(url, { transports: ["websocket"] });
  let next = 0;
  s.on("open", () => {
    const ext = s.transport.ws.extensions || "";
    if (!ext.includes("permessage-deflate")) fail(`socket ${k}: no permessage-deflate (${ext})`);
    if (++opened === n) out(`opened ${n} ${ext}`);
  });
  s.on("message", (data) => {
    if (data !== want(next)) fail(`socket ${k}: message ${next} differs (${String(data).slice(0, 30)}...)`);
    next++;
    if (++received === n * m) {
      out(`received ${received} ok`);
      out("closed done");
      for (const x of socks) x.close();
      process.exit(0);
    }
  });
  s.on("error", (e) => fail(String(e && e.message ? e.message : e)));
  s.on("close", (reason) => {
    if (received < n * m) fail(`socket ${k} closed: ${reason}`);
  });
  socks.push(s);
}
