/**
 * Simulated carrier: sets up a carrier, endpoint and shipments over XML-RPC, then sends a
 * signed milestone feed.
 *   node .build/sim/cli.mjs --url http://localhost:8069 --db freight_demo \
 *        --shipments 20 --format mixed --duplicates 0.1 --out-of-order 0.2 --malformed 0.05 [--complete]
 */
import { parseArgs } from "node:util";
import { OdooClient } from "odoo-xmlrpc-ts";
import { setUpCarrier } from "./odoo_setup";
import { sendFeed } from "./simulator";

const { values } = parseArgs({
    options: {
        url: { type: "string", default: "http://localhost:8069" },
        db: { type: "string", default: "freight_demo" },
        login: { type: "string", default: "admin" },
        password: { type: "string", default: "admin" },
        shipments: { type: "string", default: "20" },
        batch: { type: "string", default: "50" },
        format: { type: "string", default: "json" },
        duplicates: { type: "string", default: "0.1" },
        "out-of-order": { type: "string", default: "0.2" },
        malformed: { type: "string", default: "0.05" },
        seed: { type: "string", default: "1" },
        // every shipment runs its whole journey (pickup to delivery)
        complete: { type: "boolean", default: false },
    },
});

const run = Math.random().toString(36).slice(2, 8);
const client = new OdooClient({ url: values.url!, db: values.db!, username: values.login!, password: values.password! });
const target = await setUpCarrier(client, run, Number(values.shipments));
const result = await sendFeed({
    baseUrl: values.url!,
    apiKey: target.apiKey,
    secret: target.secret,
    pros: target.pros,
    format: values.format as "json" | "x12" | "mixed",
    batchSize: Number(values.batch),
    seed: Number(values.seed),
    duplicateRate: Number(values.duplicates),
    outOfOrderRate: Number(values["out-of-order"]),
    malformedRate: Number(values.malformed),
    partial: !values.complete,
});
console.log(JSON.stringify({ run, endpointId: target.endpointId, ...result }, null, 2));
