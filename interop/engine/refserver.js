// Reference engine.io 6.6 server (bare Engine.IO at /engine.io/) for the Go
// engine server's comparison tests: the Go tests send the same raw requests to
// it and to server/engine and compare the answers.
// Usage: node engine/refserver.js ['<engine.io options as JSON>']
// Prints "listening <port>", then one line per event:
//   connection <transport> | close <reason> | upgrade <transport>
// Echoes every message.
"use strict";
const http = require("http");
const engine = require("engine.io");

const opts = JSON.parse(process.argv[2] || "{}") || {};
const httpServer = http.createServer();
const server = engine.attach(httpServer, opts);
server.on("connection", (socket) => {
  console.log("connection " + socket.transport.name);
  socket.on("message", (data) => socket.send(data));
  socket.on("upgrade", (t) => console.log("upgrade " + t.name));
  socket.on("close", (reason) => console.log("close " + reason));
});
httpServer.listen(0, "127.0.0.1", () => console.log(`listening ${httpServer.address().port}`));
