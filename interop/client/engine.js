// Reference engine.io 6.6 server (bare Engine.IO, path /engine.io/) for the Go
// engine client's interop tests: echoes every message (text or binary) and
// closes the session when it receives "close me".
"use strict";
const http = require("http");
const engine = require("engine.io");

const httpServer = http.createServer();
const server = engine.attach(httpServer, { pingInterval: 300, pingTimeout: 3000 });
server.on("connection", (socket) => {
  socket.on("message", (data) => {
    if (data === "close me") return socket.close();
    socket.send(data);
  });
  socket.on("upgrade", () => console.log("upgraded " + socket.id));
});
httpServer.listen(0, "127.0.0.1", () => console.log(`listening ${httpServer.address().port}`));
