import { createHmac } from "node:crypto";

/** Headers of a signed request: HMAC-SHA256 over "timestamp.body" with the shared secret. */
export function signedHeaders(body: string, apiKey: string, secret: string, contentType: string, now = Date.now()): Record<string, string> {
    const timestamp = String(Math.floor(now / 1000));
    const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    return {
        "Content-Type": contentType,
        "X-Freight-Key": apiKey,
        "X-Freight-Timestamp": timestamp,
        "X-Freight-Signature": `sha256=${signature}`,
    };
}
