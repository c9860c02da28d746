// The Node side of the duplex benchmark contract, on the pinned socket.io@4.8.4
// (websocket transport only). Usage: node server.js [port]  (0 = ephemeral).
// Prints "listening <port>" once ready. Contract, on the default namespace:
//   echo(...args, ack)             -> ack(...args)
//   join(room, ack)                -> socket.join(room); ack()
//   bcast({count,size,room?}, ack) -> emit "msg" with a size-byte string count
//                                     times to every socket (or the room); ack()
"use strict";
const path = require("path");
const http = require("http");
const { Server } = require(path.join(__dirname, "..", "..", "interop", "node_modules", "socket.io"));

const port = Number(process.argv[2] || 0);
const httpServer = http.createServer();
const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });

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
    const target = opts && opts.room ? io.to(String(opts.room)) : io;
    for (let i = 0; i < count; i++) target.emit("msg", s);
    if (typeof ack === "function") ack();
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${httpServer.address().port}\n`);
});

const stop = () => { io.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
