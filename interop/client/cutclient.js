// socket.io-client 4.8.4 in the setup of the Go client's TestNodePollingCut:
// polling only, through the cutting proxy at argv[2]. Prints "connect
// recovered=<bool>", "disconnect <reason>" and "echo <value>", and exits
// after the echo arrives. Its steps wait for the test, which writes lines on
// its standard input: "emit" emits "echo" "held" (once the test has armed the
// proxy), "connect" connects again, until connected (once the server has
// ended the abandoned session: only then can it be recovered). The test
// bounds how long it waits and kills the process.
"use strict";
const readline = require("readline");
const { io } = require("socket.io-client");

const socket = io(process.argv[2], { transports: ["polling"], reconnection: false });
let reconnect = false; // the test said "connect"
socket.on("connect", () => console.log(`connect recovered=${socket.recovered}`));
socket.on("disconnect", (reason) => {
  console.log(`disconnect ${reason}`);
  if (reconnect) socket.connect();
});
socket.on("connect_error", () => {
  if (reconnect) socket.connect();
});
socket.on("echo", (v) => {
  console.log(`echo ${v}`);
  setTimeout(() => { socket.disconnect(); process.exit(0); }, 100);
});
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "emit") socket.emit("echo", "held");
  if (line === "connect") {
    reconnect = true;
    socket.connect();
  }
});
