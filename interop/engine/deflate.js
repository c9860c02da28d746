// Interop check of permessage-deflate between the Go Engine.IO server
// (server/engine, Options.PerMessageDeflate) and the official
// engine.io-client over websocket (Node's ws: no context takeover as the
// server answers). Usage: node engine/deflate.js <url>
// The Go side echoes every message. Prints "extensions <negotiated>", then
// "echo <kind> <length> ok" per message, then "closed done", and exits 0; prints
// "error <msg>" and exits 1 on any mismatch.
"use strict";
const { Socket } = require("engine.io-client");

const [url] = process.argv.slice(2);
const out = (line) => process.stdout.write(line + "\n");
const fail = (msg) => {
  out("error " + msg);
  process.exit(1);
};
setTimeout(() => fail("timeout"), 20000).unref();

// Every message is compressed by the client (threshold 0); the server
// compresses its echoes of 1024 bytes or more.
const big = "deflate me ".repeat(500);
const bin = Buffer.alloc(5000, 7);
const sent = [
  ["text", "small"],
  ["text", big],
  ["binary", bin],
  ["text", "caf\u00e9 \u{1F600} ".repeat(300)],
];
const socket = new Socket(url, { transports: ["websocket"], perMessageDeflate: { threshold: 0 } });
let i = 0;
socket.on("open", () => {
  out("extensions " + (socket.transport.ws.extensions || ""));
  for (const [, data] of sent) socket.send(data);
});
socket.on("message", (data) => {
  const [kind, want] = sent[i++];
  const got = typeof data === "string" ? data : Buffer.from(data);
  const same = kind === "text" ? got === want : Buffer.isBuffer(got) && got.equals(want);
  if (!same) fail(`echo ${i}: ${kind} of ${want.length} differs`);
  out(`echo ${kind} ${want.length} ok`);
  if (i === sent.length) {
    out("closed done");
    socket.close();
    process.exit(0);
  }
});
socket.on("error", (e) => fail(String(e && e.message ? e.message : e)));
socket.on("close", (reason) => {
  if (i < sent.length) fail("closed: " + reason);
});
