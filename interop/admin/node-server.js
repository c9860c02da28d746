// The reference: a Node socket.io server instrumented by @socket.io/admin-ui,
// with the same application as admin/interop_test.go's duplex server.
// Usage: ADMIN_HASH=<bcrypt hash> node admin/node-server.js
// Prints "listening <port>".
"use strict";
const http = require("http");
const { Server } = require("socket.io");
const { instrument } = require("@socket.io/admin-ui");

const httpServer = http.createServer();
const io = new Server(httpServer);
io.on("connection", (socket) => {
  socket.on("hello", (msg, ack) => {
    socket.join("lobby");
    if (typeof ack === "function") ack("hi");
  });
});
io.of("/chat");
instrument(io, {
  auth: { type: "basic", username: "admin", password: process.env.ADMIN_HASH },
  serverId: "node-1",
  mode: "development",
});
httpServer.listen(0, "127.0.0.1", () => {
  console.log("listening " + httpServer.address().port);
});
