// A partner's system for end-to-end tests: a real HTTP server on loopback that receives
// what our outbox POSTs, checks our signature with the shared secret, and lets the test
// react to each request (a carrier answering a tender, a customer logging a webhook).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
    path: string;
    headers: IncomingHttpHeaders;
    body: string;
    /** Why the signature was refused, or null when it is ours. */
    refusal: string | null;
}

export class FakePartner {
    readonly received: Received[] = [];
    private server: Server;
    private waiters: (() => void)[] = [];

    constructor(
        private readonly secret: string,
        private readonly onRequest: (request: Received) => void = () => undefined,
    ) {
        this.server = createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (chunk: Buffer) => chunks.push(chunk));
            req.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                const request = { path: req.url ?? "/", headers: req.headers, body, refusal: this.check(req.headers, body) };
                this.received.push(request);
                res.writeHead(request.refusal ? 401 : 202, { "Content-Type": "application/json" });
                res.end(JSON.stringify({ status: request.refusal ? "refused" : "received" }));
                if (!request.refusal) {
                    this.onRequest(request);
                }
                this.waiters.splice(0).forEach((wake) => wake());
            });
        });
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    /** The first accepted request matching `test`, waiting for it up to `timeoutMs`. */
    async waitFor(test: (request: Received) => boolean, timeoutMs: number): Promise<Received> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.received.find((r) => !r.refusal && test(r));
            if (found) {
                return found;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new Error(`no matching request within ${timeoutMs} ms; received: ${this.received.map((r) => r.body.slice(0, 200)).join(" | ")}`);
            }
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, Math.min(left, 1000));
                this.waiters.push(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
    }

    private check(headers: IncomingHttpHeaders, body: string): string | null {
        const stamp = String(headers["x-freight-timestamp"] ?? "");
        const given = String(headers["x-freight-signature"] ?? "");
        if (!stamp || !given) {
            return "unsigned";
        }
        if (Math.abs(Date.now() / 1000 - Number(stamp)) > 300) {
            return "timestamp outside the replay window";
        }
        const expected = "sha256=" + createHmac("sha256", this.secret).update(`${stamp}.${body}`).digest("hex");
        const same = expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
        return same ? null : "bad signature";
    }
}
