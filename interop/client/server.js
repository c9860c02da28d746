// Reference Socket.IO 4.8.4 server for the Go client's interop tests.
// Prints "listening <port>" once ready, and one line per notable event.
// Env: PORT (default 0), TRANSPORTS (comma separated), RECOVERY=1 (connectionStateRecovery),
//      PING_INTERVAL / PING_TIMEOUT (ms).
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const opts = { maxHttpBufferSize: 1e6 };
if (process.env.TRANSPORTS) opts.transports = process.env.TRANSPORTS.split(",");
if (process.env.RECOVERY === "1") opts.connectionStateRecovery = { maxDisconnectionDuration: 60000, skipMiddlewares: true };
if (process.env.PING_INTERVAL) opts.pingInterval = Number(process.env.PING_INTERVAL);
if (process.env.PING_TIMEOUT) opts.pingTimeout = Number(process.env.PING_TIMEOUT);

const httpServer = http.createServer();
const io = new Server(httpServer, opts);

function common(nsp, socket) {
  // echo: emits the same arguments back and acks them when asked.
  socket.on("echo", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    socket.emit("echo", ...args);
    if (ack) ack(...args);
  });
  // ack only, no echo event.
  socket.on("ack", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    if (ack) ack(...args);
  });
  // note: records the argument on stdout (exactly-once checks) and acks.
  socket.on("note", (v, ack) => {
    console.log(`note ${nsp} ${JSON.stringify(v)}`);
    if (typeof ack === "function") ack("noted");
  });
  // ask: the server asks the client with an ack and reports the answer.
  socket.on("ask", (q) => {
    socket.timeout(5000).emit("question", q, Buffer.from([1, 2, 3]), (err, ...answer) => {
      socket.emit("answer", err ? "error: " + err.message : answer);
    });
  });
  // rooms
  socket.on("join", (room, ack) => { socket.join(room); if (typeof ack === "function") ack(); });
  socket.on("to", (room, ...args) => { socket.to(room).emit("broadcast", ...args); });
  // the server disconnects this socket (namespace) or the whole connection.
  socket.on("kick", () => socket.disconnect());
  socket.on("kick-all", () => socket.disconnect(true));
  // cut the transport (recoverable), then emit while the client is away.
  socket.on("cut", (n) => {
    socket.conn.close();
    setTimeout(() => { for (let i = 0; i < n; i++) nsp === "/" ? io.emit("missed", i) : io.of(nsp).emit("missed", i); }, 50);
  });
  // counting: how many times an event arrived
  let count = 0;
  socket.on("count", (ack) => { count++; if (typeof ack === "function") ack(count); });
  // slow ack: acks only the n-th try of "flaky" (retries test)
  let flaky = 0;
  socket.on("flaky", (v, ack) => { flaky++; console.log(`flaky ${flaky}`); if (flaky >= 2) ack("ok " + flaky); });
  // seq: checks that numbered events arrive in order, exactly once.
  let next = 0, bad = 0;
  socket.on("seq", (n) => { if (n !== next) bad++; next = n + 1; });
  socket.on("seq-end", (ack) => ack({ received: next, bad, transport: socket.conn.transport.name }));
  // burst: the server emits n numbered events in chunks of 100, 5 ms apart.
  socket.on("burst", (n) => {
    let i = 0;
    const timer = setInterval(() => {
      for (let k = 0; k < 100 && i < n; k++) socket.emit("b", i++);
      if (i >= n) clearInterval(timer);
    }, 5);
  });
  // the reason the server sees for a disconnection
  socket.on("disconnect", (reason) => console.log(`disconnect ${nsp} ${socket.id} ${reason}`));
  socket.emit("welcome", { id: socket.id, recovered: socket.recovered, auth: socket.handshake.auth, query: socket.handshake.query });
}

io.on("connection", (socket) => common("/", socket));

const admin = io.of("/admin");
admin.use((socket, next) => {
  if (socket.handshake.auth && socket.handshake.auth.token === "good") return next();
  const err = new Error("not authorized");
  err.data = { reason: "bad token" };
  next(err);
});
admin.on("connection", (socket) => common("/admin", socket));

io.of("/chat").on("connection", (socket) => common("/chat", socket));

httpServer.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`listening ${httpServer.address().port}`);
});
