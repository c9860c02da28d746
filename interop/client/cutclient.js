// socket.io-client 4.8.4 in the setup of the Go client's TestNodePollingCut:
// polling only, through the cutting proxy at argv[2]. Prints "connect
// recovered=<bool>", "disconnect <reason>" and "echo <value>"; emits "echo"
// "held" when the test writes the line "emit" on its standard input (once
// the test has armed the proxy), and exits after the echo arrives. The test
// bounds how long it waits and kills the process.
"use strict";
const readline = require("readline");
const { io } = require("socket.io-client");

const socket = io(process.argv[2], { transports: ["polling"], reconnectionDelay: 1500, randomizationFactor: 0 });
socket.on("connect", () => console.log(`connect recovered=${socket.recovered}`));
socket.on("disconnect", (reason) => console.log(`disconnect ${reason}`));
socket.on("echo", (v) => {
  console.log(`echo ${v}`);
  setTimeout(() => { socket.disconnect(); process.exit(0); }, 100);
});
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "emit") socket.emit("echo", "held");
});
