/** Test set-up over XML-RPC: a carrier, its technical user, an endpoint and shipments. */
import { OdooClient } from "odoo-xmlrpc-ts";

export interface SimTarget {
    apiKey: string;
    secret: string;
    endpointId: number;
    carrierId: number;
    shipmentIds: number[];
    pros: string[];
}

export async function setUpCarrier(client: OdooClient, run: string, shipments: number): Promise<SimTarget> {
    await client.authenticate();
    const ref = async (module: string, name: string) =>
        (await client.execute<[string, number]>("ir.model.data", "check_object_reference", [module, name]))[1];
    const carrierId = await client.create("res.partner", {
        name: `Simulated carrier ${run}`, is_company: true, is_freight_carrier: true,
    });
    const robotId = await client.create("res.users", {
        name: `Simulator robot ${run}`, login: `sim_robot_${run}`,
        groups_id: [[6, 0, [await ref("base", "group_user"), await ref("freight_sync", "group_freight_integration")]]],
    });
    const secret = `sim-secret-${run}`;
    const endpointId = await client.create("freight.endpoint", {
        name: `Simulator ${run}`, kind: "carrier", carrier_id: carrierId, user_id: robotId, hmac_secret: secret,
        // the simulator sends as fast as it can: no per-endpoint limit
        rate_limit: 0,
    });
    // the key is shown once, in the answer's context; no record keeps it
    const action = await client.execute<{ context: { freight_issued_api_key: string } }>("freight.endpoint", "action_rotate_api_key", [[endpointId]]);
    const apiKey = action.context.freight_issued_api_key;
    const pros = Array.from({ length: shipments }, (_, i) => `SIM${run}${String(i).padStart(5, "0")}`.toUpperCase());
    const shipmentIds = await client.execute<number[]>("freight.shipment", "create", [
        pros.map((pro) => ({ carrier_id: carrierId, pro_number: pro })),
    ]);
    return { apiKey, secret, endpointId, carrierId, shipmentIds, pros };
}
