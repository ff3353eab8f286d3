/** Builds X12 214 (shipment status) interchanges from simulator events. Pure. */
import type { SimEvent } from "./stream";

export interface Delimiters {
    element: string;
    component: string;
    segment: string;
    /** written after each segment terminator, e.g. "\n" */
    newline: string;
}

export const STANDARD: Delimiters = { element: "*", component: ">", segment: "~", newline: "\n" };

// AT701 shipment status codes the simulator reports for each canonical milestone
export const AT701_BY_CODE: Readonly<Record<string, string>> = {
    pickup_arrived: "X3",
    picked_up: "AF",
    in_transit: "X6",
    at_terminal: "X4",
    out_for_delivery: "AJ",
    delivered: "D1",
    exception: "A7",
};
// AT707 time code of a fixed UTC offset (standard time)
const TIME_CODES: Readonly<Record<string, string>> = { "-05:00": "ES", "-06:00": "CS", "-07:00": "MS", "-08:00": "PS", "+00:00": "UT" };

export interface InterchangeOptions {
    sender: string;
    /** the carrier's SCAC in B1003 (2 to 4 letters) */
    scac?: string;
    receiver: string;
    control: number;
    when: Date;
    delimiters?: Delimiters;
    /** break the segment count of this set (0-based) to make a malformed transaction set */
    breakSet?: number;
}

const pad = (value: string, width: number) => value.padEnd(width, " ").slice(0, width);
const num = (value: number, width: number) => String(value).padStart(width, "0");

/** One 214 transaction set per shipment of the events, in one interchange. */
export function build214(events: SimEvent[], options: InterchangeOptions): string {
    const d = options.delimiters ?? STANDARD;
    const seg = (...elements: string[]) => elements.join(d.element) + d.segment + d.newline;
    const date = options.when.toISOString();
    const yymmdd = date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
    const hhmm = date.slice(11, 13) + date.slice(14, 16);
    const control = num(options.control, 9);
    let out = seg("ISA", "00", pad("", 10), "00", pad("", 10), "02", pad(options.sender, 15), "ZZ",
        pad(options.receiver, 15), yymmdd, hhmm, "U", "00401", control, "0", "P", d.component);
    out += seg("GS", "QM", options.sender, options.receiver, "20" + yymmdd, hhmm, String(options.control), "X", "004010");
    const byShipment = new Map<string, SimEvent[]>();
    for (const event of events) {
        byShipment.set(event.pro, [...(byShipment.get(event.pro) ?? []), event]);
    }
    let setIndex = 0;
    for (const [pro, shipmentEvents] of byShipment) {
        const setControl = num(setIndex + 1, 4);
        const body = [seg("ST", "214", setControl), seg("B10", pro, pro, options.scac ?? "SIMC")];
        shipmentEvents.forEach((event, i) => {
            const local = event.eventTime.slice(0, 19);
            const offset = event.eventTime.slice(19) || "+00:00";
            const [city, state] = event.location.split(", ");
            body.push(seg("LX", String(i + 1)));
            body.push(seg("AT7", AT701_BY_CODE[event.code] ?? "X6", "NS", "", "",
                local.slice(0, 10).replaceAll("-", ""), local.slice(11, 16).replace(":", ""),
                TIME_CODES[offset] ?? "UT"));
            body.push(seg("MS1", city ?? "", state ?? "", "US"));
        });
        const count = body.length + 1 + (options.breakSet === setIndex ? 3 : 0);
        out += body.join("") + seg("SE", String(count), setControl);
        setIndex++;
    }
    out += seg("GE", String(setIndex), String(options.control));
    out += seg("IEA", "1", control);
    return out;
}
