// The Node side of the duplex benchmark contract, on the pinned socket.io@4.8.4
// (both transports; permessage-deflate accepted when a client offers it, as
// the duplex side). Usage: node server.js [port]  (0 = ephemeral).
// Prints "listening <port>" once ready. Contract, on the default namespace:
//   echo(...args, ack)             -> ack(...args)
//   join(room, ack)                -> socket.join(room); ack()
//   bcast({count,size,room?,json?,seed?}, ack)
//                                  -> emit "msg" with a size-byte string count
//                                     times to every socket (or the room); ack()
//                                     (with json, message i is
//                                     jsonLike(seed*count+i, size))
"use strict";
const path = require("path");
const http = require("http");
const { Server } = require(path.join(__dirname, "..", "..", "interop", "node_modules", "socket.io"));

const port = Number(process.argv[2] || 0);
const httpServer = http.createServer();
// perMessageDeflate: true is engine.io's { threshold: 1024 } with ws's
// defaults (zlib level of Node's default, context takeover unless the
// client asks otherwise: the load generator asks for none).
const io = new Server(httpServer, { serveClient: false, perMessageDeflate: true });

// jsonLike is bench/payload.JSONLike: the same text byte for byte.
const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
  "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
  "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"];
function jsonLike(id, size) {
  if (size < 1) return "";
  let s = "{id:" + id + ",user:user" + (id % 97) + ",room:lobby,text:";
  let x = Math.imul(id, 2654435761) >>> 0;
  while (s.length < size) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += words[(x >>> 16) % words.length] + " ";
  }
  return s.slice(0, size - 1) + "}";
}

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(String(room));
    if (typeof ack === "function") ack();
  });
  socket.on("bcast", (opts, ack) => {
    const count = Math.max(0, Math.min(Number(opts && opts.count) || 0, 1e6));
    const size = Math.max(0, Math.min(Number(opts && opts.size) || 0, 1e6));
    const s = "x".repeat(size);
    const json = Boolean(opts && opts.json);
    const seed = Math.max(0, Number(opts && opts.seed) || 0);
    const target = opts && opts.room ? io.to(String(opts.room)) : io;
    for (let i = 0; i < count; i++) target.emit("msg", json ? jsonLike(seed * count + i, size) : s);
    if (typeof ack === "function") ack();
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${httpServer.address().port}\n`);
});

const stop = () => { io.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
