// The official socket.io@4.8.4 server for duplex's browser e2e tests.
// It implements the same small test protocol as the Go test server in
// e2e/scenario_server_test.go, so that the same pages run against both.
//
// Usage: node e2e/server.js   (env: TRANSPORTS=polling,websocket  RECOVERY=1)
// Prints `listening <port>` when ready, then one line per notable event.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const httpServer = http.createServer((req, res) => {
  res.writeHead(404).end();
});
const opts = {
  serveClient: false,
  cors: { origin: "*" },
  maxHttpBufferSize: 1e6,
};
if (process.env.TRANSPORTS) opts.transports = process.env.TRANSPORTS.split(",");
if (process.env.RECOVERY) {
  opts.connectionStateRecovery = { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true };
}
const io = new Server(httpServer, opts);

io.on("connection", (socket) => {
  console.log(`connection ${socket.id} ${socket.conn.transport.name} recovered=${socket.recovered}`);
  if (!socket.recovered) socket.emit("welcome", { id: socket.id, recovered: socket.recovered });
  socket.on("hello-message", (data) => console.log(`hello-message ${data}`));
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
    else socket.emit("echo", ...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack(room);
  });
  socket.on("broadcast", (room, ...args) => socket.to(room).emit("broadcast", ...args));
  socket.on("ask", (q) => {
    socket.timeout(5000).emit("question", q, (err, answer) => {
      socket.emit("answer", err ? "error: " + err.message : answer);
    });
  });
  socket.on("cut", () => socket.conn.close()); // transport cut: recoverable
  socket.on("disconnect", (reason) => console.log(`disconnect ${socket.id} ${reason}`));
});

httpServer.listen(0, "127.0.0.1", () => {
  console.log(`listening ${httpServer.address().port}`);
});
