// Front door of a prefork Odoo, as nginx is in production: HTTP to the workers' port,
// /websocket (the bus: live chatter, notifications) to the gevent port. Without it, the
// browser's websocket reaches a prefork worker, which answers 500 on every page.
//
//   node scripts/odoo-proxy.mjs LISTEN_PORT ODOO_HTTP_PORT ODOO_GEVENT_PORT [LISTEN_HOST]
//
// No dependencies; headers (Host included) pass through unchanged.
import http from "node:http";
import net from "node:net";

const [listenPort, httpPort, geventPort] = process.argv.slice(2, 5).map(Number);
const listenHost = process.argv[5] ?? "127.0.0.1";
const upstreamHost = "127.0.0.1";
if (![listenPort, httpPort, geventPort].every((p) => Number.isInteger(p) && p > 0)) {
    console.error("usage: node scripts/odoo-proxy.mjs LISTEN_PORT ODOO_HTTP_PORT ODOO_GEVENT_PORT [LISTEN_HOST]");
    process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const isBus = (url = "") => url === "/websocket" || url.startsWith("/websocket?") || url.startsWith("/websocket/");

const server = http.createServer((req, res) => {
    const upstream = http.request(
        {
            host: upstreamHost,
            port: isBus(req.url) ? geventPort : httpPort,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
        },
        (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
            answer.pipe(res);
        },
    );
    upstream.on("error", (error) => {
        if (!res.headersSent) {
            res.writeHead(502, { "content-type": "text/plain" });
        }
        res.end(`Odoo is not answering (${error.message})\n`);
    });
    req.pipe(upstream);
});

// Websocket upgrade: replay the request line and headers to the gevent port, then splice.
server.on("upgrade", (req, socket, head) => {
    const target = net.connect(isBus(req.url) ? geventPort : httpPort, upstreamHost, () => {
        const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
            lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        }
        target.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length) {
            target.write(head);
        }
        socket.pipe(target).pipe(socket);
    });
    target.on("error", () => socket.destroy());
    socket.on("error", () => target.destroy());
});

server.on("clientError", (_error, socket) => socket.destroy());
server.listen(listenPort, listenHost, () => {
    console.error(`odoo-proxy: http://${listenHost}:${listenPort} -> ${upstreamHost}:${httpPort} (bus ${geventPort})`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => server.close(() => process.exit(0)));
    process.on(signal, () => setTimeout(() => process.exit(0), 2000).unref());
}
