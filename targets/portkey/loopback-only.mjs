// Preloaded with `node --import`: a server that listens without a host gets 127.0.0.1, not every interface.
// Portkey's start script calls serve({port}) with no hostname; Node would then bind :: (all addresses).
import net from "node:net";

const LOOPBACK = "127.0.0.1";
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (first !== null && typeof first === "object" && !("fd" in first) && !("_handle" in first) && !("handle" in first)) {
    // listen(options[, cb]): a Unix socket path needs no host
    if (first.path === undefined && (first.host === undefined || first.host === null)) {
      args[0] = { ...first, host: LOOPBACK };
    }
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, cb])
    if (args.length < 2 || args[1] === undefined || args[1] === null) {
      args[1] = LOOPBACK;
    } else if (typeof args[1] !== "string") {
      args.splice(1, 0, LOOPBACK);
    }
  }
  return listen.apply(this, args);
};
