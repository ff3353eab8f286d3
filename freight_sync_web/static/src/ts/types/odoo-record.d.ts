// Shapes of Odoo 17's relational model (web/static/src/model/relational_model) as read here.
import type { DateTime } from "luxon";

export type FieldValue = string | number | boolean | DateTime | null | undefined | false;

export interface OdooRecord {
    resId: number | false;
    data: Record<string, FieldValue | OdooStaticList>;
    load(): Promise<void>;
    isDirty(): Promise<boolean>;
    save(): Promise<boolean>;
}

export interface OdooStaticList {
    records: OdooRecord[];
    /** ids of every record of the relation, loaded or not */
    currentIds: number[];
    count: number;
}

export interface FieldProps {
    name: string;
    record: OdooRecord;
    readonly?: boolean;
}
