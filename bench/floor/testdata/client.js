// The official socket.io-client@4.8.4 against the floor server (websocket
// transport): CONNECT, echo with ack (several argument shapes), and a
// refused CONNECT to another namespace. Usage: node client.js <url>
// Prints one JSON line per check, then "done".
"use strict";
const path = require("path");
const { io } = require(path.join(__dirname, "..", "..", "..", "interop", "node_modules", "socket.io-client"));

const url = process.argv[2];
const fail = (msg) => { console.error(msg); process.exit(1); };
setTimeout(() => fail("timeout"), 10000).unref();

const socket = io(url, { transports: ["websocket"], reconnection: false });
socket.on("connect_error", (err) => fail("connect_error: " + err.message));
socket.on("connect", async () => {
  console.log(JSON.stringify({ connected: socket.connected, id: socket.id.length }));
  for (const args of [["a", 1, { b: [true, null] }], [], ["ü \"q\" \\ é"]]) {
    const reply = await new Promise((resolve) => socket.emit("echo", ...args, (...r) => resolve(r)));
    console.log(JSON.stringify({ sent: args, got: reply }));
  }
  const admin = io(url + "admin", { transports: ["websocket"], reconnection: false, forceNew: true });
  admin.on("connect", () => fail("/admin connected"));
  admin.on("connect_error", (err) => {
    console.log(JSON.stringify({ admin: err.message }));
    admin.close();
    socket.close();
    console.log("done");
  });
});
